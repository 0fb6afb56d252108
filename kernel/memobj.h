/* Memory objects: physical pages that several tasks can map (docs/design.md 4), and grants:
 * byte ranges of a task's own memory that it lets a driver's device reach for one request
 * (include/vireo/syscall.h, "Grants"). */
#ifndef VIREO_MEMOBJ_H
#define VIREO_MEMOBJ_H

#include <stdbool.h>
#include <stdint.h>

#include <vireo/syscall.h>

struct task;

struct memobj {
	uint64_t pa, npages;  /* contiguous; both 0 for a grant */
	struct task *charged; /* the creator, charged for the pages; NULL for borrowed ones */
	int refs;             /* handles, mappings, pins and grants of its pages */
	/* A grant: its physically contiguous byte ranges in the granter's order, the object
	 * whose pages they lie in (held, so that they outlive every pin), the granter, and
	 * whether it revoked the grant. */
	struct vireo_dma_run *runs;
	unsigned nruns;
	uint64_t bytes;
	struct memobj *backing;
	struct task *granter;
	bool revoked;
};

/* npages fresh zeroed pages charged to creator, with one reference for the caller; NULL
 * when memory is short. */
struct memobj *memobj_create(struct task *creator, uint64_t npages, int *err);
/* Pages the kernel owns (the bootfs) seen as an object; they are never freed. */
struct memobj *memobj_borrow(uint64_t pa, uint64_t npages);
/* A grant of the byte ranges segs[0..n) of one of t's own mappings (SYS_MEM_ALLOC pages),
 * checked and zeroed where never touched, with one reference for the caller; NULL and *err if a
 * range is malformed or not t's. */
struct memobj *memobj_grant(struct task *t, const struct vireo_grant_seg *segs, unsigned n,
			    int *err);
void memobj_put(struct memobj *o);

#endif
