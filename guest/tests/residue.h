/* What residue-fill leaves and residue-check looks for: RAM (ram=16) outside the image and
 * the device tree, and the FP registers. */
#ifndef RESIDUE_H
#define RESIDUE_H

#include "lib.h"

#define RESIDUE_PATTERN 0x5eedf00dcafe5eedUL
#define RESIDUE_RAM_BASE 0x80000000UL
#define RESIDUE_RAM_SIZE (16UL << 20)

extern char _end[];

static inline uint64_t *residue_ram_start(void)
{
	return (uint64_t *)RESIDUE_RAM_BASE;
}

static inline uint64_t *residue_ram_end(void)
{
	return (uint64_t *)(RESIDUE_RAM_BASE + RESIDUE_RAM_SIZE);
}

/* The guest's own image (its code, data and stacks) and its device tree. */
static inline bool residue_skip(const uint64_t *p, unsigned long dtb)
{
	unsigned long a = (unsigned long)p;
	const volatile uint8_t *h = (const volatile uint8_t *)dtb; /* fdt header: totalsize */
	unsigned long dtb_size = (unsigned long)h[4] << 24 | h[5] << 16 | h[6] << 8 | h[7];
	return (a >= 0x80200000UL && a < (unsigned long)_end) ||
	       (a >= dtb && a < dtb + dtb_size);
}

static inline void residue_fill_fp(void)
{
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	__asm__ volatile(".option push\n.option arch, +d\n"
			 ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
			 "fmv.d.x f\\n, %0\n"
			 ".endr\n"
			 "fscsr %0\n"
			 ".option pop" : : "r"(RESIDUE_PATTERN));
}

static inline unsigned residue_fp_nonzero(void)
{
	uint64_t f[33];
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	__asm__ volatile(".option push\n.option arch, +d\n"
			 ".irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
			 "fmv.x.d t0, f\\n\n"
			 "sd t0, \\n*8(%0)\n"
			 ".endr\n"
			 "frcsr t0\n"
			 "sd t0, 32*8(%0)\n"
			 ".option pop" : : "r"(f) : "t0", "memory");
	unsigned n = 0;
	for (unsigned i = 0; i < 33; i++)
		n += f[i] != 0;
	return n;
}

#endif
