/* Endpoints: synchronous call/receive/reply between tasks, plus a notification word that
 * interrupts, timers and other tasks can set bits in (docs/design.md 3). */
#ifndef VIREO_IPC_H
#define VIREO_IPC_H

#include <stdbool.h>
#include <stdint.h>

struct task;
struct thread;

/* Someone other than a receiver who waits for an endpoint's mail (the hypervisor's run
 * loop, which goes back to its monitor when mail comes): mail(ctx) runs for every message
 * and notification that arrives while it watches. */
struct endpoint_watch {
	void (*mail)(void *ctx);
	void *ctx;
};

struct endpoint {
	int refs;
	struct task *owner;       /* the only task that may receive; NULL once it is gone */
	struct thread *receiver;  /* blocked in SYS_RECV, or NULL */
	struct endpoint_watch *watch; /* one watcher at a time, or NULL */
	struct thread *callers, *callers_tail; /* blocked in SYS_CALL, not yet received */
	uint64_t pending_bits;
	uint64_t timer_deadline, timer_bits; /* a one-shot timer, 0 when unarmed */
	struct endpoint *timer_next;
	struct endpoint *all_next; /* every endpoint, to find those a dying task owns */
};

struct endpoint *endpoint_create(struct task *owner);
void endpoint_put(struct endpoint *ep);
/* A task is gone: its endpoints fail every waiting caller, and their timers stop. */
void endpoints_orphan_owned_by(struct task *t);
void endpoint_notify(struct endpoint *ep, uint64_t bits);
bool endpoint_owned_by(const struct endpoint *ep, const struct task *t);
/* Whether a receive would find something now: notification bits or a waiting caller. */
bool endpoint_has_mail(const struct endpoint *ep);
/* w watches ep until endpoint_unwatch, or until ep's owner is gone. */
void endpoint_watch(struct endpoint *ep, struct endpoint_watch *w);
void endpoint_unwatch(struct endpoint *ep);
void endpoint_set_timer(struct endpoint *ep, uint64_t bits, uint64_t deadline_us);
/* Called on each tick: fires expired endpoint timers. */
void ipc_timer_tick(uint64_t now_us);

/* The system calls; each returns to the caller through its user frame. */
int64_t ipc_call(struct thread *self, struct endpoint *ep, const uint64_t msg[5]);
int64_t ipc_recv(struct thread *self, struct endpoint *ep);
int64_t ipc_reply(struct thread *self, uint64_t caller_id, const uint64_t msg[5]);
/* A thread leaving any wait (killed): take it off its endpoint's queues. */
void ipc_cancel(struct thread *t);
/* A task ending: its waiting callers get VIREO_E_DEAD. */
void ipc_fail_callers_of(struct task *t);

#endif
