/* Virtual machines (docs/design.md 6.2; their vCPUs are in vcpu.h). A VM belongs to the
 * task that created it (its monitor) and dies with it; the monitor's threads run the VM's
 * vCPUs in SYS_VM_RUN, one thread per lane, until something needs the monitor. */
#ifndef VIREO_HV_VM_H
#define VIREO_HV_VM_H

#include <stdbool.h>
#include <stdint.h>
#include <vireo/syscall.h>

#include "hv.h"
#include "ipc.h"
#include "pagetable.h"
#include "task.h"
#include "vcpu.h"
#include "vplic.h"

#define MAX_VMS 8
#define VM_MAX_RAM 8

struct vm {
	uint64_t id;
	char name[VIREO_NAME_MAX];
	struct task *owner;
	uint16_t vmid;
	struct pt_space gstage;
	uint64_t ram_pages;
	uint64_t time_offset;   /* htimedelta: the guest clock starts at zero */
	unsigned nvcpus, next_vcpu;
	struct vcpu vcpus[VIREO_VM_MAX_VCPUS];
	struct vplic plic;
	unsigned ndevices;
	struct { uint64_t base, size; } devices[VIREO_VM_MAX_DEVICES];
	/* Per lane: the monitor thread in SYS_VM_RUN, and the one blocked there, or NULL. */
	unsigned lanes;
	struct thread *runner[VIREO_VM_MAX_VCPUS];
	struct thread *waiter[VIREO_VM_MAX_VCPUS];
	bool stopped;           /* SYS_VM_STOP: every run call ends */
	struct endpoint_watch mail_watch; /* wakes it when its endpoint has mail */
	char out[VIREO_VM_CONSOLE_MAX];
	unsigned out_len;
	bool out_kicked;        /* full, and lane 0 was asked to hand it over */
	uint64_t out_since;     /* host time of the oldest byte in out */
	char in[256];
	unsigned in_head, in_len;
	struct vireo_vm_stat stat;
	unsigned nram;
	/* Guest RAM: parts of the owner's mappings, pinned, mapped into the G-stage a chunk at
	 * a time as the guest first touches them (guest_ram.c). */
	struct { uint64_t gpa, size, va, pa; } ram[VM_MAX_RAM];
	int refs;
};

static inline bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

struct vm *vm_create(struct task *owner, const struct vireo_vm_config *cfg, int *err);
void vm_put(struct vm *vm);
/* Makes the owner's pages at va (physical hpa) guest RAM at gpa; their mapping stays
 * pinned (SYS_MEM_FREE refuses it) while the VM lives. */
int vm_map(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t va);
/* A guest-page fault on RAM the guest had not touched: maps its chunk. False if gpa is not
 * guest RAM, or no table page was left. */
bool vm_ram_fault_in(struct vm *vm, uint64_t gpa);
/* Copies between guest RAM and a kernel buffer; -1 when any byte is outside guest RAM. */
int guest_read(struct vm *vm, void *dst, uint64_t gpa, uint64_t len);
int guest_write(struct vm *vm, uint64_t gpa, const void *src, uint64_t len);
int64_t vm_run(struct thread *t, struct vm *vm, unsigned lane, uint64_t exit_uva,
	       struct endpoint *ep);
/* Whether a thread of owner is in SYS_VM_RUN on lane 0: one at a time runs the lane 0 of
 * each of a task's VMs (6.9). */
bool vm_owner_running(const struct task *owner);
/* Wakes the threads of vm's lanes that wait in SYS_VM_RUN. */
void vm_wake(struct vm *vm);
/* Has lane 0 exit, or its thread wake, to hand over the console output: only it does, so
 * that output reaches the monitor in the order written (guest_sbi.c console_put). */
void vm_ask_lane0_for_output(struct vm *vm);
/* SYS_VM_STOP: each lane's run call returns, now or at its next entry. */
void vm_stop(struct vm *vm);
int vm_input(struct vm *vm, const char *bytes, unsigned len);
int vm_set_irq(struct vm *vm, unsigned irq, bool level);
struct vm *vm_at(unsigned index);
/* Fills in what SYS_VM_CREATE tells the monitor of the guest's harts: its ISA (the host's
 * less what Vireo does not virtualize), MMU type and cache-block sizes. */
void hv_describe_guest_harts(struct vireo_vm_config *cfg);
/* Whether the hart runs vCPUs with Sstc (the guest writes vstimecmp itself); read on every
 * exit, hence inline. */
extern bool hv_host_sstc;
static inline bool hv_sstc(void)
{
	return hv_host_sstc;
}

#endif
