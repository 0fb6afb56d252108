/* sbi-fuzz: a bad guest that calls every SBI extension id the spec (v3.0) names, then 100
 * pseudo-random ones, each with function ids 0-10 and pseudo-random arguments from a
 * fixed-seed xorshift, so every run makes the same calls. It leaves out the calls that would
 * end or stop it on purpose: all of SRST, HSM hart_stop and the legacy shutdown (EID 0x08).
 * The firmware may answer a bad pointer by injecting a fault on the ecall; the handler steps
 * over it and counts it. Ends with "DONE: sbi-fuzz survived N calls" and a clean shutdown.
 * Characters the calls would print (legacy putchar, DBCN write_byte) are forced to '.' in
 * their low byte, so the console stays readable.
 * On bare QEMU 7.2 it does not finish: OpenSBI 1.1 itself takes an M-mode load access fault
 * on PMU (0x504D55) function 5, counter_fw_read, given an out-of-range counter index, and
 * hangs after its sbi_trap_error dump. With PMU left out it survives all 1484 other calls. */
#include "lib.h"

#define RANDOM_EXTENSIONS 100
#define MAX_FID 10

static const unsigned long extensions[] = {
	/* Legacy (chapter 5) 0x00-0x0F, less 0x08 shutdown. */
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
	0x10,       /* BASE */
	0x54494D45, /* TIME */
	0x735049,   /* IPI */
	0x52464E43, /* RFNC */
	0x48534D,   /* HSM, less hart_stop */
	0x504D55,   /* PMU */
	0x4442434E, /* DBCN */
	0x53555350, /* SUSP */
	0x43505043, /* CPPC */
	0x4E41434C, /* NACL */
	0x535441,   /* STA */
	0x535345,   /* SSE */
	0x46574654, /* FWFT */
	0x44425452, /* DBTR */
	0x4D505859, /* MPXY */
	0x08000000, 0x08FFFFFF, /* experimental */
	0x09000000, 0x09FFFFFF, /* vendor */
	0x0A000000, 0x0AFFFFFF, /* firmware */
};

static uint64_t rng = 0x9E3779B97F4A7C15UL;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static bool excluded(unsigned long eid, unsigned long fid)
{
	return eid == SBI_EXT_SRST || eid == SBI_EXT_LEGACY_SHUTDOWN ||
	       (eid == SBI_EXT_HSM && fid == SBI_HSM_HART_STOP);
}

static bool prints(unsigned long eid, unsigned long fid)
{
	return eid == SBI_EXT_LEGACY_PUTCHAR || (eid == SBI_EXT_DBCN && fid == 2);
}

static unsigned long calls;

static void fuzz(unsigned long eid)
{
	/* One line per extension, so a run that dies shows where. */
	print("sbi-fuzz: extension 0x%lx\n", eid);
	bool printed = false;
	for (unsigned long fid = 0; fid <= MAX_FID; fid++) {
		if (excluded(eid, fid))
			continue;
		unsigned long a[6];
		for (int i = 0; i < 6; i++)
			a[i] = xorshift();
		if (prints(eid, fid)) {
			a[0] = (a[0] & ~0xffUL) | '.';
			printed = true;
		}
		sbi_call(eid, fid, a[0], a[1], a[2], a[3], a[4], a[5]);
		calls++;
	}
	if (printed)
		print("\n");
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	irq_disable();
	csr_write(sie, 0);
	trap_set_hook(trap_catch_and_skip);
	for (size_t i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++)
		fuzz(extensions[i]);
	for (int i = 0; i < RANDOM_EXTENSIONS; i++) {
		unsigned long eid = xorshift() & 0xffffffffUL;
		fuzz(eid);
	}
	print("sbi-fuzz: %lu calls came back as a trap\n", caught.count);
	print("DONE: sbi-fuzz survived %lu calls\n", calls);
	sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_NONE);
}
