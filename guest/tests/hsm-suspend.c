/* hsm-suspend: the HSM states of SBI spec 9 across two harts (`vm run hsm-suspend.elf
 * cpus=2`): a start address outside RAM refused, hart 1 SUSPENDED in a retentive suspend
 * until an IPI wakes it where it was, then in a non-retentive one that resumes at its
 * resume address with a0 = hartid, a1 = opaque, satp and SIE 0; suspend types that are
 * reserved or platform-specific refused; stop, and start again. Vireo's HSM: OpenSBI offers
 * other suspend types. */
#include "lib.h"

#define ONE_SECOND MS_TO_TICKS(1000)
#define FIRST 0x5151UL   /* opaque of hart 1's first start */
#define RESUMED 0x7e5eUL /* opaque of its non-retentive resume */
#define AGAIN 0xa6a1UL   /* opaque of its start after a stop */
#define PRESERVED 0x1234567UL

static volatile unsigned long suspending, retentive_back, resumed, restarted;
static volatile long retentive_error;
static volatile unsigned long kept, resume_a0, resume_a1, resume_satp, resume_sie;

static struct sbiret start(unsigned long hart, unsigned long addr, unsigned long opaque)
{
	return sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, hart, addr, opaque);
}

static struct sbiret suspend(unsigned long type, unsigned long resume, unsigned long opaque)
{
	return sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, type, resume, opaque);
}

static void clear_ssip(void)
{
	csr_clear(sip, 1UL << IRQ_S_SOFT);
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	if (opaque == FIRST) {
		/* Only an IPI may end the suspends: SSIE is the one interrupt enabled. */
		csr_write(sie, SIE_SSIE);
		volatile unsigned long local = PRESERVED;
		__atomic_store_n(&suspending, 1, __ATOMIC_RELEASE);
		struct sbiret r = suspend(SBI_HSM_SUSPEND_RETENTIVE, 0, 0);
		kept = local;
		retentive_error = r.error;
		clear_ssip();
		__atomic_store_n(&retentive_back, 1, __ATOMIC_RELEASE);
		__atomic_store_n(&suspending, 2, __ATOMIC_RELEASE);
		suspend(SBI_HSM_SUSPEND_NON_RETENTIVE, (unsigned long)_secondary_start, RESUMED);
		check(false, "a non-retentive suspend returned to its caller");
	} else if (opaque == RESUMED) {
		resume_a0 = hartid; /* _secondary_start passes a0 and a1 on untouched */
		resume_a1 = opaque;
		resume_satp = csr_read(satp);
		resume_sie = csr_read(sstatus) & SSTATUS_SIE;
		clear_ssip();
		__atomic_store_n(&resumed, 1, __ATOMIC_RELEASE);
	} else if (opaque == AGAIN) {
		__atomic_store_n(&restarted, 1, __ATOMIC_RELEASE);
	}
	sbi_call0(SBI_EXT_HSM, SBI_HSM_HART_STOP);
}

/* Polls hart 1's state until it is want, for up to a second. */
static long wait_status(long want)
{
	uint64_t t0 = rdtime();
	long s = hart_status(1);
	while (s != want && rdtime() - t0 < ONE_SECOND)
		s = hart_status(1);
	return s;
}

static void ipi_to_hart_1(void)
{
	sbi_call(SBI_EXT_IPI, 0, 1UL << 1, 0, 0, 0, 0, 0);
}

static void bad_starts(void)
{
	const unsigned long bad[] = { 0, 0x1000, 0x0c000000, 0x7ffffffc, 0x80000000UL + (1UL << 40) };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct sbiret r = start(1, bad[i], FIRST);
		check(r.error == SBI_ERR_INVALID_ADDRESS && hart_status(1) == SBI_HSM_STOPPED,
		      "hart_start at 0x%lx, outside RAM, is SBI_ERR_INVALID_ADDRESS and the hart "
		      "stays STOPPED (%ld)", bad[i], r.error);
	}
}

static void suspends(void)
{
	struct sbiret r = start(1, (unsigned long)_secondary_start, FIRST);
	long s = hart_status(1);
	check(r.error == SBI_SUCCESS &&
		      (s == SBI_HSM_START_PENDING || s == SBI_HSM_STARTED ||
		       s == SBI_HSM_SUSPENDED),
	      "hart_start(1) succeeds; hart 1 is START_PENDING, STARTED or already SUSPENDED "
	      "(%ld, %ld)", r.error, s);
	wait_flag(&suspending, ONE_SECOND);
	s = wait_status(SBI_HSM_SUSPENDED);
	check(s == SBI_HSM_SUSPENDED, "hart 1 is SUSPENDED in its retentive suspend (%ld)", s);
	delay_ticks(MS_TO_TICKS(20));
	check(hart_status(1) == SBI_HSM_SUSPENDED && !retentive_back,
	      "with no interrupt it stays SUSPENDED");
	ipi_to_hart_1();
	check(wait_flag(&retentive_back, ONE_SECOND) && retentive_error == SBI_SUCCESS &&
		      kept == PRESERVED,
	      "an IPI wakes it: hart_suspend returns 0 where it was, its stack as it was (%ld)",
	      retentive_error);

	s = wait_status(SBI_HSM_SUSPENDED);
	check(s == SBI_HSM_SUSPENDED, "hart 1 is SUSPENDED in its non-retentive suspend (%ld)", s);
	ipi_to_hart_1();
	check(wait_flag(&resumed, ONE_SECOND), "an IPI wakes it at its resume address");
	check(resume_a0 == 1 && resume_a1 == RESUMED && resume_satp == 0 && resume_sie == 0,
	      "it resumed with a0 = 1, a1 = opaque, satp = 0, SIE = 0 (a0 %lu a1 0x%lx satp 0x%lx "
	      "SIE %lu)", resume_a0, resume_a1, resume_satp, resume_sie);
	s = wait_status(SBI_HSM_STOPPED);
	check(s == SBI_HSM_STOPPED, "hart 1 STOPPED after its hart_stop (%ld)", s);
}

/* Spec 9.4: reserved types and platform-specific ones not implemented (Vireo has none) are
 * invalid; a resume address outside RAM too. Each returns at once, the hart running on. */
static void bad_suspends(void)
{
	const unsigned long bad[] = { 1, 0x0fffffff, 0x10000000, 0x7fffffff, 0x80000001,
				      0x90000000, 0xffffffff, 0x100000000UL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		struct sbiret r = suspend(bad[i], (unsigned long)_secondary_start, 0);
		check(r.error == SBI_ERR_INVALID_PARAM && hart_status(0) == SBI_HSM_STARTED,
		      "hart_suspend of type 0x%lx is SBI_ERR_INVALID_PARAM (%ld)", bad[i], r.error);
	}
	struct sbiret r = suspend(SBI_HSM_SUSPEND_NON_RETENTIVE, 0x1000, 0);
	check(r.error == SBI_ERR_INVALID_ADDRESS && hart_status(0) == SBI_HSM_STARTED,
	      "a non-retentive suspend resuming outside RAM is SBI_ERR_INVALID_ADDRESS (%ld)",
	      r.error);
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	if (!check(hartid == 0 && hart_count() >= 2, "booted on hart 0 of %lu (2 or more)",
		   hart_count()))
		finish();
	check(hart_status(1) == SBI_HSM_STOPPED, "hart 1 is STOPPED at first");
	bad_starts();
	suspends();
	bad_suspends();
	struct sbiret r = start(1, (unsigned long)_secondary_start, AGAIN);
	check(r.error == SBI_SUCCESS && wait_flag(&restarted, ONE_SECOND) &&
		      wait_status(SBI_HSM_STOPPED) == SBI_HSM_STOPPED,
	      "a stopped hart starts again, and stops (%ld)", r.error);
	finish();
}
