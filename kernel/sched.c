#include "sched.h"

#include "csr.h"
#include "hart.h"

static struct thread *run_head, *run_tail;

void sched_ready(struct thread *t)
{
	t->state = THREAD_READY;
	t->next = NULL;
	if (run_tail)
		run_tail->next = t;
	else
		run_head = t;
	run_tail = t;
}

static struct thread *pop_ready(void)
{
	struct thread *t = run_head;
	if (t) {
		run_head = t->next;
		if (!run_head)
			run_tail = NULL;
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
	struct thread *prev = h->current, *next = pop_ready();
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

void sched_tick(void)
{
	this_hart()->need_resched = 1;
}

/* The idle loop: entered when no thread is ready, left as soon as one is. */
void sched_run(void)
{
	struct hart *h = this_hart();
	for (;;) {
		sched_finish_switch();
		struct thread *t = pop_ready();
		if (!t) {
			csr_set(CSR_SSTATUS, SSTATUS_SIE);
			wfi();
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
