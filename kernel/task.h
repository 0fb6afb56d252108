/* Tasks (an address space, a handle table and threads) and their threads. */
#ifndef VIREO_TASK_H
#define VIREO_TASK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vireo/syscall.h>

#include "handle.h"
#include "hart.h"
#include "kstack.h"
#include "pagetable.h"

#define MAX_TASKS 64
#define MAX_MAPPINGS 32

/* Saved by trapvec.S on a trap from U-mode; sscratch points here while the thread runs. */
struct user_frame {
	uint64_t regs[32];
	uint64_t sepc;
	uint64_t kernel_sp, kernel_tp; /* loaded on entry */
	/* Its kernel stack's base, for trapvec.S's check (kstack.h); it also keeps the stack
	 * below the frame 16-byte aligned. */
	uint64_t kernel_stack_base;
};

enum thread_state { THREAD_READY, THREAD_RUNNING, THREAD_BLOCKED, THREAD_DEAD };

/* Why a blocked thread waits. */
enum thread_wait { WAIT_NONE, WAIT_RECV, WAIT_SEND, WAIT_REPLY, WAIT_VM, WAIT_JOIN };

struct endpoint;
struct memobj;

struct thread {
	uint64_t id;
	struct task *task;
	enum thread_state state;
	enum thread_wait wait;
	struct endpoint *wait_ep;  /* WAIT_RECV, WAIT_SEND: the endpoint */
	struct task *reply_from;   /* WAIT_REPLY: the task that owes the reply */
	struct thread *next;       /* run queue or endpoint queue link */
	struct context ctx;
	struct user_frame *frame;  /* at the top of the kernel stack */
	uint64_t kstack;           /* its kernel stack's base: KSTACK_PAGES in its slot */
	struct vireo_ipc_buffer *ipc; /* its IPC buffer page, mapped in the task too */
	unsigned index;            /* in its task's thread[]: where its IPC buffer is mapped */
	uint64_t join_id;          /* WAIT_JOIN: the thread it waits for */
	struct hart *last_hart;    /* the hart it last ran on, NULL before it ran */
	struct hart *pinned;       /* the only hart that may run it, or NULL for any */
	/* A message on its way: the handle it carries, checked when sent. */
	struct handle pending_handle;
};

/* A region of the address space and what backs it. */
struct mapping {
	uint64_t va, npages;
	uint64_t pa;     /* first page; contiguous */
	uint64_t pte_flags;
	bool owned;      /* pages belong to the task and are freed with it */
	unsigned pins;   /* VMs using these pages as guest RAM: no unmapping meanwhile */
	/* Owned regions of a chunk or more: a bit per chunk of pages that nothing has touched
	 * yet, so they are neither zeroed nor mapped (task_touch). */
	uint64_t *untouched;
	struct memobj *obj; /* the memory object mapped here, or that took over its owned pages */
};

/* 2 MiB: large regions (guest RAM) are zeroed and mapped a chunk at a time. */
#define CHUNK_PAGES 512ul

struct task {
	uint64_t id;
	uint64_t asid; /* its slot in the task table, plus one: ASID 0 is the kernel's */
	uint64_t satp; /* its root table and ASID, as the hart's satp takes them */
	char name[VIREO_NAME_MAX];
	int refs; /* the task table's, plus each handle naming it */
	bool dead;      /* ending or ended: its threads may run no more */
	bool torn_down; /* its threads, memory and objects are gone */
	int64_t exit_status;
	uint64_t parent;
	struct pt_space space;
	uint64_t pages; /* charged to it: owned pages, table pages, kernel stack */
	struct quota *quota; /* what its pages count against; NULL: no limit (init) */
	struct mapping mappings[MAX_MAPPINGS];
	struct handle handles[MAX_HANDLES];
	/* Its live threads; a slot whose thread exited keeps its id and value until joined. */
	struct thread *thread[VIREO_THREADS_MAX];
	uint64_t exited_id[VIREO_THREADS_MAX];
	int64_t exit_value[VIREO_THREADS_MAX];
	struct endpoint *exit_ep;
	uint64_t exit_bits;
};

void thread_enter_user(void); /* trapvec.S */

/* The thread's next switch to it goes through trapvec.S's thread_enter_user to U-mode, with
 * the registers in its frame: how a new thread starts, and how one resumes whose kernel
 * stack holds nothing (ipc_fast.c). */
static inline void thread_enter_user_next(struct thread *th)
{
	th->ctx.ra = (uint64_t)thread_enter_user;
	th->ctx.sp = (uint64_t)th->frame & ~15ul;
	th->ctx.s[0] = 0; /* stack walks end here */
}

/* A new task drawing on quota (which gains a reference; NULL for none); NULL with *err
 * VIREO_E_FULL or VIREO_E_NOMEM when there is no room for it. */
struct task *task_create(const char *name, uint64_t parent, struct quota *quota, int *err);
/* Charges n pages to t and its quota: VIREO_E_LIMIT, with nothing charged, past the limit. */
int task_charge(struct task *t, uint64_t n);
void task_uncharge(struct task *t, uint64_t n);
/* Maps npages at va: fresh zeroed pages (owned), or the given physical pages. */
int task_map(struct task *t, uint64_t va, uint64_t npages, uint64_t pa, uint64_t pte_flags,
	     bool owned);
int task_unmap(struct task *t, uint64_t va, uint64_t npages);
/* Maps all of a memory object at va; the mapping holds a reference to it. */
int task_map_object(struct task *t, uint64_t va, struct memobj *obj, uint64_t pte_flags);
/* The owned mapping containing [va, va+size) and the physical address of va, for a VM to
 * pin as guest RAM; NULL if there is none. */
struct mapping *task_find_owned(struct task *t, uint64_t va, uint64_t size, uint64_t *pa);
void task_unpin(struct task *t, uint64_t va);
/* The physical address behind va in an owned mapping, zeroing and mapping the chunk around
 * it on its first touch; 0 if va is in no owned mapping or no table page was left. */
uint64_t task_touch(struct task *t, uint64_t va);
/* A page fault the task can go on from: the first touch of a chunk, or a stale TLB entry. */
bool task_fault_in(struct task *t, uint64_t va, uint64_t cause);
/* Gives t its first thread, starting in U-mode at pc with sp, a0 and a1. */
int task_start(struct task *t, uint64_t pc, uint64_t sp, uint64_t a0, uint64_t a1);
/* Ends a task: ends its threads, frees its memory and handles, and tells whoever waits. */
void task_exit(struct task *t, int64_t status);
void task_put(struct task *t);
/* How many of its threads have not exited. */
unsigned task_live_threads(const struct task *t);
/* enum vireo_task_state of a thread, and of a task: that of its most awake thread. */
uint64_t thread_user_state(const struct thread *th);
uint64_t task_user_state(const struct task *t);

/* Threads (thread.c). A new thread of t, ready to start in U-mode at pc with sp, a0, a1 and
 * tp at its IPC buffer; NULL with *err VIREO_E_FULL (no slot in t or in the kernel),
 * VIREO_E_LIMIT (over the quota: its kernel stack and IPC buffer are charged to t) or
 * VIREO_E_NOMEM. */
struct thread *thread_create(struct task *t, uint64_t pc, uint64_t sp, uint64_t a0,
			     uint64_t a1, int *err);
/* Ends th: off every queue, its IPC buffer and charge gone; freed now, or by the scheduler
 * once off its kernel stack if it runs. Its task goes on (task_exit ends the task). */
void thread_end(struct thread *th);
void thread_free(struct thread *th);
struct task *task_by_id(uint64_t id);
struct task *task_at(unsigned index);

/* Threads by id in O(1): a reply names its caller by thread id on every IPC round trip, so
 * the lookup is inline. An id is slot + MAX_THREADS * generation, so a stale id never finds
 * a newer thread. */
#define MAX_THREADS MAX_TASKS
extern struct thread *threads[MAX_THREADS];

static inline struct thread *thread_by_id(uint64_t id)
{
	struct thread *th = threads[id % MAX_THREADS];
	return th && th->id == id && th->state != THREAD_DEAD ? th : NULL;
}
/* Copies between kernel memory and a task's user memory; -1 on any page the task may not
 * read (or write) from U-mode. */
int copy_from_user(struct task *t, void *dst, uint64_t uva, uint64_t len);
int copy_to_user(struct task *t, uint64_t uva, const void *src, uint64_t len);

#endif
