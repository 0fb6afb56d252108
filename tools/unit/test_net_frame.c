/* The monitor's virtio-net packet checks (servers/vmm/net_frame.c) over hand-made chains:
 * frames sent in any framing, and every hostile packet (no whole header, a device-writable
 * buffer, frames too short or too long, offloads never negotiated or pointing outside the
 * frame, segment sizes no frame carries) dropped or refused; received frames written with
 * a VERSION_1 header, and never into a chain too small or of the wrong direction. */
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

#define OFFLOADS (NET_F_CSUM | NET_F_HOST_TSO4 | NET_F_HOST_TSO6)

static enum net_verdict tx_with(uint64_t features, size_t *len, const char **why)
{
	struct net_hdr h;
	enum net_verdict v = net_tx_parse(&chain, features, &h, len, why);
	assert_true(v == NET_OK ? *why == NULL : *why != NULL);
	return v;
}

static enum net_verdict tx(size_t *len)
{
	const char *why;
	return tx_with(0, len, &why);
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

/* A header of the negotiated offloads, each field checked against the frame. */
static void set_header(uint8_t *b, uint8_t flags, uint8_t gso, uint16_t hdr_len,
		       uint16_t gso_size, uint16_t start, uint16_t offset)
{
	struct net_hdr h = { flags, gso, hdr_len, gso_size, start, offset, 0 };
	memcpy(b, &h, sizeof(h));
}

static void test_negotiated_offloads_pass(void **state)
{
	(void)state;
	size_t len;
	const char *why;
	reset_chain();
	uint8_t *b = add(NET_HDR_SIZE + 60000, false);
	set_header(b, NET_F_NEEDS_CSUM, NET_GSO_TCPV4, 54, 1448, 34, 16);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_OK);
	assert_int_equal(len, 60000);
	set_header(b, 0, NET_GSO_TCPV6, 74, 1428, 0, 0);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_OK);
	reset_chain(); /* the checksum's last byte the frame's last */
	b = add(NET_HDR_SIZE + 60, false);
	set_header(b, NET_F_NEEDS_CSUM, 0, 0, 0, 34, 24);
	assert_int_equal(tx_with(NET_F_CSUM, &len, &why), NET_OK);
}

static void test_hostile_offload_headers_are_dropped(void **state)
{
	(void)state;
	size_t len;
	const char *why;
	reset_chain();
	uint8_t *b = add(NET_HDR_SIZE + 60000, false);
	set_header(b, 0, NET_GSO_TCPV4, 54, 1448, 0, 0); /* TSO6 alone negotiated */
	assert_int_equal(tx_with(NET_F_CSUM | NET_F_HOST_TSO6, &len, &why), NET_DROP);
	assert_string_equal(why, "a segmentation offload, which was not negotiated");
	set_header(b, 0, NET_GSO_UDP, 42, 1472, 0, 0); /* UFO: never offered */
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	set_header(b, 0, NET_GSO_TCPV4 | NET_GSO_ECN, 54, 1448, 0, 0); /* HOST_ECN: never */
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	set_header(b, 0, 7, 54, 1448, 0, 0);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	set_header(b, 0, NET_GSO_TCPV4, 54, 0, 0, 0);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	assert_string_equal(why, "a segment size no 1514-byte frame carries");
	set_header(b, 0, NET_GSO_TCPV4, 54, 1, 0, 0); /* 60000 one-byte segments */
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	set_header(b, 0, NET_GSO_TCPV4, 54, 9000, 0, 0);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	set_header(b, 0, NET_GSO_TCPV4, 60001, 1448, 0, 0);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	assert_string_equal(why, "a segmentation header longer than the frame");
	set_header(b, 0x10, NET_GSO_NONE, 0, 0, 0, 0);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	assert_string_equal(why, "a header flag no driver may set");
	/* A checksum placed beyond the frame, at its very end, or summed from past it. */
	reset_chain();
	b = add(NET_HDR_SIZE + 60, false);
	set_header(b, NET_F_NEEDS_CSUM, 0, 0, 0, 34, 25);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	assert_string_equal(why, "a checksum offload outside the frame");
	set_header(b, NET_F_NEEDS_CSUM, 0, 0, 0, 60, 0);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	set_header(b, NET_F_NEEDS_CSUM, 0, 0, 0, 0xffff, 0xffff);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	/* Without segmentation, a frame is one on the wire; with it, at most 64 KiB. */
	reset_chain();
	b = add(NET_HDR_SIZE, false);
	add(NET_GSO_FRAME_MAX + 1, false);
	set_header(b, 0, NET_GSO_TCPV4, 54, 1448, 0, 0);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	assert_string_equal(why, "a segmentation offload of more than 64 KiB");
	set_header(b, 0, NET_GSO_NONE, 0, 0, 0, 0);
	assert_int_equal(tx_with(OFFLOADS, &len, &why), NET_DROP);
	assert_string_equal(why, "a frame longer than 1514 bytes (MTU 1500)");
}

static void test_received_offloads_follow_the_driver(void **state)
{
	(void)state;
	uint8_t f[100] = { 0 };
	uint32_t written;
	const char *why;
	const struct net_hdr partial = { .flags = NET_F_NEEDS_CSUM, .csum_start = 34,
					 .csum_offset = 16 };
	reset_chain();
	add(2000, true);
	assert_int_equal(net_rx_fill(&chain, NET_F_GUEST_CSUM, &partial, f, 100, &written, &why),
			 NET_OK);
	struct net_hdr got;
	memcpy(&got, mem[0], sizeof(got));
	assert_int_equal(got.flags, NET_F_NEEDS_CSUM);
	assert_int_equal(got.csum_start, 34);
	assert_int_equal(got.num_buffers, 1);
	assert_int_equal(net_rx_fill(&chain, 0, &partial, f, 100, &written, &why), NET_DROP);
	const struct net_hdr segments = { .gso_type = NET_GSO_TCPV4, .gso_size = 1448 };
	assert_int_equal(net_rx_fill(&chain, NET_F_GUEST_CSUM, &segments, f, 100, &written, &why),
			 NET_DROP);
	const struct net_hdr outside = { .flags = NET_F_NEEDS_CSUM, .csum_start = 99 };
	assert_int_equal(net_rx_fill(&chain, NET_F_GUEST_CSUM, &outside, f, 100, &written, &why),
			 NET_DROP);
	/* DATA_VALID only for a driver that took GUEST_CSUM. */
	const struct net_hdr valid = { .flags = NET_F_DATA_VALID };
	assert_int_equal(net_rx_fill(&chain, 0, &valid, f, 100, &written, &why), NET_OK);
	memcpy(&got, mem[0], sizeof(got));
	assert_int_equal(got.flags, 0);
}

static enum net_verdict rx(const uint8_t *f, size_t len, uint32_t *written)
{
	const char *why;
	static const struct net_hdr none;
	enum net_verdict v = net_rx_fill(&chain, 0, &none, f, len, written, &why);
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
		cmocka_unit_test(test_negotiated_offloads_pass),
		cmocka_unit_test(test_hostile_offload_headers_are_dropped),
		cmocka_unit_test(test_received_offloads_follow_the_driver),
		cmocka_unit_test(test_received_frame_with_its_header),
		cmocka_unit_test(test_unfit_receive_chains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
