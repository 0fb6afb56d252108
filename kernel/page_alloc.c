#include "page_alloc.h"

#include <stddef.h>
#include <string.h>

static uint64_t align_down(uint64_t v) { return v & ~(PAGE_SIZE - 1); }
static uint64_t align_up(uint64_t v) { return align_down(v + PAGE_SIZE - 1); }

/* Sets the state of every page that [base, base+size) touches, clipped to the span; pages
 * only partly covered count as covered when reserving and as not covered when freeing. */
static void mark(struct page_alloc *pa, uint64_t base, uint64_t size, enum page_state s)
{
	uint64_t end = base + size < base ? UINT64_MAX : base + size;
	uint64_t first = s == PAGE_FREE ? align_up(base) : align_down(base);
	uint64_t last = s == PAGE_FREE ? align_down(end) : align_up(end);
	uint64_t span_end = pa->base + (pa->npages << PAGE_SHIFT);
	if (first < pa->base)
		first = pa->base;
	if (last > span_end)
		last = span_end;
	for (uint64_t a = first; a < last; a += PAGE_SIZE) {
		uint8_t *st = &pa->state[(a - pa->base) >> PAGE_SHIFT];
		pa->nfree += (s == PAGE_FREE) - (*st == PAGE_FREE);
		*st = (uint8_t)s;
	}
}

static int overlaps(uint64_t base, uint64_t size, const struct range *r, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (base < r[i].base + r[i].size && r[i].base < base + size)
			return 1;
	return 0;
}

/* The state table goes in the first page-aligned stretch of RAM big enough and clear of
 * every reserved range. */
static uint64_t place_table(uint64_t bytes, const struct range *ram, unsigned nram,
			    const struct range *reserved, unsigned nreserved)
{
	for (unsigned i = 0; i < nram; i++) {
		uint64_t end = align_down(ram[i].base + ram[i].size);
		for (uint64_t a = align_up(ram[i].base); a + bytes <= end; a += PAGE_SIZE) {
			if (!overlaps(a, bytes, reserved, nreserved))
				return a;
		}
	}
	return 0;
}

int page_alloc_init(struct page_alloc *pa, const struct range *ram, unsigned nram,
		    const struct range *reserved, unsigned nreserved, const char **err)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < nram; i++) {
		if (ram[i].size == 0)
			continue;
		if (ram[i].base < lo)
			lo = ram[i].base;
		if (ram[i].base + ram[i].size > hi)
			hi = ram[i].base + ram[i].size;
	}
	memset(pa, 0, sizeof(*pa));
	if (lo >= hi) {
		*err = "no RAM";
		return -1;
	}
	pa->base = align_down(lo);
	pa->npages = (align_up(hi) - pa->base) >> PAGE_SHIFT;

	uint64_t table = place_table(align_up(pa->npages), ram, nram, reserved, nreserved);
	if (!table) {
		*err = "no usable RAM (nothing left after the reserved ranges)";
		return -1;
	}
	pa->state = (uint8_t *)(uintptr_t)table;
	memset(pa->state, PAGE_RESERVED, pa->npages);
	for (unsigned i = 0; i < nram; i++)
		mark(pa, ram[i].base, ram[i].size, PAGE_FREE);
	for (unsigned i = 0; i < nreserved; i++)
		mark(pa, reserved[i].base, reserved[i].size, PAGE_RESERVED);
	mark(pa, table, pa->npages, PAGE_RESERVED);
	if (pa->nfree == 0) {
		*err = "no usable RAM (nothing left after the reserved ranges)";
		return -1;
	}
	return 0;
}

uint64_t page_take_contig(struct page_alloc *pa, uint64_t n, uint64_t align)
{
	if (n == 0 || n > pa->nfree)
		return 0;
	if (align == 0)
		align = 1;
	/* Search from the hint first, then from the start, so single pages come in O(1) usually. */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t i = pass ? 0 : pa->hint;
		uint64_t base_pfn = pa->base >> PAGE_SHIFT;
		i += (align - (base_pfn + i) % align) % align;
		while (i + n <= pa->npages) {
			uint64_t run = 0;
			while (run < n && pa->state[i + run] == PAGE_FREE)
				run++;
			if (run == n) {
				memset(&pa->state[i], PAGE_USED, n);
				pa->nfree -= n;
				pa->hint = i + n;
				return pa->base + (i << PAGE_SHIFT);
			}
			i += run + 1;
			i += (align - (base_pfn + i) % align) % align;
		}
	}
	return 0;
}

uint64_t page_alloc_contig(struct page_alloc *pa, uint64_t n, uint64_t align)
{
	uint64_t addr = page_take_contig(pa, n, align);
	if (addr)
		memset((void *)(uintptr_t)addr, 0, n << PAGE_SHIFT);
	return addr;
}

uint64_t page_alloc(struct page_alloc *pa)
{
	return page_alloc_contig(pa, 1, 1);
}

enum page_error page_free_contig(struct page_alloc *pa, uint64_t addr, uint64_t n)
{
	if (addr & (PAGE_SIZE - 1))
		return PAGE_ERR_MISALIGNED;
	if (addr < pa->base || n > pa->npages || ((addr - pa->base) >> PAGE_SHIFT) > pa->npages - n)
		return PAGE_ERR_NOT_RAM;
	uint64_t first = (addr - pa->base) >> PAGE_SHIFT;
	/* Check every page before changing any, so a bad call leaves no half-freed run. */
	for (uint64_t i = first; i < first + n; i++) {
		if (pa->state[i] == PAGE_FREE)
			return PAGE_ERR_DOUBLE_FREE;
		if (pa->state[i] != PAGE_USED)
			return PAGE_ERR_NOT_RAM;
	}
	memset(&pa->state[first], PAGE_FREE, n);
	pa->nfree += n;
	if (first < pa->hint)
		pa->hint = first;
	return PAGE_OK;
}

enum page_error page_free(struct page_alloc *pa, uint64_t addr)
{
	return page_free_contig(pa, addr, 1);
}

const char *page_error_name(enum page_error e)
{
	switch (e) {
	case PAGE_OK: return "ok";
	case PAGE_ERR_NOT_RAM: return "not an allocated RAM page";
	case PAGE_ERR_DOUBLE_FREE: return "double free";
	case PAGE_ERR_MISALIGNED: return "misaligned address";
	}
	return "unknown error";
}
