/* The monitor's virtio-net packet checks (servers/vmm/net_frame.c) over hand-made chains:
 * frames sent in any framing, and every hostile packet (no whole header, a device-writable
 * buffer, frames too short or too long, offloads never negotiated) dropped or refused;
 * received frames written with a VERSION_1 header, and never into a chain too small or of
 * the wrong direction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "net_frame.h"

static struct vq_chain chain;
static uint8_t mem[8][10000];

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

static enum net_verdict tx(size_t *len)
{
	const char *why;
	enum net_verdict v = net_tx_parse(&chain, len, &why);
	assert_true(v == NET_OK ? why == NULL : why != NULL);
	return v;
}

static void test_frame_after_header_in_one_buffer(void **state)
{
	(void)state;
	size_t len;
	reset_chain();
	uint8_t *b = add(NET_HDR_SIZE + 60, false);
	memset(b + NET_HDR_SIZE, 0xaa, 60);
	assert_int_equal(tx(&len), NET_OK);
	assert_int_equal(len, 60);
	uint8_t frame[60];
	assert_int_equal(net_gather(&chain, NET_HDR_SIZE, frame, sizeof(frame)), 60);
	assert_int_equal(frame[59], 0xaa);
}

/* 2.6.4: no framing assumed: the header split, the frame over several buffers. */
static void test_frame_in_other_framing(void **state)
{
	(void)state;
	size_t len;
	reset_chain();
	add(5, false);
	add(7, false);
	add(NET_ETH_MAX - 100, false);
	add(100, false);
	assert_int_equal(tx(&len), NET_OK);
	assert_int_equal(len, NET_ETH_MAX);
}

static void test_sizes_no_ethernet_has_are_dropped(void **state)
{
	(void)state;
	size_t len;
	reset_chain();
	add(NET_HDR_SIZE + NET_ETH_MIN - 1, false);
	assert_int_equal(tx(&len), NET_DROP);
	reset_chain();
	add(NET_HDR_SIZE + NET_ETH_MAX + 1, false);
	assert_int_equal(tx(&len), NET_DROP);
	assert_int_equal(len, NET_ETH_MAX + 1);
	reset_chain(); /* a jumbo frame of 9000 bytes, as a guest with MTU 9000 sends it */
	add(NET_HDR_SIZE, false);
	add(9000, false);
	assert_int_equal(tx(&len), NET_DROP);
	assert_int_equal(len, 9000);
	reset_chain(); /* lengths that would wrap a 32-bit sum */
	for (int i = 0; i < 4; i++)
		chain.buf[chain.n++] = (struct vq_buf){ .len = 0xffffffffu, .host = mem[0] };
	assert_int_equal(tx(&len), NET_DROP);
}

static void test_broken_packets_need_a_reset(void **state)
{
	(void)state;
	size_t len;
	reset_chain();
	add(NET_HDR_SIZE - 1, false);
	assert_int_equal(tx(&len), NET_BROKEN);
	reset_chain();
	assert_int_equal(tx(&len), NET_BROKEN); /* nothing at all */
	reset_chain();
	add(NET_HDR_SIZE + 60, false);
	add(4, true);
	assert_int_equal(tx(&len), NET_BROKEN);
}

static void test_offloads_never_negotiated_are_dropped(void **state)
{
	(void)state;
	size_t len;
	reset_chain();
	uint8_t *b = add(NET_HDR_SIZE + 60, false);
	b[0] = NET_HDR_F_NEEDS_CSUM;
	assert_int_equal(tx(&len), NET_DROP);
	b[0] = 0;
	b[1] = 1; /* VIRTIO_NET_HDR_GSO_TCPV4 */
	assert_int_equal(tx(&len), NET_DROP);
	b[1] = 0;
	b[0] = 2; /* DATA_VALID means nothing on transmit: ignored (5.1.6.2.2) */
	assert_int_equal(tx(&len), NET_OK);
}

static enum net_verdict rx(const uint8_t *f, size_t len, uint32_t *written)
{
	const char *why;
	enum net_verdict v = net_rx_fill(&chain, f, len, written, &why);
	assert_true(v == NET_OK ? why == NULL : why != NULL && *written == 0);
	return v;
}

static void test_received_frame_with_its_header(void **state)
{
	(void)state;
	uint8_t f[NET_ETH_MAX];
	uint32_t written;
	for (size_t i = 0; i < sizeof(f); i++)
		f[i] = (uint8_t)i;
	reset_chain();
	memset(add(NET_HDR_SIZE + NET_ETH_MAX, true), 0x55, NET_HDR_SIZE + NET_ETH_MAX);
	assert_int_equal(rx(f, sizeof(f), &written), NET_OK);
	assert_int_equal(written, NET_HDR_SIZE + NET_ETH_MAX);
	static const uint8_t header[NET_HDR_SIZE] = { [10] = 1 }; /* num_buffers = 1 */
	assert_memory_equal(mem[0], header, NET_HDR_SIZE);
	assert_memory_equal(mem[0] + NET_HDR_SIZE, f, sizeof(f));
	/* Split over buffers, the header across two of them. */
	reset_chain();
	add(4, true);
	add(100, true);
	add(2000, true);
	assert_int_equal(rx(f, 64, &written), NET_OK);
	assert_int_equal(written, NET_HDR_SIZE + 64);
	assert_int_equal(mem[1][6], 1);
	assert_memory_equal(mem[1] + 8, f, 64);
}

static void test_unfit_receive_chains(void **state)
{
	(void)state;
	uint8_t f[NET_ETH_MAX] = { 0 };
	uint32_t written;
	reset_chain();
	add(NET_HDR_SIZE + 59, true);
	assert_int_equal(rx(f, 60, &written), NET_DROP);
	reset_chain();
	add(0, true);
	assert_int_equal(rx(f, 60, &written), NET_DROP);
	reset_chain();
	add(16, false);
	add(2000, true);
	assert_int_equal(rx(f, 60, &written), NET_BROKEN);
	reset_chain();
	add(4000, true);
	assert_int_equal(rx(f, NET_ETH_MAX + 1, &written), NET_DROP);
	assert_int_equal(rx(f, NET_ETH_MIN - 1, &written), NET_DROP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_after_header_in_one_buffer),
		cmocka_unit_test(test_frame_in_other_framing),
		cmocka_unit_test(test_sizes_no_ethernet_has_are_dropped),
		cmocka_unit_test(test_broken_packets_need_a_reset),
		cmocka_unit_test(test_offloads_never_negotiated_are_dropped),
		cmocka_unit_test(test_received_frame_with_its_header),
		cmocka_unit_test(test_unfit_receive_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
