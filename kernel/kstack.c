#include "kstack.h"

#include <stdbool.h>
#include <stddef.h>

#include "csr.h"
#include "format.h"
#include "hart.h"
#include "kernel_map.h"
#include "memory.h"
#include "page_alloc.h"
#include "panic.h"
#include "pagetable.h"
#include "sbi.h"
#include "task.h"
#include "trap.h"

_Static_assert(offsetof(struct hart, stack_base) == HART_STACK_BASE, "hart.stack_base");
_Static_assert(offsetof(struct hart, trap_t0) == HART_TRAP_T0, "hart.trap_t0");
_Static_assert(offsetof(struct hart, emergency_sp) == HART_EMERGENCY_SP, "hart.emergency_sp");
_Static_assert(offsetof(struct context, stack_base) == CONTEXT_STACK_BASE, "context.stack_base");
_Static_assert(offsetof(struct user_frame, kernel_stack_base) == USER_FRAME_KSTACK_BASE,
	       "user_frame.kernel_stack_base");
_Static_assert(KSTACK_SIZE == KSTACK_PAGES * PAGE_SIZE, "page size");
_Static_assert(KSTACK_SLOTS == MAX_THREADS, "a stack slot per thread slot");
_Static_assert(KSTACK_REGION_BASE + KSTACK_REGION_SIZE <= VIREO_USER_BASE,
	       "kernel stacks in the kernel's half");

extern char boot_stack[];

uint64_t kstack_alloc(unsigned slot)
{
	if (slot >= KSTACK_SLOTS)
		panic("kstack_alloc: slot %u of %u", slot, KSTACK_SLOTS);
	uint64_t pa = kpages_alloc(KSTACK_PAGES, 1);
	if (!pa)
		return 0;
	kernel_map_pages(kstack_base(slot), pa, KSTACK_PAGES);
	return kstack_base(slot);
}

void kstack_free(uint64_t base)
{
	int slot = kstack_slot_of(base);
	uint64_t pa = pt_translate(kernel_space(), base);
	if (slot < 0 || base != kstack_base((unsigned)slot) || !pa)
		panic("kstack_free: no stack at %lx", base);
	kernel_unmap_pages(base, KSTACK_PAGES);
	kpages_free(pa, KSTACK_PAGES);
}

/* Names the stack at base: a thread's, or the boot stack the idle loop runs on. */
static void describe(uint64_t base, char *out, size_t size)
{
	int slot = kstack_slot_of(base);
	const struct thread *th = slot >= 0 ? threads[slot] : NULL;
	if (base == (uint64_t)boot_stack)
		snformat(out, size, "the boot and idle stack");
	else if (th && th->kstack == base)
		snformat(out, size, "thread %lu, task %s", th->id,
			 th->state == THREAD_DEAD ? "gone" : th->task->name);
	else
		snformat(out, size, "unknown stack at %lx", base);
}

void kstack_overflow(const struct trapframe *tf)
{
	static bool reporting;
	if (reporting) { /* the report itself trapped: stop without another word */
		sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
		for (;;)
			wfi();
	}
	reporting = true;
	uint64_t base = this_hart()->stack_base;
	char whose[64];
	describe(base, whose, sizeof(whose));
	panic_trap_as(tf, "kernel stack overflow (%s)\n  %s with sp %016lx, stack %016lx-%016lx",
		      whose, trap_cause_name(tf->scause), tf->regs[2], base, base + KSTACK_SIZE);
}
