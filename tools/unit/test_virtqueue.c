/* The monitor's split virtqueue (servers/vmm/virtqueue.c) over a fake guest RAM: good
 * chains, every malformed ring it must refuse with its own error, the available index
 * wrapping at 2^16, the used ring it writes back, indirect tables (good ones and every
 * bad one) and event-idx arithmetic across the wrap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "virtqueue.h"

#define RAM_BASE 0x80000000ul
#define RAM_SIZE 0x10000ul
#define NUM 8
#define DESC (RAM_BASE + 0x1000)
#define AVAIL (RAM_BASE + 0x2000)
#define USED (RAM_BASE + 0x3000)
#define DATA (RAM_BASE + 0x8000)
#define TABLE (RAM_BASE + 0x4000) /* an indirect table */
#define USED_EVENT (AVAIL + 4 + 2 * NUM)
#define AVAIL_EVENT (USED + 4 + 8 * NUM)

#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

struct fixture {
	uint8_t *ram;
	struct guest_mem mem;
	struct virtq q;
	struct vq_chain c;
	struct vq_fault f;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	x->ram = calloc(1, RAM_SIZE);
	x->mem = (struct guest_mem){ .base = RAM_BASE, .size = RAM_SIZE, .host = x->ram };
	x->q = (struct virtq){ .num = NUM, .desc = DESC, .avail = AVAIL, .used = USED };
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	free(x->ram);
	free(x);
	return 0;
}

static uint8_t *at(struct fixture *x, uint64_t gpa)
{
	return x->ram + (gpa - RAM_BASE);
}

static void put16(struct fixture *x, uint64_t gpa, uint16_t v)
{
	memcpy(at(x, gpa), &v, 2);
}

static uint16_t get16(struct fixture *x, uint64_t gpa)
{
	uint16_t v;
	memcpy(&v, at(x, gpa), 2);
	return v;
}

static uint32_t get32(struct fixture *x, uint64_t gpa)
{
	uint32_t v;
	memcpy(&v, at(x, gpa), 4);
	return v;
}

static void desc_at(struct fixture *x, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
		    uint16_t flags, uint16_t next)
{
	uint8_t *d = at(x, table + 16 * i);
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void desc(struct fixture *x, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		 uint16_t next)
{
	desc_at(x, DESC, i, addr, len, flags, next);
}

/* Makes head available as the driver would: ring entry, then the index. */
static void offer(struct fixture *x, uint16_t head)
{
	uint16_t idx = get16(x, AVAIL + 2);
	put16(x, AVAIL + 4 + 2 * (idx % NUM), head);
	put16(x, AVAIL + 2, (uint16_t)(idx + 1));
}

static void expect_fault(struct fixture *x, enum vq_error error, uint32_t index)
{
	uint16_t before = x->q.last_avail;
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), -1);
	assert_int_equal(x->f.error, error);
	assert_int_equal(x->f.index, index);
	assert_int_equal(x->q.last_avail, before); /* nothing taken */
}

static void test_good_layout_passes_check(void **state)
{
	struct fixture *x = *state;
	assert_int_equal(vq_check(&x->q, &x->mem, NUM).error, VQ_OK);
}

static void test_bad_sizes_rejected(void **state)
{
	struct fixture *x = *state;
	const uint16_t bad[] = { 0, 3, 6, 16 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		x->q.num = bad[i];
		struct vq_fault f = vq_check(&x->q, &x->mem, NUM);
		assert_int_equal(f.error, VQ_ERR_SIZE);
		assert_int_equal(f.index, bad[i]);
	}
}

static void test_misaligned_parts_rejected(void **state)
{
	struct fixture *x = *state;
	x->q.desc = DESC + 8;
	assert_int_equal(vq_check(&x->q, &x->mem, NUM).error, VQ_ERR_ALIGN);
	x->q.desc = DESC;
	x->q.avail = AVAIL + 1;
	assert_int_equal(vq_check(&x->q, &x->mem, NUM).error, VQ_ERR_ALIGN);
	x->q.avail = AVAIL;
	x->q.used = USED + 2;
	struct vq_fault f = vq_check(&x->q, &x->mem, NUM);
	assert_int_equal(f.error, VQ_ERR_ALIGN);
	char msg[80];
	vq_describe(f, msg, sizeof(msg));
	assert_string_equal(msg, "used ring misaligned");
}

static void test_parts_outside_ram_rejected(void **state)
{
	struct fixture *x = *state;
	x->q.desc = RAM_BASE - 0x1000;
	assert_int_equal(vq_check(&x->q, &x->mem, NUM).error, VQ_ERR_RING_RANGE);
	x->q.desc = DESC;
	/* The used ring's last bytes poke out of RAM. */
	x->q.used = RAM_BASE + RAM_SIZE - 4 - 8 * NUM;
	assert_int_equal(vq_check(&x->q, &x->mem, NUM).error, VQ_ERR_RING_RANGE);
	x->q.used = 0xfffffffffffffff0ul;
	assert_int_equal(vq_check(&x->q, &x->mem, NUM).error, VQ_ERR_RING_RANGE);
}

static void test_empty_ring_gives_nothing(void **state)
{
	struct fixture *x = *state;
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 0);
}

static void test_good_chain_read_then_written(void **state)
{
	struct fixture *x = *state;
	desc(x, 5, DATA, 16, F_NEXT, 2);
	desc(x, 2, DATA + 0x100, 64, F_NEXT | F_WRITE, 7);
	desc(x, 7, DATA + 0x200, 8, F_WRITE, 0);
	offer(x, 5);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
	assert_int_equal(x->c.head, 5);
	assert_int_equal(x->c.n, 3);
	assert_int_equal(x->c.buf[0].index, 5);
	assert_false(x->c.buf[0].writable);
	assert_int_equal(x->c.buf[1].gpa, DATA + 0x100);
	assert_int_equal(x->c.buf[1].len, 64);
	assert_true(x->c.buf[1].writable);
	assert_ptr_equal(x->c.buf[1].host, at(x, DATA + 0x100));
	assert_int_equal(x->c.buf[2].index, 7);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 0);
}

static void test_used_ring_updates(void **state)
{
	struct fixture *x = *state;
	vq_push(&x->q, &x->mem, 5, 72);
	assert_int_equal(get16(x, USED + 2), 1);
	assert_int_equal(get32(x, USED + 4), 5);
	assert_int_equal(get32(x, USED + 8), 72);
	for (unsigned i = 0; i < NUM; i++)
		vq_push(&x->q, &x->mem, (uint16_t)i, i);
	/* Nine entries in a ring of eight: the ninth landed in slot 0 again. */
	assert_int_equal(get16(x, USED + 2), NUM + 1);
	assert_int_equal(get32(x, USED + 4), NUM - 1);
}

static void test_avail_index_wraps_at_2_16(void **state)
{
	struct fixture *x = *state;
	desc(x, 0, DATA, 4, F_WRITE, 0);
	desc(x, 1, DATA + 16, 4, F_WRITE, 0);
	x->q.last_avail = 0xffff;
	x->q.used_idx = 0xffff;
	put16(x, AVAIL + 2, 0xffff);
	offer(x, 0); /* ring slot 0xffff % 8 = 7, idx becomes 0 */
	offer(x, 1);
	assert_int_equal(get16(x, AVAIL + 2), 1);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
	assert_int_equal(x->c.head, 0);
	vq_push(&x->q, &x->mem, x->c.head, 4);
	assert_int_equal(get16(x, USED + 2), 0);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
	assert_int_equal(x->c.head, 1);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 0);
	assert_int_equal(x->q.last_avail, 1);
}

static void test_avail_index_too_far_ahead_rejected(void **state)
{
	struct fixture *x = *state;
	put16(x, AVAIL + 2, NUM + 1);
	expect_fault(x, VQ_ERR_AVAIL_IDX, NUM + 1);
}

static void test_head_past_queue_rejected(void **state)
{
	struct fixture *x = *state;
	offer(x, NUM);
	expect_fault(x, VQ_ERR_HEAD, NUM);
}

static void test_next_past_queue_rejected(void **state)
{
	struct fixture *x = *state;
	desc(x, 0, DATA, 4, F_NEXT | F_WRITE, NUM + 3);
	offer(x, 0);
	expect_fault(x, VQ_ERR_NEXT, 0);
}

static void test_loop_rejected(void **state)
{
	struct fixture *x = *state;
	desc(x, 3, DATA, 4, F_NEXT | F_WRITE, 4);
	desc(x, 4, DATA, 4, F_NEXT | F_WRITE, 3);
	offer(x, 3);
	expect_fault(x, VQ_ERR_LOOP, 3);
	char msg[80];
	vq_describe(x->f, msg, sizeof(msg));
	assert_string_equal(msg, "chain from descriptor 3 longer than the queue (a loop)");
}

static void test_self_loop_rejected(void **state)
{
	struct fixture *x = *state;
	desc(x, 6, DATA, 4, F_NEXT | F_WRITE, 6);
	offer(x, 6);
	expect_fault(x, VQ_ERR_LOOP, 6);
}

static void test_buffers_outside_ram_rejected(void **state)
{
	struct fixture *x = *state;
	desc(x, 0, DATA, 4, F_NEXT | F_WRITE, 3);
	desc(x, 3, RAM_BASE + RAM_SIZE - 8, 16, F_WRITE, 0); /* runs off the end */
	offer(x, 0);
	expect_fault(x, VQ_ERR_RANGE, 3);
	char msg[80];
	vq_describe(x->f, msg, sizeof(msg));
	assert_string_equal(msg, "descriptor 3 outside guest RAM");
	desc(x, 3, RAM_BASE - 4, 4, F_WRITE, 0); /* below RAM */
	expect_fault(x, VQ_ERR_RANGE, 3);
	desc(x, 3, 0xfffffffffffffff8ul, 0x10, F_WRITE, 0); /* wraps around 2^64 */
	expect_fault(x, VQ_ERR_RANGE, 3);
	desc(x, 3, DATA, 0xffffffffu, F_WRITE, 0); /* longer than RAM */
	expect_fault(x, VQ_ERR_RANGE, 3);
}

static void test_indirect_rejected(void **state)
{
	struct fixture *x = *state;
	desc(x, 1, DATA, 16, F_INDIRECT, 0);
	offer(x, 1);
	expect_fault(x, VQ_ERR_INDIRECT, 1);
}

static void test_readable_after_writable_rejected(void **state)
{
	struct fixture *x = *state;
	desc(x, 0, DATA, 4, F_NEXT | F_WRITE, 1);
	desc(x, 1, DATA, 4, 0, 0);
	offer(x, 0);
	expect_fault(x, VQ_ERR_ORDER, 1);
}

static void test_no_interrupt_flag(void **state)
{
	struct fixture *x = *state;
	assert_true(vq_wants_interrupt(&x->q, &x->mem));
	put16(x, AVAIL, 1);
	assert_false(vq_wants_interrupt(&x->q, &x->mem));
}

static void test_zero_length_descriptor_taken(void **state)
{
	struct fixture *x = *state;
	/* 2.7.5 does not forbid it, and it touches nothing: the device's parser decides. */
	desc(x, 0, RAM_BASE + RAM_SIZE, 0, F_WRITE, 0);
	offer(x, 0);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
	assert_int_equal(x->c.n, 1);
	assert_int_equal(x->c.buf[0].len, 0);
}

static void test_huge_descriptor_rejected(void **state)
{
	struct fixture *x = *state;
	desc(x, 2, RAM_BASE, 0xffffffffu, 0, 0);
	offer(x, 2);
	expect_fault(x, VQ_ERR_RANGE, 2);
	desc(x, 2, RAM_BASE, RAM_SIZE, 0, 0); /* all of RAM is in range */
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
}

static void test_indirect_table_read(void **state)
{
	struct fixture *x = *state;
	x->q.indirect = true;
	/* A direct header, then a table of three: 2.7.5.3.2's mixed case. */
	desc(x, 4, DATA, 16, F_NEXT, 6);
	desc(x, 6, TABLE, 3 * 16, F_INDIRECT | F_WRITE, 0); /* F_WRITE here is ignored */
	desc_at(x, TABLE, 0, DATA + 0x100, 512, F_NEXT, 2);
	desc_at(x, TABLE, 2, DATA + 0x400, 512, F_NEXT | F_WRITE, 1);
	desc_at(x, TABLE, 1, DATA + 0x800, 1, F_WRITE, 0);
	offer(x, 4);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
	assert_int_equal(x->c.head, 4);
	assert_int_equal(x->c.n, 4);
	assert_int_equal(x->c.buf[0].gpa, DATA);
	assert_false(x->c.buf[1].writable);
	assert_int_equal(x->c.buf[1].gpa, DATA + 0x100);
	assert_int_equal(x->c.buf[2].index, 2);
	assert_true(x->c.buf[2].writable);
	assert_ptr_equal(x->c.buf[3].host, at(x, DATA + 0x800));
}

static void test_indirect_table_unaligned_read(void **state)
{
	struct fixture *x = *state;
	x->q.indirect = true;
	desc(x, 0, TABLE + 3, 16, F_INDIRECT, 0);
	desc_at(x, TABLE + 3, 0, DATA, 8, F_WRITE, 0);
	offer(x, 0);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
	assert_int_equal(x->c.buf[0].gpa, DATA);
	assert_int_equal(x->c.buf[0].len, 8);
}

static void test_indirect_bad_lengths_rejected(void **state)
{
	struct fixture *x = *state;
	const uint32_t bad[] = { 0, 8, 17, 16 * VQ_MAX_SIZE + 16, 0xfffffff0u };
	x->q.indirect = true;
	offer(x, 1);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		desc(x, 1, TABLE, bad[i], F_INDIRECT, 0);
		expect_fault(x, VQ_ERR_INDIRECT_LEN, 1);
	}
	/* With a direct descriptor before it, the table has one fewer to hold. */
	desc(x, 0, DATA, 16, F_NEXT, 1);
	desc(x, 1, RAM_BASE, 16 * VQ_MAX_SIZE, F_INDIRECT, 0);
	put16(x, AVAIL + 4, 0);
	expect_fault(x, VQ_ERR_INDIRECT_LEN, 1);
}

static void test_indirect_table_outside_ram_rejected(void **state)
{
	struct fixture *x = *state;
	x->q.indirect = true;
	desc(x, 3, RAM_BASE + RAM_SIZE - 32, 64, F_INDIRECT, 0);
	offer(x, 3);
	expect_fault(x, VQ_ERR_INDIRECT_RANGE, 3);
	desc(x, 3, 0xfffffffffffffff0ul, 32, F_INDIRECT, 0);
	expect_fault(x, VQ_ERR_INDIRECT_RANGE, 3);
	char msg[80];
	vq_describe(x->f, msg, sizeof(msg));
	assert_string_equal(msg, "descriptor 3: an indirect table outside guest RAM");
	/* A table in RAM whose buffer is not. */
	desc(x, 3, TABLE, 16, F_INDIRECT, 0);
	desc_at(x, TABLE, 0, RAM_BASE - 16, 16, F_WRITE, 0);
	expect_fault(x, VQ_ERR_RANGE, 0);
	assert_true(x->f.indirect);
	vq_describe(x->f, msg, sizeof(msg));
	assert_string_equal(msg, "indirect descriptor 0 outside guest RAM");
}

static void test_indirect_nested_rejected(void **state)
{
	struct fixture *x = *state;
	x->q.indirect = true;
	desc(x, 0, TABLE, 32, F_INDIRECT, 0);
	desc_at(x, TABLE, 0, DATA, 16, F_NEXT, 1);
	desc_at(x, TABLE, 1, TABLE, 32, F_INDIRECT, 0);
	offer(x, 0);
	expect_fault(x, VQ_ERR_NESTED, 1);
}

static void test_indirect_with_next_rejected(void **state)
{
	struct fixture *x = *state;
	x->q.indirect = true;
	desc(x, 0, TABLE, 16, F_INDIRECT | F_NEXT, 1);
	desc_at(x, TABLE, 0, DATA, 16, F_WRITE, 0);
	offer(x, 0);
	expect_fault(x, VQ_ERR_INDIRECT_NEXT, 0);
}

static void test_indirect_loop_and_next_rejected(void **state)
{
	struct fixture *x = *state;
	x->q.indirect = true;
	desc(x, 5, TABLE, 4 * 16, F_INDIRECT, 0);
	desc_at(x, TABLE, 0, DATA, 4, F_NEXT | F_WRITE, 1);
	desc_at(x, TABLE, 1, DATA, 4, F_NEXT | F_WRITE, 0);
	offer(x, 5);
	expect_fault(x, VQ_ERR_LOOP, 5);
	assert_true(x->f.indirect);
	/* next 4 is inside the queue (8) but past the table (4). */
	desc_at(x, TABLE, 1, DATA, 4, F_NEXT | F_WRITE, 4);
	expect_fault(x, VQ_ERR_NEXT, 1);
	/* The order rule holds across the direct part and the table. */
	desc(x, 5, DATA, 4, F_NEXT | F_WRITE, 6);
	desc(x, 6, TABLE, 16, F_INDIRECT, 0);
	desc_at(x, TABLE, 0, DATA, 4, 0, 0);
	expect_fault(x, VQ_ERR_ORDER, 0);
}

static void test_indirect_table_of_the_most_taken(void **state)
{
	struct fixture *x = *state;
	x->q.indirect = true;
	/* A table of VQ_MAX_SIZE descriptors in one chain, though the queue has NUM. */
	for (unsigned i = 0; i < VQ_MAX_SIZE; i++)
		desc_at(x, TABLE, i, DATA, 1, F_WRITE | (i + 1 < VQ_MAX_SIZE ? F_NEXT : 0),
			(uint16_t)(i + 1));
	desc(x, 0, TABLE, 16 * VQ_MAX_SIZE, F_INDIRECT, 0);
	offer(x, 0);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
	assert_int_equal(x->c.n, VQ_MAX_SIZE);
}

static void test_need_event_across_wraparound(void **state)
{
	(void)state;
	/* 2.7.10: notify when event lies in [old, new) mod 2^16. */
	assert_true(vq_need_event(5, 6, 5));
	assert_false(vq_need_event(6, 6, 5));
	assert_false(vq_need_event(4, 6, 5));
	assert_true(vq_need_event(0xffff, 2, 0xfffe));
	assert_true(vq_need_event(0, 2, 0xfffe));
	assert_true(vq_need_event(1, 2, 0xfffe));
	assert_false(vq_need_event(2, 2, 0xfffe));
	assert_false(vq_need_event(0xfffd, 2, 0xfffe));
	assert_false(vq_need_event(7, 7, 7)); /* nothing moved: never */
}

static void test_event_idx_interrupts(void **state)
{
	struct fixture *x = *state;
	x->q.event_idx = true;
	put16(x, AVAIL, 1); /* NO_INTERRUPT, which event-idx ignores */
	put16(x, USED_EVENT, 0);
	vq_push(&x->q, &x->mem, 0, 0);
	assert_true(vq_wants_interrupt(&x->q, &x->mem)); /* used 0 -> 1 crossed 0 */
	vq_push(&x->q, &x->mem, 0, 0);
	assert_false(vq_wants_interrupt(&x->q, &x->mem)); /* the driver asked about 0 only */
	put16(x, USED_EVENT, 3);
	vq_push(&x->q, &x->mem, 0, 0); /* 2 -> 3 */
	assert_false(vq_wants_interrupt(&x->q, &x->mem));
	vq_push(&x->q, &x->mem, 0, 0);
	vq_push(&x->q, &x->mem, 0, 0); /* 3 -> 5 crosses 3 */
	assert_true(vq_wants_interrupt(&x->q, &x->mem));
	/* Across 2^16. */
	x->q.used_idx = x->q.signalled_used = 0xfffe;
	put16(x, USED_EVENT, 0xffff);
	vq_push(&x->q, &x->mem, 0, 0);
	assert_false(vq_wants_interrupt(&x->q, &x->mem));
	vq_push(&x->q, &x->mem, 0, 0); /* 0xffff -> 0 crosses 0xffff */
	assert_true(vq_wants_interrupt(&x->q, &x->mem));
	assert_int_equal(get16(x, USED + 2), 0);
}

static void test_event_idx_asks_for_next_kick(void **state)
{
	struct fixture *x = *state;
	x->q.event_idx = true;
	x->q.last_avail = 0xfffe;
	put16(x, AVAIL + 2, 0xfffe);
	put16(x, AVAIL_EVENT, 0x1234);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 0);
	assert_int_equal(get16(x, AVAIL_EVENT), 0xfffe); /* kick me at your next buffer */
	desc(x, 0, DATA, 4, F_WRITE, 0);
	offer(x, 0);
	offer(x, 0); /* avail idx wraps to 0 */
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 1);
	assert_int_equal(get16(x, AVAIL_EVENT), 0xfffe); /* untouched while there was work */
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 0);
	assert_int_equal(get16(x, AVAIL_EVENT), 0);
	/* Without event-idx, the used ring's last field is the driver's business. */
	x->q.event_idx = false;
	put16(x, AVAIL_EVENT, 0x4321);
	assert_int_equal(vq_pop(&x->q, &x->mem, &x->c, &x->f), 0);
	assert_int_equal(get16(x, AVAIL_EVENT), 0x4321);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_good_layout_passes_check),
		T(test_bad_sizes_rejected),
		T(test_misaligned_parts_rejected),
		T(test_parts_outside_ram_rejected),
		T(test_empty_ring_gives_nothing),
		T(test_good_chain_read_then_written),
		T(test_used_ring_updates),
		T(test_avail_index_wraps_at_2_16),
		T(test_avail_index_too_far_ahead_rejected),
		T(test_head_past_queue_rejected),
		T(test_next_past_queue_rejected),
		T(test_loop_rejected),
		T(test_self_loop_rejected),
		T(test_buffers_outside_ram_rejected),
		T(test_indirect_rejected),
		T(test_readable_after_writable_rejected),
		T(test_no_interrupt_flag),
		T(test_zero_length_descriptor_taken),
		T(test_huge_descriptor_rejected),
		T(test_indirect_table_read),
		T(test_indirect_table_unaligned_read),
		T(test_indirect_bad_lengths_rejected),
		T(test_indirect_table_outside_ram_rejected),
		T(test_indirect_nested_rejected),
		T(test_indirect_with_next_rejected),
		T(test_indirect_loop_and_next_rejected),
		T(test_indirect_table_of_the_most_taken),
		T(test_need_event_across_wraparound),
		T(test_event_idx_interrupts),
		T(test_event_idx_asks_for_next_kick),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
