/* virtio-net packets (virtio 1.2 section 5.1.6) as descriptor chains the split virtqueue
 * code has already checked, each buffer inside guest RAM. Pure code, so that the host unit
 * tests (tools/unit/test_net_frame.c) and the fuzzer drive it with hostile chains.
 *
 * Every packet is the 12-byte struct virtio_net_hdr (VIRTIO_F_VERSION_1 layout, with
 * num_buffers) and one Ethernet frame, in any framing (2.6.4). The device offers no
 * offloads, so a header asking for a checksum or segmentation is the driver's mistake. */
#ifndef VMM_NET_FRAME_H
#define VMM_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "virtqueue.h"

#define NET_HDR_SIZE 12
#define NET_ETH_MIN 14   /* protocol.h NET_FRAME_MIN and NET_FRAME_MAX */
#define NET_ETH_MAX 1514
#define NET_HDR_F_NEEDS_CSUM 1
#define NET_HDR_GSO_NONE 0

enum net_verdict {
	NET_OK,     /* go on with the packet */
	NET_DROP,   /* a packet no network carries (its size, offloads): drop it and count */
	NET_BROKEN, /* a chain of the wrong direction: the device needs a reset */
};

/* A transmitted packet of chain c: on NET_OK, *frame_len bytes of frame follow the header
 * in the device-readable stream; otherwise *why says what was wrong (and *frame_len is the
 * frame's size, for the message, or 0 without a whole header). */
enum net_verdict net_tx_parse(const struct vq_chain *c, size_t *frame_len, const char **why);

/* Writes the header and the frame f of len bytes (NET_ETH_MIN..NET_ETH_MAX) into receive
 * chain c: on NET_OK, *written bytes (the used length); otherwise *why. */
enum net_verdict net_rx_fill(const struct vq_chain *c, const uint8_t *f, size_t len,
			     uint32_t *written, const char **why);

/* Copies n bytes from offset of c's device-readable stream to dst; the bytes copied. */
size_t net_gather(const struct vq_chain *c, uint64_t offset, void *dst, size_t n);

#endif
