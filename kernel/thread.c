/* Threads (docs/design.md 5): each has a kernel stack in the slot of its id (kstack.h), an IPC
 * buffer page mapped in its task at its index's stride, and its saved user registers; the
 * address space and the handles are its task's. The system calls on threads are here too. */
#include <string.h>
#include <vireo/syscall.h>

#include "ipc.h"
#include "kalloc.h"
#include "memory.h"
#include "page_alloc.h"
#include "sched.h"
#include "syscall.h"
#include "task.h"
#include "tlb.h"

/* Charged to the task for each thread: its kernel stack and its IPC buffer. */
#define THREAD_PAGES (KSTACK_PAGES + 1)

struct thread *threads[MAX_THREADS];
static uint64_t generation[MAX_THREADS];

static int thread_register(struct thread *th)
{
	for (unsigned slot = 0; slot < MAX_THREADS; slot++) {
		if (!threads[slot]) {
			threads[slot] = th;
			th->id = slot + MAX_THREADS * ++generation[slot];
			return 0;
		}
	}
	return -1;
}

static uint64_t ipc_buffer_va(unsigned index)
{
	return VIREO_USER_IPC_BUFFER + index * VIREO_USER_IPC_STRIDE;
}

/* The task may be gone already: only the stack and the structure are left to free. */
void thread_free(struct thread *th)
{
	threads[th->id % MAX_THREADS] = NULL;
	if (th->kstack)
		kstack_free(th->kstack);
	kfree(th, sizeof(*th));
}

struct thread *thread_create(struct task *t, uint64_t pc, uint64_t sp, uint64_t a0,
			     uint64_t a1, int *err)
{
	unsigned index = 0;
	while (index < VIREO_THREADS_MAX && (t->thread[index] || t->exited_id[index]))
		index++;
	*err = VIREO_E_FULL;
	if (index == VIREO_THREADS_MAX)
		return NULL;
	*err = task_charge(t, THREAD_PAGES);
	if (*err)
		return NULL;
	struct thread *th = kzalloc(sizeof(*th));
	*err = th ? VIREO_E_FULL : VIREO_E_NOMEM;
	if (th && thread_register(th)) {
		kfree(th, sizeof(*th));
		th = NULL;
	}
	uint64_t ipc = th ? kpage_alloc() : 0, va = ipc_buffer_va(index);
	if (ipc) {
		*err = VIREO_E_NOMEM;
		th->kstack = kstack_alloc(th->id % MAX_THREADS);
	}
	if (!th || !ipc || !th->kstack ||
	    pt_map(&t->space, va, ipc, PAGE_SIZE, PTE_R | PTE_W | PTE_U, PAGE_SIZE)) {
		if (ipc) {
			pt_unmap(&t->space, va, PAGE_SIZE); /* what a failed map left */
			kpage_free(ipc);
		}
		if (th)
			thread_free(th);
		task_uncharge(t, THREAD_PAGES);
		return NULL;
	}
	sfence_vma_asid(t->asid); /* a hart may have cached the invalid entry */
	th->task = t;
	th->index = index;
	th->ipc = (struct vireo_ipc_buffer *)(uintptr_t)ipc;
	uint64_t top = th->kstack + KSTACK_SIZE;
	th->frame = (struct user_frame *)(uintptr_t)(top - sizeof(struct user_frame));
	th->frame->kernel_stack_base = th->kstack;
	th->ctx.stack_base = th->kstack;
	th->frame->sepc = pc;
	th->frame->regs[2] = sp;
	th->frame->regs[4] = va; /* tp: how the library finds the thread's IPC buffer */
	th->frame->regs[10] = a0;
	th->frame->regs[11] = a1;
	thread_enter_user_next(th);
	t->thread[index] = th;
	sched_ready(th);
	return th;
}

void thread_end(struct thread *th)
{
	struct task *t = th->task;
	if (th->state == THREAD_READY)
		sched_remove(th);
	else if (th->state == THREAD_BLOCKED)
		ipc_cancel(th);
	pt_unmap(&t->space, ipc_buffer_va(th->index), PAGE_SIZE);
	tlb_flush_asid(t->asid);
	kpage_free((uint64_t)(uintptr_t)th->ipc);
	th->ipc = NULL;
	task_uncharge(t, THREAD_PAGES);
	t->thread[th->index] = NULL;
	bool running = th->state == THREAD_RUNNING;
	th->state = THREAD_DEAD;
	if (!running)
		thread_free(th); /* else the scheduler frees it once off its stack */
}

unsigned task_live_threads(const struct task *t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < VIREO_THREADS_MAX; i++)
		n += t->thread[i] != NULL;
	return n;
}

uint64_t thread_user_state(const struct thread *th)
{
	return th->state == THREAD_RUNNING ? VIREO_STATE_RUNNING
	       : th->state == THREAD_READY ? VIREO_STATE_READY
	       : th->state == THREAD_BLOCKED ? VIREO_STATE_BLOCKED
					     : VIREO_STATE_DEAD;
}

/* A task is as awake as its most awake thread (the states are in that order). */
uint64_t task_user_state(const struct task *t)
{
	uint64_t state = VIREO_STATE_DEAD;
	for (unsigned i = 0; i < VIREO_THREADS_MAX; i++)
		if (t->thread[i] && thread_user_state(t->thread[i]) < state)
			state = thread_user_state(t->thread[i]);
	return state;
}

/* Whether the page at va lets U-mode do all of need, once a chunk not yet touched is in. */
static bool user_page_allows(struct task *t, uint64_t va, uint64_t need)
{
	if (va < VIREO_USER_BASE || va >= VIREO_USER_END)
		return false;
	need |= PTE_V | PTE_U;
	pte_t pte = pt_lookup(&t->space, va, NULL);
	if (!(pte & PTE_V) && task_touch(t, va))
		pte = pt_lookup(&t->space, va, NULL);
	return (pte & need) == need;
}

int64_t sys_thread_create(struct thread *t, const uint64_t *a)
{
	uint64_t entry = a[0], stack = a[1];
	/* Instructions are 2-byte aligned with C (priv spec 3.1.6.1: IALIGN); the ABI's stack is
	 * 16-byte aligned, and its first push lands just below sp. */
	if ((entry & 1) || !user_page_allows(t->task, entry, PTE_X))
		return VIREO_E_FAULT;
	if ((stack & 15) || stack < 16 || !user_page_allows(t->task, stack - 16, PTE_R | PTE_W))
		return VIREO_E_FAULT;
	int err;
	struct thread *th = thread_create(t->task, entry, stack, a[2], 0, &err);
	return th ? (int64_t)th->id : err;
}

/* The thread of t blocked joining id, if one is. */
static struct thread *joiner_of(struct task *t, uint64_t id)
{
	for (unsigned i = 0; i < VIREO_THREADS_MAX; i++) {
		struct thread *th = t->thread[i];
		if (th && th->state == THREAD_BLOCKED && th->wait == WAIT_JOIN && th->join_id == id)
			return th;
	}
	return NULL;
}

int64_t sys_thread_exit(struct thread *t, const uint64_t *a)
{
	struct task *task = t->task;
	int64_t value = (int64_t)(a[0] & 0x7fffffff);
	if (task_live_threads(task) == 1) {
		task_exit(task, value & 0xffff); /* as SYS_EXIT would */
		return 0;
	}
	struct thread *joiner = joiner_of(task, t->id);
	if (joiner) {
		joiner->frame->regs[10] = (uint64_t)value;
		sched_wake(joiner);
	} else {
		task->exited_id[t->index] = t->id;
		task->exit_value[t->index] = value;
	}
	thread_end(t);
	return 0;
}

int64_t sys_thread_join(struct thread *t, const uint64_t *a)
{
	struct task *task = t->task;
	uint64_t id = a[0];
	if (id == t->id)
		return VIREO_E_INVAL; /* it would wait for itself forever */
	for (unsigned i = 0; i < VIREO_THREADS_MAX; i++) {
		if (task->exited_id[i] == id && id) {
			task->exited_id[i] = 0; /* joined once: the slot is free again */
			return task->exit_value[i];
		}
		struct thread *th = task->thread[i];
		if (th && th->id == id) {
			if (joiner_of(task, id))
				return VIREO_E_BUSY;
			t->join_id = id;
			sched_block(t, WAIT_JOIN);
			return (int64_t)t->frame->regs[10]; /* set by the thread as it exited */
		}
	}
	return VIREO_E_NOENT;
}

int64_t sys_thread_list(struct thread *t, const uint64_t *a)
{
	NEED_SYSTEM(a[0], VIREO_RIGHT_CONTROL);
	struct task *task = task_by_id(a[1]);
	if (!task || task->dead)
		return VIREO_E_NOENT;
	uint64_t seen = 0;
	for (unsigned i = 0; i < VIREO_THREADS_MAX; i++) {
		struct thread *th = task->thread[i];
		if (!th || seen++ != a[2])
			continue;
		struct vireo_thread_info info = { th->id, thread_user_state(th),
						  th->last_hart ? th->last_hart->hartid : 0 };
		return copy_to_user(t->task, a[3], &info, sizeof(info)) ? VIREO_E_FAULT : 1;
	}
	return 0;
}
