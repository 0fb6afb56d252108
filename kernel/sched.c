#include "sched.h"

#include "biglock.h"
#include "csr.h"
#include "hart.h"
#include "kernel_map.h"
#include "smp.h"

static struct thread *run_head, *run_tail;

static bool may_run(const struct thread *t, const struct hart *h)
{
	return !t->pinned || t->pinned == h;
}

/* A thread made ready wakes a hart that waits idle and may run it. */
static void wake_idle_hart(const struct thread *t)
{
	struct hart *h;
	for (unsigned i = 0; (h = hart_at(i)); i++) {
		if (h->online && h->idle && may_run(t, h)) {
			smp_kick(h);
			return;
		}
	}
}

void sched_ready(struct thread *t)
{
	t->state = THREAD_READY;
	t->next = NULL;
	if (run_tail)
		run_tail->next = t;
	else
		run_head = t;
	run_tail = t;
	if (this_hart()->smp)
		wake_idle_hart(t);
}

/* The first ready thread h may run. */
static struct thread *pop_ready(struct hart *h)
{
	struct thread **p = &run_head, *prev = NULL;
	while (*p && !may_run(*p, h)) {
		prev = *p;
		p = &(*p)->next;
	}
	struct thread *t = *p;
	if (t) {
		*p = t->next;
		if (run_tail == t)
			run_tail = prev;
		t->next = NULL;
	}
	return t;
}

void sched_remove(struct thread *t)
{
	struct thread **p = &run_head, *prev = NULL;
	for (; *p; prev = *p, p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			if (run_tail == t)
				run_tail = prev;
			t->next = NULL;
			return;
		}
	}
}

struct thread *current_thread(void)
{
	return this_hart()->current;
}

/* Runs on the far side of every switch: a thread that died on its own stack is freed by
 * whoever runs next, once nothing runs on that stack any more. */
void sched_finish_switch(void)
{
	struct hart *h = this_hart();
	if (h->dead) {
		thread_free(h->dead);
		h->dead = NULL;
	}
}

/* Switches straight to the next ready thread, or to the idle loop when there is none; the
 * current thread has already set its state (ready, blocked, dead). */
void sched_switch(void)
{
	struct hart *h = this_hart();
	struct thread *prev = h->current, *next = pop_ready(h);
	if (prev->state == THREAD_DEAD)
		h->dead = prev;
	if (next == prev) {
		/* Nothing else wanted the hart: the tick's request is served, or every later
		 * trap would yield again, and the IPC fast path would stay off. */
		prev->state = THREAD_RUNNING;
		h->need_resched = 0;
		return;
	}
	if (!next) {
		context_switch(&prev->ctx, &h->sched_ctx);
	} else {
		next->state = THREAD_RUNNING;
		next->last_hart = h;
		h->current = next;
		h->need_resched = 0;
		sched_switch_address_space(next->task);
		context_switch(&prev->ctx, &next->ctx);
	}
	sched_finish_switch();
}

void sched_yield(void)
{
	sched_ready(current_thread());
	sched_switch();
}

void sched_block(struct thread *t, enum thread_wait why)
{
	t->state = THREAD_BLOCKED;
	t->wait = why;
	sched_switch();
}

void sched_wake(struct thread *t)
{
	t->wait = WAIT_NONE;
	t->wait_ep = NULL;
	t->reply_from = NULL;
	sched_ready(t);
}

/* The IPC fast path hands a thread to whichever hart the message came on, pinned or not
 * (a check there would cost every round trip): a pinned thread is back on its hart at its
 * next call of sched_pin. */
void sched_pin(struct thread *t, struct hart *h)
{
	t->pinned = h;
	if (this_hart() != h)
		sched_yield(); /* this hart may not pick it again: h will */
}

void sched_tick(void)
{
	this_hart()->need_resched = 1;
}

/* The idle loop: entered when no thread is ready, left as soon as one is. It waits with
 * the big kernel lock released and interrupts off: WFI wakes on any interrupt enabled in
 * sie all the same (priv spec 4.1.3), and the interrupt is taken once the lock is back.
 * An idle hart translates through the kernel's map, so that no hart holds a task's tables
 * that the task's end may free (tlb.h). */
void sched_run(void)
{
	struct hart *h = this_hart();
	for (;;) {
		sched_finish_switch();
		struct thread *t = pop_ready(h);
		if (!t) {
			kernel_map_activate_if_away();
			h->idle = true;
			kernel_unlock(h);
			wfi();
			kernel_lock(h);
			h->idle = false;
			csr_set(CSR_SSTATUS, SSTATUS_SIE);
			csr_clear(CSR_SSTATUS, SSTATUS_SIE);
			continue;
		}
		t->state = THREAD_RUNNING;
		t->last_hart = h;
		h->current = t;
		h->need_resched = 0;
		sched_switch_address_space(t->task);
		context_switch(&h->sched_ctx, &t->ctx);
		h->current = NULL;
	}
}
