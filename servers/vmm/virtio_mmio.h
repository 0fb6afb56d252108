/* The virtio-mmio transport (virtio 1.2 section 4.2), modern interface (Version 2) only:
 * the register file a guest driver sees in one device window, the device status and
 * feature handshake (2.1, 2.2, 3.1), queue set-up and interrupts. A device type is an ops
 * table (virtio_rng.c) that serves its queues when the driver notifies them.
 *
 * Whatever the guest does wrong ends in one line on its console stream (rate-limited by
 * guest_warn), never in the monitor: a malformed queue puts the device in
 * DEVICE_NEEDS_RESET (2.1.2) until the driver resets it by writing 0 to Status. */
#ifndef VMM_VIRTIO_MMIO_H
#define VMM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include "virtqueue.h"

struct guest;
struct virtio_mmio;

#define VIRTIO_MMIO_SIZE 0x1000ul
#define VIRTIO_MAX_QUEUES 2

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* InterruptStatus bits (4.2.2). */
#define VIRTIO_INT_USED 1
#define VIRTIO_INT_CONFIG 2

#define VIRTIO_F_VERSION_1 (1ull << 32) /* 6: the modern interface, always offered */

struct virtio_device_ops {
	const char *name;          /* in messages: "virtio-rng" */
	uint32_t device_id;        /* 5: e.g. 4 for an entropy source */
	uint64_t features;         /* offered besides VIRTIO_F_VERSION_1 */
	unsigned nqueues;          /* up to VIRTIO_MAX_QUEUES */
	uint16_t queue_max;        /* QueueNumMax, a power of two up to VQ_MAX_SIZE */
	uint32_t config_size;      /* bytes of device configuration space */
	/* Whether guest g gets the device (e.g. the kernel has entropy, g has a disk). */
	bool (*available)(const struct guest *g);
	/* Reads width bytes at offset of the configuration space (inside config_size). */
	uint64_t (*config_read)(struct virtio_mmio *d, uint32_t offset, unsigned width);
	/* The driver notified queue q, which is ready, with DRIVER_OK set: serve what is
	 * available, vq_push each chain, then virtio_mmio_used; or virtio_mmio_fail. */
	void (*notify)(struct virtio_mmio *d, unsigned q);
};

struct virtio_queue {
	struct virtq vq;
	bool ready;
};

struct virtio_mmio {
	const struct virtio_device_ops *ops;
	struct guest *g;
	uint64_t base;
	uint32_t irq;
	struct guest_mem mem;
	uint32_t status, interrupt_status;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	bool line; /* the level last given to the guest's PLIC */
	struct virtio_queue queue[VIRTIO_MAX_QUEUES];
};

void virtio_mmio_init(struct virtio_mmio *d, struct guest *g, const struct virtio_device_ops *ops,
		      uint64_t base, uint32_t irq);
/* One guest access at offset in the window: the value read (0 for writes). */
uint64_t virtio_mmio_access(struct virtio_mmio *d, uint64_t offset, unsigned width, bool write,
			    uint64_t value);
/* For devices: used entries were added to queue q; notify the driver if it wants that. */
void virtio_mmio_used(struct virtio_mmio *d, unsigned q);
/* For devices: the guest broke the device; say why, set DEVICE_NEEDS_RESET. */
void virtio_mmio_fail(struct virtio_mmio *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* virtio_rng.c */
extern const struct virtio_device_ops virtio_rng_ops;
/* virtio_blk.c */
extern const struct virtio_device_ops virtio_blk_ops;
/* virtio_net.c */
extern const struct virtio_device_ops virtio_net_ops;

#endif
