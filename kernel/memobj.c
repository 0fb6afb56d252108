#include "memobj.h"

#include "handle.h"
#include "kalloc.h"
#include "memory.h"
#include "page_alloc.h"
#include "task.h"

struct memobj *memobj_create(struct task *creator, uint64_t npages, int *err)
{
	*err = task_charge(creator, npages);
	if (*err)
		return NULL;
	struct memobj *o = kzalloc(sizeof(*o));
	if (o)
		o->pa = kpages_alloc(npages, 1);
	if (!o || !o->pa) {
		if (o)
			kfree(o, sizeof(*o));
		task_uncharge(creator, npages);
		*err = VIREO_E_NOMEM;
		return NULL;
	}
	o->npages = npages;
	o->refs = 1; /* the caller's, to hand to a handle */
	/* The creator stays charged even after it exits, for as long as the pages live: its
	 * task record is kept until then, so `mem` can still name who holds them. */
	o->charged = creator;
	creator->refs++;
	return o;
}

struct memobj *memobj_borrow(uint64_t pa, uint64_t npages)
{
	struct memobj *o = kzalloc(sizeof(*o));
	if (o) {
		o->pa = pa;
		o->npages = npages;
		o->refs = 1; /* the kernel's own, never dropped */
	}
	return o;
}

/* The object behind t's owned mapping m, made on the mapping's first grant: from then on
 * the pages go back when the last of the mapping, the grants and the pins lets go
 * (task.c's unmap leaves them to it), not when the task unmaps them or ends. */
static struct memobj *backing_of(struct task *t, struct mapping *m)
{
	if (m->obj)
		return m->obj;
	struct memobj *o = kzalloc(sizeof(*o));
	if (!o)
		return NULL;
	o->pa = m->pa;
	o->npages = m->npages;
	o->refs = 1; /* the mapping's */
	o->charged = t;
	t->refs++;
	m->obj = o;
	return o;
}

/* Appends [va, va + len) of t's mapping m to the runs, merging it with the last run when
 * the two touch physically. */
static int add_run(struct task *t, struct mapping **m, uint64_t va, uint64_t len,
		   struct vireo_dma_run *runs, unsigned *n)
{
	uint64_t pa;
	struct mapping *in = len && va + len > va ? task_find_owned(t, va, len, &pa) : NULL;
	if (!in || (*m && in != *m))
		return VIREO_E_FAULT;
	*m = in;
	/* A device must never read what an earlier owner left in pages the task has not
	 * touched yet, nor have its data zeroed over by a later first touch. */
	uint64_t chunk = CHUNK_PAGES * PAGE_SIZE;
	for (uint64_t at = va & ~(chunk - 1); at < va + len; at += chunk)
		if (!task_touch(t, at < va ? va : at))
			return VIREO_E_NOMEM;
	struct vireo_dma_run *last = *n ? &runs[*n - 1] : NULL;
	if (last && last->pa + last->len == pa)
		last->len += len;
	else
		runs[(*n)++] = (struct vireo_dma_run){ pa, len };
	return 0;
}

struct memobj *memobj_grant(struct task *t, const struct vireo_grant_seg *segs, unsigned n,
			    int *err)
{
	_Static_assert(VIREO_GRANT_SEGS * sizeof(struct vireo_dma_run) <= PAGE_SIZE,
		       "a grant's runs fit a page");
	*err = n == 0 || n > VIREO_GRANT_SEGS ? VIREO_E_INVAL : task_charge(t, 1);
	if (*err)
		return NULL;
	/* The runs' page is the granter's, charged to it and back in the pool with the grant:
	 * grants cost the kernel nothing a task could pile up. */
	struct memobj *o = kzalloc(sizeof(*o));
	struct vireo_dma_run *runs = (struct vireo_dma_run *)(uintptr_t)kpage_alloc();
	struct mapping *m = NULL;
	unsigned nruns = 0;
	uint64_t bytes = 0;
	*err = o && runs ? 0 : VIREO_E_NOMEM;
	for (unsigned i = 0; !*err && i < n; i++) {
		*err = add_run(t, &m, segs[i].va, segs[i].len, runs, &nruns);
		bytes += segs[i].len; /* each inside one mapping, n at most 256: no wrap */
	}
	struct memobj *backing = *err ? NULL : backing_of(t, m);
	if (!backing) {
		*err = *err ? *err : VIREO_E_NOMEM;
		if (runs)
			kpage_free((uint64_t)(uintptr_t)runs);
		if (o)
			kfree(o, sizeof(*o));
		task_uncharge(t, 1);
		return NULL;
	}
	backing->refs++;
	o->backing = backing;
	o->runs = runs;
	o->nruns = nruns;
	o->bytes = bytes;
	o->refs = 1; /* the caller's, to hand to a handle */
	o->granter = t;
	t->refs++;
	return o;
}

void memobj_put(struct memobj *o)
{
	if (--o->refs > 0)
		return;
	if (o->runs) {
		memobj_put(o->backing);
		kpage_free((uint64_t)(uintptr_t)o->runs);
		task_uncharge(o->granter, 1);
		task_put(o->granter);
	} else {
		kpages_free(o->pa, o->npages);
		task_uncharge(o->charged, o->npages);
		task_put(o->charged);
	}
	kfree(o, sizeof(*o));
}

DEFINE_OBJECT_OPS(memory, struct memobj, memobj_put);
