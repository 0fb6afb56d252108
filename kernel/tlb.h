/* TLB shootdowns (docs/design.md 9): a change that removes or replaces a translation is
 * fenced on this hart and, through the SBI's RFENCE extension (SBI spec 8), on every other
 * hart that is up, which may cache it; OpenSBI returns once they all have fenced. A hart
 * never caches a dead task's tables: its threads are all off-CPU before they go, and an
 * idle hart translates through the kernel's map. */
#ifndef VIREO_TLB_H
#define VIREO_TLB_H

#include <stdint.h>

/* The translations of address space asid (a task's). */
void tlb_flush_asid(uint64_t asid);
/* Everything, of every address space. */
void tlb_flush_all(void);
/* Every guest translation (G-stage and VS-stage, of every VMID; priv spec 8.3.2), so that a
 * VMID given to a new VM finds nothing of the old one's on any hart. */
void tlb_flush_guests(void);
/* npages of the kernel's own map from va (global entries). */
void tlb_flush_kernel_pages(uint64_t va, uint64_t npages);

#endif
