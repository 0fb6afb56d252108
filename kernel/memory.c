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

static bool intersects(uint64_t base, uint64_t size, struct range r)
{
	return base < r.base + r.size && r.base < base + size;
}

/* Whether [base, base + size) lies in one RAM range and clear of the kernel, the device tree
 * and the firmware's reserved memory. */
static bool bootfs_fits(const struct machine *m, uint64_t fdt_addr, uint64_t base,
			uint64_t size)
{
	bool in_ram = false;
	for (unsigned i = 0; i < m->nram; i++)
		in_ram |= base >= m->ram[i].base && size <= m->ram[i].size &&
			  base - m->ram[i].base <= m->ram[i].size - size;
	if (!in_ram || intersects(base, size, (struct range){ (uint64_t)__kernel_start,
							      (uint64_t)(_end - __kernel_start) }) ||
	    intersects(base, size, (struct range){ fdt_addr, m->fdt_size }))
		return false;
	for (unsigned i = 0; i < m->nreserved; i++)
		if (intersects(base, size, m->reserved[i]))
			return false;
	return true;
}

/* QEMU puts the initrd where its own rule says (7.2 at 128 MiB into RAM, 10.0 in the middle
 * of it), which splits the free RAM in two: a large guest, whose RAM is physically
 * contiguous, would then not fit in 1 GiB although half of it is free. Moved down next to
 * the kernel (or the first free place after it), the boot file system leaves the rest in one
 * run. Runs before paging, so addresses are physical. */
void memory_place_bootfs(struct machine *m, uint64_t fdt_addr)
{
	uint64_t size = m->initrd_end - m->initrd_start;
	uint64_t candidates[MACHINE_MAX_RANGES + 1];
	unsigned n = 0;
	candidates[n++] = (uint64_t)(uintptr_t)_end;
	for (unsigned i = 0; i < m->nreserved; i++)
		candidates[n++] = m->reserved[i].base + m->reserved[i].size;
	uint64_t best = m->initrd_start;
	for (unsigned i = 0; i < n; i++) {
		uint64_t base = (candidates[i] + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
		if (base >= (uint64_t)(uintptr_t)_end && base < best &&
		    bootfs_fits(m, fdt_addr, base, size))
			best = base;
	}
	if (best == m->initrd_start)
		return;
	memmove((void *)(uintptr_t)best, (const void *)(uintptr_t)m->initrd_start, size);
	kprintf("initrd: moved to %016lx-%016lx, next to the kernel\n", best, best + size);
	m->initrd_start = best;
	m->initrd_end = best + size;
}

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
