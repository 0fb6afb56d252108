/* Threads for programs: a stack of THREAD_STACK_SIZE each from SYS_MEM_ALLOC, with an
 * unmapped guard page below it, in a window of the heap region kept for them (one slot per
 * thread the kernel allows a task). The kernel gives each thread its own IPC buffer. */
#include "vireo.h"

#define THREAD_STACK_SIZE (64 * 1024ul)
#define THREAD_SLOT_SIZE (THREAD_STACK_SIZE + 4096) /* the guard page at the slot's bottom */
/* Far above malloc's pages and below the windows servers place themselves. */
#define THREAD_STACKS_VA 0x2900000000ul

_Static_assert(VIREO_THREADS_MAX <= 32, "a bit per stack slot");
static uint32_t slots_used;

/* What the new thread reads from the top of its stack. */
struct thread_start {
	int (*fn)(uint64_t arg);
	uint64_t arg;
};

static uint64_t slot_stack(unsigned slot)
{
	return THREAD_STACKS_VA + slot * THREAD_SLOT_SIZE + 4096;
}

/* Threads of a task may start others at once: a slot is taken by one atomic step. */
static int take_slot(void)
{
	for (unsigned slot = 0; slot < VIREO_THREADS_MAX; slot++)
		if (!(__atomic_fetch_or(&slots_used, 1u << slot, __ATOMIC_ACQUIRE) & (1u << slot)))
			return (int)slot;
	return -1;
}

static void put_slot(unsigned slot)
{
	__atomic_fetch_and(&slots_used, ~(1u << slot), __ATOMIC_RELEASE);
}

static void thread_entry(struct thread_start *s)
{
	thread_exit(s->fn(s->arg));
}

void thread_exit(int value)
{
	vireo_syscall(SYS_THREAD_EXIT, value, 0, 0, 0, 0, 0);
	for (;;)
		;
}

int64_t thread_create(struct thread *th, int (*fn)(uint64_t arg), uint64_t arg)
{
	int slot = take_slot();
	if (slot < 0)
		return VIREO_E_FULL;
	uint64_t stack = slot_stack((unsigned)slot);
	int64_t err = vireo_syscall(SYS_MEM_ALLOC, (long)stack, THREAD_STACK_SIZE / 4096,
				    VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	if (err) {
		put_slot((unsigned)slot);
		return err;
	}
	uint64_t top = stack + THREAD_STACK_SIZE - sizeof(struct thread_start);
	*(struct thread_start *)top = (struct thread_start){ fn, arg };
	int64_t id = vireo_syscall(SYS_THREAD_CREATE, (long)thread_entry, (long)top, (long)top,
				   0, 0, 0);
	if (id < 0) {
		vireo_syscall(SYS_MEM_FREE, (long)stack, THREAD_STACK_SIZE / 4096, 0, 0, 0, 0);
		put_slot((unsigned)slot);
		return id;
	}
	*th = (struct thread){ (uint64_t)id, (unsigned)slot };
	return 0;
}

int64_t thread_join(struct thread *th)
{
	int64_t value = vireo_syscall(SYS_THREAD_JOIN, (long)th->id, 0, 0, 0, 0, 0);
	if (value >= 0) { /* the thread is gone: its stack is free */
		vireo_syscall(SYS_MEM_FREE, (long)slot_stack(th->slot), THREAD_STACK_SIZE / 4096,
			      0, 0, 0, 0);
		put_slot(th->slot);
	}
	return value;
}
