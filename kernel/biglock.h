/* The big kernel lock (docs/design.md 9). A hart takes it on every entry to the kernel (a
 * trap from U-mode, the idle loop waking, the return from a guest) and lets it go on the
 * way out (to U-mode, into a guest, into WFI), so the kernel runs on one hart at a time and
 * its objects need no locks of their own. A thread switched out on one hart and resumed on
 * another finds the lock held, as it left it: the hart holds it, not the thread.
 *
 * With one hart (h->smp false) both calls are a load and a branch: the IPC fast path takes
 * the lock on every message, and its round trip is held to 400 instructions. A test-and-set
 * lock suffices for the harts QEMU gives; a waiter spins on a plain load so that the
 * holder's cache line stays put. */
#ifndef VIREO_BIGLOCK_H
#define VIREO_BIGLOCK_H

#include "hart.h"

extern int big_kernel_lock;

/* In assembly so that the compiler cannot hoist the lock's address above the test of
 * h->smp: that cost the one-hart fast path three instructions a trap. */
static inline void kernel_lock(struct hart *h)
{
	if (__builtin_expect(h->smp, 0))
		__asm__ volatile("	la	t0, big_kernel_lock\n"
				 "	li	t1, 1\n"
				 "1:	amoswap.w.aq t2, t1, (t0)\n"
				 "	beqz	t2, 3f\n"
				 "2:	lw	t2, 0(t0)\n"
				 "	bnez	t2, 2b\n"
				 "	j	1b\n"
				 "3:\n" ::: "t0", "t1", "t2", "memory");
}

static inline void kernel_unlock(struct hart *h)
{
	if (__builtin_expect(h->smp, 0))
		__atomic_store_n(&big_kernel_lock, 0, __ATOMIC_RELEASE);
}

#endif
