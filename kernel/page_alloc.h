/* The physical page allocator: one state byte per 4 KiB page of the span RAM covers.
 * Pure logic (memory is reached at VA = PA), so it is unit-tested on the host too. */
#ifndef VIREO_PAGE_ALLOC_H
#define VIREO_PAGE_ALLOC_H

#include <stdint.h>

#include "machine.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1ul << PAGE_SHIFT)

enum page_state { PAGE_FREE, PAGE_USED, PAGE_RESERVED };

enum page_error {
	PAGE_OK = 0,
	PAGE_ERR_NOT_RAM = -1,     /* outside the span, or a hole or reserved page in it */
	PAGE_ERR_DOUBLE_FREE = -2, /* the page is already free */
	PAGE_ERR_MISALIGNED = -3,
};

struct page_alloc {
	uint64_t base, npages, nfree, hint;
	uint8_t *state; /* enum page_state per page, itself in reserved pages of RAM */
};

/* Manages the pages of ram not covered by reserved. Returns 0, or -1 with *err saying why
 * (no RAM, nothing usable left, no room for the state table). */
int page_alloc_init(struct page_alloc *pa, const struct range *ram, unsigned nram,
		    const struct range *reserved, unsigned nreserved, const char **err);
/* A zeroed page, or 0 when none is left. */
uint64_t page_alloc(struct page_alloc *pa);
/* n zeroed, physically contiguous pages starting at a multiple of align pages, or 0. */
uint64_t page_alloc_contig(struct page_alloc *pa, uint64_t n, uint64_t align);
/* The same, not zeroed: for a caller that zeroes each part before anyone can read it. */
uint64_t page_take_contig(struct page_alloc *pa, uint64_t n, uint64_t align);
enum page_error page_free(struct page_alloc *pa, uint64_t addr);
enum page_error page_free_contig(struct page_alloc *pa, uint64_t addr, uint64_t n);
const char *page_error_name(enum page_error e);

#endif
