#include "memobj.h"

#include "handle.h"
#include "kalloc.h"
#include "memory.h"
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

void memobj_put(struct memobj *o)
{
	if (--o->refs > 0)
		return;
	kpages_free(o->pa, o->npages);
	task_uncharge(o->charged, o->npages);
	task_put(o->charged);
	kfree(o, sizeof(*o));
}

DEFINE_OBJECT_OPS(memory, struct memobj, memobj_put);
