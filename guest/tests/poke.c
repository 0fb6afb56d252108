/* poke: touches every guest physical address that matters to the host and is not the
 * guest's: QEMU virt's boot ROM, its test device (a store of 0x5555 there would power the
 * whole machine off), the RTC, the CLINT, the flash, PCIe's windows, the end
 * of guest RAM and addresses past 2^41 (Sv39x4's guest physical space). Each load, store,
 * AMO and instruction fetch must come back as the access fault a machine with nothing
 * there gives (priv spec 3.7.1 exception codes), and the host must run on. */
#include "lib.h"

static const unsigned long addresses[] = {
	0x1000,              /* boot ROM */
	0x100000,            /* test device: poweroff and reset */
	0x101000,            /* goldfish RTC */
	0x2000000,           /* CLINT: msip */
	0x200bff8,           /* CLINT: mtime */
	0x3000000,           /* PCIe PIO */
	0x20000000,          /* flash */
	0x30000000,          /* PCIe ECAM */
	0x40000000,          /* PCIe MMIO */
	0x80000000UL + (16UL << 20), /* just past guest RAM (ram=16) */
	0x400000000UL,       /* PCIe high MMIO */
	(1UL << 41) - 8,     /* the top of Sv39x4's guest physical space */
	1UL << 41,
	1UL << 50,
	~7UL,
};

/* A fetch fault resumes at the return address the jump left in ra. */
static bool catch_fetch(struct trap_frame *tf)
{
	caught.count++;
	caught.scause = tf->scause;
	caught.stval = tf->stval;
	tf->sepc = tf->x[1];
	return true;
}

static void expect_fault(unsigned long before, unsigned long cause, unsigned long addr,
			 const char *what)
{
	check(caught.count == before + 1 && caught.scause == cause && caught.stval == addr,
	      "%s 0x%lx: access fault %lu (scause %lu, stval 0x%lx)", what, addr, cause,
	      caught.count == before ? 0UL : caught.scause, caught.stval);
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid, (void)dtb;
	for (unsigned i = 0; i < sizeof(addresses) / sizeof(*addresses); i++) {
		unsigned long a = addresses[i], v = 0, before;
		trap_set_hook(trap_catch_and_skip);
		before = caught.count;
		__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(a) : "memory");
		expect_fault(before, EXC_LOAD_ACCESS, a, "load");
		before = caught.count;
		__asm__ volatile("sw %0, 0(%1)" : : "r"(0x5555UL), "r"(a) : "memory");
		expect_fault(before, EXC_STORE_ACCESS, a, "store");
		before = caught.count;
		__asm__ volatile("amoor.w %0, %1, (%2)" : "=r"(v) : "r"(1UL), "r"(a) : "memory");
		expect_fault(before, EXC_STORE_ACCESS, a, "AMO");
		before = caught.count;
		__asm__ volatile("lr.w %0, (%1)" : "=r"(v) : "r"(a) : "memory");
		expect_fault(before, EXC_LOAD_ACCESS, a, "LR");
		trap_set_hook(catch_fetch);
		before = caught.count;
		__asm__ volatile("jalr ra, 0(%0)" : : "r"(a) : "ra", "memory");
		expect_fault(before, EXC_INST_ACCESS, a, "fetch");
	}
	trap_set_hook(NULL);
	check(true, "guest carried on after %lu faults", caught.count);
	finish();
}
