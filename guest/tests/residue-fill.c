/* residue-fill: leaves a pattern in every integer and FP register and in all of its RAM
 * but itself, then powers off. residue-check, run next in a VM of the same size, must find
 * none of it: a guest's state never reaches the one after it. Run both with ram=16. */
#include "lib.h"
#include "residue.h"

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	for (uint64_t *p = residue_ram_start(); p < residue_ram_end(); p++)
		if (!residue_skip(p, dtb))
			*p = RESIDUE_PATTERN;
	residue_fill_fp();
	print("residue-fill: RAM and FP registers filled\n");
	/* Every integer register but sp holds the pattern when the guest powers off. */
	__asm__ volatile(
		"li t0, %0\n"
		".irp n, 1,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n"
		"mv x\\n, t0\n"
		".endr\n"
		"li a7, 0x53525354\n" /* SBI SRST system_reset(shutdown, no reason) */
		"li a6, 0\n"
		"li a0, 0\n"
		"li a1, 0\n"
		"ecall\n"
		"1: j 1b\n" : : "i"(RESIDUE_PATTERN) : "memory");
}
