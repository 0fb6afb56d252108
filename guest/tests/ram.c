/* ram: run with ram=16 (16 MiB). Vireo zeroes and maps guest RAM 2 MiB at a time when the
 * guest first touches it, so this guest reads a word in every chunk above its own image
 * before writing anything there: each must be zero, as on a machine fresh from reset. It
 * then writes a pattern across chunk boundaries and reads it back, and checks that the
 * word just past the end of RAM is not there (a load access fault). */
#include "lib.h"

#define RAM_BASE 0x80000000UL
#define RAM_SIZE (16UL << 20)
#define CHUNK (2UL << 20)

extern char _end[];

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	unsigned long first = ((unsigned long)_end + CHUNK - 1) & ~(CHUNK - 1);
	/* The device tree sits at the top of RAM: its chunk has been touched already. */
	unsigned long last = (dtb & ~(CHUNK - 1)) - CHUNK;
	unsigned long nonzero = 0, chunks = 0;
	for (unsigned long a = first; a <= last; a += CHUNK, chunks++)
		for (unsigned long off = 0; off < CHUNK; off += CHUNK / 4)
			nonzero += *(volatile unsigned long *)(a + off) != 0;
	check(chunks > 0 && nonzero == 0, "%lu untouched chunks read as zero (%lu nonzero words)",
	      chunks, nonzero);

	unsigned long bad = 0;
	for (unsigned long a = first + CHUNK - 4096; a < first + CHUNK + 4096; a += 8)
		*(volatile unsigned long *)a = a * 2654435761UL;
	for (unsigned long a = first + CHUNK - 4096; a < first + CHUNK + 4096; a += 8)
		bad += *(volatile unsigned long *)a != a * 2654435761UL;
	check(bad == 0, "a pattern across a chunk boundary reads back (%lu wrong)", bad);

	trap_set_hook(trap_catch_and_skip);
	unsigned long before = caught.count, v = 0;
	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(RAM_BASE + RAM_SIZE) : "memory");
	trap_set_hook(NULL);
	check(caught.count == before + 1 && caught.scause == EXC_LOAD_ACCESS &&
		      caught.stval == RAM_BASE + RAM_SIZE,
	      "the word past the end of RAM is a load access fault (scause %lu)",
	      caught.count == before ? 0UL : caught.scause);
	finish();
}
