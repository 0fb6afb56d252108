/* The page allocator over a host arena standing in for RAM: its address is the "physical"
 * base, since the allocator reaches memory at VA = PA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "page_alloc.h"

#define ARENA_SIZE (4ul << 20)
#define ARENA_PAGES (ARENA_SIZE / PAGE_SIZE)
#define POISON 0xa5

struct arena {
	uint8_t *mem;
	uint64_t base, size;
	struct page_alloc pa;
};

static struct arena *new_arena(uint64_t align, uint64_t size)
{
	struct arena *a = calloc(1, sizeof(*a));
	assert_non_null(a);
	a->mem = aligned_alloc(align, size);
	assert_non_null(a->mem);
	memset(a->mem, POISON, size);
	a->base = (uint64_t)(uintptr_t)a->mem;
	a->size = size;
	return a;
}

static void free_arena(struct arena *a)
{
	free(a->mem);
	free(a);
}

static int setup_arena(void **state)
{
	*state = new_arena(PAGE_SIZE, ARENA_SIZE);
	return 0;
}

static int teardown_arena(void **state)
{
	free_arena(*state);
	return 0;
}

/* The arena as one RAM range, with the given reservations; init must succeed. */
static struct page_alloc *init_whole(struct arena *a, const struct range *resv, unsigned nresv)
{
	struct range ram = { a->base, a->size };
	const char *err = NULL;
	assert_int_equal(page_alloc_init(&a->pa, &ram, 1, resv, nresv, &err), 0);
	return &a->pa;
}

static uint64_t page_at(const struct arena *a, uint64_t index)
{
	return a->base + index * PAGE_SIZE;
}

static int is_zero_page(uint64_t addr)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)addr;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (p[i])
			return 0;
	return 1;
}

/* Allocates until exhausted; returns how many pages, recording each page's index in got[]
 * and checking each is in range, aligned, zeroed and new. */
static uint64_t alloc_all(struct arena *a, uint8_t got[ARENA_PAGES])
{
	uint64_t n = 0, addr;
	memset(got, 0, ARENA_PAGES);
	while ((addr = page_alloc(&a->pa)) != 0) {
		assert_true(addr >= a->base && addr < a->base + a->size);
		assert_int_equal(addr % PAGE_SIZE, 0);
		assert_true(is_zero_page(addr));
		uint64_t i = (addr - a->base) / PAGE_SIZE;
		assert_int_equal(got[i], 0);
		got[i] = 1;
		/* Dirty it, so that a page handed out again without zeroing shows. */
		memset((void *)(uintptr_t)addr, 0x5a, PAGE_SIZE);
		n++;
	}
	return n;
}

/* The allocator's whole visible state, to show a failed call changed nothing. */
struct snapshot {
	struct page_alloc pa;
	uint8_t state[ARENA_PAGES];
};

static void take(struct snapshot *s, const struct page_alloc *pa)
{
	s->pa = *pa;
	memcpy(s->state, pa->state, pa->npages);
}

static void assert_unchanged(const struct snapshot *s, const struct page_alloc *pa)
{
	assert_int_equal(pa->nfree, s->pa.nfree);
	assert_int_equal(pa->npages, s->pa.npages);
	assert_int_equal(pa->base, s->pa.base);
	assert_memory_equal(pa->state, s->state, pa->npages);
}

static void test_init_covers_arena_and_reserves_table(void **state)
{
	struct arena *a = *state;
	struct page_alloc *pa = init_whole(a, NULL, 0);
	assert_int_equal(pa->base, a->base);
	assert_int_equal(pa->npages, ARENA_PAGES);
	/* One state byte per page: 1024 bytes, one page, at the start of RAM. */
	assert_ptr_equal(pa->state, a->mem);
	assert_int_equal(pa->nfree, ARENA_PAGES - 1);
	assert_int_equal(pa->state[0], PAGE_RESERVED);
	assert_int_equal(pa->state[1], PAGE_FREE);
}

static void test_alloc_hands_out_every_free_page_once(void **state)
{
	struct arena *a = *state;
	struct page_alloc *pa = init_whole(a, NULL, 0);
	static uint8_t got[ARENA_PAGES];
	assert_int_equal(alloc_all(a, got), ARENA_PAGES - 1);
	assert_int_equal(got[0], 0); /* the state table */
	assert_int_equal(pa->nfree, 0);
	assert_int_equal(page_alloc(pa), 0);
	assert_int_equal(page_alloc_contig(pa, 1, 1), 0);
	assert_int_equal(pa->nfree, 0);
}

static void test_nfree_counts_down(void **state)
{
	struct arena *a = *state;
	struct page_alloc *pa = init_whole(a, NULL, 0);
	uint64_t before = pa->nfree;
	for (uint64_t i = 1; i <= 10; i++) {
		assert_int_not_equal(page_alloc(pa), 0);
		assert_int_equal(pa->nfree, before - i);
	}
}

static void test_reserved_ranges_excluded_with_partial_pages(void **state)
{
	struct arena *a = *state;
	/* [page 16 + 2 KiB, page 18 + 2 KiB) touches pages 16, 17 and 18. */
	struct range resv = { page_at(a, 16) + 0x800, 2 * PAGE_SIZE };
	struct page_alloc *pa = init_whole(a, &resv, 1);
	assert_int_equal(pa->nfree, ARENA_PAGES - 1 - 3);
	static uint8_t got[ARENA_PAGES];
	assert_int_equal(alloc_all(a, got), ARENA_PAGES - 1 - 3);
	assert_int_equal(got[15], 1);
	assert_int_equal(got[16], 0);
	assert_int_equal(got[17], 0);
	assert_int_equal(got[18], 0);
	assert_int_equal(got[19], 1);
}

static void test_ram_edges_not_page_aligned_are_left_out(void **state)
{
	struct arena *a = *state;
	/* RAM starts 2 KiB into the first page and ends 2 KiB into the last. */
	struct range ram = { a->base + 0x800, a->size - 0x1000 };
	const char *err = NULL;
	struct page_alloc *pa = &a->pa;
	assert_int_equal(page_alloc_init(pa, &ram, 1, NULL, 0, &err), 0);
	assert_int_equal(pa->base, a->base);
	assert_int_equal(pa->npages, ARENA_PAGES);
	assert_ptr_equal(pa->state, a->mem + PAGE_SIZE);
	assert_int_equal(pa->nfree, ARENA_PAGES - 3);
	static uint8_t got[ARENA_PAGES];
	alloc_all(a, got);
	assert_int_equal(got[0], 0);
	assert_int_equal(got[1], 0);
	assert_int_equal(got[ARENA_PAGES - 1], 0);
	assert_int_equal(got[ARENA_PAGES - 2], 1);
}

static void test_table_placed_clear_of_reserved(void **state)
{
	struct arena *a = *state;
	struct range resv[] = {
		{ a->base, 16 * PAGE_SIZE },
		{ page_at(a, 16) + 0x100, 0x10 }, /* a few bytes are enough to rule a page out */
	};
	struct page_alloc *pa = init_whole(a, resv, 2);
	assert_ptr_equal(pa->state, a->mem + 17 * PAGE_SIZE);
	assert_int_equal(pa->state[17], PAGE_RESERVED);
	assert_int_equal(pa->nfree, ARENA_PAGES - 18);
	/* The reserved pages were never written: neither table nor zeroing went there. */
	for (size_t i = 0; i < 17 * PAGE_SIZE; i++)
		assert_int_equal(a->mem[i], POISON);
	static uint8_t got[ARENA_PAGES];
	alloc_all(a, got);
	for (int i = 0; i <= 17; i++)
		assert_int_equal(got[i], 0);
}

static void test_multi_page_table_fully_reserved(void **state)
{
	(void)state;
	/* 64 MiB of RAM is 16384 pages: a 4-page table. */
	struct arena *a = new_arena(PAGE_SIZE, 64ul << 20);
	struct page_alloc *pa = init_whole(a, NULL, 0);
	assert_int_equal(pa->npages, 16384);
	assert_int_equal(pa->nfree, 16384 - 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pa->state[i], PAGE_RESERVED);
	assert_int_equal(pa->state[4], PAGE_FREE);
	free_arena(a);
}

static void test_free_then_realloc_gives_zeroed_page(void **state)
{
	struct arena *a = *state;
	struct page_alloc *pa = init_whole(a, NULL, 0);
	uint64_t p = page_alloc(pa), q = page_alloc(pa);
	assert_int_not_equal(p, q);
	memset((void *)(uintptr_t)p, 0x77, PAGE_SIZE);
	uint64_t nfree = pa->nfree;
	assert_int_equal(page_free(pa, p), PAGE_OK);
	assert_int_equal(pa->nfree, nfree + 1);
	assert_int_equal(page_alloc(pa), p);
	assert_true(is_zero_page(p));
	assert_int_equal(pa->nfree, nfree);
}

/* page_take_contig leaves zeroing to its caller (large guest RAM, zeroed on first touch). */
static void test_take_leaves_contents_and_accounts_like_alloc(void **state)
{
	struct arena *a = *state;
	struct page_alloc *pa = init_whole(a, NULL, 0);
	uint64_t p = page_alloc_contig(pa, 2, 1);
	memset((void *)(uintptr_t)p, 0x77, 2 * PAGE_SIZE);
	uint64_t nfree = pa->nfree;
	assert_int_equal(page_free_contig(pa, p, 2), PAGE_OK);
	assert_int_equal(page_take_contig(pa, 2, 1), p);
	assert_int_equal(pa->nfree, nfree);
	assert_int_equal(((uint8_t *)(uintptr_t)p)[PAGE_SIZE + 5], 0x77);
	assert_int_equal(page_free_contig(pa, p, 2), PAGE_OK);
}

static void test_double_free_detected(void **state)
{
	struct arena *a = *state;
	struct page_alloc *pa = init_whole(a, NULL, 0);
	uint64_t p = page_alloc(pa);
	assert_int_equal(page_free(pa, p), PAGE_OK);
	struct snapshot s;
	take(&s, pa);
	assert_int_equal(page_free(pa, p), PAGE_ERR_DOUBLE_FREE);
	assert_unchanged(&s, pa);
	/* A page never allocated is free too. */
	assert_int_equal(page_free(pa, page_at(a, 500)), PAGE_ERR_DOUBLE_FREE);
	assert_unchanged(&s, pa);
}

static void test_bad_frees_change_nothing(void **state)
{
	struct arena *a = *state;
	struct range resv = { page_at(a, 100), 4 * PAGE_SIZE };
	struct page_alloc *pa = init_whole(a, &resv, 1);
	uint64_t p = page_alloc(pa);
	struct snapshot s;
	take(&s, pa);

	assert_int_equal(page_free(pa, page_at(a, 0)), PAGE_ERR_NOT_RAM); /* state table */
	assert_int_equal(page_free(pa, page_at(a, 101)), PAGE_ERR_NOT_RAM);
	assert_int_equal(page_free(pa, a->base - PAGE_SIZE), PAGE_ERR_NOT_RAM);
	assert_int_equal(page_free(pa, a->base + a->size), PAGE_ERR_NOT_RAM);
	assert_int_equal(page_free(pa, a->base + (1ul << 40)), PAGE_ERR_NOT_RAM);
	assert_int_equal(page_free(pa, 0), PAGE_ERR_NOT_RAM);
	assert_int_equal(page_free(pa, p + 8), PAGE_ERR_MISALIGNED);
	assert_int_equal(page_free(pa, p + PAGE_SIZE - 1), PAGE_ERR_MISALIGNED);
	assert_int_equal(page_free_contig(pa, page_at(a, ARENA_PAGES - 2), 3), PAGE_ERR_NOT_RAM);
	assert_int_equal(page_free_contig(pa, p, UINT64_MAX), PAGE_ERR_NOT_RAM);
	assert_unchanged(&s, pa);
	assert_int_equal(page_free(pa, p), PAGE_OK);
}

static void test_free_contig_checks_every_page_first(void **state)
{
	struct arena *a = *state;
	struct page_alloc *pa = init_whole(a, NULL, 0);
	uint64_t run = page_alloc_contig(pa, 4, 1);
	assert_int_not_equal(run, 0);
	assert_int_equal(page_free(pa, run + 2 * PAGE_SIZE), PAGE_OK);
	struct snapshot s;
	take(&s, pa);
	/* Page 2 of the run is free already: no page of it may be freed. */
	assert_int_equal(page_free_contig(pa, run, 4), PAGE_ERR_DOUBLE_FREE);
	assert_unchanged(&s, pa);
	assert_int_equal(page_free_contig(pa, run, 2), PAGE_OK);
	assert_int_equal(page_free(pa, run + 3 * PAGE_SIZE), PAGE_OK);
	assert_int_equal(pa->nfree, ARENA_PAGES - 1);
}

static void test_contig_aligned_runs(void **state)
{
	struct arena *a = *state;
	struct page_alloc *pa = init_whole(a, NULL, 0);
	uint64_t prev_end = 0;
	for (int k = 0; k < 8; k++) {
		uint64_t nfree = pa->nfree;
		uint64_t run = page_alloc_contig(pa, 4, 4);
		assert_int_not_equal(run, 0);
		assert_int_equal(run % (16 * 1024), 0);
		assert_true(run >= a->base && run + 4 * PAGE_SIZE <= a->base + a->size);
		assert_true(run >= prev_end);
		for (int i = 0; i < 4; i++) {
			assert_true(is_zero_page(run + (uint64_t)i * PAGE_SIZE));
			assert_int_equal(pa->state[(run - pa->base) / PAGE_SIZE + (uint64_t)i],
					 PAGE_USED);
		}
		assert_int_equal(pa->nfree, nfree - 4);
		prev_end = run + 4 * PAGE_SIZE;
	}
}

static void test_contig_2mib_aligned(void **state)
{
	(void)state;
	struct arena *a = new_arena(2ul << 20, 8ul << 20);
	struct page_alloc *pa = init_whole(a, NULL, 0);
	uint64_t run = page_alloc_contig(pa, 512, 512);
	/* Page 0 holds the state table, so the first 2 MiB run starts at the second 2 MiB. */
	assert_int_equal(run, a->base + (2ul << 20));
	uint64_t run2 = page_alloc_contig(pa, 512, 512);
	assert_int_equal(run2, a->base + (4ul << 20));
	assert_int_equal(page_alloc_contig(pa, 512, 512), a->base + (6ul << 20));
	assert_int_equal(page_alloc_contig(pa, 512, 512), 0);
	/* Smaller pieces still fit in the first 2 MiB. */
	assert_int_not_equal(page_alloc_contig(pa, 256, 256), 0);
	free_arena(a);
}

static void test_failed_contig_changes_nothing(void **state)
{
	struct arena *a = *state;
	struct page_alloc *pa = init_whole(a, NULL, 0);
	static uint8_t got[ARENA_PAGES];
	alloc_all(a, got);
	/* Free every other page: half the pages free, no two of them adjacent. */
	for (uint64_t i = 1; i < ARENA_PAGES; i += 2)
		assert_int_equal(page_free(pa, page_at(a, i)), PAGE_OK);
	struct snapshot s;
	take(&s, pa);
	assert_int_equal(page_alloc_contig(pa, 2, 1), 0);
	assert_int_equal(page_alloc_contig(pa, 4, 4), 0);
	assert_int_equal(page_alloc_contig(pa, pa->nfree + 1, 1), 0);
	assert_int_equal(page_alloc_contig(pa, 0, 1), 0);
	assert_unchanged(&s, pa);
	for (uint64_t i = 1; i < ARENA_PAGES; i += 2)
		assert_int_equal(a->mem[i * PAGE_SIZE], 0x5a);
	/* A single page still comes. */
	assert_int_not_equal(page_alloc(pa), 0);
}

static void test_init_without_ram_fails(void **state)
{
	struct arena *a = *state;
	const char *err = NULL;
	assert_int_equal(page_alloc_init(&a->pa, NULL, 0, NULL, 0, &err), -1);
	assert_string_equal(err, "no RAM");
	struct range empty[] = { { a->base, 0 }, { a->base + PAGE_SIZE, 0 } };
	err = NULL;
	assert_int_equal(page_alloc_init(&a->pa, empty, 2, NULL, 0, &err), -1);
	assert_string_equal(err, "no RAM");
}

static void test_init_all_reserved_fails(void **state)
{
	struct arena *a = *state;
	struct range ram = { a->base, a->size };
	const char *err = NULL;
	assert_int_equal(page_alloc_init(&a->pa, &ram, 1, &ram, 1, &err), -1);
	assert_non_null(err);
	assert_int_equal(strncmp(err, "no usable RAM", 13), 0);
}

static void test_init_room_only_for_table_fails(void **state)
{
	struct arena *a = *state;
	struct range ram = { a->base, a->size };
	/* Everything but the last page reserved: the table takes that page, none is left. */
	struct range resv = { a->base, a->size - PAGE_SIZE };
	const char *err = NULL;
	assert_int_equal(page_alloc_init(&a->pa, &ram, 1, &resv, 1, &err), -1);
	assert_non_null(err);
	assert_int_equal(strncmp(err, "no usable RAM", 13), 0);
}

static void test_hole_between_ram_ranges_never_used(void **state)
{
	struct arena *a = *state;
	/* RAM in [0, 1 MiB) and [2 MiB, 4 MiB) of the arena. */
	struct range ram[] = {
		{ a->base, 1ul << 20 },
		{ a->base + (2ul << 20), 2ul << 20 },
	};
	const char *err = NULL;
	struct page_alloc *pa = &a->pa;
	assert_int_equal(page_alloc_init(pa, ram, 2, NULL, 0, &err), 0);
	assert_int_equal(pa->npages, ARENA_PAGES);
	assert_int_equal(pa->nfree, 256 + 512 - 1);
	static uint8_t got[ARENA_PAGES];
	assert_int_equal(alloc_all(a, got), 256 + 512 - 1);
	for (uint64_t i = 256; i < 512; i++)
		assert_int_equal(got[i], 0);
	for (size_t i = 1ul << 20; i < 2ul << 20; i++)
		assert_int_equal(a->mem[i], POISON);
	assert_int_equal(page_free(pa, page_at(a, 300)), PAGE_ERR_NOT_RAM);
}

static void test_contig_does_not_span_hole(void **state)
{
	struct arena *a = *state;
	struct range ram[] = {
		{ a->base, 1ul << 20 },
		{ a->base + (1ul << 20) + PAGE_SIZE, (3ul << 20) - PAGE_SIZE },
	};
	const char *err = NULL;
	struct page_alloc *pa = &a->pa;
	assert_int_equal(page_alloc_init(pa, ram, 2, NULL, 0, &err), 0);
	/* Pages 1-255 are free, 256 is a hole: a run of 512 can only start at 257. */
	uint64_t run = page_alloc_contig(pa, 512, 1);
	assert_int_equal(run, page_at(a, 257));
}

static void test_error_names(void **state)
{
	(void)state;
	assert_string_equal(page_error_name(PAGE_OK), "ok");
	assert_string_equal(page_error_name(PAGE_ERR_DOUBLE_FREE), "double free");
	assert_string_equal(page_error_name((enum page_error)-99), "unknown error");
}

#define ARENA_TEST(f) cmocka_unit_test_setup_teardown(f, setup_arena, teardown_arena)

int main(void)
{
	const struct CMUnitTest tests[] = {
		ARENA_TEST(test_init_covers_arena_and_reserves_table),
		ARENA_TEST(test_alloc_hands_out_every_free_page_once),
		ARENA_TEST(test_nfree_counts_down),
		ARENA_TEST(test_reserved_ranges_excluded_with_partial_pages),
		ARENA_TEST(test_ram_edges_not_page_aligned_are_left_out),
		ARENA_TEST(test_table_placed_clear_of_reserved),
		cmocka_unit_test(test_multi_page_table_fully_reserved),
		ARENA_TEST(test_free_then_realloc_gives_zeroed_page),
		ARENA_TEST(test_take_leaves_contents_and_accounts_like_alloc),
		ARENA_TEST(test_double_free_detected),
		ARENA_TEST(test_bad_frees_change_nothing),
		ARENA_TEST(test_free_contig_checks_every_page_first),
		ARENA_TEST(test_contig_aligned_runs),
		cmocka_unit_test(test_contig_2mib_aligned),
		ARENA_TEST(test_failed_contig_changes_nothing),
		ARENA_TEST(test_init_without_ram_fails),
		ARENA_TEST(test_init_all_reserved_fails),
		ARENA_TEST(test_init_room_only_for_table_fails),
		ARENA_TEST(test_hole_between_ram_ranges_never_used),
		ARENA_TEST(test_contig_does_not_span_hole),
		ARENA_TEST(test_error_names),
	};
	return cmocka_run_group_tests_name("page_alloc", tests, NULL, NULL);
}
