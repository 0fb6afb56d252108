/* A test-and-set lock, for what is shared beside the big kernel lock (kernel/biglock.h; the
 * lock order is in docs/design.md 9). */
#ifndef VIREO_SPINLOCK_H
#define VIREO_SPINLOCK_H

#include "csr.h"

struct spinlock {
	volatile int locked;
};

/* Interrupts stay off while a lock is held, so a trap handler never spins on its own hart. */
static inline uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = csr_read(CSR_SSTATUS) & SSTATUS_SIE;
	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		;
	return flags;
}

static inline void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	csr_set(CSR_SSTATUS, flags);
}

#endif
