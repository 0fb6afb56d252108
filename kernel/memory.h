/* The kernel's physical page pool: the page allocator over the RAM the device tree reports,
 * minus OpenSBI's reserved memory, the kernel image, the device tree blob and the initrd. */
#ifndef VIREO_MEMORY_H
#define VIREO_MEMORY_H

#include <stdint.h>

#include "machine.h"

/* Moves the boot file system (the initrd) down next to the kernel, so that the free RAM
 * after it is one run; m's initrd range follows. Before memory_init. */
void memory_place_bootfs(struct machine *m, uint64_t fdt_addr);
void memory_init(const struct machine *m, uint64_t fdt_addr);
uint64_t kpage_alloc(void); /* a zeroed page, or 0 */
void kpage_free(uint64_t addr);
uint64_t kpages_alloc(uint64_t n, uint64_t align); /* n zeroed contiguous pages, or 0 */
/* n contiguous pages as their last user left them: the caller zeroes before anyone reads. */
uint64_t kpages_take(uint64_t n, uint64_t align);
void kpages_free(uint64_t addr, uint64_t n);
uint64_t memory_free_pages(void);
uint64_t memory_total_pages(void);

#endif
