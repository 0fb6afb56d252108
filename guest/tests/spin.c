/* spin: a bad guest that never yields. It says so, turns interrupts off and loops forever:
 * Vireo must still preempt it (its timer is the host's, not the guest's) and be able to stop
 * it. Prints no DONE. */
#include "lib.h"

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	print("spin: spinning forever\n");
	irq_disable();
	csr_write(sie, 0);
	for (;;)
		__asm__ volatile("" : : : "memory");
}
