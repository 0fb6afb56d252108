/* A round-robin scheduler driven by the timer tick: one run queue for every hart, under the
 * big kernel lock (docs/design.md 9). Blocked threads are on no queue and cost nothing; a
 * hart with nothing to run waits in WFI, and an IPI wakes it when a thread it may run is
 * made ready. The kernel itself runs with interrupts off, so it never preempts itself. */
#ifndef VIREO_SCHED_H
#define VIREO_SCHED_H

#include "csr.h"
#include "task.h"

void sched_ready(struct thread *t);
void sched_remove(struct thread *t);
/* Switches away from the current thread, which has set its state (ready, blocked, dead). */
void sched_switch(void);
void sched_yield(void);
void sched_block(struct thread *t, enum thread_wait why);
void sched_wake(struct thread *t);
/* From now on only h runs t (but for the IPC fast path's hand-over, sched.c); t is the
 * caller, which moves there if it runs elsewhere. */
void sched_pin(struct thread *t, struct hart *h);
struct thread *current_thread(void);
/* The scheduler loop of this hart; never returns. */
__attribute__((noreturn)) void sched_run(void);
/* The tick asks the running thread to give way at its next return to U-mode. */
void sched_tick(void);
void context_switch(struct context *from, struct context *to);
void sched_finish_switch(void);

/* Each task has its own ASID, so a switch needs no fence (priv spec 4.2.1): the TLB keeps
 * entries apart by ASID, and the kernel's global ones serve every task. */
static inline void sched_switch_address_space(struct task *t)
{
	if (csr_read(CSR_SATP) != t->satp)
		csr_write(CSR_SATP, t->satp);
}

/* The IPC fast path's switch (ipc_fast.c), inline as it runs on every message: from, the
 * current thread of hart h, blocks, and to, which was blocked, runs next, with the rest of
 * the time slice. Returns the frame trapvec.S leaves to U-mode with. Neither kernel stack
 * holds anything to return to: to leaves through its frame, and from, once woken, through
 * its frame as a new thread does. user_trap_return() would have nothing more to do: a trap
 * from U-mode leaves sstatus.SPP clear, SPIE set and FS off, and hstatus.SPV clear. */
static inline struct user_frame *sched_hand_over(struct hart *h, struct thread *from,
						 struct thread *to)
{
	from->state = THREAD_BLOCKED;
	thread_enter_user_next(from);
	to->state = THREAD_RUNNING;
	to->last_hart = h;
	h->current = to;
	sched_switch_address_space(to->task);
	to->frame->kernel_tp = (uint64_t)h;
	return to->frame;
}

#endif
