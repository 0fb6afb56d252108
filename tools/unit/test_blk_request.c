/* The monitor's virtio-blk request parser (servers/vmm/blk_request.c) over hand-made
 * chains: good reads, writes, flushes and GET_ID in any framing, and every hostile one
 * (no status byte, a short header, data of the wrong direction or length, sectors past
 * the end, lengths and sectors that would wrap) answered without touching the disk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blk_request.h"

#define CAPACITY 2048 /* sectors: 1 MiB */

static struct vq_chain chain;
static uint8_t mem[8][8192];

static void reset_chain(void)
{
	memset(&chain, 0, sizeof(chain));
	memset(mem, 0, sizeof(mem));
}

static uint8_t *add(uint32_t len, bool writable)
{
	struct vq_buf *b = &chain.buf[chain.n];
	*b = (struct vq_buf){ .len = len, .writable = writable, .index = (uint16_t)chain.n,
			      .host = mem[chain.n] };
	chain.n++;
	return b->host;
}

static void header(uint8_t *at, uint32_t type, uint64_t sector)
{
	memcpy(at, &type, 4);
	memcpy(at + 8, &sector, 8);
}

static void test_read_in_linux_framing(void **state)
{
	(void)state;
	struct blk_request r;
	reset_chain();
	header(add(16, false), BLK_T_IN, 8);
	add(4096, true);
	add(1, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_OK);
	assert_int_equal(r.type, BLK_T_IN);
	assert_int_equal(r.sector, 8);
	assert_int_equal(r.sectors, 8);
	assert_int_equal(r.data_len, 4096);
	assert_int_equal(r.in_len, 4097);
}

/* 2.6.4: no framing assumed; header split over two buffers, data and status in one. */
static void test_write_in_other_framing(void **state)
{
	(void)state;
	struct blk_request r;
	uint8_t h[16] = { 0 };
	reset_chain();
	header(h, BLK_T_OUT, CAPACITY - 2);
	memcpy(add(6, false), h, 6);
	uint8_t *rest = add(10 + 1024, false);
	memcpy(rest, h + 6, 10);
	memset(rest + 10, 0xab, 1024);
	add(1, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_OK);
	assert_int_equal(r.sector, CAPACITY - 2);
	assert_int_equal(r.sectors, 2);
	uint8_t data[1024];
	assert_int_equal(blk_gather(&chain, 16, data, sizeof(data)), sizeof(data));
	assert_int_equal(data[0], 0xab);
	assert_int_equal(data[1023], 0xab);
	uint8_t status = BLK_S_OK;
	assert_int_equal(blk_scatter(&chain, r.in_len - 1, &status, 1), 1);
}

static void test_flush_and_get_id(void **state)
{
	(void)state;
	struct blk_request r;
	reset_chain();
	header(add(16, false), BLK_T_FLUSH, 0);
	add(1, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_OK);
	reset_chain();
	header(add(16, false), BLK_T_GET_ID, 0);
	add(64, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_OK);
	assert_int_equal(r.data_len, BLK_ID_BYTES);
}

static void test_no_status_byte_breaks_the_device(void **state)
{
	(void)state;
	struct blk_request r;
	reset_chain();
	header(add(16, false), BLK_T_IN, 0);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_BROKEN);
	assert_non_null(r.why);
}

static void expect_ioerr(uint32_t type, uint64_t sector, uint32_t data, bool data_writable,
			 uint32_t status_len)
{
	struct blk_request r;
	reset_chain();
	header(add(16, false), type, sector);
	if (data)
		add(data, data_writable);
	add(status_len, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_STATUS);
	assert_int_equal(r.status, BLK_S_IOERR);
	assert_non_null(r.why);
}

static void test_bad_ranges_and_lengths_get_ioerr(void **state)
{
	(void)state;
	expect_ioerr(BLK_T_IN, CAPACITY, 512, true, 1);          /* just past the end */
	expect_ioerr(BLK_T_IN, CAPACITY - 1, 1024, true, 1);     /* runs past the end */
	expect_ioerr(BLK_T_IN, UINT64_MAX, 512, true, 1);        /* sector + count wraps */
	expect_ioerr(BLK_T_OUT, UINT64_MAX - 1, 1024, false, 1);
	expect_ioerr(BLK_T_OUT, 0, 100, false, 1);               /* not whole sectors */
	expect_ioerr(BLK_T_IN, 0, 0, true, 1);                   /* no data at all */
	expect_ioerr(BLK_T_IN, 0, 512, false, 1);                /* read data the device reads */
	expect_ioerr(BLK_T_OUT, 0, 512, true, 1);                /* write data the device writes */
	/* A short header: the status byte is there to say so. */
	struct blk_request r;
	reset_chain();
	add(8, false);
	add(1, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_STATUS);
	assert_int_equal(r.status, BLK_S_IOERR);
}

static void test_huge_requests_and_unknown_types(void **state)
{
	(void)state;
	struct blk_request r;
	reset_chain();
	header(add(16, false), BLK_T_IN, 0);
	for (unsigned i = 0; i < 2; i++) /* 2 x 4 GiB - 512: the sums must not wrap */
		chain.buf[chain.n++] = (struct vq_buf){ .len = UINT32_MAX - 511, .writable = true,
							.host = mem[1] };
	add(1, true);
	assert_int_equal(blk_parse(&chain, UINT64_MAX, &r), BLK_PARSE_STATUS);
	assert_int_equal(r.status, BLK_S_IOERR);
	reset_chain();
	header(add(16, false), 99, 0);
	add(1, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_STATUS);
	assert_int_equal(r.status, BLK_S_UNSUPP);
}

static void test_copies_stop_at_the_stream_end(void **state)
{
	(void)state;
	reset_chain();
	add(16, false);
	add(100, true);
	add(28, true);
	uint8_t big[256];
	memset(big, 1, sizeof(big));
	assert_int_equal(blk_scatter(&chain, 0, big, sizeof(big)), 128);
	assert_int_equal(blk_scatter(&chain, 127, big, 5), 1);
	assert_int_equal(blk_scatter(&chain, 128, big, 5), 0);
	assert_int_equal(blk_gather(&chain, 10, big, 100), 6);
}

/* The grant's ranges are exactly the data: a read's before the status byte, which shares
 * the last buffer; a write's after the header, which shares the first. */
static void test_data_segments_leave_out_header_and_status(void **state)
{
	(void)state;
	struct blk_request r;
	struct vireo_grant_seg segs[4];
	reset_chain();
	header(add(16, false), BLK_T_IN, 0);
	uint8_t *first = add(1024, true);
	uint8_t *last = add(512 + 1, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_OK);
	assert_int_equal(blk_data_segs(&chain, &r, segs, 4), 2);
	assert_ptr_equal((uint8_t *)(uintptr_t)segs[0].va, first);
	assert_int_equal(segs[0].len, 1024);
	assert_ptr_equal((uint8_t *)(uintptr_t)segs[1].va, last);
	assert_int_equal(segs[1].len, 512);

	reset_chain();
	uint8_t *h = add(16 + 512, false);
	header(h, BLK_T_OUT, 0);
	add(1, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_OK);
	assert_int_equal(blk_data_segs(&chain, &r, segs, 4), 1);
	assert_ptr_equal((uint8_t *)(uintptr_t)segs[0].va, h + 16);
	assert_int_equal(segs[0].len, 512);
}

/* More data buffers than the grant has room for (a guest past SEG_MAX): none at all. */
static void test_too_many_data_segments_give_none(void **state)
{
	(void)state;
	struct blk_request r;
	struct vireo_grant_seg segs[3];
	reset_chain();
	header(add(16, false), BLK_T_IN, 0);
	for (int i = 0; i < 3; i++)
		add(512, true);
	add(1, true);
	assert_int_equal(blk_parse(&chain, CAPACITY, &r), BLK_PARSE_OK);
	assert_int_equal(blk_data_segs(&chain, &r, segs, 2), 0);
	assert_int_equal(blk_data_segs(&chain, &r, segs, 3), 3);
}

/* A 1 MiB direct read of scattered pages, as Linux sends it with the device's SEG_MAX: one
 * chain of header, 256 pages and status, whose data fits one grant; one page more does
 * not. */
static void test_a_mib_of_pages_is_one_request(void **state)
{
	(void)state;
	static uint8_t pages[BLK_SEG_MAX + 1][4096];
	static struct vireo_grant_seg segs[BLK_SEG_MAX];
	static uint8_t status;
	struct blk_request r;
	for (unsigned extra = 0; extra < 2; extra++) {
		reset_chain();
		header(add(16, false), BLK_T_IN, 0);
		for (unsigned i = 0; i < BLK_SEG_MAX + extra; i++)
			chain.buf[chain.n++] = (struct vq_buf){ .len = 4096, .writable = true,
								.host = pages[i] };
		chain.buf[chain.n++] = (struct vq_buf){ .len = 1, .writable = true, .host = &status };
		assert_true(chain.n <= BLK_QUEUE_MAX);
		assert_int_equal(blk_parse(&chain, (BLK_SEG_MAX + 1) * 8, &r), BLK_PARSE_OK);
		assert_int_equal(r.data_len, (BLK_SEG_MAX + extra) * 4096ul);
		assert_int_equal(blk_data_segs(&chain, &r, segs, BLK_SEG_MAX), extra ? 0 : BLK_SEG_MAX);
	}
	assert_int_equal(BLK_SEG_MAX * 4096ul, 1ul << 20);
	assert_true(BLK_SIZE_MAX >= 4096 && BLK_SEG_MAX * BLK_SIZE_MAX <= BLK_REQUEST_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_in_linux_framing),
		cmocka_unit_test(test_write_in_other_framing),
		cmocka_unit_test(test_flush_and_get_id),
		cmocka_unit_test(test_no_status_byte_breaks_the_device),
		cmocka_unit_test(test_bad_ranges_and_lengths_get_ioerr),
		cmocka_unit_test(test_huge_requests_and_unknown_types),
		cmocka_unit_test(test_copies_stop_at_the_stream_end),
		cmocka_unit_test(test_data_segments_leave_out_header_and_status),
		cmocka_unit_test(test_too_many_data_segments_give_none),
		cmocka_unit_test(test_a_mib_of_pages_is_one_request),
	};
	return cmocka_run_group_tests_name("blk_request", tests, NULL, NULL);
}
