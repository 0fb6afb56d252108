/* The hypervisor as the rest of the kernel sees it, and the only hv header that kernel/
 * includes (docs/design.md 6.1; tools/check-layering.sh holds it so). */
#ifndef VIREO_HV_HV_H
#define VIREO_HV_HV_H

#include <stdint.h>

struct machine;
struct object_ops;
struct thread;

/* How handles hold a VM (kernel/handle.h): the last reference destroys it. */
extern const struct object_ops vm_object_ops;

/* Sets up the boot hart's delegation of guest traps and what guests are told of their
 * harts; hv_init_hart does the delegation on each other hart. */
void hv_init(const struct machine *m);
void hv_init_hart(void);
/* Before the hart returns to a host task after running a guest: puts the host's values
 * back in the HS-level CSRs a guest may have written (scounteren, senvcfg). */
void hv_restore_host_csrs(void);

/* The VM system calls (include/vireo/syscall.h), decoded beside the VM in hv/vm_syscall.c;
 * each takes the calling thread and its arguments, as the kernel's own handlers do. */
int64_t sys_vm_create(struct thread *t, const uint64_t *a);
int64_t sys_vm_map(struct thread *t, const uint64_t *a);
int64_t sys_vm_run(struct thread *t, const uint64_t *a);
int64_t sys_vm_input(struct thread *t, const uint64_t *a);
int64_t sys_vm_irq(struct thread *t, const uint64_t *a);
int64_t sys_vm_stat(struct thread *t, const uint64_t *a);
int64_t sys_vm_stop(struct thread *t, const uint64_t *a);

#endif
