/* Small kernel objects (tasks, threads, endpoints): power-of-two size classes carved from
 * whole pages, each class with its own free list. */
#ifndef VIREO_KALLOC_H
#define VIREO_KALLOC_H

#include <stddef.h>
#include <stdint.h>

void *kzalloc(size_t size); /* zeroed, or NULL; at most a page */
void kfree(void *p, size_t size);

#endif
