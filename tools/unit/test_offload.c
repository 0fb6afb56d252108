/* The network server's software offloads (servers/net/offload.c): a partial checksum
 * completed as the device would, and TCP frames of up to 64 KiB over IPv4 and IPv6 cut
 * into segments whose IP and TCP checksums verify, with sequence numbers, lengths, IP
 * identifications and flags as each segment needs; and every frame that is not what its
 * header says refused. The fast sums are held to RFC 1071's plain one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "offload.h"

static uint8_t frame[NET_GSO_FRAME_MAX], out[NET_FRAME_MAX];

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* An Ethernet, IP and TCP header (with 12 bytes of options) and payload bytes i % 251. */
static size_t make_tcp(bool v6, size_t payload, uint8_t tcp_flags)
{
	memset(frame, 0, 128);
	frame[12] = v6 ? 0x86 : 0x08;
	frame[13] = v6 ? 0xdd : 0x00;
	uint8_t *ip = frame + 14;
	size_t l4 = 14 + (v6 ? 40 : 20);
	if (v6) {
		ip[0] = 0x60;
		ip[6] = 6;
		ip[7] = 64;
		for (int i = 0; i < 32; i++)
			ip[8 + i] = (uint8_t)(i + 1);
	} else {
		ip[0] = 0x45;
		ip[4] = 0x12, ip[5] = 0x34; /* identification */
		ip[6] = 0x40;               /* DF */
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, (uint8_t[]){ 10, 0, 2, 15, 10, 0, 2, 2 }, 8);
	}
	uint8_t *tcp = frame + l4;
	tcp[0] = 0x30, tcp[1] = 0x39, tcp[2] = 0x00, tcp[3] = 0x50;
	memcpy(tcp + 4, (uint8_t[]){ 0xff, 0xff, 0xf0, 0x00 }, 4); /* a sequence number that wraps */
	tcp[12] = 8 << 4; /* 32 bytes */
	tcp[13] = tcp_flags;
	size_t hdr = l4 + 32;
	for (size_t i = 0; i < payload; i++)
		frame[hdr + i] = (uint8_t)(i % 251);
	return hdr + payload;
}

/* RFC 1071 the plain way, a word at a time, to check the fast sum against. */
static uint32_t plain_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	uint64_t s = sum;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += be16(p + i);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static bool checksum_ok(const uint8_t *p, size_t n, uint32_t sum)
{
	return plain_sum(p, n, sum) == 0xffff;
}

static void test_fast_sum_and_copy_agree_with_the_plain_sum(void **state)
{
	(void)state;
	static uint8_t src[4096 + 16], dst[4096 + 16];
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i * 7 + (i >> 8));
	for (size_t start = 0; start < 16; start++)
		for (size_t n = 0; n < 4096; n += 1 + n / 3) {
			uint32_t want = plain_sum(src + start, n, 0x1234);
			assert_int_equal(offload_fold(offload_sum(src + start, n, 0x1234)), want);
			memset(dst, 0, sizeof(dst));
			size_t at = (start + n) % 16; /* the same alignment or another */
			assert_int_equal(offload_fold(offload_copy_sum(dst + at, src + start, n,
								       0x1234)), want);
			assert_memory_equal(dst + at, src + start, n);
		}
}

static void check_segments(bool v6, size_t payload, uint16_t mss)
{
	size_t len = make_tcp(v6, payload, 0x80 | 0x18 | 0x01); /* CWR, PSH, ACK, FIN */
	struct net_hdr h = { .flags = NET_F_NEEDS_CSUM, .gso_size = mss,
			     .gso_type = v6 ? NET_GSO_TCPV6 : NET_GSO_TCPV4 };
	struct offload_gso p;
	const char *why;
	assert_true(offload_gso_plan(&h, frame, len, &p, &why));
	size_t hdr = p.payload;
	assert_int_equal(p.segments, (payload + mss - 1) / mss);
	size_t done = 0;
	for (unsigned i = 0; i < p.segments; i++) {
		size_t n = offload_gso_segment(&p, frame, i, out);
		size_t data = n - hdr;
		assert_true(n <= NET_FRAME_MAX);
		assert_int_equal(data, payload - done < mss ? payload - done : mss);
		assert_memory_equal(out + hdr, frame + hdr + done, data);
		const uint8_t *ip = out + 14, *tcp = out + p.l4;
		size_t tcp_len = n - p.l4;
		uint32_t pseudo;
		if (v6) {
			assert_int_equal(be16(ip + 4), tcp_len);
			pseudo = plain_sum(ip + 8, 32, 0) + 6 + (uint32_t)tcp_len;
		} else {
			assert_int_equal(be16(ip + 2), n - 14);
			assert_int_equal(be16(ip + 4), 0x1234 + i);
			assert_true(checksum_ok(ip, 20, 0));
			pseudo = plain_sum(ip + 12, 8, 0) + 6 + (uint32_t)tcp_len;
		}
		assert_int_equal(be32(tcp + 4), (uint32_t)(0xfffff000u + done));
		bool last = i + 1 == p.segments;
		assert_int_equal(tcp[13] & 0x01, last ? 0x01 : 0);  /* FIN on the last */
		assert_int_equal(tcp[13] & 0x08, last ? 0x08 : 0);  /* PSH too */
		assert_int_equal(tcp[13] & 0x80, i == 0 ? 0x80 : 0); /* CWR on the first */
		assert_int_equal(tcp[13] & 0x10, 0x10);              /* ACK on all */
		assert_true(checksum_ok(tcp, tcp_len, pseudo));
		done += data;
	}
	assert_int_equal(done, payload);
}

static void test_tcpv4_segments(void **state)
{
	(void)state;
	check_segments(false, 65535 - 20 - 32, 1448);
	check_segments(false, 1448 * 3, 1448); /* exactly three */
	check_segments(false, 100, 1448);      /* one, short */
	check_segments(false, 5000, 536);
}

static void test_tcpv6_segments(void **state)
{
	(void)state;
	check_segments(true, 60000, 1428);
	check_segments(true, 1, 1428);
}

static void test_frames_not_as_their_header_says_are_refused(void **state)
{
	(void)state;
	struct offload_gso p;
	const char *why;
	size_t len = make_tcp(false, 3000, 0x10);
	struct net_hdr h = { .gso_type = NET_GSO_TCPV4, .gso_size = 1448 };
	assert_true(offload_gso_plan(&h, frame, len, &p, &why));
	h.gso_type = NET_GSO_TCPV6; /* an IPv4 frame */
	assert_false(offload_gso_plan(&h, frame, len, &p, &why));
	h.gso_type = NET_GSO_UDP;
	assert_false(offload_gso_plan(&h, frame, len, &p, &why));
	assert_string_equal(why, "a segmentation other than TCP's");
	h.gso_type = NET_GSO_TCPV4;
	h.gso_size = 1461; /* 14 + 20 + 32 + 1461 > 1514 */
	assert_false(offload_gso_plan(&h, frame, len, &p, &why));
	assert_string_equal(why, "a segment size that does not fit a 1514-byte frame");
	h.gso_size = 1;
	assert_false(offload_gso_plan(&h, frame, len, &p, &why));
	h.gso_size = 1448;
	frame[23] = 17; /* UDP inside */
	assert_false(offload_gso_plan(&h, frame, len, &p, &why));
	make_tcp(false, 3000, 0x10);
	frame[20] = 0x20; /* MF: a fragment */
	assert_false(offload_gso_plan(&h, frame, len, &p, &why));
	make_tcp(false, 3000, 0x10);
	frame[14] = 0x4f; /* a 60-byte IP header: the TCP header then runs past 100 bytes */
	assert_false(offload_gso_plan(&h, frame, 100, &p, &why));
	make_tcp(false, 3000, 0x10);
	frame[14 + 20 + 12] = 0xf0; /* a 60-byte TCP header in a 70-byte frame */
	assert_false(offload_gso_plan(&h, frame, 70, &p, &why));
	assert_false(offload_gso_plan(&h, frame, 20, &p, &why));
	make_tcp(true, 3000, 0x10);
	frame[14 + 6] = 0; /* hop-by-hop options: an extension header */
	h.gso_type = NET_GSO_TCPV6;
	assert_false(offload_gso_plan(&h, frame, len, &p, &why));
	assert_string_equal(why, "a TCPv6 segmentation of IPv6 with extension headers");
}

static void test_partial_checksum_is_completed(void **state)
{
	(void)state;
	size_t len = make_tcp(false, 999, 0x18);
	const uint8_t *ip = frame + 14;
	size_t tcp_len = len - 34;
	/* As Linux leaves it: the pseudo-header's sum, not complemented, in the field. */
	uint16_t seed = offload_fold(offload_sum(ip + 12, 8, 0) + 6 + (uint32_t)tcp_len);
	frame[34 + 16] = (uint8_t)(seed >> 8);
	frame[34 + 17] = (uint8_t)seed;
	struct net_hdr h = { .flags = NET_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 16 };
	const char *why;
	assert_true(offload_checksum(&h, frame, len, &why));
	assert_true(checksum_ok(frame + 34, tcp_len,
				plain_sum(ip + 12, 8, 0) + 6 + (uint32_t)tcp_len));
	h.csum_offset = (uint16_t)(len - 34 - 1); /* its second byte past the end */
	assert_false(offload_checksum(&h, frame, len, &why));
	h.csum_start = (uint16_t)len;
	h.csum_offset = 0;
	assert_false(offload_checksum(&h, frame, len, &why));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_sum_and_copy_agree_with_the_plain_sum),
		cmocka_unit_test(test_tcpv4_segments),
		cmocka_unit_test(test_tcpv6_segments),
		cmocka_unit_test(test_frames_not_as_their_header_says_are_refused),
		cmocka_unit_test(test_partial_checksum_is_completed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
