/* Builds a task's address space from an ELF executable: its segments (W^X, as the file
 * asks) and a stack with an unmapped guard page below it. */
#ifndef VIREO_LOADER_H
#define VIREO_LOADER_H

#include <stddef.h>
#include <stdint.h>

struct task;

/* Returns 0 and the entry point, or a VIREO_E_* error with *err saying why. */
int load_program(struct task *t, const void *image, size_t size, uint64_t *entry,
		 const char **err);

#endif
