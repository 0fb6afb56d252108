/* sbi-bench: the cost of an SBI null call (base get_spec_version) round trip, for make
 * bench: instructions retired on the hart (guest and hypervisor alike; meaningful when QEMU
 * counts instructions, -icount) and guest-visible time ticks, per call. */
#include "lib.h"

#define CALLS 10000

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid, (void)dtb;
	sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, 0, 0, 0); /* warm up */
	uint64_t i0 = rdinstret(), t0 = rdtime();
	for (unsigned i = 0; i < CALLS; i++)
		sbi_call(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, 0, 0, 0);
	uint64_t i1 = rdinstret(), t1 = rdtime();
	print("sbi-bench: %u calls, %lu instructions and %lu ticks each\n", CALLS,
	       (unsigned long)((i1 - i0) / CALLS), (unsigned long)((t1 - t0) / CALLS));
	sbi_call(SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE, 0, 0, 0, 0);
}
