/* Checksums and TCP segmentation in software (offload.h). */
#include "offload.h"

#include <string.h>

#define ETH_HEADER 14
#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define IP_TCP 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint32_t fold32(uint64_t s)
{
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t offload_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The sum of n bytes at src, copied to dst unless it is NULL. Aligned words are summed as
 * they lie in memory (little-endian) and the folded result byte-swapped, which RFC 1071
 * 2(B) allows: the sum is the same in either byte order. Most of a frame goes this way, so
 * every other byte of it is not one more turn of a loop. */
static inline __attribute__((always_inline)) uint32_t sum_bytes(uint8_t *dst, const uint8_t *src,
							       size_t n, uint32_t sum)
{
	uint64_t s = sum;
	for (; n >= 2 && ((uintptr_t)src & 7); src += 2, n -= 2) {
		s += be16(src);
		if (dst) {
			memcpy(dst, src, 2);
			dst += 2;
		}
	}
	if (!((uintptr_t)src & 7) && (!dst || !((uintptr_t)dst & 7))) {
		uint64_t words = 0; /* at most 2^33 a word: no carry lost under 2^30 words */
		for (; n >= 8; src += 8, n -= 8) {
			uint64_t w = *(const uint64_t *)(const void *)src;
			if (dst) {
				*(uint64_t *)(void *)dst = w;
				dst += 8;
			}
			words += (w & 0xffffffff) + (w >> 32);
		}
		uint16_t le = offload_fold(fold32(words));
		s += (uint16_t)(le << 8 | le >> 8);
	}
	for (; n >= 2; src += 2, n -= 2) {
		s += be16(src);
		if (dst) {
			memcpy(dst, src, 2);
			dst += 2;
		}
	}
	if (n) {
		s += (uint32_t)src[0] << 8;
		if (dst)
			dst[0] = src[0];
	}
	return fold32(s);
}

uint32_t offload_sum(const uint8_t *p, size_t n, uint32_t sum)
{
	return sum_bytes(NULL, p, n, sum);
}

uint32_t offload_copy_sum(uint8_t *dst, const uint8_t *src, size_t n, uint32_t sum)
{
	return sum_bytes(dst, src, n, sum);
}

static bool refuse(const char **why, const char *text)
{
	*why = text;
	return false;
}

bool offload_checksum(const struct net_hdr *h, uint8_t *f, size_t len, const char **why)
{
	/* 5.1.6.2: the field holds the pseudo-header's sum; the device sums from csum_start
	 * to the end, that field included, and stores the complement there. */
	size_t at = (size_t)h->csum_start + h->csum_offset;
	if (h->csum_start >= len || at + 2 > len)
		return refuse(why, "a checksum to fill in outside the frame");
	put16(f + at, (uint16_t)~offload_fold(offload_sum(f + h->csum_start,
							   len - h->csum_start, 0)));
	return true;
}

bool offload_gso_plan(const struct net_hdr *h, const uint8_t *f, size_t len,
		      struct offload_gso *p, const char **why)
{
	memset(p, 0, sizeof(*p));
	p->v6 = (h->gso_type & ~NET_GSO_ECN) == NET_GSO_TCPV6;
	if ((h->gso_type & ~NET_GSO_ECN) != NET_GSO_TCPV4 && !p->v6)
		return refuse(why, "a segmentation other than TCP's");
	if (len < ETH_HEADER + (p->v6 ? 40 : 20))
		return refuse(why, "a segmentation offload of a frame without an IP header");
	p->l3 = ETH_HEADER;
	const uint8_t *ip = f + p->l3;
	if (p->v6) {
		if (be16(f + 12) != ETH_IPV6 || ip[0] >> 4 != 6)
			return refuse(why, "a TCPv6 segmentation of a frame that is not IPv6");
		if (ip[6] != IP_TCP)
			return refuse(why, "a TCPv6 segmentation of IPv6 with extension headers");
		p->l4 = p->l3 + 40;
	} else {
		if (be16(f + 12) != ETH_IPV4 || ip[0] >> 4 != 4 || (ip[0] & 15) < 5)
			return refuse(why, "a TCPv4 segmentation of a frame that is not IPv4");
		if (ip[9] != IP_TCP)
			return refuse(why, "a TCPv4 segmentation of another protocol than TCP");
		if (be16(ip + 6) & 0x3fff)
			return refuse(why, "a TCPv4 segmentation of an IP fragment");
		p->l4 = p->l3 + (size_t)(ip[0] & 15) * 4;
	}
	if (p->l4 + 20 > len || p->l4 + (size_t)(f[p->l4 + 12] >> 4) * 4 > len ||
	    f[p->l4 + 12] >> 4 < 5)
		return refuse(why, "a segmentation offload of a frame without a whole TCP header");
	p->payload = p->l4 + (size_t)(f[p->l4 + 12] >> 4) * 4;
	p->len = len;
	p->mss = h->gso_size;
	if (p->mss < OFFLOAD_MSS_MIN || p->payload + p->mss > NET_FRAME_MAX)
		return refuse(why, "a segment size that does not fit a 1514-byte frame");
	size_t data = len - p->payload;
	p->segments = data ? (unsigned)((data + p->mss - 1) / p->mss) : 1;
	return true;
}

/* The sum of the TCP pseudo-header (RFC 793 3.1, RFC 8200 8.1) of tcp_len bytes. */
static uint32_t pseudo_sum(const struct offload_gso *p, const uint8_t *f, size_t tcp_len)
{
	const uint8_t *ip = f + p->l3;
	uint32_t sum = p->v6 ? offload_sum(ip + 8, 32, 0) : offload_sum(ip + 12, 8, 0);
	return sum + IP_TCP + (uint32_t)tcp_len;
}

size_t offload_gso_segment(const struct offload_gso *p, const uint8_t *f, unsigned i,
			   uint8_t *out)
{
	size_t from = p->payload + (size_t)i * p->mss;
	size_t n = p->len - from < p->mss ? p->len - from : p->mss;
	memcpy(out, f, p->payload);
	uint32_t payload_sum = offload_copy_sum(out + p->payload, f + from, n, 0);
	uint8_t *ip = out + p->l3, *tcp = out + p->l4;
	size_t tcp_len = p->payload - p->l4 + n;
	if (p->v6) {
		put16(ip + 4, (uint16_t)tcp_len);
	} else { /* each segment its own datagram: length, identification, checksum */
		put16(ip + 2, (uint16_t)(p->payload - p->l3 + n));
		put16(ip + 4, (uint16_t)(be16(ip + 4) + i));
		put16(ip + 10, 0);
		put16(ip + 10, (uint16_t)~offload_fold(offload_sum(ip, p->l4 - p->l3, 0)));
	}
	put32(tcp + 4, be32(tcp + 4) + (uint32_t)(i * p->mss));
	if (i + 1 < p->segments)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i > 0)
		tcp[13] &= (uint8_t)~TCP_CWR;
	put16(tcp + 16, 0);
	/* The TCP header is a whole number of 16-bit words: the payload's sum adds on. */
	uint32_t sum = offload_sum(tcp, p->payload - p->l4, pseudo_sum(p, out, tcp_len));
	put16(tcp + 16, (uint16_t)~offload_fold(fold32((uint64_t)sum + payload_sum)));
	return p->payload + n;
}
