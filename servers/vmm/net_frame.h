/* virtio-net packets (virtio 1.2 section 5.1.6) as descriptor chains the split virtqueue
 * code has already checked, each buffer inside guest RAM. Pure code, so that the host unit
 * tests (tools/unit/test_net_frame.c) and the fuzzer drive it with hostile chains.
 *
 * Every packet is the 12-byte struct virtio_net_hdr (VIRTIO_F_VERSION_1 layout, with
 * num_buffers; protocol.h struct net_hdr) and one Ethernet frame, in any framing (2.6.4).
 * The header's offloads are the guest's word: each is checked against what the driver
 * negotiated and against the frame before the frame goes anywhere. */
#ifndef VMM_NET_FRAME_H
#define VMM_NET_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <vireo/protocol.h>

#include "virtqueue.h"

#define NET_HDR_SIZE NET_HDR_BYTES
#define NET_ETH_MIN NET_FRAME_MIN
#define NET_ETH_MAX NET_FRAME_MAX
#define NET_HDR_F_NEEDS_CSUM NET_F_NEEDS_CSUM
#define NET_HDR_GSO_NONE NET_GSO_NONE
/* The smallest and largest segment a guest may ask for: a 1514-byte frame holds at most
 * 1460 bytes of TCP over IPv4 (offload.h checks the exact fit). */
#define NET_GSO_SIZE_MIN 64
#define NET_GSO_SIZE_MAX (NET_FRAME_MAX - 14 - 40)

/* 5.1.3: the offloads the device offers, with the ring features. */
#define NET_F_CSUM (1ull << 0)       /* the device completes checksums */
#define NET_F_GUEST_CSUM (1ull << 1) /* the driver takes frames with partial checksums */
#define NET_F_MAC (1ull << 5)
#define NET_F_HOST_TSO4 (1ull << 11) /* the device segments TCPv4 */
#define NET_F_HOST_TSO6 (1ull << 12)

enum net_verdict {
	NET_OK,     /* go on with the packet */
	NET_DROP,   /* a packet no network carries (its size, offloads): drop it and count */
	NET_BROKEN, /* a chain of the wrong direction: the device needs a reset */
};

/* A transmitted packet of chain c from a driver that accepted features: on NET_OK, *h is
 * its header (num_buffers 0) and *frame_len bytes of frame follow it in the device-readable
 * stream; otherwise *why says what was wrong (and *frame_len is the frame's size, for the
 * message, or 0 without a whole header). */
enum net_verdict net_tx_parse(const struct vq_chain *c, uint64_t features, struct net_hdr *h,
			      size_t *frame_len, const char **why);

/* Writes header h (with num_buffers 1) and the frame f of len bytes into receive chain c
 * of a driver that accepted features: on NET_OK, *written bytes (the used length);
 * otherwise *why. */
enum net_verdict net_rx_fill(const struct vq_chain *c, uint64_t features, const struct net_hdr *h,
			     const uint8_t *f, size_t len, uint32_t *written, const char **why);

/* Copies n bytes from offset of c's device-readable stream to dst; the bytes copied. */
size_t net_gather(const struct vq_chain *c, uint64_t offset, void *dst, size_t n);

#endif
