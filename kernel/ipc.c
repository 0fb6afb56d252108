#include "ipc.h"

#include <string.h>
#include <vireo/syscall.h>

#include "handle.h"
#include "kalloc.h"
#include "sched.h"
#include "task.h"

static struct endpoint *timers; /* endpoints with an armed timer */
static struct endpoint *all_endpoints;

struct endpoint *endpoint_create(struct task *owner)
{
	struct endpoint *ep = kzalloc(sizeof(*ep));
	if (ep) {
		ep->owner = owner;
		ep->all_next = all_endpoints;
		all_endpoints = ep;
	}
	return ep;
}

static void timer_unlink(struct endpoint *ep)
{
	for (struct endpoint **p = &timers; *p; p = &(*p)->timer_next) {
		if (*p == ep) {
			*p = ep->timer_next;
			break;
		}
	}
	ep->timer_deadline = 0;
}

void endpoint_put(struct endpoint *ep)
{
	if (--ep->refs > 0)
		return;
	timer_unlink(ep);
	for (struct endpoint **p = &all_endpoints; *p; p = &(*p)->all_next) {
		if (*p == ep) {
			*p = ep->all_next;
			break;
		}
	}
	kfree(ep, sizeof(*ep));
}

DEFINE_OBJECT_OPS(endpoint, struct endpoint, endpoint_put);

static void tell_watcher(struct endpoint *ep)
{
	if (ep->watch)
		ep->watch->mail(ep->watch->ctx);
}

bool endpoint_owned_by(const struct endpoint *ep, const struct task *t)
{
	return ep->owner == t;
}

bool endpoint_has_mail(const struct endpoint *ep)
{
	return ep->pending_bits || ep->callers;
}

void endpoint_watch(struct endpoint *ep, struct endpoint_watch *w)
{
	ep->watch = w;
}

void endpoint_unwatch(struct endpoint *ep)
{
	ep->watch = NULL;
}

/* Writes a message into t's saved registers: what its pending system call returns. */
static void set_result(struct thread *t, int64_t a0, const uint64_t msg[5], uint64_t a6)
{
	uint64_t *r = t->frame->regs;
	r[10] = (uint64_t)a0;
	for (int i = 0; i < 5; i++)
		r[11 + i] = msg ? msg[i] : 0;
	r[16] = a6;
}

/* Moves the data bytes and the handle of a message from one thread's IPC buffer to the
 * other's. The handle was checked (and referenced) when the message was sent. */
static uint64_t transfer(struct thread *from, struct thread *to, uint64_t info)
{
	uint32_t len = vireo_ipc_len(info);
	if (len)
		memcpy(to->ipc->data, from->ipc->data, len);
	if (info & VIREO_IPC_HANDLE) {
		struct handle *h = &from->pending_handle;
		int slot = handle_install(to->task, h->type, h->obj, h->rights);
		object_put(h->type, h->obj);
		*h = (struct handle){ 0 };
		to->ipc->handle = slot > 0 ? (uint64_t)slot : 0;
		if (slot <= 0) /* the receiver's table is full: the handle does not arrive */
			info &= ~VIREO_IPC_HANDLE;
	}
	return info;
}

/* Checks a message before anything moves: its size, and the handle it carries. */
static int64_t check_message(struct thread *self, uint64_t info)
{
	if (vireo_ipc_len(info) > VIREO_IPC_DATA_MAX || (info >> 49))
		return VIREO_E_INVAL;
	if (!(info & VIREO_IPC_HANDLE))
		return 0;
	uint64_t h = self->ipc->handle;
	if (h == 0 || h >= MAX_HANDLES || self->task->handles[h].type == OBJ_NONE)
		return VIREO_E_BADHANDLE;
	if (!(self->task->handles[h].rights & VIREO_RIGHT_TRANSFER))
		return VIREO_E_RIGHTS;
	self->pending_handle = self->task->handles[h];
	object_get(self->pending_handle.type, self->pending_handle.obj);
	return 0;
}

/* The receiver takes a caller's message; the caller now waits for the reply. */
static void deliver(struct thread *caller, struct thread *receiver)
{
	uint64_t *cr = caller->frame->regs;
	uint64_t msg[5] = { transfer(caller, receiver, cr[11]), cr[12], cr[13], cr[14], cr[15] };
	set_result(receiver, (int64_t)caller->id, msg, caller->task->id);
	caller->wait = WAIT_REPLY;
	caller->wait_ep = NULL;
	caller->reply_from = receiver->task;
}

int64_t ipc_call(struct thread *self, struct endpoint *ep, const uint64_t msg[5])
{
	if (!ep->owner)
		return VIREO_E_DEAD;
	int64_t err = check_message(self, msg[0]);
	if (err)
		return err;
	/* The message stays in the caller's frame (a1..a5) until it is received. */
	self->state = THREAD_BLOCKED;
	if (ep->receiver) {
		struct thread *r = ep->receiver;
		ep->receiver = NULL;
		deliver(self, r);
		sched_wake(r);
		self->wait = WAIT_REPLY;
	} else {
		self->wait_ep = ep;
		self->next = NULL;
		if (ep->callers_tail)
			ep->callers_tail->next = self;
		else
			ep->callers = self;
		ep->callers_tail = self;
		self->wait = WAIT_SEND;
		tell_watcher(ep);
	}
	sched_switch();
	return (int64_t)self->frame->regs[10]; /* set by whoever woke us */
}

static uint64_t take_bits(struct endpoint *ep)
{
	uint64_t bits = ep->pending_bits;
	ep->pending_bits = 0;
	return bits;
}

int64_t ipc_recv(struct thread *self, struct endpoint *ep)
{
	if (ep->pending_bits) {
		uint64_t msg[5] = { VIREO_LABEL_NOTIFY, take_bits(ep), 0, 0, 0 };
		set_result(self, 0, msg, 0);
		return 0;
	}
	if (ep->callers) {
		struct thread *c = ep->callers;
		ep->callers = c->next;
		if (!ep->callers)
			ep->callers_tail = NULL;
		c->next = NULL;
		deliver(c, self);
		return (int64_t)self->frame->regs[10];
	}
	if (ep->receiver)
		return VIREO_E_BUSY;
	ep->receiver = self;
	self->wait_ep = ep;
	sched_block(self, WAIT_RECV);
	return (int64_t)self->frame->regs[10];
}

int64_t ipc_reply(struct thread *self, uint64_t caller_id, const uint64_t msg[5])
{
	struct thread *c = thread_by_id(caller_id);
	if (!c || c->state != THREAD_BLOCKED || c->wait != WAIT_REPLY || c->reply_from != self->task)
		return VIREO_E_NOENT;
	int64_t err = check_message(self, msg[0]);
	if (err)
		return err;
	uint64_t reply[5] = { transfer(self, c, msg[0]), msg[1], msg[2], msg[3], msg[4] };
	set_result(c, 0, reply, 0);
	sched_wake(c);
	return 0;
}

void endpoint_notify(struct endpoint *ep, uint64_t bits)
{
	if (!ep->owner)
		return;
	ep->pending_bits |= bits;
	tell_watcher(ep);
	struct thread *r = ep->receiver;
	if (r && ep->pending_bits) {
		ep->receiver = NULL;
		uint64_t msg[5] = { VIREO_LABEL_NOTIFY, take_bits(ep), 0, 0, 0 };
		set_result(r, 0, msg, 0);
		sched_wake(r);
	}
}

void endpoint_set_timer(struct endpoint *ep, uint64_t bits, uint64_t deadline_us)
{
	timer_unlink(ep);
	ep->timer_bits = bits;
	ep->timer_deadline = deadline_us ? deadline_us : 1;
	ep->timer_next = timers;
	timers = ep;
}

void ipc_timer_tick(uint64_t now_us)
{
	struct endpoint **p = &timers;
	while (*p) {
		struct endpoint *ep = *p;
		if (ep->timer_deadline <= now_us) {
			*p = ep->timer_next;
			ep->timer_deadline = 0;
			endpoint_notify(ep, ep->timer_bits);
		} else {
			p = &ep->timer_next;
		}
	}
}

/* A message that will never be delivered lets go of the handle it carried. */
static void drop_pending_handle(struct thread *t)
{
	if (t->pending_handle.type != OBJ_NONE) {
		object_put(t->pending_handle.type, t->pending_handle.obj);
		t->pending_handle = (struct handle){ 0 };
	}
}

static void fail_caller(struct thread *c)
{
	set_result(c, VIREO_E_DEAD, NULL, 0);
	drop_pending_handle(c);
	sched_wake(c);
}

static void endpoint_orphan(struct endpoint *ep)
{
	ep->owner = NULL;
	ep->receiver = NULL;
	ep->watch = NULL;
	timer_unlink(ep);
	while (ep->callers) {
		struct thread *c = ep->callers;
		ep->callers = c->next;
		c->next = NULL;
		fail_caller(c);
	}
	ep->callers_tail = NULL;
}

void endpoints_orphan_owned_by(struct task *t)
{
	for (struct endpoint *ep = all_endpoints; ep; ep = ep->all_next)
		if (ep->owner == t)
			endpoint_orphan(ep);
}

void ipc_cancel(struct thread *t)
{
	struct endpoint *ep = t->wait_ep;
	if (t->wait == WAIT_RECV && ep && ep->receiver == t)
		ep->receiver = NULL;
	if (t->wait == WAIT_SEND && ep) {
		struct thread *prev = NULL;
		for (struct thread *c = ep->callers; c; prev = c, c = c->next) {
			if (c != t)
				continue;
			if (prev)
				prev->next = c->next;
			else
				ep->callers = c->next;
			if (ep->callers_tail == c)
				ep->callers_tail = prev;
			break;
		}
	}
	drop_pending_handle(t);
	t->wait = WAIT_NONE;
	t->wait_ep = NULL;
	t->next = NULL;
}

void ipc_fail_callers_of(struct task *t)
{
	for (unsigned i = 0; i < MAX_THREADS; i++) {
		struct thread *c = threads[i];
		if (c && c->state == THREAD_BLOCKED && c->wait == WAIT_REPLY && c->reply_from == t)
			fail_caller(c);
	}
}
