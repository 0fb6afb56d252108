/* idle: says so, then waits in wfi with no timer armed, for ever: the hypervisor should block
 * it and take no exits at all (make bench counts them). External interrupts stay enabled in
 * sie (none comes), so the wait could end: with nothing enabled the monitor stops the guest
 * as halted. */
#include "lib.h"

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid, (void)dtb;
	print("idle: waiting in wfi\n");
	irq_disable();
	csr_write(sie, SIE_SEIE);
	for (;;)
		__asm__ volatile("wfi");
}
