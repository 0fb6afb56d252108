/* Per-hart state, reached through tp (docs/design.md 1, 6.2). */
#ifndef VIREO_HART_H
#define VIREO_HART_H

#include <stdbool.h>
#include <stdint.h>

/* Callee-saved registers of a kernel context switched out (switch.S), and the base of the
 * stack it runs on, which context_switch hands to the hart (kstack.h). */
struct context {
	uint64_t ra, sp, s[12];
	uint64_t stack_base;
};

struct thread;
struct vcpu;

struct hart {
	/* Where a trap in a guest-memory access resumes (hv/guest_access.S); it must stay the
	 * first field: the assembly reaches it at 0(tp). */
	uint64_t fixup;
	/* The lowest address of the KSTACK_SIZE stack sp is on: trapvec.S checks each kernel
	 * trap's frame against it, and stack walks stay on it. context_switch and the trap
	 * entry from U-mode keep it up to date (kstack.h). */
	uint64_t stack_base;
	uint64_t trap_t0;      /* t0 while trapvec.S checks */
	uint64_t emergency_sp; /* the top of this hart's emergency stack */
	uint64_t hartid;
	volatile uint64_t ticks;
	struct thread *current;   /* running on this hart, or NULL in the scheduler */
	/* The vCPU this hart runs, or handles an exit of (hv/vm.c vm_run); NULL otherwise.
	 * Debuggers read it (tools/gdb): the hart's own CSRs do not tell which guest runs. */
	struct vcpu *vcpu;
	/* Whose state the hart's registers hold, switched lazily (hv/vcpu.c): the FPU's, the
	 * VS-level CSRs', and scounteren and senvcfg (NULL: the host's). */
	struct vcpu *fpu_owner, *csr_owner, *env_owner;
	struct context sched_ctx; /* the idle loop's, when no thread is ready */
	struct thread *dead;      /* died on its own stack; freed after the next switch */
	int need_resched;
	/* sstatus and hstatus hold what a return to U-mode needs (user_trap_return); running
	 * a guest on this hart changes them. */
	bool user_return_ready;
	/* SMP (docs/design.md 9): its place in harts[] (0 is the boot hart), whether the big
	 * kernel lock is in use (more than one hart), whether it has come up, whether it waits
	 * in WFI with the lock released (so a thread made ready wants an IPI), and its own
	 * next tick. */
	unsigned index;
	bool smp, online;
	volatile bool idle;
	uint64_t next_tick;
};

static inline struct hart *this_hart(void)
{
	struct hart *h;
	__asm__("mv %0, tp" : "=r"(h));
	return h;
}

void hart_init_boot(uint64_t hartid);
/* The state of the hart at index (1 and up), before SBI HSM starts it on its idle stack. */
struct hart *hart_init_secondary(unsigned index, uint64_t hartid);
/* Every hart's state, by index; NULL past the last. */
struct hart *hart_at(unsigned index);

#endif
