/* idle: says so, then waits in wfi with no timer armed and every interrupt off, for ever: the
 * hypervisor should block it and take no exits at all (make bench counts them). */
#include "lib.h"

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid, (void)dtb;
	print("idle: waiting in wfi\n");
	irq_disable();
	for (;;)
		__asm__ volatile("wfi");
}
