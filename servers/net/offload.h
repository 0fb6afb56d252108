/* The offloads of struct net_hdr done in software, for a port (or a NIC) that does not
 * take them: the checksum a sender left to the device (virtio 1.2 section 5.1.6.2,
 * NET_F_NEEDS_CSUM) and TCP segmentation (NET_GSO_TCPV4, NET_GSO_TCPV6) into frames of at
 * most NET_FRAME_MAX bytes, each with its IP and TCP checksums (RFC 791, 793, 8200).
 * Pure code, for the host unit tests (tools/unit/test_offload.c) and the fuzzer.
 *
 * The frame is the guest's: every header is parsed here, never taken from hdr_len, and a
 * frame that is not what its header says is refused with a reason. */
#ifndef NET_OFFLOAD_H
#define NET_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vireo/protocol.h>

#define OFFLOAD_MSS_MIN 64 /* segments smaller than this would only multiply frames */

/* The checksum asked for by h (NET_F_NEEDS_CSUM), written into the frame f of len bytes:
 * false with *why when its place is not inside the frame. */
bool offload_checksum(const struct net_hdr *h, uint8_t *f, size_t len, const char **why);

/* A TCP segmentation, parsed. */
struct offload_gso {
	size_t l3, l4, payload; /* where IP and TCP start; where the payload starts */
	size_t len, mss;
	unsigned segments;
	bool v6;
};

/* Parses the frame f of len bytes that h asks to segment: false with *why when it is not
 * an IPv4 (or IPv6) TCP frame as h says, or its segments would not fit NET_FRAME_MAX. */
bool offload_gso_plan(const struct net_hdr *h, const uint8_t *f, size_t len,
		      struct offload_gso *p, const char **why);
/* Writes segment i (< p->segments) of f into out (NET_FRAME_MAX bytes): its length. */
size_t offload_gso_segment(const struct offload_gso *p, const uint8_t *f, unsigned i,
			   uint8_t *out);

/* The Internet checksum's 16-bit ones' complement sum of n bytes (RFC 1071), added to sum;
 * and the same while copying them from src to dst. */
uint32_t offload_sum(const uint8_t *p, size_t n, uint32_t sum);
uint32_t offload_copy_sum(uint8_t *dst, const uint8_t *src, size_t n, uint32_t sum);
uint16_t offload_fold(uint32_t sum);

#endif
