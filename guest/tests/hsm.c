/* hsm: starting and stopping a second hart through SBI HSM (spec v2.0 chapter 9). Needs two
 * harts: QEMU -smp 2, or cpus=2 under Vireo. The "other" hart is hart 1 when the boot hart
 * is hart 0 (always under Vireo); OpenSBI may boot from hart 1, and then it is hart 0.
 * Passes on bare QEMU. */
#include "lib.h"

#define OPAQUE 0x1234UL
#define OPAQUE2 0x5678UL
#define NO_SUCH_HART 7

static unsigned long other;
static volatile unsigned long expected_opaque;
static volatile unsigned long started;
static volatile unsigned long may_stop;

static struct sbiret hart_start(unsigned long hart, unsigned long opaque)
{
	return sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, hart, (unsigned long)_secondary_start,
			 opaque);
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	if (!check(hartid == other && opaque == expected_opaque,
		   "hart %lu started with its opaque value", other))
		print("hsm: expected a0 = %lu, a1 = 0x%lx; got a0 = %lu, a1 = 0x%lx\n", other,
		      expected_opaque, hartid, opaque);
	__atomic_store_n(&started, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&may_stop, __ATOMIC_ACQUIRE))
		;
	may_stop = 0;
	struct sbiret r = sbi_call0(SBI_EXT_HSM, SBI_HSM_HART_STOP);
	check(false, "hart_stop returned (%ld)", r.error);
}

/* Polls until the other hart reports STOPPED, passing through STOP_PENDING. */
static long wait_stopped(void)
{
	long s = hart_status(other);
	uint64_t start = rdtime();
	while (s != SBI_HSM_STOPPED && rdtime() - start < MS_TO_TICKS(1000))
		s = hart_status(other);
	return s;
}

static void start_and_stop(unsigned long opaque)
{
	started = 0;
	expected_opaque = opaque;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	struct sbiret r = hart_start(other, opaque);
	check(r.error == SBI_SUCCESS, "hart_start(%lu, opaque 0x%lx) succeeds (%ld)", other, opaque,
	      r.error);
	check(wait_flag(&started, MS_TO_TICKS(1000)), "hart %lu runs within 1 s", other);
	long s = hart_status(other);
	check(s == SBI_HSM_STARTED, "hart_get_status(%lu) is STARTED (%ld)", other, s);
	r = hart_start(other, opaque);
	check(r.error == SBI_ERR_ALREADY_AVAILABLE,
	      "hart_start of a started hart returns SBI_ERR_ALREADY_AVAILABLE (%ld)", r.error);
	__atomic_store_n(&may_stop, 1, __ATOMIC_RELEASE);
	s = wait_stopped();
	check(s == SBI_HSM_STOPPED, "hart %lu is STOPPED after its hart_stop (%ld)", other, s);
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	other = hartid == 0 ? 1 : 0;
	long s = hart_status(other);
	check(s == SBI_HSM_STOPPED, "hart_get_status(%lu) is STOPPED at first (%ld)", other, s);
	s = hart_status(hartid);
	check(s == SBI_HSM_STARTED, "hart_get_status(%lu), the boot hart, is STARTED (%ld)",
	      hartid, s);

	start_and_stop(OPAQUE);
	start_and_stop(OPAQUE2);

	struct sbiret r = hart_start(NO_SUCH_HART, OPAQUE);
	check(r.error == SBI_ERR_INVALID_PARAM,
	      "hart_start of hart 7, which does not exist, returns SBI_ERR_INVALID_PARAM (%ld)",
	      r.error);
	s = hart_status(NO_SUCH_HART);
	check(s == SBI_ERR_INVALID_PARAM, "hart_get_status(7) returns SBI_ERR_INVALID_PARAM (%ld)",
	      s);
	finish();
}
