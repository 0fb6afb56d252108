/* virtio-net packets, checked (net_frame.h). */
#include "net_frame.h"

#include <stdbool.h>
#include <string.h>

#include "blk_request.h" /* blk_gather and blk_scatter: the streams of any chain */

_Static_assert(sizeof(struct net_hdr) == NET_HDR_SIZE, "the VERSION_1 header");

size_t net_gather(const struct vq_chain *c, uint64_t offset, void *dst, size_t n)
{
	return blk_gather(c, offset, dst, n);
}

/* The bytes of one direction of c; at most VQ_MAX_SIZE buffers under 2^32: no wrap. */
static uint64_t stream_len(const struct vq_chain *c, bool writable)
{
	uint64_t n = 0;
	for (unsigned i = 0; i < c->n; i++)
		if (c->buf[i].writable == writable)
			n += c->buf[i].len;
	return n;
}

static enum net_verdict verdict(enum net_verdict v, const char **why, const char *text)
{
	*why = text;
	return v;
}

/* 5.1.6.2.1: a header asks only for what was negotiated, and points inside its frame.
 * Fields are 16 bits, so their sums cannot wrap. */
static const char *offload_fault(const struct net_hdr *h, uint64_t features, uint64_t len)
{
	if (h->flags & ~(NET_F_NEEDS_CSUM | NET_F_DATA_VALID))
		return "a header flag no driver may set";
	if ((h->flags & NET_F_NEEDS_CSUM) && !(features & NET_F_CSUM))
		return "a checksum offload, which was not negotiated";
	if ((h->flags & NET_F_NEEDS_CSUM) &&
	    (h->csum_start >= len || (uint64_t)h->csum_start + h->csum_offset + 2 > len))
		return "a checksum offload outside the frame";
	if (h->gso_type == NET_GSO_NONE)
		return len > NET_ETH_MAX ? "a frame longer than 1514 bytes (MTU 1500)" : NULL;
	uint64_t wanted = h->gso_type == NET_GSO_TCPV4 ? NET_F_HOST_TSO4
			: h->gso_type == NET_GSO_TCPV6 ? NET_F_HOST_TSO6 : 0;
	if (!(features & wanted)) /* UDP, ECN and unknown types are never offered */
		return "a segmentation offload, which was not negotiated";
	if (h->gso_size < NET_GSO_SIZE_MIN || h->gso_size > NET_GSO_SIZE_MAX)
		return "a segment size no 1514-byte frame carries";
	if (h->hdr_len > len)
		return "a segmentation header longer than the frame";
	if (len > NET_GSO_FRAME_MAX)
		return "a segmentation offload of more than 64 KiB";
	return NULL;
}

enum net_verdict net_tx_parse(const struct vq_chain *c, uint64_t features, struct net_hdr *h,
			      size_t *frame_len, const char **why)
{
	*frame_len = 0;
	*why = NULL;
	memset(h, 0, sizeof(*h));
	/* 5.1.6.2: a transmitted packet is device-readable, all of it. */
	if (stream_len(c, true))
		return verdict(NET_BROKEN, why, "a device-writable buffer in a transmitted packet");
	uint64_t total = stream_len(c, false);
	if (total < NET_HDR_SIZE)
		return verdict(NET_BROKEN, why, "a transmitted packet shorter than its 12-byte header");
	uint64_t len = total - NET_HDR_SIZE;
	*frame_len = len > NET_GSO_FRAME_MAX ? NET_GSO_FRAME_MAX + 1 : (size_t)len;
	if (len < NET_ETH_MIN)
		return verdict(NET_DROP, why, "a frame shorter than an Ethernet header");
	net_gather(c, 0, h, sizeof(*h)); /* one copy, checked and then used */
	h->flags &= (uint8_t)~NET_F_DATA_VALID; /* 5.1.6.2.2: means nothing on transmit */
	h->num_buffers = 0;
	const char *fault = offload_fault(h, features, len);
	if (fault)
		return verdict(NET_DROP, why, fault);
	return NET_OK;
}

enum net_verdict net_rx_fill(const struct vq_chain *c, uint64_t features, const struct net_hdr *h,
			     const uint8_t *f, size_t len, uint32_t *written, const char **why)
{
	*written = 0;
	*why = NULL;
	/* 5.1.6.3: receive buffers are device-writable, all of them. */
	if (stream_len(c, false))
		return verdict(NET_BROKEN, why, "a device-readable buffer in a receive chain");
	if (len < NET_ETH_MIN || len > NET_ETH_MAX)
		return verdict(NET_DROP, why, "a frame of a size no Ethernet frame has");
	/* 5.1.6.4: checksum news only for a driver that took GUEST_CSUM; never segments, which
	 * the switch made for a driver without GUEST_TSO. */
	struct net_hdr out = { .num_buffers = 1 }; /* without MRG_RXBUF: one chain a packet */
	if (features & NET_F_GUEST_CSUM) {
		out.flags = h->flags & (NET_F_NEEDS_CSUM | NET_F_DATA_VALID);
		out.csum_start = h->csum_start;
		out.csum_offset = h->csum_offset;
		if ((out.flags & NET_F_NEEDS_CSUM) &&
		    (out.csum_start >= len || (size_t)out.csum_start + out.csum_offset + 2 > len))
			return verdict(NET_DROP, why, "a checksum offload outside the frame");
	} else if (h->flags & NET_F_NEEDS_CSUM) {
		return verdict(NET_DROP, why, "a partial checksum for a driver without GUEST_CSUM");
	}
	if (h->gso_type != NET_GSO_NONE)
		return verdict(NET_DROP, why, "a segmentation offload for a driver without GUEST_TSO");
	if (stream_len(c, true) < NET_HDR_SIZE + len)
		return verdict(NET_DROP, why, "a receive buffer too small for the frame");
	blk_scatter(c, 0, &out, sizeof(out));
	blk_scatter(c, NET_HDR_SIZE, f, len);
	*written = (uint32_t)(NET_HDR_SIZE + len);
	return NET_OK;
}
