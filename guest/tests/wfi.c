/* wfi: a hart waiting in wfi for a timer 100 ms ahead wakes after 100 ms and before 150 ms.
 * Under Vireo the wfi traps to the hypervisor (hstatus.VTW), which must block the vCPU and
 * resume it when its timer fires. Passes on bare QEMU. */
#include "lib.h"

#define DELAY MS_TO_TICKS(100)
#define LATEST MS_TO_TICKS(150)

static volatile unsigned long fired;

static bool timer_hook(struct trap_frame *tf)
{
	if (tf->scause != (SCAUSE_INTERRUPT | IRQ_S_TIMER))
		return false;
	fired = 1;
	csr_clear(sie, SIE_STIE);
	return true;
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	trap_set_hook(timer_hook);
	uint64_t start = rdtime();
	struct sbiret r = sbi_set_timer(start + DELAY);
	check(r.error == SBI_SUCCESS, "SBI set_timer returns success (%ld)", r.error);
	csr_set(sie, SIE_STIE);

	/* wfi wakes on an interrupt pending and enabled in sie whatever sstatus.SIE says (priv
	 * spec 3.3.3), so the flag is tested with SIE off and the interrupt is taken between
	 * waits: with SIE on, one arriving between the test and the wfi would sleep forever. */
	unsigned long wakeups = 0;
	irq_disable();
	while (!fired) {
		__asm__ volatile("wfi");
		wakeups++;
		irq_enable();
		irq_disable();
	}
	uint64_t elapsed = rdtime() - start;
	sbi_set_timer(UINT64_MAX);
	check(elapsed >= DELAY && elapsed < LATEST,
	      "woken from wfi after %lu us (100000 <= t < 150000), %lu wakeups",
	      (unsigned long)TICKS_TO_US(elapsed), wakeups);
	finish();
}
