/* The kernel's half of every address space (docs/design.md 1): all RAM and the devices it needs
 * at VA = PA, global and supervisor-only, with the kernel image W^X, and the kernel stacks
 * with their guards (kstack.h). */
#ifndef VIREO_KERNEL_MAP_H
#define VIREO_KERNEL_MAP_H

#include "machine.h"
#include "pagetable.h"

void kernel_map_init(const struct machine *m);
/* The kernel's root table, whose entries every address space copies. */
const struct pt_space *kernel_space(void);
/* Translates through the kernel's own table (e.g. before a task's tables are freed). */
void kernel_map_activate(void);
/* The same, unless the hart translates through the kernel's map already. */
void kernel_map_activate_if_away(void);

/* Maps npages at va to those at pa (read-write, global), or unmaps them, in the kernel
 * stacks' region (kstack.h), whose tables every address space shares: all see the change,
 * fenced here. A clash is a kernel bug and panics. */
void kernel_map_pages(uint64_t va, uint64_t pa, uint64_t npages);
void kernel_unmap_pages(uint64_t va, uint64_t npages);

#endif
