/* garbage: a bad guest that jumps outside its RAM to 0x1234 with stvec pointing there too,
 * so every fault on fetching it faults again, forever. Vireo must contain it: no host crash,
 * no flood of log lines, and the guest can still be stopped. Prints no DONE.
 * On bare QEMU 0x1234 is inside the boot ROM, so what happens there means nothing. */
#include "lib.h"

#define NOWHERE 0x1234UL

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	print("garbage: jumping to 0x1234\n");
	irq_disable();
	csr_write(stvec, NOWHERE);
	__asm__ volatile("jr %0" : : "r"(NOWHERE));
	__builtin_unreachable();
}
