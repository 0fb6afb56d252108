/* sbi-pmu: the performance monitoring unit extension (SBI spec v2.0 chapter 11) as Vireo
 * offers it (hv/sbi_pmu.c): counter info for every counter; a hardware counter (cycle,
 * instret) configured, started, stopped and read through its CSR; firmware counters that
 * count exactly the set_timer calls, IPIs, remote fences and injected faults the guest
 * causes, and the VM's exits by cause; and every error path. Vireo's counter layout and its
 * events are checked, so on bare QEMU (OpenSBI's PMU) most checks are expected to FAIL. */
#include "lib.h"

#include <vireo/syscall.h> /* VM_CAUSE_*: the exit causes platform events name */

/* event_idx: type in 19:16, code in 15:0 (spec chapter 11, before 11.1). */
#define HW_EVENT(code) (code)
#define FW_EVENT(code) ((unsigned long)SBI_PMU_TYPE_FW << 16 | (code))

#define CYCLE 0
#define INSTRET 2
#define FW_FIRST 3
#define NO_TIMER UINT64_MAX
#define HOLE 0x40000000UL /* neither RAM nor a device (fault.c) */

static unsigned long ncounters;
static unsigned long fw_mask; /* every firmware counter, from FW_FIRST */

static struct sbiret pmu(unsigned long fid, unsigned long a0, unsigned long a1,
			 unsigned long a2, unsigned long a3, unsigned long a4)
{
	return sbi_call(SBI_EXT_PMU, fid, a0, a1, a2, a3, a4, 0);
}

static struct sbiret config(unsigned long base, unsigned long mask, unsigned long flags,
			    unsigned long event, unsigned long data)
{
	return pmu(SBI_PMU_COUNTER_CONFIG_MATCHING, base, mask, flags, event, data);
}

static long start(unsigned long base, unsigned long mask, unsigned long flags,
		  unsigned long init)
{
	return pmu(SBI_PMU_COUNTER_START, base, mask, flags, init, 0).error;
}

static long stop(unsigned long base, unsigned long mask, unsigned long flags)
{
	return pmu(SBI_PMU_COUNTER_STOP, base, mask, flags, 0, 0).error;
}

static struct sbiret fw_read(unsigned long idx)
{
	return pmu(SBI_PMU_COUNTER_FW_READ, idx, 0, 0, 0, 0);
}

static unsigned long count(unsigned long idx)
{
	return (unsigned long)fw_read(idx).value;
}

/* A started firmware counter of event (and data), or fails the test. */
static unsigned long fw_counter(unsigned long event, unsigned long data, const char *what)
{
	struct sbiret r = config(FW_FIRST, fw_mask, SBI_PMU_CFG_AUTO_START | SBI_PMU_CFG_CLEAR_VALUE,
				 event, data);
	if (!check(r.error == SBI_SUCCESS && (unsigned long)r.value >= FW_FIRST &&
			   (unsigned long)r.value < ncounters,
		   "a firmware counter counts %s (counter %ld, error %ld)", what, r.value, r.error))
		finish();
	return (unsigned long)r.value;
}

static void release_all(void)
{
	stop(0, 1, SBI_PMU_STOP_RESET);
	stop(INSTRET, (1UL << (ncounters - INSTRET)) - 1, SBI_PMU_STOP_RESET);
}

static void check_counter_info(void)
{
	unsigned hw = 0, fw = 0;
	for (unsigned long i = 0; i < ncounters; i++) {
		struct sbiret r = pmu(SBI_PMU_COUNTER_GET_INFO, i, 0, 0, 0, 0);
		unsigned long info = (unsigned long)r.value;
		if (i == 1) { /* time: no counter */
			check(r.error == SBI_ERR_INVALID_PARAM,
			      "counter 1 (time's place) is no counter (%ld)", r.error);
			continue;
		}
		if (r.error != SBI_SUCCESS) {
			check(false, "get_info(%lu) succeeds (%ld)", i, r.error);
			continue;
		}
		if (info & SBI_PMU_INFO_FIRMWARE) {
			fw++;
			continue;
		}
		hw++;
		unsigned long csr = info & 0xfff, width = (info >> 12) & 0x3f;
		check(csr == 0xc00 + i && width == 63 && (i == CYCLE || i == INSTRET),
		      "hardware counter %lu is CSR 0x%lx, 64 bits (width field %lu)", i, csr, width);
	}
	check(hw == 2 && fw == ncounters - FW_FIRST,
	      "%u hardware and %u firmware counters, from %u on", hw, fw, FW_FIRST);
	struct sbiret r = pmu(SBI_PMU_COUNTER_GET_INFO, ncounters, 0, 0, 0, 0);
	check(r.error == SBI_ERR_INVALID_PARAM, "get_info(%lu), past the last, fails (%ld)",
	      ncounters, r.error);
	r = pmu(SBI_PMU_COUNTER_GET_INFO, ~0UL, 0, 0, 0, 0);
	check(r.error == SBI_ERR_INVALID_PARAM, "get_info(-1) fails (%ld)", r.error);
}

/* Reads of a configured hardware counter trap to Vireo (one virtual-instruction exit
 * each); an unconfigured one the guest reads from the hart itself. */
static unsigned long exits_for_reads(unsigned long vinsn, unsigned n, unsigned long csr_idx)
{
	unsigned long before = count(vinsn);
	for (unsigned i = 0; i < n; i++)
		(void)(csr_idx == CYCLE ? rdcycle() : rdinstret());
	return count(vinsn) - before;
}

static void check_hardware_counter(unsigned long idx, unsigned long event, const char *name,
				   unsigned long vinsn)
{
	check(exits_for_reads(vinsn, 10, idx) == 0,
	      "an unconfigured %s is read from the hart, with no exit", name);
	struct sbiret r = config(0, (1UL << ncounters) - 1 - 2, 0, event, 0);
	check(r.error == SBI_SUCCESS && (unsigned long)r.value == idx,
	      "config_matching(%s) picks counter %lu (%ld, error %ld)", name, idx, r.value, r.error);
	r = config(0, (1UL << ncounters) - 1 - 2, 0, event, 0);
	check(r.error == SBI_ERR_NOT_SUPPORTED,
	      "a second %s counter: none is left (%ld)", name, r.error);
	check(exits_for_reads(vinsn, 10, idx) == 10,
	      "each read of the configured %s exits to Vireo", name);

	uint64_t a = idx == CYCLE ? rdcycle() : rdinstret();
	delay_ticks(MS_TO_TICKS(2));
	uint64_t b = idx == CYCLE ? rdcycle() : rdinstret();
	check(a == b, "configured, not started: %s is frozen (%lu, %lu)", name, (unsigned long)a,
	      (unsigned long)b);

	check(start(idx, 1, SBI_PMU_START_SET_INIT_VALUE, 1000000) == SBI_SUCCESS,
	      "start %s from 1000000", name);
	a = idx == CYCLE ? rdcycle() : rdinstret();
	b = idx == CYCLE ? rdcycle() : rdinstret();
	check(a >= 1000000 && a < 1000000 + (1UL << 40) && b > a,
	      "started, %s counts on from 1000000 (%lu, then %lu)", name, (unsigned long)a,
	      (unsigned long)b);
	long e = start(idx, 1, 0, 0);
	check(e == SBI_ERR_ALREADY_STARTED, "starting the started %s: ALREADY_STARTED (%ld)",
	      name, e);

	check(stop(idx, 1, 0) == SBI_SUCCESS, "stop %s", name);
	uint64_t s1 = idx == CYCLE ? rdcycle() : rdinstret();
	delay_ticks(MS_TO_TICKS(2));
	uint64_t s2 = idx == CYCLE ? rdcycle() : rdinstret();
	check(s1 == s2 && s1 > b, "stopped, %s is frozen (%lu, %lu)", name, (unsigned long)s1,
	      (unsigned long)s2);
	e = stop(idx, 1, 0);
	check(e == SBI_ERR_ALREADY_STOPPED, "stopping the stopped %s: ALREADY_STOPPED (%ld)",
	      name, e);

	check(start(idx, 1, 0, 12345) == SBI_SUCCESS, "start %s again, keeping its value", name);
	a = idx == CYCLE ? rdcycle() : rdinstret();
	check(a > s1 && a < s1 + (1UL << 40), "%s goes on from where it stopped (%lu after %lu)",
	      name, (unsigned long)a, (unsigned long)s1);
	r = fw_read(idx);
	check(r.error == SBI_ERR_INVALID_PARAM, "fw_read of hardware %s fails (%ld)", name,
	      r.error);
	r = pmu(SBI_PMU_COUNTER_FW_READ_HI, idx, 0, 0, 0, 0);
	check(r.error == SBI_ERR_INVALID_PARAM, "fw_read_hi of hardware %s fails (%ld)", name,
	      r.error);

	check(stop(idx, 1, SBI_PMU_STOP_RESET) == SBI_SUCCESS, "stop and release %s", name);
	check(exits_for_reads(vinsn, 10, idx) == 0,
	      "released, %s is read from the hart again, with no exit", name);
}

static void check_both_hardware_counters_at_once(void)
{
	struct sbiret c = config(CYCLE, 1, SBI_PMU_CFG_CLEAR_VALUE, HW_EVENT(SBI_PMU_HW_CPU_CYCLES),
				 0);
	struct sbiret i = config(INSTRET, 1, SBI_PMU_CFG_CLEAR_VALUE,
				 HW_EVENT(SBI_PMU_HW_INSTRUCTIONS), 0);
	check(c.error == SBI_SUCCESS && c.value == CYCLE && i.error == SBI_SUCCESS &&
		      i.value == INSTRET,
	      "cycle and instret configured, cleared (errors %ld, %ld)", c.error, i.error);
	check(rdcycle() == 0 && rdinstret() == 0, "CLEAR_VALUE: both read 0");
	check(start(0, 0x5, 0, 0) == SBI_SUCCESS, "one start call starts both (mask 0b101)");
	check(rdcycle() > 0 && rdinstret() > 0, "both count");
	check(stop(0, 0x5, SBI_PMU_STOP_RESET) == SBI_SUCCESS,
	      "one stop call stops and releases both");
}

static void set_timers(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		sbi_set_timer(NO_TIMER);
}

static void check_set_timer_counter(void)
{
	unsigned long t = fw_counter(FW_EVENT(SBI_PMU_FW_SET_TIMER), 0, "set_timer");
	check(stop(t, 1, 0) == SBI_SUCCESS && count(t) == 0, "stopped at once, it reads 0");
	check(start(t, 1, SBI_PMU_START_SET_INIT_VALUE, 100) == SBI_SUCCESS, "started from 100");
	set_timers(7);
	unsigned long c = count(t);
	check(c == 107, "7 set_timer calls: it reads 107 (%lu)", c);
	struct sbiret r = pmu(SBI_PMU_COUNTER_FW_READ_HI, t, 0, 0, 0, 0);
	check(r.error == SBI_SUCCESS && r.value == 0, "fw_read_hi is 0 on RV64 (%ld, error %ld)",
	      r.value, r.error);
	r = sbi_call1(SBI_EXT_TIME, 1, 0); /* no such function */
	check(r.error == SBI_ERR_NOT_SUPPORTED && count(t) == 107,
	      "a failed TIME call is no set_timer");

	check(stop(t, 1, 0) == SBI_SUCCESS, "stop it");
	set_timers(3);
	c = count(t);
	check(c == 107, "stopped: 3 more calls leave it at 107 (%lu)", c);
	check(start(t, 1, 0, 0) == SBI_SUCCESS, "start it again, keeping its value");
	set_timers(2);
	c = count(t);
	check(c == 109, "2 more calls: 109 (%lu)", c);

	unsigned long t2 = fw_counter(FW_EVENT(SBI_PMU_FW_SET_TIMER), 0,
				      "set_timer, a second time");
	set_timers(1);
	unsigned long c1 = count(t), c2 = count(t2);
	check(t2 != t && c1 == 110 && c2 == 1,
	      "two counters of one event count apart (%lu and %lu)", c1, c2);
	check(stop(t, 1, SBI_PMU_STOP_RESET) == SBI_SUCCESS &&
		      stop(t2, 1, SBI_PMU_STOP_RESET) == SBI_SUCCESS,
	      "stop and release both");
	r = fw_read(t);
	check(r.error == SBI_ERR_INVALID_PARAM, "a released counter cannot be read (%ld)",
	      r.error);
}

static void check_ipi_and_fence_counters(unsigned long hartid)
{
	unsigned long sent = fw_counter(FW_EVENT(SBI_PMU_FW_IPI_SENT), 0, "IPIs sent");
	unsigned long got = fw_counter(FW_EVENT(SBI_PMU_FW_IPI_RECEIVED), 0, "IPIs received");
	struct sbiret r = sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0, 0, 0, 0);
	csr_clear(sip, 1UL << IRQ_S_SOFT);
	check(r.error == SBI_SUCCESS && count(sent) == 1 && count(got) == 1,
	      "an IPI to itself: 1 sent, 1 received (%lu, %lu)", count(sent), count(got));
	r = sbi_call(SBI_EXT_IPI, 0, 1, hartid + 5, 0, 0, 0, 0);
	check(r.error == SBI_ERR_INVALID_PARAM && count(sent) == 1 && count(got) == 1,
	      "an IPI to a hart that does not exist fails and counts nothing");

	unsigned long fi_sent = fw_counter(FW_EVENT(SBI_PMU_FW_FENCE_I_SENT), 0, "FENCE.I sent");
	unsigned long fi_got = fw_counter(FW_EVENT(SBI_PMU_FW_FENCE_I_RECEIVED), 0,
					  "FENCE.I received");
	unsigned long vma_sent = fw_counter(FW_EVENT(SBI_PMU_FW_SFENCE_VMA_SENT), 0,
					    "SFENCE.VMA sent");
	unsigned long vma_got = fw_counter(FW_EVENT(SBI_PMU_FW_SFENCE_VMA_RECEIVED), 0,
					   "SFENCE.VMA received");
	sbi_call(SBI_EXT_RFENCE, 0, 1, hartid, 0, 0, 0, 0);
	sbi_call(SBI_EXT_RFENCE, 1, 1, hartid, 0, ~0UL, 0, 0);
	sbi_call(SBI_EXT_RFENCE, 1, 1, hartid, 0, ~0UL, 0, 0);
	check(count(fi_sent) == 1 && count(fi_got) == 1 && count(vma_sent) == 2 &&
		      count(vma_got) == 2,
	      "1 remote FENCE.I and 2 SFENCE.VMA, each sent and received (%lu %lu %lu %lu)",
	      count(fi_sent), count(fi_got), count(vma_sent), count(vma_got));
	release_all();
}

static void check_fault_counters(void)
{
	unsigned long load = fw_counter(FW_EVENT(SBI_PMU_FW_ACCESS_LOAD), 0, "load access faults");
	unsigned long store = fw_counter(FW_EVENT(SBI_PMU_FW_ACCESS_STORE), 0,
					 "store access faults");
	unsigned long ill = fw_counter(FW_EVENT(SBI_PMU_FW_ILLEGAL_INSN), 0,
				       "illegal instructions");
	trap_set_hook(trap_catch_and_skip);
	unsigned long v = 0;
	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(HOLE) : "memory");
	__asm__ volatile("ld %0, 0(%1)" : "+r"(v) : "r"(HOLE) : "memory");
	__asm__ volatile("sw %0, 0(%1)" : : "r"(v), "r"(HOLE) : "memory");
	/* hfence.vvma in VS-mode is a virtual instruction; Vireo makes it an illegal one. */
	__asm__ volatile(".word %0" ::"i"(INSN_HFENCE_VVMA_ALL) : "memory");
	trap_set_hook(NULL);
	check(caught.scause == EXC_ILLEGAL_INST, "hfence.vvma came back as illegal (scause %lu)",
	      caught.scause);
	check(count(load) == 2 && count(store) == 1 && count(ill) == 1,
	      "2 load and 1 store access faults, 1 illegal instruction (%lu, %lu, %lu)",
	      count(load), count(store), count(ill));
	release_all();
}

static void check_exit_counters(void)
{
	unsigned long timer_exits = fw_counter(FW_EVENT(SBI_PMU_FW_PLATFORM), VM_CAUSE_SBI_TIME,
					       "the VM's SBI TIME exits");
	set_timers(5);
	check(count(timer_exits) == 5, "5 set_timer calls, 5 TIME exits (%lu)",
	      count(timer_exits));
	struct sbiret r = config(FW_FIRST, fw_mask, 0, FW_EVENT(SBI_PMU_FW_PLATFORM),
				 VM_CAUSE_COUNT);
	check(r.error == SBI_ERR_NOT_SUPPORTED, "a platform event past the exit causes (%ld)",
	      r.error);
	release_all();
}

static const struct {
	unsigned long base, mask;
	const char *what;
} bad_sets[] = {
	{ 0, 0, "an empty mask" },
	{ 1, 1, "counter 1 (time's place)" },
	{ 0, 3, "a mask with counter 1 in it" },
	{ ~0UL, 1, "base -1" },
	{ ~0UL - 1, 4, "base -2 with bit 2, which wraps to counter 0" },
	{ ~0UL, 1UL << 1, "base -1 with bit 1, which wraps to counter 0" },
	{ 1UL << 63, 1UL << 63, "base 2^63 with bit 63" },
};

static void check_bad_sets(void)
{
	for (unsigned i = 0; i < sizeof(bad_sets) / sizeof(bad_sets[0]); i++) {
		unsigned long b = bad_sets[i].base, m = bad_sets[i].mask;
		long c = config(b, m, 0, FW_EVENT(SBI_PMU_FW_SET_TIMER), 0).error;
		long s = start(b, m, 0, 0), p = stop(b, m, 0);
		check(c == SBI_ERR_INVALID_PARAM && s == SBI_ERR_INVALID_PARAM &&
			      p == SBI_ERR_INVALID_PARAM,
		      "%s: config, start, stop fail INVALID_PARAM (%ld %ld %ld)", bad_sets[i].what,
		      c, s, p);
	}
	unsigned long past[][2] = { { ncounters, 1 }, { 0, 1UL << ncounters },
				    { FW_FIRST, 1UL << (ncounters - FW_FIRST) } };
	for (unsigned i = 0; i < 3; i++) {
		long c = config(past[i][0], past[i][1], 0, FW_EVENT(SBI_PMU_FW_SET_TIMER), 0).error;
		long s = start(past[i][0], past[i][1], 0, 0), p = stop(past[i][0], past[i][1], 0);
		check(c == SBI_ERR_INVALID_PARAM && s == SBI_ERR_INVALID_PARAM &&
			      p == SBI_ERR_INVALID_PARAM,
		      "base %lu mask 0x%lx runs past the last counter: INVALID_PARAM (%ld %ld %ld)",
		      past[i][0], past[i][1], c, s, p);
	}
}

static const struct {
	unsigned long event, data;
	long error;
	const char *what;
} bad_events[] = {
	{ HW_EVENT(0), 0, SBI_ERR_NOT_SUPPORTED, "hardware event 0 (no event)" },
	{ HW_EVENT(3), 0, SBI_ERR_NOT_SUPPORTED, "cache references" },
	{ 0x10000, 0, SBI_ERR_NOT_SUPPORTED, "a cache event (type 1)" },
	{ 0x20000, 0x12, SBI_ERR_NOT_SUPPORTED, "a raw event (type 2)" },
	{ 0x50001, 0, SBI_ERR_NOT_SUPPORTED, "an unknown event type (5)" },
	{ FW_EVENT(SBI_PMU_FW_MISALIGNED_LOAD), 0, SBI_ERR_NOT_SUPPORTED, "misaligned loads" },
	{ FW_EVENT(SBI_PMU_FW_HFENCE_GVMA_SENT), 0, SBI_ERR_NOT_SUPPORTED, "HFENCE.GVMA sent" },
	{ FW_EVENT(22), 0, SBI_ERR_NOT_SUPPORTED, "reserved firmware event 22" },
	{ FW_EVENT(300), 0, SBI_ERR_NOT_SUPPORTED, "implementation event 300" },
	{ FW_EVENT(SBI_PMU_FW_PLATFORM), 100000, SBI_ERR_NOT_SUPPORTED, "platform event 100000" },
	{ FW_EVENT(SBI_PMU_FW_SET_TIMER), 1, SBI_ERR_INVALID_PARAM, "set_timer with event_data 1" },
	{ HW_EVENT(SBI_PMU_HW_CPU_CYCLES), 1, SBI_ERR_INVALID_PARAM, "cycles with event_data 1" },
	{ 1UL << 20 | SBI_PMU_HW_CPU_CYCLES, 0, SBI_ERR_INVALID_PARAM, "event_idx beyond 20 bits" },
};

static void check_bad_events(void)
{
	unsigned long all = ((1UL << ncounters) - 1) & ~2UL;
	for (unsigned i = 0; i < sizeof(bad_events) / sizeof(bad_events[0]); i++) {
		long e = config(0, all, 0, bad_events[i].event, bad_events[i].data).error;
		check(e == bad_events[i].error, "config_matching(%s) fails %ld (%ld)",
		      bad_events[i].what, bad_events[i].error, e);
	}
	long e = config(0, all, 1UL << 8, HW_EVENT(SBI_PMU_HW_CPU_CYCLES), 0).error;
	check(e == SBI_ERR_INVALID_PARAM, "a reserved config flag (bit 8) (%ld)", e);
	e = config(FW_FIRST, fw_mask, 0, HW_EVENT(SBI_PMU_HW_CPU_CYCLES), 0).error;
	check(e == SBI_ERR_NOT_SUPPORTED, "cycles among firmware counters only (%ld)", e);
	e = config(INSTRET, 1, SBI_PMU_CFG_SKIP_MATCH, HW_EVENT(SBI_PMU_HW_CPU_CYCLES), 0).error;
	check(e == SBI_ERR_NOT_SUPPORTED, "SKIP_MATCH of cycles onto instret's counter (%ld)", e);
	struct sbiret r = config(FW_FIRST + 1, 1, SBI_PMU_CFG_SKIP_MATCH,
				 FW_EVENT(SBI_PMU_FW_SET_TIMER), 0);
	check(r.error == SBI_SUCCESS && r.value == FW_FIRST + 1,
	      "SKIP_MATCH takes the set's first counter (%ld, error %ld)", r.value, r.error);
	release_all();
}

static void check_bad_start_stop_read(void)
{
	long e = start(FW_FIRST, 1, 0, 0);
	check(e == SBI_ERR_INVALID_PARAM, "starting an unconfigured counter (%ld)", e);
	e = stop(FW_FIRST, 1, 0);
	check(e == SBI_ERR_ALREADY_STOPPED, "stopping an unconfigured counter (%ld)", e);
	unsigned long t = fw_counter(FW_EVENT(SBI_PMU_FW_SET_TIMER), 0, "set_timer");
	e = start(t, 1, 0, 0);
	check(e == SBI_ERR_ALREADY_STARTED, "AUTO_START started it (%ld)", e);
	check(start(t, 1, 1UL << 2, 0) == SBI_ERR_INVALID_PARAM, "a reserved start flag");
	check(stop(t, 1, 1UL << 2) == SBI_ERR_INVALID_PARAM, "a reserved stop flag");
	e = stop(t, 1, SBI_PMU_STOP_TAKE_SNAPSHOT);
	check(e == SBI_ERR_NO_SHMEM, "stop with TAKE_SNAPSHOT: no shared memory (%ld)", e);
	check(stop(t, 1, 0) == SBI_SUCCESS, "the failed stops left it running");
	e = start(t, 1, SBI_PMU_START_INIT_SNAPSHOT, 0);
	check(e == SBI_ERR_NO_SHMEM, "start with INIT_SNAPSHOT: no shared memory (%ld)", e);
	e = start(t, 3, 0, 0); /* t and t + 1, which is not configured */
	check(e == SBI_ERR_INVALID_PARAM && stop(t, 1, 0) == SBI_ERR_ALREADY_STOPPED,
	      "a start naming an unconfigured counter too starts none (%ld)", e);

	unsigned long bad_reads[] = { CYCLE, 1, ncounters, ~0UL, t + 1 };
	for (unsigned i = 0; i < 5; i++) {
		struct sbiret r = fw_read(bad_reads[i]);
		check(r.error == SBI_ERR_INVALID_PARAM, "fw_read(%ld) fails (%ld)",
		      (long)bad_reads[i], r.error);
	}
	release_all();

	struct sbiret r = pmu(SBI_PMU_SNAPSHOT_SET_SHMEM, 0x80400000, 0, 0, 0, 0);
	check(r.error == SBI_ERR_NOT_SUPPORTED, "snapshot_set_shmem is not offered (%ld)", r.error);
	r = pmu(SBI_PMU_EVENT_GET_INFO, 0, 0, 0, 0, 0);
	check(r.error == SBI_ERR_NOT_SUPPORTED, "event_get_info (SBI 3.0) is not offered (%ld)",
	      r.error);
	r = pmu(99, 0, 0, 0, 0, 0);
	check(r.error == SBI_ERR_NOT_SUPPORTED, "function 99 (%ld)", r.error);
}

static void check_running_out_of_counters(void)
{
	unsigned long n = 0;
	struct sbiret r;
	while ((r = config(FW_FIRST, fw_mask, 0, FW_EVENT(SBI_PMU_FW_SET_TIMER), 0)).error == 0 &&
	       n < ncounters)
		n++;
	check(n == ncounters - FW_FIRST && r.error == SBI_ERR_NOT_SUPPORTED,
	      "%lu firmware counters configured, then none is left (%ld)", n, r.error);
	release_all();
	r = config(FW_FIRST, fw_mask, 0, FW_EVENT(SBI_PMU_FW_SET_TIMER), 0);
	check(r.error == SBI_SUCCESS && r.value == FW_FIRST, "released, they are free again");
	release_all();
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	if (!check(sbi_probe(SBI_EXT_PMU) != 0, "the PMU extension is there"))
		finish();
	struct sbiret r = pmu(SBI_PMU_NUM_COUNTERS, 0, 0, 0, 0, 0);
	ncounters = (unsigned long)r.value;
	if (!check(r.error == SBI_SUCCESS && ncounters > FW_FIRST && ncounters < 64,
		   "%lu counters", ncounters))
		finish();
	fw_mask = (1UL << (ncounters - FW_FIRST)) - 1;
	check_counter_info();
	unsigned long vinsn = fw_counter(FW_EVENT(SBI_PMU_FW_PLATFORM), VM_CAUSE_VIRTUAL_INSN,
					 "the VM's virtual-instruction exits");
	check_hardware_counter(CYCLE, HW_EVENT(SBI_PMU_HW_CPU_CYCLES), "cycle", vinsn);
	check_hardware_counter(INSTRET, HW_EVENT(SBI_PMU_HW_INSTRUCTIONS), "instret", vinsn);
	release_all();
	check_both_hardware_counters_at_once();
	check_set_timer_counter();
	check_ipi_and_fence_counters(hartid);
	check_fault_counters();
	check_exit_counters();
	check_bad_sets();
	check_bad_events();
	check_bad_start_stop_read();
	check_running_out_of_counters();
	finish();
}
