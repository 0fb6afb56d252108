#include "quota.h"

#include "handle.h"
#include "kalloc.h"

struct quota *quota_create(uint64_t limit)
{
	struct quota *q = kzalloc(sizeof(*q));
	if (q) {
		q->limit = limit;
		q->refs = 1;
	}
	return q;
}

bool quota_charge(struct quota *q, uint64_t n)
{
	if (q->used > q->limit || n > q->limit - q->used)
		return false;
	q->used += n;
	return true;
}

void quota_uncharge(struct quota *q, uint64_t n)
{
	q->used -= n;
}

void quota_put(struct quota *q)
{
	if (--q->refs == 0)
		kfree(q, sizeof(*q));
}

DEFINE_OBJECT_OPS(quota, struct quota, quota_put);
