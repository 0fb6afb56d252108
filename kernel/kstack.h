/* Kernel stacks with guards. Each thread's kernel stack has a slot of its own in a region of
 * the kernel's half of every address space: unmapped guard pages, then the stack's pages,
 * mapped 4 KiB at a time. The boot stack, which the idle loop goes on using, has a guard page
 * of its own (entry.S, kernel_map.c). An overflow then faults instead of writing over
 * whatever lies below; but the trap that follows cannot push its frame there either, so
 * trapvec.S checks every kernel trap's frame against the base of the stack the hart is on
 * (struct hart) and, when it would not fit, goes to the hart's emergency stack and to
 * kstack_overflow(), which panics with the registers of the overflow.
 *
 * Included by assembly too: the offsets below are checked against the structs in kstack.c. */
#ifndef VIREO_KSTACK_H
#define VIREO_KSTACK_H

#define KSTACK_PAGES 4
#define KSTACK_SIZE (KSTACK_PAGES * 4096)
/* 16 KiB: a frame with a large local array lands in the guard too, not in the next stack. */
#define KSTACK_GUARD_PAGES 4
#define KSTACK_SLOT_SIZE ((KSTACK_GUARD_PAGES + KSTACK_PAGES) * 4096)
#define KSTACK_SLOTS 64 /* one per thread slot: MAX_THREADS (task.h) */
/* The last GiB of the kernel's half, below VIREO_USER_BASE and far above RAM and devices. Its
 * 2 MiB need one level-0 table, which kernel_map_init() builds before any task copies the
 * kernel's root entries, so a stack mapped later is seen in every address space. */
#define KSTACK_REGION_BASE 0x1fc0000000
#define KSTACK_REGION_SIZE (KSTACK_SLOTS * KSTACK_SLOT_SIZE)
/* Enough for the panic report (kprintf formats a line on the stack, ksyms looks up names). */
#define EMERGENCY_STACK_SIZE 4096

/* What trapvec.S and switch.S reach: struct hart fields at tp, struct context and struct
 * user_frame fields. */
#define HART_STACK_BASE (1 * 8)
#define HART_TRAP_T0 (2 * 8)
#define HART_EMERGENCY_SP (3 * 8)
#define CONTEXT_STACK_BASE (14 * 8)
#define USER_FRAME_KSTACK_BASE (35 * 8)

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The lowest address of slot's stack; its guard is the KSTACK_GUARD_PAGES below. */
static inline uint64_t kstack_base(unsigned slot)
{
	return KSTACK_REGION_BASE + (uint64_t)slot * KSTACK_SLOT_SIZE + KSTACK_GUARD_PAGES * 4096;
}

/* The slot whose guard or stack holds addr, or -1 outside the region. */
static inline int kstack_slot_of(uint64_t addr)
{
	if (addr < KSTACK_REGION_BASE || addr - KSTACK_REGION_BASE >= KSTACK_REGION_SIZE)
		return -1;
	return (int)((addr - KSTACK_REGION_BASE) / KSTACK_SLOT_SIZE);
}

/* Maps fresh zeroed pages as slot's stack and returns its base, or 0 when out of memory. */
uint64_t kstack_alloc(unsigned slot);
/* Unmaps the stack at base (kstack_alloc's), fences its addresses and frees its pages. */
void kstack_free(uint64_t base);

struct trapframe;
/* trapvec.S, on the emergency stack: a kernel trap whose frame did not fit on its stack. */
__attribute__((noreturn)) void kstack_overflow(const struct trapframe *tf);
#endif

#endif
