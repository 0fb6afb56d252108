/* badpt: a bad guest whose page tables are garbage. It fills a page with pseudo-random
 * words, points satp at it (Sv39), and from then on faults on every fetch, its trap
 * handler's too, for ever. GDB's `vireo guest-bt` must say it cannot translate the guest's
 * addresses, naming the address and the level that failed, and Vireo must run on
 * (tools/systest/test_gdb.py). Prints no DONE. */
#include "lib.h"

static uint64_t garbage[512] __attribute__((aligned(4096)));

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	uint64_t x = 0x9e3779b97f4a7c15ull; /* xorshift64: the same garbage every run */
	for (unsigned i = 0; i < 512; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		garbage[i] = x;
	}
	print("badpt: garbage page tables from now on\n");
	csr_write(satp, (8ul << 60) | ((uint64_t)(uintptr_t)garbage >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
	for (;;)
		;
}
