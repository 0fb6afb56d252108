/* The IPC fast path. The common round trip of a client and a server (a call the server
 * already waits for, and a reply to a client waiting for it, with no data bytes and no
 * handle) needs only a few words copied from one saved frame to the other and a switch of
 * address space. Doing just that, instead of going through the dispatch table, ipc.c's
 * queues and a kernel-stack switch, makes a round trip more than twice as cheap.
 *
 * The rules are ipc.c's: each function below does what ipc_call(), or ipc_reply() then
 * ipc_recv(), would do in the one case it handles, and leaves the same state behind
 * (thread states, waits, endpoint queues, the registers each side gets back). In any other
 * case, or when something else should run first, it returns having changed nothing, and
 * the generic path serves the call. */
#include "ipc_fast.h"

#include <stddef.h>
#include <vireo/syscall.h>

#include "biglock.h"
#include "csr.h"
#include "hart.h"
#include "ipc.h"
#include "sched.h"

/* The endpoint behind handle h, if it has the right; NULL otherwise (the slow path then
 * reports the error). */
static struct endpoint *endpoint_of(struct task *t, uint64_t h, uint32_t right)
{
	if (h - 1 >= MAX_HANDLES - 1) /* 0 is never a handle */
		return NULL;
	struct handle *hd = &t->handles[h];
	return hd->type == OBJ_ENDPOINT && (hd->rights & right) ? hd->obj : NULL;
}

/* Only register words: no data bytes, no handle, nothing the slow path would refuse. */
static bool registers_only(uint64_t info)
{
	return (info >> 32) == 0;
}

/* Switching threads here skips user_trap_return(), so it is allowed only when that would
 * do nothing else: no tick asking for the scheduler, and no interrupt waiting (the slow
 * path serves the call then, and the interrupt comes in as it returns to U-mode). */
static bool nothing_else_due(struct hart *h)
{
	return !h->need_resched && !(csr_read(CSR_SIP) & csr_read(CSR_SIE));
}

/* SYS_CALL(ep, info, w0..w3) to a receiver blocked in SYS_RECV or SYS_REPLY_RECV: it gets
 * the message (ipc.c, deliver()) and runs; the caller waits for the reply. */
static struct user_frame *fast_call(struct hart *h, struct thread *self, uint64_t *a)
{
	struct endpoint *ep = endpoint_of(self->task, a[0], VIREO_RIGHT_SEND);
	/* A receiver is alive (ipc_cancel() takes a killed one off), and it implies a live
	 * owner, no queued caller and no pending bits: it would have taken those instead. */
	struct thread *r = ep ? ep->receiver : NULL;
	if (!r || !registers_only(a[1]) || !nothing_else_due(h))
		return NULL;
	ep->receiver = NULL;
	uint64_t *m = r->frame->regs;
	m[10] = self->id;
	m[11] = a[1];
	m[12] = a[2];
	m[13] = a[3];
	m[14] = a[4];
	m[15] = a[5];
	m[16] = self->task->id;
	r->wait = WAIT_NONE;
	r->wait_ep = NULL;
	self->wait = WAIT_REPLY;
	self->reply_from = r->task;
	self->frame->sepc += 4; /* past the ecall, as user_trap() does */
	return sched_hand_over(h, self, r);
}

/* SYS_REPLY_RECV(ep, caller, info, w0..w3) when the caller waits for this reply and the
 * endpoint has nothing for the server: the caller gets the reply and runs; the server
 * waits on the endpoint. */
static struct user_frame *fast_reply_recv(struct hart *h, struct thread *self, uint64_t *a)
{
	struct endpoint *ep = endpoint_of(self->task, a[0], VIREO_RIGHT_RECV);
	if (!ep || ep->owner != self->task || ep->callers || ep->pending_bits || ep->receiver ||
	    !registers_only(a[2]))
		return NULL;
	struct thread *c = thread_by_id(a[1]);
	if (!c || c->state != THREAD_BLOCKED || c->wait != WAIT_REPLY ||
	    c->reply_from != self->task || !nothing_else_due(h))
		return NULL;
	uint64_t *m = c->frame->regs;
	m[10] = 0;
	m[11] = a[2];
	m[12] = a[3];
	m[13] = a[4];
	m[14] = a[5];
	m[15] = a[6];
	m[16] = 0;
	c->wait = WAIT_NONE;
	c->reply_from = NULL;
	ep->receiver = self;
	self->wait = WAIT_RECV;
	self->wait_ep = ep;
	self->frame->sepc += 4;
	return sched_hand_over(h, self, c);
}

/* Every trap from U-mode comes here first, so the big kernel lock is taken here; the slow
 * path (user_trap) goes on holding it. */
struct user_frame *ipc_fast(struct user_frame *f)
{
	struct hart *h = this_hart();
	kernel_lock(h);
	if (csr_read(CSR_SCAUSE) != EXC_ECALL_U)
		return NULL;
	uint64_t n = f->regs[17]; /* a7 */
	struct user_frame *next = n == SYS_CALL ? fast_call(h, h->current, &f->regs[10])
				  : n == SYS_REPLY_RECV ? fast_reply_recv(h, h->current, &f->regs[10])
							: NULL;
	if (next)
		kernel_unlock(h);
	return next;
}
