/* ipi: SBI IPIs between harts (SBI spec 7, hart masks of 3.2), each received as a supervisor
 * software interrupt by a hart waiting in WFI with only SSIE enabled, so only the IPI can
 * wake it (priv spec 3.3.3). Run with 2 or more harts (`vm run ipi.elf cpus=4`); ends with
 * the IPI round trip between harts 0 and 1, in ticks and in instructions retired on the hart
 * (tools/bench.py, section smp). */
#include "lib.h"

#define ROUND_TRIPS 100
#define ONE_SECOND MS_TO_TICKS(1000)

static unsigned long nharts;
static volatile unsigned long received[8];
static volatile unsigned long ready[8];
static volatile unsigned long echo; /* hart 1 answers each IPI with one to hart 0 */
static volatile unsigned long may_stop;

static struct sbiret send_ipi(unsigned long mask, unsigned long base)
{
	return sbi_call(SBI_EXT_IPI, 0, mask, base, 0, 0, 0, 0);
}

static bool ssip(void)
{
	return csr_read(sip) & (1UL << IRQ_S_SOFT);
}

/* Waits in WFI, with SIE off, for this hart's next IPI and clears it. */
static void wait_ipi(void)
{
	while (!ssip())
		__asm__ volatile("wfi");
	csr_clear(sip, 1UL << IRQ_S_SOFT);
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)opaque;
	csr_write(sie, SIE_SSIE);
	__atomic_store_n(&ready[hartid], 1, __ATOMIC_RELEASE);
	for (;;) {
		wait_ipi();
		if (__atomic_load_n(&may_stop, __ATOMIC_ACQUIRE))
			break;
		__atomic_fetch_add(&received[hartid], 1, __ATOMIC_RELEASE);
		if (hartid == 1 && __atomic_load_n(&echo, __ATOMIC_ACQUIRE))
			send_ipi(1, 0);
	}
	sbi_call0(SBI_EXT_HSM, SBI_HSM_HART_STOP);
}

/* Whether, within a second, hart h has received n IPIs in all. */
static bool received_by(unsigned long h, unsigned long n)
{
	uint64_t start = rdtime();
	while (received[h] < n && rdtime() - start < ONE_SECOND)
		;
	return received[h] == n;
}

/* The counts of harts 1.. are want[h]; a little later still, so none came twice. */
static bool counts_are(const unsigned long *want)
{
	bool ok = true;
	for (unsigned long h = 1; h < nharts; h++)
		ok &= received_by(h, want[h]);
	delay_ticks(MS_TO_TICKS(20));
	for (unsigned long h = 1; h < nharts; h++)
		ok &= received[h] == want[h];
	return ok;
}

static void start_harts(void)
{
	for (unsigned long h = 1; h < nharts; h++) {
		struct sbiret r = sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, h,
					    (unsigned long)_secondary_start, 0);
		check(r.error == SBI_SUCCESS && wait_flag(&ready[h], ONE_SECOND),
		      "hart %lu started (%ld)", h, r.error);
	}
	delay_ticks(MS_TO_TICKS(10)); /* into their WFI */
}

static void round_trips(void)
{
	__atomic_store_n(&echo, 1, __ATOMIC_RELEASE);
	unsigned long before = received[1];
	uint64_t t0 = rdtime(), i0 = rdinstret();
	for (unsigned n = 0; n < ROUND_TRIPS; n++)
		if (send_ipi(1UL << 1, 0).error == SBI_SUCCESS)
			wait_ipi();
	uint64_t ticks = rdtime() - t0, insns = rdinstret() - i0;
	__atomic_store_n(&echo, 0, __ATOMIC_RELEASE);
	check(received[1] - before == ROUND_TRIPS, "%u round trips to hart 1 and back",
	      ROUND_TRIPS);
	/* instret is the hart's: under Vireo on one host hart, every vCPU's instructions and
	 * the hypervisor's (a true count under QEMU -icount only). */
	print("ipi: round trip %lu ticks, %lu instructions\n",
	      (unsigned long)(ticks / ROUND_TRIPS), (unsigned long)(insns / ROUND_TRIPS));
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	nharts = hart_count();
	if (!check(hartid == 0 && nharts >= 2, "booted on hart 0 of %lu (2 or more)", nharts))
		finish();
	start_harts();
	csr_write(sie, SIE_SSIE);
	unsigned long want[8] = { 0 };

	check(send_ipi(1UL << 1, 0).error == SBI_SUCCESS, "send_ipi to hart 1 succeeds");
	want[1] = 1;
	check(counts_are(want), "hart 1, woken from WFI, took 1 IPI; the others none");

	struct sbiret r = send_ipi(0, (unsigned long)-1);
	for (unsigned long h = 1; h < nharts; h++)
		want[h]++;
	check(r.error == SBI_SUCCESS && counts_are(want) && ssip(),
	      "hart_mask_base -1 reaches every hart, the sender too");
	csr_clear(sip, 1UL << IRQ_S_SOFT);

	if (nharts >= 3) {
		r = send_ipi(3, 1); /* harts 1 and 2, from base 1 */
		want[1]++, want[2]++;
		check(r.error == SBI_SUCCESS && counts_are(want) && !ssip(),
		      "mask 0b11 from base 1 reaches harts 1 and 2 only");
	} else {
		skip("a mask from a base other than 0 needs 3 harts");
	}

	r = send_ipi(1UL << nharts, 0);
	check(r.error == SBI_ERR_INVALID_PARAM && counts_are(want),
	      "a mask naming hart %lu, which does not exist, is SBI_ERR_INVALID_PARAM and sends "
	      "nothing (%ld)", nharts, r.error);
	r = send_ipi(1, nharts);
	check(r.error == SBI_ERR_INVALID_PARAM && counts_are(want),
	      "a base past the last hart is SBI_ERR_INVALID_PARAM (%ld)", r.error);
	r = send_ipi(3, (unsigned long)-2);
	check(r.error == SBI_ERR_INVALID_PARAM && counts_are(want),
	      "a base near 2^64 is SBI_ERR_INVALID_PARAM (%ld)", r.error);

	round_trips();

	__atomic_store_n(&may_stop, 1, __ATOMIC_RELEASE);
	send_ipi(0, (unsigned long)-1);
	csr_clear(sip, 1UL << IRQ_S_SOFT);
	for (unsigned long h = 1; h < nharts; h++) {
		uint64_t start = rdtime();
		while (hart_status(h) != SBI_HSM_STOPPED && rdtime() - start < ONE_SECOND)
			;
		check(hart_status(h) == SBI_HSM_STOPPED, "hart %lu stopped", h);
	}
	finish();
}
