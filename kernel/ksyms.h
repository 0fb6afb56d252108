/* The kernel's own symbol table, generated from the linked image by tools/gen-ksyms.sh and
 * linked into a second pass, so panics name functions rather than addresses. */
#ifndef VIREO_KSYMS_H
#define VIREO_KSYMS_H

#include <stdint.h>

/* The function containing addr and addr's offset in it, or NULL when none does. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);

#endif
