/* Memory quotas: a limit on the pages charged to the tasks that share one (syscall.h). */
#ifndef VIREO_QUOTA_H
#define VIREO_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

struct quota {
	uint64_t limit, used; /* in pages */
	int refs;             /* each task drawing on it, each handle naming it */
};

struct quota *quota_create(uint64_t limit);
/* Takes n pages from q, or nothing when that would pass its limit. */
bool quota_charge(struct quota *q, uint64_t n);
void quota_uncharge(struct quota *q, uint64_t n);
void quota_put(struct quota *q);

#endif
