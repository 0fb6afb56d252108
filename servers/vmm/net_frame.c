/* virtio-net packets, checked (net_frame.h). */
#include "net_frame.h"

#include <stdbool.h>
#include <string.h>

#include "blk_request.h" /* blk_gather and blk_scatter: the streams of any chain */

struct net_hdr { /* 5.1.6, little-endian like RISC-V */
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset, num_buffers;
};
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

enum net_verdict net_tx_parse(const struct vq_chain *c, size_t *frame_len, const char **why)
{
	*frame_len = 0;
	*why = NULL;
	/* 5.1.6.2: a transmitted packet is device-readable, all of it. */
	if (stream_len(c, true))
		return verdict(NET_BROKEN, why, "a device-writable buffer in a transmitted packet");
	uint64_t total = stream_len(c, false);
	if (total < NET_HDR_SIZE)
		return verdict(NET_BROKEN, why, "a transmitted packet shorter than its 12-byte header");
	uint64_t len = total - NET_HDR_SIZE;
	*frame_len = (size_t)len;
	if (len < NET_ETH_MIN)
		return verdict(NET_DROP, why, "a frame shorter than an Ethernet header");
	if (len > NET_ETH_MAX)
		return verdict(NET_DROP, why, "a frame longer than 1514 bytes (MTU 1500)");
	struct net_hdr h;
	net_gather(c, 0, &h, sizeof(h));
	/* 5.1.6.2.1: without VIRTIO_NET_F_CSUM and the GSO features, neither may be asked. */
	if (h.flags & NET_HDR_F_NEEDS_CSUM)
		return verdict(NET_DROP, why, "a checksum offload, which was not negotiated");
	if (h.gso_type != NET_HDR_GSO_NONE)
		return verdict(NET_DROP, why, "a segmentation offload, which was not negotiated");
	return NET_OK;
}

enum net_verdict net_rx_fill(const struct vq_chain *c, const uint8_t *f, size_t len,
			     uint32_t *written, const char **why)
{
	*written = 0;
	*why = NULL;
	/* 5.1.6.3: receive buffers are device-writable, all of them. */
	if (stream_len(c, false))
		return verdict(NET_BROKEN, why, "a device-readable buffer in a receive chain");
	if (len < NET_ETH_MIN || len > NET_ETH_MAX)
		return verdict(NET_DROP, why, "a frame of a size no Ethernet frame has");
	if (stream_len(c, true) < NET_HDR_SIZE + len)
		return verdict(NET_DROP, why, "a receive buffer too small for the frame");
	/* 5.1.6.4: no checksum or segmentation news; without VIRTIO_NET_F_MRG_RXBUF a packet
	 * is in one buffer chain, so num_buffers is 1. */
	struct net_hdr h = { .gso_type = NET_HDR_GSO_NONE, .num_buffers = 1 };
	blk_scatter(c, 0, &h, sizeof(h));
	blk_scatter(c, NET_HDR_SIZE, f, len);
	*written = (uint32_t)(NET_HDR_SIZE + len);
	return NET_OK;
}
