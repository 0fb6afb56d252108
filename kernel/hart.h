/* Per-hart state, reached through tp (DESIGN.md 1). */
#ifndef VIREO_HART_H
#define VIREO_HART_H

#include <stdint.h>

#define KERNEL_STACK_SIZE (16 * 1024)

struct hart {
	uint64_t hartid;
	uint64_t stack_base, stack_top; /* bounds for stack walks */
	volatile uint64_t ticks;
};

static inline struct hart *this_hart(void)
{
	struct hart *h;
	__asm__("mv %0, tp" : "=r"(h));
	return h;
}

void hart_init_boot(uint64_t hartid);

#endif
