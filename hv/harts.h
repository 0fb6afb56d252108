/* Hart masks as SBI calls pass them (SBI spec 3.2): a mask of harts from a base, or every
 * hart when the base is -1. */
#ifndef VIREO_HV_HARTS_H
#define VIREO_HV_HARTS_H

#include "guest_sbi.h"

/* The vCPUs a mask names, as a bit set; -1 when it names a hart that does not exist. */
static inline int64_t hart_mask_to_set(const struct vm *vm, unsigned long mask,
				       unsigned long base)
{
	if (base == (unsigned long)-1)
		return (int64_t)((1ul << vm->nvcpus) - 1);
	uint64_t set = 0;
	for (unsigned i = 0; i < 64; i++) {
		if (!(mask & (1ul << i)))
			continue;
		if (base + i >= vm->nvcpus || base + i < base)
			return -1;
		set |= 1ul << (base + i);
	}
	return (int64_t)set;
}

#endif
