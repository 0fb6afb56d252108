/* fault: guest physical 0x40000000 is neither RAM nor a device under Vireo, so a store there
 * must come back to the guest as a store/AMO access fault (scause 7) and a load as a load
 * access fault (scause 5), both with stval = the address (priv spec 4.1.9: the hypervisor
 * injects what the guest would see on a machine with nothing there). The handler steps over
 * the instruction and the guest carries on.
 * On bare QEMU 0x40000000 is the PCIe MMIO window and OpenSBI's PMP lets S-mode reach it, so
 * nothing traps there and the fault checks are expected to FAIL; only "carried on" passes. */
#include "lib.h"

#define HOLE 0x40000000UL

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	trap_set_hook(trap_catch_and_skip);

	unsigned long before = caught.count;
	__asm__ volatile("sw %0, 0(%1)" : : "r"(0x5a5a5a5aUL), "r"(HOLE) : "memory");
	check(caught.count == before + 1 && caught.scause == EXC_STORE_ACCESS,
	      "store to 0x40000000 traps as store access fault (scause %lu)",
	      caught.count == before ? 0UL : caught.scause);
	check(caught.count == before + 1 && caught.stval == HOLE,
	      "store fault has stval 0x40000000 (0x%lx)", caught.stval);

	before = caught.count;
	unsigned long v = 0;
	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(HOLE) : "memory");
	check(caught.count == before + 1 && caught.scause == EXC_LOAD_ACCESS,
	      "load from 0x40000000 traps as load access fault (scause %lu)",
	      caught.count == before ? 0UL : caught.scause);
	check(caught.count == before + 1 && caught.stval == HOLE,
	      "load fault has stval 0x40000000 (0x%lx)", caught.stval);

	trap_set_hook(NULL);
	check(true, "guest carried on after the faults");
	finish();
}
