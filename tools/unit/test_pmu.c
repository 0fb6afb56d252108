/* The SBI PMU's counters (hv/pmu.c): counter info, the counter sets guests name (every
 * base and bit checked against 128-bit arithmetic, so no wrap-around slips through), event
 * decoding, matching, the start/stop/read arithmetic, and which instructions are counter
 * reads (checked against real assembler output). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <riscv/insn.h>

#include "../../hv/pmu.h"

#define EXIT_CAUSES 18 /* any number of exit causes will do */
#define FW(code) (0xf0000ul | (code))

static void test_counter_info(void **state)
{
	(void)state;
	uint64_t info;
	assert_true(pmu_counter_info(PMU_CTR_CYCLE, &info));
	assert_int_equal(info, 0xc00 | 63 << 12);
	assert_true(pmu_counter_info(PMU_CTR_INSTRET, &info));
	assert_int_equal(info, 0xc02 | 63 << 12);
	for (unsigned long i = PMU_FW_FIRST; i < PMU_COUNTERS; i++) {
		assert_true(pmu_counter_info(i, &info));
		assert_true(info >> 63); /* firmware */
	}
	const unsigned long none[] = { PMU_CTR_TIME, PMU_COUNTERS, 64, ~0ul, 1ul << 63 };
	for (unsigned i = 0; i < sizeof(none) / sizeof(*none); i++) {
		info = 1;
		assert_false(pmu_counter_info(none[i], &info));
		assert_int_equal(info, 0);
	}
}

/* What pmu_counter_set should say, worked out without any chance of wrapping. */
static bool reference_set(unsigned long base, unsigned long mask, uint64_t *set)
{
	*set = 0;
	if (mask == 0)
		return false;
	for (unsigned b = 0; b < 64; b++) {
		if (!(mask >> b & 1))
			continue;
		unsigned __int128 idx = (unsigned __int128)base + b;
		if (idx >= PMU_COUNTERS || idx == PMU_CTR_TIME)
			return false;
		*set |= 1ul << (unsigned)idx;
	}
	return true;
}

static void expect_set(unsigned long base, unsigned long mask)
{
	uint64_t got = 0xdead, want;
	bool ok = pmu_counter_set(base, mask, &got);
	assert_int_equal(ok, reference_set(base, mask, &want));
	assert_int_equal(got, ok ? want : 0);
}

static void test_counter_set(void **state)
{
	(void)state;
	uint64_t set;
	assert_true(pmu_counter_set(0, 1, &set));
	assert_int_equal(set, 1);
	assert_true(pmu_counter_set(0, 0x5, &set));
	assert_int_equal(set, 0x5);
	assert_true(pmu_counter_set(PMU_FW_FIRST, (1ul << PMU_FW_COUNTERS) - 1, &set));
	assert_int_equal(set, ((1ul << PMU_COUNTERS) - 1) & ~7ul);
	assert_false(pmu_counter_set(0, 0, &set));                  /* empty */
	assert_false(pmu_counter_set(1, 1, &set));                  /* time */
	assert_false(pmu_counter_set(0, 1ul << PMU_COUNTERS, &set)); /* past the last */
	assert_false(pmu_counter_set(PMU_COUNTERS, 1, &set));
	assert_false(pmu_counter_set(~0ul - 1, 4, &set));           /* wraps to 0 */
	assert_false(pmu_counter_set(~0ul, 2, &set));               /* wraps to 0 */
	assert_false(pmu_counter_set(1ul << 63, 1ul << 63, &set));
	assert_int_equal(set, 0);

	/* Every base near the counters and near the top, with every single bit, pairs of bits
	 * and all bits; then a spread of masks. */
	const unsigned long tops[] = { 0, ~0ul - 70, 1ul << 63, (1ul << 63) - 40 };
	for (unsigned t = 0; t < 4; t++)
		for (unsigned long d = 0; d < 70; d++) {
			unsigned long base = tops[t] + d;
			expect_set(base, ~0ul);
			for (unsigned b = 0; b < 64; b++) {
				expect_set(base, 1ul << b);
				expect_set(base, 1ul << b | 1ul << (63 - b));
			}
		}
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (unsigned i = 0; i < 100000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		expect_set(x % 24, x >> (x % 64));
	}
}

static struct pmu_event decode_ok(unsigned long idx, uint64_t data)
{
	struct pmu_event e;
	assert_int_equal(pmu_event_decode(idx, data, EXIT_CAUSES, &e), PMU_OK);
	return e;
}

static void test_event_decode(void **state)
{
	(void)state;
	struct pmu_event e = decode_ok(SBI_PMU_HW_CPU_CYCLES, 0);
	assert_int_equal(e.source, PMU_SRC_CYCLE);
	e = decode_ok(SBI_PMU_HW_INSTRUCTIONS, 0);
	assert_int_equal(e.source, PMU_SRC_INSTRET);
	for (unsigned code = SBI_PMU_FW_ACCESS_LOAD; code < SBI_PMU_FW_EVENTS; code++) {
		e = decode_ok(FW(code), 0);
		assert_int_equal(e.source, PMU_SRC_FW);
		assert_int_equal(e.which, code);
	}
	e = decode_ok(FW(SBI_PMU_FW_PLATFORM), EXIT_CAUSES - 1);
	assert_int_equal(e.source, PMU_SRC_EXITS);
	assert_int_equal(e.which, EXIT_CAUSES - 1);

	const struct {
		unsigned long idx;
		uint64_t data;
		enum pmu_result want;
	} bad[] = {
		{ 0, 0, PMU_NOT_SUPPORTED },         /* no event */
		{ 3, 0, PMU_NOT_SUPPORTED },         /* cache references */
		{ 0x0ffff, 0, PMU_NOT_SUPPORTED },
		{ 0x10000, 0, PMU_NOT_SUPPORTED },   /* cache events */
		{ 0x20000, 5, PMU_NOT_SUPPORTED },   /* raw events */
		{ 0x30000, 5, PMU_NOT_SUPPORTED },
		{ 0xe0001, 0, PMU_NOT_SUPPORTED },
		{ FW(SBI_PMU_FW_MISALIGNED_LOAD), 0, PMU_NOT_SUPPORTED },
		{ FW(SBI_PMU_FW_MISALIGNED_STORE), 0, PMU_NOT_SUPPORTED },
		{ FW(14), 0, PMU_NOT_SUPPORTED },    /* HFENCE, offered by no call */
		{ FW(21), 0, PMU_NOT_SUPPORTED },
		{ FW(22), 0, PMU_NOT_SUPPORTED },    /* reserved */
		{ FW(0xfffe), 0, PMU_NOT_SUPPORTED },
		{ FW(SBI_PMU_FW_PLATFORM), EXIT_CAUSES, PMU_NOT_SUPPORTED },
		{ FW(SBI_PMU_FW_PLATFORM), UINT64_MAX, PMU_NOT_SUPPORTED },
		{ FW(SBI_PMU_FW_PLATFORM), 1ul << 32, PMU_NOT_SUPPORTED },
		{ SBI_PMU_HW_CPU_CYCLES, 1, PMU_INVALID }, /* data reserved */
		{ FW(SBI_PMU_FW_SET_TIMER), 1ul << 63, PMU_INVALID },
		{ 1ul << 20 | SBI_PMU_HW_CPU_CYCLES, 0, PMU_INVALID },
		{ ~0ul, 0, PMU_INVALID },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		e.source = PMU_SRC_CYCLE;
		assert_int_equal(pmu_event_decode(bad[i].idx, bad[i].data, EXIT_CAUSES, &e),
				 bad[i].want);
		assert_int_equal(e.source, PMU_SRC_NONE);
	}
}

static void test_match(void **state)
{
	(void)state;
	struct vcpu_pmu p;
	memset(&p, 0, sizeof(p));
	uint64_t all = ((1ul << PMU_COUNTERS) - 1) & ~2ul, fw = all & ~5ul;
	struct pmu_event cycles = { PMU_SRC_CYCLE, 0 }, instret = { PMU_SRC_INSTRET, 0 };
	struct pmu_event timer = { PMU_SRC_FW, SBI_PMU_FW_SET_TIMER }, exits = { PMU_SRC_EXITS, 3 };

	assert_int_equal(pmu_match(&p, all, false, &cycles), PMU_CTR_CYCLE);
	assert_int_equal(pmu_match(&p, all, false, &instret), PMU_CTR_INSTRET);
	assert_int_equal(pmu_match(&p, fw, false, &cycles), -1);
	assert_int_equal(pmu_match(&p, 1, false, &instret), -1);
	assert_int_equal(pmu_match(&p, all, false, &timer), PMU_FW_FIRST);
	assert_int_equal(pmu_match(&p, 1ul << 7 | 1ul << 9, false, &exits), 7);

	/* Configured counters are not free; a stopped one neither. */
	p.ctr[PMU_CTR_CYCLE].event = cycles;
	p.ctr[PMU_FW_FIRST].event = timer;
	assert_int_equal(pmu_match(&p, all, false, &cycles), -1);
	assert_int_equal(pmu_match(&p, all, false, &timer), PMU_FW_FIRST + 1);
	for (unsigned i = PMU_FW_FIRST; i < PMU_COUNTERS; i++)
		p.ctr[i].event = exits;
	assert_int_equal(pmu_match(&p, all, false, &timer), -1);

	/* SKIP_MATCH: the set's first counter, taken or not, if it can count the event. */
	assert_int_equal(pmu_match(&p, 1, true, &cycles), PMU_CTR_CYCLE);
	assert_int_equal(pmu_match(&p, 1ul << 5 | 1ul << 6, true, &timer), 5);
	assert_int_equal(pmu_match(&p, 1ul << 2 | 1ul << 6, true, &timer), -1);
	assert_int_equal(pmu_match(&p, 1ul << 2, true, &cycles), -1);
	assert_int_equal(pmu_match(&p, 0, true, &cycles), -1);
}

static void test_counter_arithmetic(void **state)
{
	(void)state;
	struct pmu_counter c = { { PMU_SRC_FW, SBI_PMU_FW_SET_TIMER }, false, 100, 0 };
	assert_int_equal(pmu_counter_read(&c, 12345), 100); /* stopped: frozen */
	pmu_counter_start(&c, 1000);
	assert_int_equal(pmu_counter_read(&c, 1000), 100);
	assert_int_equal(pmu_counter_read(&c, 1007), 107);
	pmu_counter_stop(&c, 1010);
	assert_false(c.started);
	assert_int_equal(pmu_counter_read(&c, 5000), 110);
	pmu_counter_start(&c, 5000);
	assert_int_equal(pmu_counter_read(&c, 5002), 112);

	/* The source wraps (a 64-bit CSR), the counter too, modulo 2^64. */
	struct pmu_counter w = { { PMU_SRC_CYCLE, 0 }, false, UINT64_MAX - 1, 0 };
	pmu_counter_start(&w, UINT64_MAX - 2);
	assert_int_equal(pmu_counter_read(&w, 2), 3); /* 5 on from UINT64_MAX - 1 */
	pmu_counter_stop(&w, 2);
	assert_int_equal(w.value, 3);
}

/* csr in 31:20, rs1/uimm in 19:15, funct3 in 14:12, rd in 11:7, SYSTEM opcode 0x73. */
static uint32_t enc_csr(unsigned csr, unsigned rs1, unsigned funct3, unsigned rd)
{
	return (uint32_t)csr << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x73;
}

static void test_decode_counter_read(void **state)
{
	(void)state;
	/* riscv64-linux-gnu-as output for each. */
	assert_int_equal(enc_csr(0xc00, 0, 2, 10), 0xc0002573); /* rdcycle a0 */
	assert_int_equal(enc_csr(0xc02, 0, 2, 5), 0xc02022f3);  /* rdinstret t0 */
	const struct {
		uint32_t insn;
		unsigned counter, rd;
	} reads[] = {
		{ 0xc0002573, PMU_CTR_CYCLE, 10 },   /* rdcycle a0 */
		{ 0xc02022f3, PMU_CTR_INSTRET, 5 },  /* rdinstret t0 */
		{ 0xc0003073, PMU_CTR_CYCLE, 0 },    /* csrc cycle, zero */
		{ 0xc02064f3, PMU_CTR_INSTRET, 9 },  /* csrrsi s1, instret, 0 */
		{ 0xc00077f3, PMU_CTR_CYCLE, 15 },   /* csrrci a5, cycle, 0 */
	};
	for (unsigned i = 0; i < sizeof(reads) / sizeof(*reads); i++) {
		unsigned counter = 99, rd = 99;
		assert_true(pmu_decode_counter_read(reads[i].insn, &counter, &rd));
		assert_int_equal(counter, reads[i].counter);
		assert_int_equal(rd, reads[i].rd);
	}
	const uint32_t others[] = {
		0xc0102573,               /* rdtime a0: time is never trapped */
		0xc0001573,               /* csrrw a0, cycle, zero: a write */
		0xc005a573,               /* csrrs a0, cycle, a1: a write */
		0xc0302573,               /* csrr a0, hpmcounter3 */
		enc_csr(0xc80, 0, 2, 10), /* cycleh (RV32 only) */
		enc_csr(0xb00, 0, 2, 10), /* mcycle */
		enc_csr(0xc00, 1, 6, 10), /* csrrsi a0, cycle, 1: a write */
		enc_csr(0xc00, 0, 5, 10), /* csrrwi */
		enc_csr(0xc00, 0, 0, 10), /* funct3 0: not a CSR instruction */
		enc_csr(0xc00, 0, 4, 10), /* funct3 4: reserved */
		enc_csr(0xc00, 0, 2, 10) ^ 0x73 ^ 0x33, /* another opcode */
		INSN_HFENCE_VVMA_ALL,
		INSN_WFI,
	};
	for (unsigned i = 0; i < sizeof(others) / sizeof(*others); i++) {
		unsigned counter = 99, rd = 99;
		assert_false(pmu_decode_counter_read(others[i], &counter, &rd));
	}
}

static void test_trapped_counters(void **state)
{
	(void)state;
	struct vcpu_pmu p;
	memset(&p, 0, sizeof(p));
	assert_int_equal(pmu_trapped_counters(&p), 0);
	p.ctr[PMU_CTR_INSTRET].event = (struct pmu_event){ PMU_SRC_INSTRET, 0 };
	p.ctr[PMU_FW_FIRST].event = (struct pmu_event){ PMU_SRC_FW, SBI_PMU_FW_SET_TIMER };
	assert_int_equal(pmu_trapped_counters(&p), 1ul << PMU_CTR_INSTRET);
	p.ctr[PMU_CTR_CYCLE].event = (struct pmu_event){ PMU_SRC_CYCLE, 0 };
	assert_int_equal(pmu_trapped_counters(&p), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counter_info),
		cmocka_unit_test(test_counter_set),
		cmocka_unit_test(test_event_decode),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_counter_arithmetic),
		cmocka_unit_test(test_decode_counter_read),
		cmocka_unit_test(test_trapped_counters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
