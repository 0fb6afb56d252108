#include "memory.h"

#include <string.h>

#include "console.h"
#include "page_alloc.h"
#include "panic.h"
#include "spinlock.h"

extern char __kernel_start[], _end[];

static struct page_alloc pool;
static struct spinlock pool_lock;
static uint64_t total_pages;

void memory_init(const struct machine *m, uint64_t fdt_addr)
{
	struct range reserved[MACHINE_MAX_RANGES + 3];
	unsigned n = 0;

	for (unsigned i = 0; i < m->nreserved; i++)
		reserved[n++] = m->reserved[i];
	reserved[n++] = (struct range){ (uint64_t)__kernel_start, (uint64_t)(_end - __kernel_start) };
	reserved[n++] = (struct range){ fdt_addr, m->fdt_size };
	if (m->has_initrd)
		reserved[n++] = (struct range){ m->initrd_start, m->initrd_end - m->initrd_start };

	const char *err;
	if (page_alloc_init(&pool, m->ram, m->nram, reserved, n, &err))
		panic("memory: %s", err);
	total_pages = pool.nfree;
	kprintf("memory: %lu pages free (%lu MiB), page state table at %p\n", pool.nfree,
		pool.nfree >> (20 - PAGE_SHIFT), pool.state);
}

uint64_t kpages_alloc(uint64_t n, uint64_t align)
{
	uint64_t page = kpages_take(n, align);
	if (page)
		memset((void *)(uintptr_t)page, 0, n << PAGE_SHIFT);
	return page;
}

uint64_t kpages_take(uint64_t n, uint64_t align)
{
	uint64_t flags = spin_lock_irqsave(&pool_lock);
	uint64_t page = page_take_contig(&pool, n, align);
	spin_unlock_irqrestore(&pool_lock, flags);
	return page;
}

/* Freeing a page twice, or one never handed out, means kernel state is already corrupt. */
void kpages_free(uint64_t addr, uint64_t n)
{
	uint64_t flags = spin_lock_irqsave(&pool_lock);
	enum page_error e = page_free_contig(&pool, addr, n);
	spin_unlock_irqrestore(&pool_lock, flags);
	if (e)
		panic("kpages_free(%lx, %lu): %s", addr, n, page_error_name(e));
}

uint64_t kpage_alloc(void)
{
	return kpages_alloc(1, 1);
}

void kpage_free(uint64_t addr)
{
	kpages_free(addr, 1);
}

uint64_t memory_free_pages(void)
{
	return pool.nfree;
}

uint64_t memory_total_pages(void)
{
	return total_pages;
}
