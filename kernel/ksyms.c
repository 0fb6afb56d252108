#include "ksyms.h"

#include <stddef.h>

/* Emitted by tools/gen-ksyms.sh, sorted by address; the names are NUL-separated. */
extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addrs[];
extern const uint32_t ksyms_name_offsets[];
extern const char ksyms_names[];
extern char _etext[];

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
	if (ksyms_count == 0 || addr < ksyms_addrs[0] || addr >= (uint64_t)_etext)
		return NULL;
	size_t lo = 0, hi = ksyms_count; /* find the last symbol at or below addr */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (ksyms_addrs[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_addrs[lo];
	return &ksyms_names[ksyms_name_offsets[lo]];
}
