#include "sched.h"

#include "csr.h"
#include "hart.h"
#include "memory.h"
#include "page_alloc.h"

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

void sched_switch(void)
{
	struct hart *h = this_hart();
	context_switch(&h->current->ctx, &h->sched_ctx);
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

static void switch_address_space(struct task *t)
{
	uint64_t satp = SATP_MODE_SV39 | ((uint64_t)(uintptr_t)t->space.root >> PAGE_SHIFT);
	if (csr_read(CSR_SATP) != satp) {
		csr_write(CSR_SATP, satp);
		sfence_vma_all();
	}
}

void sched_run(void)
{
	struct hart *h = this_hart();
	for (;;) {
		struct thread *t = run_head;
		if (!t) {
			/* Idle: let interrupts in, wait for one, and look again. */
			csr_set(CSR_SSTATUS, SSTATUS_SIE);
			wfi();
			csr_clear(CSR_SSTATUS, SSTATUS_SIE);
			continue;
		}
		run_head = t->next;
		if (!run_head)
			run_tail = NULL;
		t->next = NULL;
		t->state = THREAD_RUNNING;
		h->current = t;
		h->need_resched = 0;
		switch_address_space(t->task);
		context_switch(&h->sched_ctx, &t->ctx);
		h->current = NULL;
		if (t->state == THREAD_DEAD)
			thread_free(t); /* its stack is no longer in use */
	}
}
