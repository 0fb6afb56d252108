/* Grants and DMA pins (kernel/memobj.c, kernel/dma.c) over fakes of the task and page
 * code: which ranges a task may grant, how they become physical runs, and that the pages of
 * a grant a device has pinned stay allocated whoever lets go of them first, the guest's
 * monitor unmapping its RAM or ending, until the driver unpins. A revoked grant is never
 * pinned again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "device.h"
#include "dma.h"
#include "kalloc.h"
#include "memobj.h"
#include "memory.h"
#include "page_alloc.h"
#include "task.h"

#define RAM_VA 0x2c00000000ul
#define RAM_PA 0x90000000ul
#define RAM_PAGES (3 * CHUNK_PAGES)

static struct task task;
static struct device device;
static uint64_t freed_pa, freed_pages, charged, touches;

/* Fakes of what memobj.c and dma.c call. */
void *kzalloc(size_t size) { return calloc(1, size); }
void kfree(void *p, size_t size) { (void)size; free(p); }
uint64_t kpages_alloc(uint64_t n, uint64_t align) { (void)n; (void)align; return 0; }
uint64_t kpage_alloc(void) { return (uint64_t)(uintptr_t)calloc(1, PAGE_SIZE); }
void kpage_free(uint64_t addr) { free((void *)(uintptr_t)addr); }
void kpages_free(uint64_t addr, uint64_t n) { freed_pa = addr; freed_pages += n; }
int task_charge(struct task *t, uint64_t n) { (void)t; charged += n; return 0; }
void task_uncharge(struct task *t, uint64_t n) { (void)t; charged -= n; }
void task_put(struct task *t) { t->refs--; }

struct mapping *task_find_owned(struct task *t, uint64_t va, uint64_t size, uint64_t *pa)
{
	for (unsigned i = 0; i < MAX_MAPPINGS; i++) {
		struct mapping *m = &t->mappings[i];
		if (m->npages && va >= m->va && va - m->va < m->npages << PAGE_SHIFT) {
			if (!m->owned || size == 0 || size > (m->npages << PAGE_SHIFT) - (va - m->va))
				return NULL;
			*pa = m->pa + (va - m->va);
			return m;
		}
	}
	return NULL;
}

uint64_t task_touch(struct task *t, uint64_t va)
{
	uint64_t pa;
	touches++;
	return task_find_owned(t, va, 1, &pa) ? pa : 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&task, 0, sizeof(task));
	memset(&device, 0, sizeof(device));
	device.kind = DEVICE_VIRTIO_MMIO;
	task.refs = 1;
	task.mappings[0] = (struct mapping){ .va = RAM_VA, .npages = RAM_PAGES, .pa = RAM_PA,
					     .owned = true };
	/* A second owned mapping, and a memory object's (not the task's own pages). */
	task.mappings[1] = (struct mapping){ .va = RAM_VA + (4ul << 30), .npages = 1,
					     .pa = 0xa0000000ul, .owned = true };
	task.mappings[2] = (struct mapping){ .va = RAM_VA + (8ul << 30), .npages = 1,
					     .pa = 0xb0000000ul };
	charged = RAM_PAGES; /* what task_map charged for the RAM */
	freed_pa = freed_pages = touches = 0;
	return 0;
}

static struct memobj *grant(const struct vireo_grant_seg *segs, unsigned n, int *err)
{
	return memobj_grant(&task, segs, n, err);
}

static void test_bad_ranges_are_refused(void **state)
{
	(void)state;
	int err;
	struct vireo_grant_seg seg = { RAM_VA, 512 };
	assert_null(grant(&seg, 0, &err));
	assert_int_equal(err, VIREO_E_INVAL);
	assert_null(grant(&seg, VIREO_GRANT_SEGS + 1, &err));
	assert_int_equal(err, VIREO_E_INVAL);
	struct vireo_grant_seg bad[] = {
		{ RAM_VA, 0 },                                   /* empty */
		{ ~0ul - 100, 512 },                             /* wraps */
		{ RAM_VA + (RAM_PAGES << PAGE_SHIFT) - 512, 1024 }, /* past the mapping */
		{ RAM_VA - 4096, 8192 },                         /* starts before it */
		{ RAM_VA + (8ul << 30), 512 },                   /* a memory object's pages */
		{ 0x1000, 512 },                                 /* nothing there */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_null(grant(&bad[i], 1, &err));
		assert_int_equal(err, VIREO_E_FAULT);
	}
	/* Each range fine, but in two mappings. */
	struct vireo_grant_seg two[] = { { RAM_VA, 512 }, { RAM_VA + (4ul << 30), 512 } };
	assert_null(grant(two, 2, &err));
	assert_int_equal(err, VIREO_E_FAULT);
	assert_int_equal(task.refs, 1);
	assert_int_equal(freed_pages, 0);
}

static void test_ranges_become_merged_runs(void **state)
{
	(void)state;
	int err;
	struct vireo_grant_seg segs[] = {
		{ RAM_VA + 0x1000, 0x800 }, { RAM_VA + 0x1800, 0x800 }, /* touching: one run */
		{ RAM_VA + 0x8000, 0x200 },
		{ RAM_VA + (CHUNK_PAGES << PAGE_SHIFT) - 0x200, 0x400 }, /* across two chunks */
	};
	struct memobj *o = grant(segs, 4, &err);
	assert_non_null(o);
	assert_int_equal(o->nruns, 3);
	assert_int_equal(o->bytes, 0x800 * 2 + 0x200 + 0x400);
	assert_int_equal(o->runs[0].pa, RAM_PA + 0x1000);
	assert_int_equal(o->runs[0].len, 0x1000);
	assert_int_equal(o->runs[2].pa, RAM_PA + (CHUNK_PAGES << PAGE_SHIFT) - 0x200);
	/* Every chunk a range lies in is touched (zeroed if it never was) before a device
	 * can see it: one each for the first three, two for the last. */
	assert_int_equal(touches, 5);
	struct vireo_dma_run runs[3];
	assert_int_equal(dma_pin_runs(&device, o, runs, 2), VIREO_E_FULL);
	assert_int_equal(o->refs, 1); /* nothing pinned */
	assert_int_equal(dma_pin_runs(&device, o, runs, 3), 3);
	assert_memory_equal(runs, o->runs, sizeof(runs));
	assert_int_equal(dma_pin(&device, o), VIREO_E_INVAL); /* no one address */
	assert_int_equal(dma_unpin(&device, o), 0);
	assert_int_equal(dma_unpin(&device, o), VIREO_E_NOENT);
	memobj_put(o);
	memobj_put(task.mappings[0].obj); /* what task.c's unmap does */
	assert_int_equal(freed_pa, RAM_PA);
	assert_int_equal(freed_pages, RAM_PAGES);
	assert_int_equal(charged, 0);
}

/* The monitor's guest went away (its RAM unmapped, the grant's handles closed) while the
 * device still works on the request: the pages wait for the driver's unpin. */
static void test_pinned_pages_outlive_the_guest(void **state)
{
	(void)state;
	int err;
	struct vireo_grant_seg seg = { RAM_VA + 0x3000, 0x1000 };
	struct memobj *o = grant(&seg, 1, &err);
	struct vireo_dma_run run;
	assert_int_equal(dma_pin_runs(&device, o, &run, 1), 1);
	memobj_put(o);
	memobj_put(task.mappings[0].obj);
	assert_int_equal(freed_pages, 0);
	/* Still counted to the monitor, with the page of the grant's runs. */
	assert_int_equal(charged, RAM_PAGES + 1);
	assert_int_equal(dma_unpin(&device, o), 0);
	assert_int_equal(freed_pages, RAM_PAGES);
	assert_int_equal(charged, 0);
	assert_int_equal(task.refs, 1); /* the grant and the RAM let go of the task */
}

static void test_a_revoked_grant_is_not_pinned(void **state)
{
	(void)state;
	int err;
	struct vireo_grant_seg seg = { RAM_VA, 0x1000 };
	struct memobj *pinned = grant(&seg, 1, &err), *late = grant(&seg, 1, &err);
	struct vireo_dma_run run;
	assert_int_equal(dma_pin_runs(&device, pinned, &run, 1), 1);
	pinned->revoked = late->revoked = true; /* SYS_MEMORY_REVOKE */
	assert_int_equal(dma_pin_runs(&device, late, &run, 1), VIREO_E_DEAD);
	assert_int_equal(late->refs, 1);
	/* The pin taken before stays until the driver lets go. */
	memobj_put(pinned);
	memobj_put(late);
	memobj_put(task.mappings[0].obj);
	assert_int_equal(freed_pages, 0);
	assert_int_equal(dma_unpin(&device, pinned), 0);
	assert_int_equal(freed_pages, RAM_PAGES);
}

static void test_pins_need_a_dma_device_and_a_free_slot(void **state)
{
	(void)state;
	int err;
	struct vireo_grant_seg seg = { RAM_VA, 512 };
	struct memobj *g[VIREO_DMA_PINS + 1];
	struct vireo_dma_run run;
	device.kind = DEVICE_UART;
	g[0] = grant(&seg, 1, &err);
	assert_int_equal(dma_pin_runs(&device, g[0], &run, 1), VIREO_E_INVAL);
	device.kind = DEVICE_VIRTIO_MMIO;
	for (unsigned i = 1; i <= VIREO_DMA_PINS; i++)
		g[i] = grant(&seg, 1, &err);
	for (unsigned i = 0; i < VIREO_DMA_PINS; i++)
		assert_int_equal(dma_pin_runs(&device, g[i], &run, 1), 1);
	assert_int_equal(dma_pin_runs(&device, g[0], &run, 1), 1); /* the same pin again */
	assert_int_equal(dma_pin_runs(&device, g[VIREO_DMA_PINS], &run, 1), VIREO_E_FULL);
	for (unsigned i = 0; i <= VIREO_DMA_PINS; i++) {
		if (i < VIREO_DMA_PINS)
			assert_int_equal(dma_unpin(&device, g[i]), 0);
		memobj_put(g[i]);
	}
	memobj_put(task.mappings[0].obj);
	assert_int_equal(freed_pages, RAM_PAGES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bad_ranges_are_refused, setup),
		cmocka_unit_test_setup(test_ranges_become_merged_runs, setup),
		cmocka_unit_test_setup(test_pinned_pages_outlive_the_guest, setup),
		cmocka_unit_test_setup(test_a_revoked_grant_is_not_pinned, setup),
		cmocka_unit_test_setup(test_pins_need_a_dma_device_and_a_free_slot, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
