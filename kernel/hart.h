/* Per-hart state, reached through tp (DESIGN.md 1). */
#ifndef VIREO_HART_H
#define VIREO_HART_H

#include <stdbool.h>
#include <stdint.h>

/* Callee-saved registers of a kernel context switched out (switch.S). */
struct context {
	uint64_t ra, sp, s[12];
};

struct thread;

struct hart {
	/* Where a trap in a guest-memory access resumes (hv/guest_access.S); it must stay the
	 * first field: the assembly reaches it at 0(tp). */
	uint64_t fixup;
	uint64_t hartid;
	uint64_t stack_base, stack_top; /* the boot and scheduler stack, for stack walks */
	volatile uint64_t ticks;
	struct thread *current;   /* running on this hart, or NULL in the scheduler */
	struct context sched_ctx; /* the idle loop's, when no thread is ready */
	struct thread *dead;      /* died on its own stack; freed after the next switch */
	int need_resched;
	/* sstatus and hstatus hold what a return to U-mode needs (user_trap_return); running
	 * a guest on this hart changes them. */
	bool user_return_ready;
};

static inline struct hart *this_hart(void)
{
	struct hart *h;
	__asm__("mv %0, tp" : "=r"(h));
	return h;
}

void hart_init_boot(uint64_t hartid);

#endif
