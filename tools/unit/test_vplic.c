/* The virtual PLIC's register file, driven through guest-style 32-bit accesses as the
 * kernel's MMIO emulation will, and through device lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../hv/vplic.h"

#define PRIORITY(i) (4ul * (i))
#define PENDING(w) (0x1000ul + 4ul * (w))
#define ENABLE(c, w) (0x2000ul + 0x80ul * (c) + 4ul * (w))
#define THRESHOLD(c) (0x200000ul + 0x1000ul * (c))
#define CLAIM(c) (0x200004ul + 0x1000ul * (c))

/* Hart 0's contexts, and hart 1's S context, on a 2-hart vPLIC. */
#define M0 0u
#define S0 1u
#define S1 3u

static uint32_t rd(struct vplic *p, uint64_t offset)
{
	uint32_t v = 0xdeadbeef;
	assert_int_equal(vplic_read(p, offset, 4, &v), 0);
	return v;
}

static void wr(struct vplic *p, uint64_t offset, uint32_t value)
{
	assert_int_equal(vplic_write(p, offset, 4, value), 0);
}

/* Read-modify-write of one enable bit, as Linux's plic_toggle does. */
static void set_enable(struct vplic *p, unsigned context, unsigned id, bool on)
{
	uint32_t v = rd(p, ENABLE(context, id / 32));
	v = on ? v | (1u << (id % 32)) : v & ~(1u << (id % 32));
	wr(p, ENABLE(context, id / 32), v);
}

static bool pending_bit(struct vplic *p, unsigned id)
{
	return (rd(p, PENDING(id / 32)) >> (id % 32)) & 1;
}

/* Source id at priority prio, enabled for context, line raised. */
static void raise_source(struct vplic *p, unsigned context, unsigned id, uint32_t prio)
{
	wr(p, PRIORITY(id), prio);
	set_enable(p, context, id, true);
	vplic_set_level(p, id, true);
}

static void test_init_all_zero(void **state)
{
	(void)state;
	struct vplic p;
	memset(&p, 0xa5, sizeof(p));
	vplic_init(&p, 63, 2);
	for (unsigned i = 0; i <= 63; i++)
		assert_int_equal(rd(&p, PRIORITY(i)), 0);
	for (unsigned w = 0; w < 2; w++) {
		assert_int_equal(rd(&p, PENDING(w)), 0);
		for (unsigned c = 0; c < 4; c++)
			assert_int_equal(rd(&p, ENABLE(c, w)), 0);
	}
	for (unsigned c = 0; c < 4; c++) {
		assert_int_equal(rd(&p, THRESHOLD(c)), 0);
		assert_int_equal(rd(&p, CLAIM(c)), 0);
		assert_false(vplic_context_pending(&p, c));
	}
}

static void test_s_context_numbering(void **state)
{
	(void)state;
	assert_int_equal(vplic_s_context(0), 1);
	assert_int_equal(vplic_s_context(1), 3);
	assert_int_equal(vplic_s_context(7), 15);
}

static void test_priority_keeps_3_bits(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	wr(&p, PRIORITY(3), 5);
	assert_int_equal(rd(&p, PRIORITY(3)), 5);
	wr(&p, PRIORITY(3), 0xffffffff);
	assert_int_equal(rd(&p, PRIORITY(3)), 7);
	wr(&p, PRIORITY(3), 8);
	assert_int_equal(rd(&p, PRIORITY(3)), 0);
	wr(&p, PRIORITY(31), 0x13);
	assert_int_equal(rd(&p, PRIORITY(31)), 3);
	assert_int_equal(rd(&p, PRIORITY(30)), 0);
}

static void test_priority_zero_never_signals(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	raise_source(&p, S0, 4, 0);
	assert_true(pending_bit(&p, 4)); /* the request is latched... */
	assert_false(vplic_context_pending(&p, S0)); /* ...but never interrupts */
	assert_int_equal(rd(&p, CLAIM(S0)), 0);
	assert_true(pending_bit(&p, 4));
	wr(&p, PRIORITY(4), 1);
	assert_true(vplic_context_pending(&p, S0));
	wr(&p, PRIORITY(4), 0);
	assert_false(vplic_context_pending(&p, S0));
}

static void test_source_0_priority_reads_0_and_ignores_writes(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	wr(&p, PRIORITY(0), 7);
	assert_int_equal(rd(&p, PRIORITY(0)), 0);
}

static void test_pending_readback_both_words(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 63, 1);
	const unsigned ids[] = {1, 5, 31, 32, 40, 63};
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
		vplic_set_level(&p, ids[i], true);
	assert_int_equal(rd(&p, PENDING(0)), (1u << 1) | (1u << 5) | (1u << 31));
	assert_int_equal(rd(&p, PENDING(1)), (1u << 0) | (1u << 8) | (1u << 31));
	/* Spec 1.2: a forwarded request is not retracted when the line drops. */
	vplic_set_level(&p, 5, false);
	assert_true(pending_bit(&p, 5));
}

static void test_pending_writes_ignored(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 63, 1);
	vplic_set_level(&p, 2, true);
	wr(&p, PENDING(0), 0);
	wr(&p, PENDING(1), 0xffffffff);
	assert_int_equal(rd(&p, PENDING(0)), 1u << 2);
	assert_int_equal(rd(&p, PENDING(1)), 0);
	wr(&p, PENDING(0), 0xffffffff);
	assert_int_equal(rd(&p, PENDING(0)), 1u << 2);
}

static void test_enable_bits_per_context(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 40, 2);
	wr(&p, ENABLE(S0, 0), 0xffffffff);
	wr(&p, ENABLE(S0, 1), 0xffffffff);
	/* Spec 6: bit 0 (source 0) is hardwired to 0; sources past ndev do not exist. */
	assert_int_equal(rd(&p, ENABLE(S0, 0)), 0xfffffffe);
	assert_int_equal(rd(&p, ENABLE(S0, 1)), 0x1ff); /* sources 32..40 */
	assert_int_equal(rd(&p, ENABLE(S1, 0)), 0);
	assert_int_equal(rd(&p, ENABLE(M0, 0)), 0);

	wr(&p, ENABLE(S0, 0), 0);
	wr(&p, ENABLE(S0, 1), 0);
	raise_source(&p, S0, 40, 1);
	assert_true(vplic_context_pending(&p, S0));
	assert_false(vplic_context_pending(&p, S1));
	assert_int_equal(rd(&p, CLAIM(S1)), 0);
	assert_true(pending_bit(&p, 40));

	/* Enabled for both: both are notified, the first claimer takes it (spec 1.3). */
	set_enable(&p, S1, 40, true);
	assert_true(vplic_context_pending(&p, S1));
	assert_int_equal(rd(&p, CLAIM(S1)), 40);
	assert_false(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 0);

	/* Disabling hides a pending source without clearing its pending bit. */
	wr(&p, CLAIM(S1), 40); /* line still high: pending again */
	set_enable(&p, S0, 40, false);
	set_enable(&p, S1, 40, false);
	assert_false(vplic_context_pending(&p, S0));
	assert_true(pending_bit(&p, 40));
}

/* Spec 7: the threshold masks notifications of priority <= threshold. Spec 8 says it does not
 * affect claims, but QEMU's PLIC (which vplic follows) claims only above the threshold. */
static void test_threshold_masks_notification_and_claim(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	raise_source(&p, S0, 6, 3);
	wr(&p, THRESHOLD(S0), 2);
	assert_true(vplic_context_pending(&p, S0));
	wr(&p, THRESHOLD(S0), 3);
	assert_false(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 0);
	assert_true(pending_bit(&p, 6));
	wr(&p, THRESHOLD(S0), 0xffffffff);
	assert_int_equal(rd(&p, THRESHOLD(S0)), 7);
	assert_false(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 0);

	/* A source above the threshold is claimed while one at it stays pending. */
	wr(&p, THRESHOLD(S0), 3);
	raise_source(&p, S0, 9, 4);
	assert_true(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 9);
	assert_false(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 0);

	wr(&p, THRESHOLD(S0), 0);
	assert_int_equal(rd(&p, THRESHOLD(S0)), 0);
	assert_true(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 6);
}

static void test_claim_order_priority_then_lowest_id(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 63, 1);
	raise_source(&p, S0, 2, 1);
	raise_source(&p, S0, 50, 3);
	raise_source(&p, S0, 7, 3);
	raise_source(&p, S0, 9, 2);
	raise_source(&p, S0, 33, 2);
	assert_int_equal(rd(&p, CLAIM(S0)), 7);
	assert_int_equal(rd(&p, CLAIM(S0)), 50);
	assert_int_equal(rd(&p, CLAIM(S0)), 9);
	assert_int_equal(rd(&p, CLAIM(S0)), 33);
	assert_true(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 2);
	assert_false(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 0);
}

static void test_claim_clears_pending_and_holds_source(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	raise_source(&p, S0, 3, 2);
	raise_source(&p, S0, 4, 1);
	assert_int_equal(rd(&p, CLAIM(S0)), 3);
	assert_int_equal(rd(&p, PENDING(0)), 1u << 4);
	/* In service: the gateway forwards nothing more from 3 until completion (spec 1.2). */
	vplic_set_level(&p, 3, false);
	vplic_set_level(&p, 3, true);
	assert_false(pending_bit(&p, 3));
	assert_int_equal(rd(&p, CLAIM(S0)), 4);
	assert_int_equal(rd(&p, CLAIM(S0)), 0);
	assert_int_equal(rd(&p, PENDING(0)), 0);
}

static void test_completion_repends_high_line(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	raise_source(&p, S0, 5, 1);
	assert_int_equal(rd(&p, CLAIM(S0)), 5);
	assert_false(vplic_context_pending(&p, S0));
	wr(&p, CLAIM(S0), 5);
	assert_true(pending_bit(&p, 5));
	assert_true(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 5);
}

static void test_completion_leaves_low_line_idle(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	raise_source(&p, S0, 5, 1);
	assert_int_equal(rd(&p, CLAIM(S0)), 5);
	vplic_set_level(&p, 5, false);
	wr(&p, CLAIM(S0), 5);
	assert_false(pending_bit(&p, 5));
	assert_false(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, CLAIM(S0)), 0);
	/* Out of service now: the next assertion is a new request. */
	vplic_set_level(&p, 5, true);
	assert_true(vplic_context_pending(&p, S0));
}

static void test_completion_of_disabled_source_ignored(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 2);
	raise_source(&p, S0, 8, 1);
	assert_int_equal(rd(&p, CLAIM(S0)), 8);
	set_enable(&p, S0, 8, false);
	wr(&p, CLAIM(S0), 8); /* spec 9: not enabled for S0, silently ignored */
	assert_false(pending_bit(&p, 8));
	vplic_set_level(&p, 8, true);
	assert_false(pending_bit(&p, 8)); /* still in service */

	/* Spec 9: the completing context need not be the claimer, only have it enabled. */
	set_enable(&p, S1, 8, true);
	wr(&p, CLAIM(S1), 8);
	assert_true(pending_bit(&p, 8));
	assert_true(vplic_context_pending(&p, S1));
	assert_false(vplic_context_pending(&p, S0));
}

static void test_completion_of_bogus_ids_ignored(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	raise_source(&p, S0, 2, 1);
	raise_source(&p, S0, 3, 1);
	assert_int_equal(rd(&p, CLAIM(S0)), 2);
	struct vplic before = p;
	wr(&p, CLAIM(S0), 0);
	wr(&p, CLAIM(S0), 32);
	wr(&p, CLAIM(S0), 0xffffffff);
	wr(&p, CLAIM(S0), 3); /* enabled, pending, but never claimed: nothing to end */
	assert_memory_equal(&p, &before, sizeof(p));
	assert_int_equal(rd(&p, CLAIM(S0)), 3);
}

static void test_m_contexts_are_inert_registers(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 2);
	wr(&p, ENABLE(M0, 0), 1u << 6);
	wr(&p, THRESHOLD(M0), 0);
	wr(&p, THRESHOLD(2), 5);
	assert_int_equal(rd(&p, ENABLE(M0, 0)), 1u << 6);
	assert_int_equal(rd(&p, THRESHOLD(M0)), 0);
	assert_int_equal(rd(&p, THRESHOLD(2)), 5);

	raise_source(&p, M0, 6, 7);
	assert_false(vplic_context_pending(&p, M0));
	assert_false(vplic_context_pending(&p, 2));
	assert_int_equal(rd(&p, CLAIM(M0)), 0);
	assert_true(pending_bit(&p, 6));

	/* The S context still gets it; an M-context completion does not end its service. */
	set_enable(&p, S0, 6, true);
	assert_int_equal(rd(&p, CLAIM(S0)), 6);
	wr(&p, CLAIM(M0), 6);
	assert_false(pending_bit(&p, 6));
	wr(&p, CLAIM(S0), 6);
	assert_true(pending_bit(&p, 6));
}

static void test_bad_widths_fail_and_change_nothing(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	raise_source(&p, S0, 1, 1);
	struct vplic before = p;
	const uint64_t regs[] = {PRIORITY(1), PENDING(0), ENABLE(S0, 0), THRESHOLD(S0),
				 CLAIM(S0)};
	const unsigned widths[] = {0, 1, 2, 3, 8, 16};
	for (unsigned r = 0; r < sizeof(regs) / sizeof(regs[0]); r++)
		for (unsigned w = 0; w < sizeof(widths) / sizeof(widths[0]); w++) {
			uint32_t v;
			assert_int_equal(vplic_read(&p, regs[r], widths[w], &v), -1);
			assert_int_equal(vplic_write(&p, regs[r], widths[w], 0), -1);
		}
	assert_memory_equal(&p, &before, sizeof(p));
	assert_int_equal(rd(&p, CLAIM(S0)), 1);
}

static void test_misaligned_fails(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 1);
	raise_source(&p, S0, 1, 1);
	struct vplic before = p;
	const uint64_t offsets[] = {PRIORITY(1) + 1, PRIORITY(1) + 2, PENDING(0) + 3,
				    ENABLE(S0, 0) + 2, THRESHOLD(S0) + 1, CLAIM(S0) + 2};
	for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		uint32_t v;
		assert_int_equal(vplic_read(&p, offsets[i], 4, &v), -1);
		assert_int_equal(vplic_write(&p, offsets[i], 4, 0), -1);
	}
	assert_memory_equal(&p, &before, sizeof(p));
}

static void test_holes_and_absent_registers_fail(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 2); /* one word of sources, contexts 0..3 */
	raise_source(&p, S0, 1, 1);
	struct vplic before = p;
	const uint64_t offsets[] = {
		PRIORITY(32),       /* past ndev */
		PRIORITY(1023),     /* last priority slot of the spec */
		PENDING(1),         /* word of sources 32..63, past ndev */
		0x1ffc,             /* gap before the enables */
		ENABLE(S0, 1),      /* enable word past ndev */
		ENABLE(S0, 31),     /* end of context 1's enable block */
		ENABLE(4, 0),       /* context 4 does not exist */
		0x1ffffc,           /* gap before the contexts */
		THRESHOLD(S0) + 8,  /* reserved rest of a context page */
		THRESHOLD(S0) + 0xffc,
		THRESHOLD(4),       /* context 4 does not exist */
		CLAIM(4),
		CLAIM(15),
		VPLIC_SIZE - 4,
		VPLIC_SIZE,
		1ull << 40,
		~3ull,
	};
	for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		uint32_t v;
		assert_int_equal(vplic_read(&p, offsets[i], 4, &v), -1);
		assert_int_equal(vplic_write(&p, offsets[i], 4, 0xffffffff), -1);
	}
	assert_memory_equal(&p, &before, sizeof(p));
}

static void test_ndev_and_nharts_bounds(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 10, 1);
	wr(&p, ENABLE(S0, 0), 0xffffffff);
	assert_int_equal(rd(&p, ENABLE(S0, 0)), 0x7fe); /* sources 1..10 */
	vplic_set_level(&p, 0, true);
	vplic_set_level(&p, 11, true);
	vplic_set_level(&p, 31, true);
	vplic_set_level(&p, 63, true);
	vplic_set_level(&p, 64, true);
	vplic_set_level(&p, 100000, true);
	assert_int_equal(rd(&p, PENDING(0)), 0);
	vplic_set_level(&p, 10, true);
	assert_int_equal(rd(&p, PENDING(0)), 1u << 10);
	assert_false(vplic_context_pending(&p, 2));
	assert_false(vplic_context_pending(&p, 100));

	/* Too many sources or harts are clamped to the maximum. */
	vplic_init(&p, 1000, 100);
	wr(&p, PRIORITY(63), 1);
	wr(&p, THRESHOLD(2 * VPLIC_MAX_HARTS - 1), 1);
	uint32_t v;
	assert_int_equal(vplic_read(&p, PRIORITY(64), 4, &v), -1);
	assert_int_equal(vplic_read(&p, THRESHOLD(2 * VPLIC_MAX_HARTS), 4, &v), -1);
	raise_source(&p, vplic_s_context(VPLIC_MAX_HARTS - 1), 63, 2);
	assert_true(vplic_context_pending(&p, vplic_s_context(VPLIC_MAX_HARTS - 1)));
	assert_int_equal(rd(&p, CLAIM(vplic_s_context(VPLIC_MAX_HARTS - 1))), 63);
}

/* Eight harts, as `linux cpus=8` gives: each S context has its own enables, threshold
 * and claims, so a source routed to one hart (Linux's irq affinity) reaches that hart alone,
 * and moving it moves its notification. */
static void test_eight_harts_route_each_source_to_its_context(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 63, 8);
	for (unsigned h = 0; h < 8; h++)
		raise_source(&p, vplic_s_context(h), 10 + h, 1);
	for (unsigned h = 0; h < 8; h++) {
		unsigned c = vplic_s_context(h);
		assert_true(vplic_context_pending(&p, c));
		assert_false(vplic_context_pending(&p, c - 1)); /* its M context */
	}
	/* Each claim returns its own hart's source; the others stay pending for theirs. */
	for (unsigned h = 8; h-- > 0;) {
		assert_int_equal(rd(&p, CLAIM(vplic_s_context(h))), 10 + h);
		assert_false(vplic_context_pending(&p, vplic_s_context(h)));
		if (h > 0)
			assert_true(vplic_context_pending(&p, vplic_s_context(h - 1)));
	}
	/* Hart 3's threshold masks only hart 3. */
	for (unsigned h = 0; h < 8; h++)
		wr(&p, CLAIM(vplic_s_context(h)), 10 + h); /* lines still high: pending again */
	wr(&p, THRESHOLD(vplic_s_context(3)), 1);
	for (unsigned h = 0; h < 8; h++)
		assert_int_equal(vplic_context_pending(&p, vplic_s_context(h)), h != 3);
	/* Moving source 12 from hart 2 to hart 6 (affinity): disable there, enable here. */
	set_enable(&p, vplic_s_context(2), 12, false);
	set_enable(&p, vplic_s_context(6), 12, true);
	assert_false(vplic_context_pending(&p, vplic_s_context(2)));
	assert_int_equal(rd(&p, CLAIM(vplic_s_context(6))), 12);
	assert_int_equal(rd(&p, CLAIM(vplic_s_context(6))), 16);
	assert_int_equal(rd(&p, CLAIM(vplic_s_context(6))), 0);
	assert_int_equal(rd(&p, ENABLE(vplic_s_context(2), 0)), 0);
	assert_int_equal(rd(&p, ENABLE(vplic_s_context(6), 0)), (1u << 12) | (1u << 16));
}

/* A claim on a context that has the source disabled takes nothing, and completing it there
 * is ignored, so one hart cannot steal or end another's interrupt (spec 8, 9). */
static void test_other_contexts_cannot_claim_or_complete(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 31, 4);
	raise_source(&p, vplic_s_context(1), 7, 2);
	for (unsigned h = 0; h < 4; h++)
		if (h != 1)
			assert_int_equal(rd(&p, CLAIM(vplic_s_context(h))), 0);
	assert_true(pending_bit(&p, 7));
	assert_int_equal(rd(&p, CLAIM(vplic_s_context(1))), 7);
	wr(&p, CLAIM(vplic_s_context(0)), 7);
	wr(&p, CLAIM(vplic_s_context(3)), 7);
	assert_false(pending_bit(&p, 7)); /* still in service */
	wr(&p, CLAIM(vplic_s_context(1)), 7);
	assert_true(pending_bit(&p, 7));
}

/* What Linux's irq-sifive-plic driver does for a UART on source 10 of hart 0. */
static void test_linux_driver_sequence(void **state)
{
	(void)state;
	struct vplic p;
	vplic_init(&p, 63, 1); /* QEMU virt has 95 sources; vplic holds 63 */
	/* plic_probe: every source disabled and at priority 1, threshold 0. */
	for (unsigned id = 1; id <= 63; id++) {
		set_enable(&p, S0, id, false);
		wr(&p, PRIORITY(id), 1);
	}
	wr(&p, THRESHOLD(S0), 0);
	/* plic_irq_unmask / enable */
	set_enable(&p, S0, 10, true);
	assert_false(vplic_context_pending(&p, S0));

	vplic_set_level(&p, 10, true);
	assert_true(vplic_context_pending(&p, S0));
	/* plic_handle_irq: claim until 0, handling each */
	assert_int_equal(rd(&p, CLAIM(S0)), 10);
	assert_false(vplic_context_pending(&p, S0));
	vplic_set_level(&p, 10, false); /* the handler drains the UART */
	assert_int_equal(rd(&p, CLAIM(S0)), 0);
	wr(&p, CLAIM(S0), 10); /* plic_irq_eoi */
	assert_false(vplic_context_pending(&p, S0));
	assert_int_equal(rd(&p, PENDING(0)), 0);
	assert_int_equal(rd(&p, CLAIM(S0)), 0);

	/* And the next byte interrupts again. */
	vplic_set_level(&p, 10, true);
	assert_true(vplic_context_pending(&p, S0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_all_zero),
		cmocka_unit_test(test_s_context_numbering),
		cmocka_unit_test(test_priority_keeps_3_bits),
		cmocka_unit_test(test_priority_zero_never_signals),
		cmocka_unit_test(test_source_0_priority_reads_0_and_ignores_writes),
		cmocka_unit_test(test_pending_readback_both_words),
		cmocka_unit_test(test_pending_writes_ignored),
		cmocka_unit_test(test_enable_bits_per_context),
		cmocka_unit_test(test_threshold_masks_notification_and_claim),
		cmocka_unit_test(test_claim_order_priority_then_lowest_id),
		cmocka_unit_test(test_claim_clears_pending_and_holds_source),
		cmocka_unit_test(test_completion_repends_high_line),
		cmocka_unit_test(test_completion_leaves_low_line_idle),
		cmocka_unit_test(test_completion_of_disabled_source_ignored),
		cmocka_unit_test(test_completion_of_bogus_ids_ignored),
		cmocka_unit_test(test_m_contexts_are_inert_registers),
		cmocka_unit_test(test_bad_widths_fail_and_change_nothing),
		cmocka_unit_test(test_misaligned_fails),
		cmocka_unit_test(test_holes_and_absent_registers_fail),
		cmocka_unit_test(test_ndev_and_nharts_bounds),
		cmocka_unit_test(test_eight_harts_route_each_source_to_its_context),
		cmocka_unit_test(test_other_contexts_cannot_claim_or_complete),
		cmocka_unit_test(test_linux_driver_sequence),
	};
	return cmocka_run_group_tests_name("vplic", tests, NULL, NULL);
}
