/* Memory objects: physical pages that several tasks can map (docs/design.md 4). */
#ifndef VIREO_MEMOBJ_H
#define VIREO_MEMOBJ_H

#include <stdbool.h>
#include <stdint.h>

struct task;

struct memobj {
	uint64_t pa, npages;  /* contiguous */
	struct task *charged; /* the creator, charged for the pages; NULL for borrowed ones */
	int refs;             /* handles and mappings */
};

/* npages fresh zeroed pages charged to creator, with one reference for the caller; NULL
 * when memory is short. */
struct memobj *memobj_create(struct task *creator, uint64_t npages, int *err);
/* Pages the kernel owns (the bootfs) seen as an object; they are never freed. */
struct memobj *memobj_borrow(uint64_t pa, uint64_t npages);
void memobj_put(struct memobj *o);

#endif
