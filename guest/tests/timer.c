/* timer: the supervisor timer interrupt through SBI set_timer and, when the hart has Sstc,
 * through stimecmp; and the time, cycle and instret counters. Each interrupt must come no
 * earlier than asked and at most 20 ms later. On bare QEMU 7.2 everything passes (QEMU's rv64
 * has Sstc and OpenSBI 1.1 enables it for S-mode). */
#include "lib.h"

#define DELAY MS_TO_TICKS(50)
#define MAX_LATENCY MS_TO_TICKS(20)

static volatile unsigned long fired;
static volatile uint64_t fired_at;

/* Clearing sie.STIE silences the interrupt whichever path raised it: the pending bit stays
 * up until the comparator is moved, which the test does after the wait. */
static bool timer_hook(struct trap_frame *tf)
{
	if (tf->scause != (SCAUSE_INTERRUPT | IRQ_S_TIMER))
		return trap_catch_and_skip(tf);
	fired_at = rdtime();
	fired = 1;
	csr_clear(sie, SIE_STIE);
	return true;
}

static void write_stimecmp(uint64_t v)
{
	__asm__ volatile("csrw %0, %1" : : "i"(CSR_STIMECMP), "r"(v) : "memory");
}

/* Arms the timer through arm() for DELAY ahead and checks the interrupt's timing. */
static void check_timer(const char *path, void (*arm)(uint64_t when))
{
	fired = 0;
	uint64_t target = rdtime() + DELAY;
	arm(target);
	csr_set(sie, SIE_STIE);
	irq_enable();
	bool came = wait_flag(&fired, MS_TO_TICKS(1000));
	irq_disable();
	csr_clear(sie, SIE_STIE);
	if (!check(came, "%s: timer interrupt arrived", path))
		return;
	check(fired_at >= target, "%s: not before the requested time (%ld ticks early)", path,
	      fired_at >= target ? 0L : (long)(target - fired_at));
	check(fired_at >= target && fired_at - target < MAX_LATENCY,
	      "%s: within 20 ms, latency %lu ticks", path, (unsigned long)(fired_at - target));
}

static void arm_sbi(uint64_t when)
{
	struct sbiret r = sbi_set_timer(when);
	check(r.error == SBI_SUCCESS, "SBI set_timer returns success (%ld)", r.error);
}

static void arm_sstc(uint64_t when)
{
	write_stimecmp(when);
}

static void check_counters(void)
{
	unsigned long before = caught.count;
	uint64_t t0 = rdtime();
	(void)rdcycle();
	(void)rdinstret();
	check(caught.count == before, "rdtime, rdcycle and rdinstret do not trap");
	uint64_t t1 = t0;
	for (unsigned i = 0; i < 1000000 && t1 == t0; i++)
		t1 = rdtime();
	check(t1 > t0, "rdtime advances (%lu -> %lu)", (unsigned long)t0, (unsigned long)t1);
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	trap_set_hook(timer_hook);

	check_timer("SBI set_timer", arm_sbi);
	sbi_set_timer(UINT64_MAX);

	/* Sstc (stimecmp, CSR 0x14D) is there if writing it does not raise illegal instruction. */
	unsigned long before = caught.count;
	write_stimecmp(UINT64_MAX);
	if (caught.count != before) {
		skip("sstc not present");
	} else {
		check_timer("Sstc stimecmp", arm_sstc);
		write_stimecmp(UINT64_MAX);
	}

	check_counters();
	finish();
}
