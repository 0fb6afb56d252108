/* A round-robin scheduler driven by the timer tick. Blocked threads are on no queue and cost
 * nothing; a hart with nothing to run waits in WFI. The kernel itself runs with interrupts
 * off, under one lock, so it never preempts itself. */
#ifndef VIREO_SCHED_H
#define VIREO_SCHED_H

#include "task.h"

void sched_ready(struct thread *t);
void sched_remove(struct thread *t);
/* Switches away from the current thread, which has set its state (ready, blocked, dead). */
void sched_switch(void);
void sched_yield(void);
void sched_block(struct thread *t, enum thread_wait why);
void sched_wake(struct thread *t);
struct thread *current_thread(void);
/* The scheduler loop of this hart; never returns. */
__attribute__((noreturn)) void sched_run(void);
/* The tick asks the running thread to give way at its next return to U-mode. */
void sched_tick(void);
void context_switch(struct context *from, struct context *to);
void sched_finish_switch(void);

#endif
