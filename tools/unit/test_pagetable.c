/* Sv39 and Sv39x4 page tables, with table pages from the page allocator over a host arena
 * (tables are reached at VA = PA). The addresses mapped to are never touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "page_alloc.h"
#include "pagetable.h"

#define ARENA_SIZE (4ul << 20)
#define RW (PTE_R | PTE_W)
#define NO_LIMIT UINT64_MAX
#define GPA_TOP (1ul << 41)

struct fixture {
	uint8_t *mem;
	struct page_alloc pa;
	uint64_t nfree_with_root;
	long live;	/* table pages allocated through the callbacks and not freed */
	long budget;	/* allocations allowed before the source runs dry; < 0: unlimited */
	struct pt_space s;
};

static uint64_t table_alloc(void *ctx)
{
	struct fixture *f = ctx;
	if (f->budget == 0)
		return 0;
	if (f->budget > 0)
		f->budget--;
	uint64_t page = page_alloc(&f->pa);
	if (page)
		f->live++;
	return page;
}

static void table_free(void *ctx, uint64_t page)
{
	struct fixture *f = ctx;
	/* A table page freed twice, or one that never came from here, fails this. */
	assert_int_equal(page_free(&f->pa, page), PAGE_OK);
	f->live--;
}

static int setup(void **state, const struct pt_format *fmt)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->mem = aligned_alloc(PAGE_SIZE, ARENA_SIZE);
	if (!f->mem)
		return -1;
	struct range ram = { (uint64_t)(uintptr_t)f->mem, ARENA_SIZE };
	const char *err;
	if (page_alloc_init(&f->pa, &ram, 1, NULL, 0, &err))
		return -1;
	uint64_t root_pages = pt_root_size(fmt) / PAGE_SIZE;
	/* Priv spec 9.2.9 (hgatp): the Sv39x4 root is 16 KiB and 16 KiB-aligned. */
	uint64_t root = page_alloc_contig(&f->pa, root_pages, root_pages);
	if (!root)
		return -1;
	f->nfree_with_root = f->pa.nfree;
	f->budget = -1;
	f->s = (struct pt_space){ fmt, (pte_t *)(uintptr_t)root, table_alloc, table_free, f };
	*state = f;
	return 0;
}

static int setup_sv39(void **state) { return setup(state, &pt_sv39); }
static int setup_sv39x4(void **state) { return setup(state, &pt_sv39x4); }

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->mem);
	free(f);
	return 0;
}

static int root_is_clear(const struct fixture *f)
{
	uint64_t n = pt_root_size(f->s.fmt) / sizeof(pte_t);
	for (uint64_t i = 0; i < n; i++)
		if (f->s.root[i])
			return 0;
	return 1;
}

/* Maps read-write with the largest leaves that fit. */
static enum pt_error map_rw(struct fixture *f, uint64_t va, uint64_t pa, uint64_t size)
{
	return pt_map(&f->s, va, pa, size, RW, NO_LIMIT);
}

/* va is mapped by a leaf of leaf_size to pa. */
static void expect_mapped(const struct fixture *f, uint64_t va, uint64_t pa, uint64_t leaf_size)
{
	uint64_t size = 0;
	assert_int_not_equal(pt_lookup(&f->s, va, &size), 0);
	assert_int_equal(size, leaf_size);
	assert_int_equal(pt_translate(&f->s, va), pa);
}

static void expect_unmapped(const struct fixture *f, uint64_t va)
{
	assert_int_equal(pt_lookup(&f->s, va, NULL), 0);
	assert_int_equal(pt_translate(&f->s, va), 0);
}

/* Checks [va, va+size) -> pa at its start, middle and last byte, and nothing just past it. */
static void expect_region(const struct fixture *f, uint64_t va, uint64_t pa, uint64_t size,
			  uint64_t leaf_size)
{
	expect_mapped(f, va, pa, leaf_size);
	expect_mapped(f, va + size / 2 + 0x123, pa + size / 2 + 0x123, leaf_size);
	expect_mapped(f, va + size - 1, pa + size - 1, leaf_size);
	expect_unmapped(f, va + size);
}

static void test_root_sizes(void **state)
{
	(void)state;
	assert_int_equal(pt_root_size(&pt_sv39), 4096);
	assert_int_equal(pt_root_size(&pt_sv39x4), 16384);
}

static void test_map_4k_pages(void **state)
{
	struct fixture *f = *state;
	uint64_t va = 0x10000, pa = 0x80201000, size = 3 * PAGE_SIZE;
	assert_int_equal(map_rw(f, va, pa, size), PT_OK);
	expect_region(f, va, pa, size, PAGE_SIZE);
	expect_unmapped(f, va - 1);
	assert_int_equal(f->live, 2); /* a level-1 and a level-0 table */
}

static void test_map_2m_leaves(void **state)
{
	struct fixture *f = *state;
	uint64_t va = 3 * PT_PAGE_2M, pa = 0x80400000, size = 2 * PT_PAGE_2M;
	assert_int_equal(map_rw(f, va, pa, size), PT_OK);
	expect_region(f, va, pa, size, PT_PAGE_2M);
	assert_int_equal(f->live, 1); /* a level-1 table only */
}

static void test_map_1g_leaves(void **state)
{
	struct fixture *f = *state;
	uint64_t va = PT_PAGE_1G, pa = 0x80000000, size = 2 * PT_PAGE_1G;
	assert_int_equal(pt_map(&f->s, va, pa, size, PTE_R | PTE_X, NO_LIMIT), PT_OK);
	expect_region(f, va, pa, size, PT_PAGE_1G);
	expect_unmapped(f, va - 1);
	assert_int_equal(f->live, 0); /* leaves in the root */
}

static void test_largest_leaf_at_each_step(void **state)
{
	struct fixture *f = *state;
	/* 4 KiB up to a 2 MiB boundary, 2 MiB up to 1 GiB, 1 GiB, then 4 KiB. */
	uint64_t va = PT_PAGE_1G - PT_PAGE_2M - PAGE_SIZE, pa = va + 4 * PT_PAGE_1G;
	uint64_t size = PAGE_SIZE + PT_PAGE_2M + PT_PAGE_1G + PAGE_SIZE;
	assert_int_equal(map_rw(f, va, pa, size), PT_OK);
	expect_mapped(f, va, pa, PAGE_SIZE);
	expect_mapped(f, va + PAGE_SIZE, pa + PAGE_SIZE, PT_PAGE_2M);
	expect_mapped(f, PT_PAGE_1G - 1, pa + PAGE_SIZE + PT_PAGE_2M - 1, PT_PAGE_2M);
	expect_mapped(f, PT_PAGE_1G, pa + PAGE_SIZE + PT_PAGE_2M, PT_PAGE_1G);
	expect_mapped(f, 2 * PT_PAGE_1G, pa + size - PAGE_SIZE, PAGE_SIZE);
	expect_mapped(f, va + size - 1, pa + size - 1, PAGE_SIZE);
	expect_unmapped(f, va + size);
}

static void test_max_leaf_4k(void **state)
{
	struct fixture *f = *state;
	uint64_t va = PT_PAGE_1G, pa = 0x80000000, size = 2 * PT_PAGE_2M;
	assert_int_equal(pt_map(&f->s, va, pa, size, RW, PAGE_SIZE), PT_OK);
	expect_region(f, va, pa, size, PAGE_SIZE);
	assert_int_equal(f->live, 3); /* a level-1 table and two level-0 tables */
}

static void test_max_leaf_2m(void **state)
{
	struct fixture *f = *state;
	uint64_t va = PT_PAGE_1G, pa = 0x80000000, size = PT_PAGE_1G;
	assert_int_equal(pt_map(&f->s, va, pa, size, RW, PT_PAGE_2M), PT_OK);
	expect_region(f, va, pa, size, PT_PAGE_2M);
	assert_int_equal(f->live, 1);
}

static void test_pa_alignment_limits_leaf(void **state)
{
	struct fixture *f = *state;
	/* va is 2 MiB-aligned but pa only 4 KiB-aligned: no 2 MiB leaf can map it. */
	uint64_t va = PT_PAGE_2M, pa = 0x80001000, size = PT_PAGE_2M;
	assert_int_equal(map_rw(f, va, pa, size), PT_OK);
	expect_region(f, va, pa, size, PAGE_SIZE);
}

static void test_misaligned_rejected(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(map_rw(f, 0x10800, 0x80000000, PAGE_SIZE), PT_ERR_MISALIGNED);
	assert_int_equal(map_rw(f, 0x10000, 0x80000001, PAGE_SIZE), PT_ERR_MISALIGNED);
	assert_int_equal(map_rw(f, 0x10000, 0x80000000, 0x1001), PT_ERR_MISALIGNED);
	assert_int_equal(f->live, 0);
	assert_true(root_is_clear(f));
	expect_unmapped(f, 0x10000);
}

static void test_sv39_range(void **state)
{
	struct fixture *f = *state;
	uint64_t top = 1ul << 38;
	assert_int_equal(map_rw(f, top, 0x80000000, PAGE_SIZE), PT_ERR_RANGE);
	assert_int_equal(map_rw(f, top - PAGE_SIZE, 0x80000000, 2 * PAGE_SIZE), PT_ERR_RANGE);
	assert_int_equal(map_rw(f, 1ul << 40, 0x80000000, PAGE_SIZE), PT_ERR_RANGE);
	assert_int_equal(map_rw(f, 0x10000, 0x80000000, 0), PT_ERR_RANGE);
	assert_int_equal(map_rw(f, UINT64_MAX - 0xfff, 0x80000000, 2 * PAGE_SIZE), PT_ERR_RANGE);
	assert_int_equal(f->live, 0);
	assert_true(root_is_clear(f));
	assert_int_equal(map_rw(f, top - PAGE_SIZE, 0x80000000, PAGE_SIZE), PT_OK);
	expect_mapped(f, top - 1, 0x80000fff, PAGE_SIZE);
	expect_unmapped(f, top);
	/* Out of range even where the root index, taken modulo 512, would alias address 0. */
	assert_int_equal(map_rw(f, 0, 0x90000000, PAGE_SIZE), PT_OK);
	expect_unmapped(f, 1ul << 39);
}

static void test_sv39x4_range(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(map_rw(f, GPA_TOP, 0x80000000, PAGE_SIZE), PT_ERR_RANGE);
	assert_int_equal(map_rw(f, GPA_TOP - PAGE_SIZE, 0x80000000, 2 * PAGE_SIZE), PT_ERR_RANGE);
	assert_int_equal(f->live, 0);
	assert_true(root_is_clear(f));
	assert_int_equal(map_rw(f, GPA_TOP - PAGE_SIZE, 0x80000000, PAGE_SIZE), PT_OK);
	expect_mapped(f, GPA_TOP - 1, 0x80000fff, PAGE_SIZE);
	expect_unmapped(f, GPA_TOP);
	assert_int_equal(map_rw(f, 0, 0x90000000, PAGE_SIZE), PT_OK);
	expect_unmapped(f, GPA_TOP); /* root index 2048 would alias entry 0 */
}

static void test_sv39x4_root_uses_bits_39_and_40(void **state)
{
	struct fixture *f = *state;
	uint64_t gpa = 1ul << 40, pa = 0x80000000;
	assert_int_equal(map_rw(f, gpa, pa, PT_PAGE_1G), PT_OK);
	/* Root index = GPA[40:30]: 1024, which a 9-bit index would fold onto entry 0. */
	assert_int_not_equal(f->s.root[1024] & PTE_V, 0);
	assert_int_equal(f->s.root[0], 0);
	expect_region(f, gpa, pa, PT_PAGE_1G, PT_PAGE_1G);
	expect_unmapped(f, 0);

	assert_int_equal(map_rw(f, 1ul << 39, pa, PAGE_SIZE), PT_OK);
	assert_int_not_equal(f->s.root[512] & PTE_V, 0);
	assert_int_equal(map_rw(f, GPA_TOP - PAGE_SIZE, pa, PAGE_SIZE), PT_OK);
	assert_int_not_equal(f->s.root[2047] & PTE_V, 0);
	assert_int_equal(f->s.root[511], 0);
	assert_int_equal(f->s.root[0], 0);
}

static void test_overlap_rejected_and_nothing_mapped(void **state)
{
	struct fixture *f = *state;
	uint64_t x = PT_PAGE_2M + 0x5000;
	assert_int_equal(map_rw(f, x, 0x80000000, PAGE_SIZE), PT_OK);
	pte_t before = pt_lookup(&f->s, x, NULL);
	long live = f->live;
	/* Starts one page before the mapping: that page must not be mapped either. */
	assert_int_equal(map_rw(f, x - PAGE_SIZE, 0x90000000, 2 * PAGE_SIZE), PT_ERR_EXISTS);
	assert_int_equal(map_rw(f, x, 0x90000000, PAGE_SIZE), PT_ERR_EXISTS);
	assert_int_equal(map_rw(f, 0, 0x90000000, PT_PAGE_1G), PT_ERR_EXISTS);
	expect_unmapped(f, x - PAGE_SIZE);
	expect_unmapped(f, 0);
	assert_int_equal(pt_lookup(&f->s, x, NULL), before);
	assert_int_equal(f->live, live);
}

static void test_overlap_inside_huge_pages_rejected(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(map_rw(f, 2 * PT_PAGE_2M, 0x80000000, PT_PAGE_2M), PT_OK);
	assert_int_equal(map_rw(f, PT_PAGE_1G, 0xc0000000, PT_PAGE_1G), PT_OK);
	uint8_t root[4096];
	memcpy(root, f->s.root, sizeof(root));
	long live = f->live;

	assert_int_equal(map_rw(f, 2 * PT_PAGE_2M + 0x7000, 0x90000000, PAGE_SIZE), PT_ERR_EXISTS);
	assert_int_equal(map_rw(f, PT_PAGE_1G + 0x7000, 0x90000000, PAGE_SIZE), PT_ERR_EXISTS);
	assert_int_equal(map_rw(f, PT_PAGE_1G + PT_PAGE_2M, 0x90000000, PT_PAGE_2M), PT_ERR_EXISTS);
	/* Ends inside the 1 GiB leaf. */
	assert_int_equal(map_rw(f, PT_PAGE_1G - PAGE_SIZE, 0x90000000, 2 * PAGE_SIZE),
			 PT_ERR_EXISTS);

	/* No table was created under a leaf and nothing else was mapped. */
	assert_int_equal(f->live, live);
	assert_memory_equal(f->s.root, root, sizeof(root));
	expect_unmapped(f, PT_PAGE_1G - PAGE_SIZE);
	expect_mapped(f, PT_PAGE_1G + 0x7000, 0xc0007000, PT_PAGE_1G);
	expect_mapped(f, 2 * PT_PAGE_2M + 0x7000, 0x80007000, PT_PAGE_2M);
}

static void test_adjacent_mappings_allowed(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(map_rw(f, PT_PAGE_2M, 0x80000000, PT_PAGE_2M), PT_OK);
	assert_int_equal(map_rw(f, PT_PAGE_2M - PAGE_SIZE, 0x90000000, PAGE_SIZE), PT_OK);
	assert_int_equal(map_rw(f, 2 * PT_PAGE_2M, 0xa0000000, PAGE_SIZE), PT_OK);
	expect_mapped(f, PT_PAGE_2M - 1, 0x90000fff, PAGE_SIZE);
	expect_mapped(f, PT_PAGE_2M, 0x80000000, PT_PAGE_2M);
	expect_mapped(f, 2 * PT_PAGE_2M, 0xa0000000, PAGE_SIZE);
}

static void test_bad_permissions_rejected(void **state)
{
	struct fixture *f = *state;
	static const uint64_t bad[] = {
		0, PTE_W, PTE_W | PTE_X, PTE_U, PTE_G, PTE_U | PTE_W, PTE_R | (1ul << 62),
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(pt_map(&f->s, 0x10000, 0x80000000, PAGE_SIZE, bad[i], NO_LIMIT),
				 PT_ERR_PERMS);
	assert_int_equal(f->live, 0);
	assert_true(root_is_clear(f));
}

static void test_good_permissions_accepted(void **state)
{
	struct fixture *f = *state;
	static const uint64_t good[] = {
		PTE_R, PTE_X, PTE_R | PTE_W, PTE_R | PTE_X, PTE_R | PTE_W | PTE_X, PTE_X | PTE_U,
	};
	for (uint64_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(pt_map(&f->s, 0x10000 + i * PAGE_SIZE, 0x80000000, PAGE_SIZE,
					good[i], NO_LIMIT), PT_OK);
}

static void test_pte_bits_as_requested(void **state)
{
	struct fixture *f = *state;
	uint64_t va = PT_PAGE_1G + 0x3000, pa = 0x87654000;
	assert_int_equal(pt_map(&f->s, va, pa, PAGE_SIZE, PTE_R | PTE_W | PTE_U | PTE_G, NO_LIMIT),
			 PT_OK);
	pte_t pte = pt_lookup(&f->s, va, NULL);
	assert_int_equal(pte & ~PTE_PPN_MASK,
			 PTE_V | PTE_R | PTE_W | PTE_U | PTE_G | PTE_A | PTE_D);
	assert_int_equal((pte & PTE_PPN_MASK) >> PTE_PPN_SHIFT, pa >> 12);

	assert_int_equal(pt_map(&f->s, va + PAGE_SIZE, pa, PAGE_SIZE, PTE_X, NO_LIMIT), PT_OK);
	pte = pt_lookup(&f->s, va + PAGE_SIZE, NULL);
	assert_int_equal(pte & ~PTE_PPN_MASK, PTE_V | PTE_X | PTE_A | PTE_D);

	/* The pointer to the next level carries V alone (priv spec 4.3.1: R=W=X=0). */
	pte_t dir = f->s.root[1];
	assert_int_equal(dir & ~PTE_PPN_MASK, PTE_V);
}

static void test_out_of_table_pages(void **state)
{
	struct fixture *f = *state;
	f->budget = 0;
	assert_int_equal(map_rw(f, 0x10000, 0x80000000, PAGE_SIZE), PT_ERR_NOMEM);
	expect_unmapped(f, 0x10000);
	assert_int_equal(f->live, 0);

	f->budget = 1; /* the level-1 table comes, the level-0 one does not */
	assert_int_equal(map_rw(f, 0x10000, 0x80000000, PAGE_SIZE), PT_ERR_NOMEM);
	expect_unmapped(f, 0x10000);
	assert_int_equal(f->live, 1);

	f->budget = -1;
	assert_int_equal(map_rw(f, 0x10000, 0x80000000, PAGE_SIZE), PT_OK);
	expect_mapped(f, 0x10000, 0x80000000, PAGE_SIZE);
}

static void test_out_of_memory_keeps_the_part_mapped(void **state)
{
	struct fixture *f = *state;
	/* The second page needs a second level-0 table, which the budget does not allow. */
	f->budget = 2;
	assert_int_equal(map_rw(f, PT_PAGE_2M - PAGE_SIZE, 0x80000000, 2 * PAGE_SIZE),
			 PT_ERR_NOMEM);
	expect_mapped(f, PT_PAGE_2M - PAGE_SIZE, 0x80000000, PAGE_SIZE);
	expect_unmapped(f, PT_PAGE_2M);
}

static void test_destroy_frees_every_table(void **state)
{
	struct fixture *f = *state;
	/* Tables at every level, in several root entries. */
	for (uint64_t g = 0; g < 4; g++) {
		uint64_t gb = g * PT_PAGE_1G;
		assert_int_equal(map_rw(f, gb + 0x5000, 0x80000000, 3 * PAGE_SIZE), PT_OK);
		assert_int_equal(map_rw(f, gb + 7 * PT_PAGE_2M, 0x80000000, PT_PAGE_2M), PT_OK);
		assert_int_equal(map_rw(f, gb + 9 * PT_PAGE_2M + 0x1000, 0x80000000, PAGE_SIZE),
				 PT_OK);
	}
	assert_int_equal(map_rw(f, 8 * PT_PAGE_1G, 0x80000000, PT_PAGE_1G), PT_OK);
	assert_int_equal(f->live, 4 * 3);
	pt_destroy(&f->s);
	assert_int_equal(f->live, 0);
	assert_int_equal(f->pa.nfree, f->nfree_with_root);
	assert_true(root_is_clear(f));
	expect_unmapped(f, 0x5000);

	/* The root is ready for use again. */
	assert_int_equal(map_rw(f, 0x5000, 0x80000000, PAGE_SIZE), PT_OK);
	expect_mapped(f, 0x5000, 0x80000000, PAGE_SIZE);
}

static void test_destroy_sv39x4_reaches_high_root_entries(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(map_rw(f, 0x5000, 0x80000000, PAGE_SIZE), PT_OK);
	assert_int_equal(map_rw(f, 1ul << 39, 0x80000000, PAGE_SIZE), PT_OK);
	assert_int_equal(map_rw(f, GPA_TOP - PAGE_SIZE, 0x80000000, PAGE_SIZE), PT_OK);
	assert_int_equal(f->live, 6);
	pt_destroy(&f->s);
	assert_int_equal(f->live, 0);
	assert_int_equal(f->pa.nfree, f->nfree_with_root);
	assert_true(root_is_clear(f));
}

static void test_destroy_empty_table(void **state)
{
	struct fixture *f = *state;
	pt_destroy(&f->s);
	assert_int_equal(f->live, 0);
	assert_true(root_is_clear(f));
}

/* Two 2 MiB ranges' worth of tables, nothing mapped; 4 KiB maps there then allocate no
 * table, and another root that copied this root's entries sees them (task_create). */
static void test_prepare_builds_tables_and_maps_nothing(void **state)
{
	struct fixture *f = *state;
	uint64_t va = 0x1fc01ff000, size = 2 * PAGE_SIZE; /* straddles a 2 MiB boundary */
	assert_int_equal(pt_prepare(&f->s, va, size), PT_OK);
	assert_int_equal(f->live, 3); /* a level-1 and two level-0 tables */
	expect_unmapped(f, va);
	expect_unmapped(f, va + PAGE_SIZE);

	pte_t copy[512];
	memcpy(copy, f->s.root, sizeof(copy));
	f->budget = 0;
	assert_int_equal(pt_map(&f->s, va, 0x80300000, size, RW, PAGE_SIZE), PT_OK);
	struct pt_space other = f->s;
	other.root = copy;
	assert_int_equal(pt_translate(&other, va + PAGE_SIZE + 8), 0x80301008);
	assert_int_equal(pt_unmap(&f->s, va, size), PT_OK);
	assert_int_equal(pt_lookup(&other, va, NULL), 0);
	assert_int_equal(f->live, 3);
}

static void test_prepare_checks_its_range(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pt_prepare(&f->s, 0x10800, PAGE_SIZE), PT_ERR_MISALIGNED);
	assert_int_equal(pt_prepare(&f->s, 0x10000, 0), PT_ERR_RANGE);
	assert_int_equal(pt_prepare(&f->s, (1ul << 38) - PAGE_SIZE, 2 * PAGE_SIZE), PT_ERR_RANGE);
	assert_int_equal(map_rw(f, 0x40000000, 0x80000000, PT_PAGE_1G), PT_OK);
	/* Inside a 1 GiB leaf there is no room for a table. */
	assert_int_equal(pt_prepare(&f->s, 0x40200000, PAGE_SIZE), PT_ERR_EXISTS);
	expect_mapped(f, 0x40200000, 0x80200000, PT_PAGE_1G);
	f->budget = 0;
	assert_int_equal(pt_prepare(&f->s, 0x10000, PAGE_SIZE), PT_ERR_NOMEM);
	assert_int_equal(f->live, 0);
}

static void test_error_names(void **state)
{
	(void)state;
	assert_string_equal(pt_error_name(PT_OK), "ok");
	assert_string_equal(pt_error_name(PT_ERR_EXISTS), "already mapped");
	assert_string_equal(pt_error_name((enum pt_error)-99), "unknown error");
}

#define SV39(f) cmocka_unit_test_setup_teardown(f, setup_sv39, teardown)
#define SV39X4(f) cmocka_unit_test_setup_teardown(f, setup_sv39x4, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root_sizes),
		SV39(test_map_4k_pages),
		SV39X4(test_map_4k_pages),
		SV39(test_map_2m_leaves),
		SV39X4(test_map_2m_leaves),
		SV39(test_map_1g_leaves),
		SV39X4(test_map_1g_leaves),
		SV39(test_largest_leaf_at_each_step),
		SV39X4(test_largest_leaf_at_each_step),
		SV39(test_max_leaf_4k),
		SV39(test_max_leaf_2m),
		SV39(test_pa_alignment_limits_leaf),
		SV39(test_misaligned_rejected),
		SV39(test_sv39_range),
		SV39X4(test_sv39x4_range),
		SV39X4(test_sv39x4_root_uses_bits_39_and_40),
		SV39(test_overlap_rejected_and_nothing_mapped),
		SV39X4(test_overlap_rejected_and_nothing_mapped),
		SV39(test_overlap_inside_huge_pages_rejected),
		SV39(test_adjacent_mappings_allowed),
		SV39(test_bad_permissions_rejected),
		SV39(test_good_permissions_accepted),
		SV39(test_pte_bits_as_requested),
		SV39(test_out_of_table_pages),
		SV39(test_out_of_memory_keeps_the_part_mapped),
		SV39(test_destroy_frees_every_table),
		SV39X4(test_destroy_frees_every_table),
		SV39X4(test_destroy_sv39x4_reaches_high_root_entries),
		SV39(test_destroy_empty_table),
		SV39(test_prepare_builds_tables_and_maps_nothing),
		SV39(test_prepare_checks_its_range),
		cmocka_unit_test(test_error_names),
	};
	return cmocka_run_group_tests_name("pagetable", tests, NULL, NULL);
}
