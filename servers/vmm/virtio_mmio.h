/* The virtio-mmio transport (virtio 1.2 section 4.2), modern interface (Version 2) only:
 * the register file a guest driver sees in one device window, the device status and
 * feature handshake (2.1, 2.2, 3.1), queue set-up and interrupts. A device type is an ops
 * table (virtio_rng.c, virtio_blk.c) with per-device state, as kvmtool's virtio_ops, that
 * serves its queues when the driver notifies them, at once or later when its backend
 * answers.
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
/* Enough for virtio-net (receive, transmit, control), virtio-fs (hiprio and a request
 * queue) and a virtio-console with two ports (a receive and a transmit queue per port,
 * plus the control pair: 6). */
#define VIRTIO_MAX_QUEUES 6

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

/* A device type. The fields above `available` must be set; every hook below it marked
 * optional may be NULL, and then the transport does what the comment says. */
struct virtio_device_ops {
	const char *name;          /* in messages and hvstat: "virtio-rng" */
	uint32_t device_id;        /* 5: e.g. 4 for an entropy source */
	/* Offered besides VIRTIO_F_VERSION_1. VIRTIO_F_INDIRECT_DESC and VIRTIO_F_EVENT_IDX
	 * (virtqueue.h) are the transport's to carry out: a device offers them by naming
	 * them here, and its queues follow what the driver accepted. */
	uint64_t features;
	unsigned nqueues;          /* up to VIRTIO_MAX_QUEUES */
	uint16_t queue_max;        /* QueueNumMax, a power of two up to VQ_MAX_SIZE */
	uint32_t config_size;      /* bytes of device configuration space */
	/* Whether guest g gets the device (e.g. the kernel has entropy, g has a disk). */
	bool (*available)(const struct guest *g);
	/* Optional: called once virtio_mmio_init has set d up, e.g. to point d->state at the
	 * device's own state for this guest. */
	void (*init)(struct virtio_mmio *d);
	/* Reads width bytes at offset of the configuration space: the transport has checked
	 * that the access is naturally aligned, 1 to 8 bytes, inside config_size. */
	uint64_t (*config_read)(struct virtio_mmio *d, uint32_t offset, unsigned width);
	/* Optional: a driver's write, checked as for config_read; the device checks the value
	 * (it is the guest's). NULL: the space is read-only, and writes are ignored without
	 * complaint (2.5: a driver may write only the fields a device defines as writable). */
	void (*config_write)(struct virtio_mmio *d, uint32_t offset, unsigned width,
			     uint64_t value);
	/* The driver notified queue q, which is ready, with DRIVER_OK set, or DRIVER_OK came
	 * with q ready: serve what is available, vq_push each chain, then virtio_mmio_used;
	 * or virtio_mmio_fail. A device may instead keep a chain pending (its head and the
	 * epoch, below) and complete it later with virtio_mmio_complete. With event-idx the
	 * driver notifies only when the device found the ring empty: a device that stops
	 * taking chains early (its backend is busy) must look again when it can. */
	void (*notify)(struct virtio_mmio *d, unsigned q);
	/* Optional: the device goes back to its power-on state (the driver wrote 0 to Status,
	 * 2.4) or goes away with its guest: forget every chain pending, tell the backend.
	 * Called before the transport clears its own state. */
	void (*reset)(struct virtio_mmio *d);
	/* Optional: the driver wrote Status, which went from old to now (not to 0: that is
	 * reset), e.g. to start a backend once DRIVER_OK is set. */
	void (*status)(struct virtio_mmio *d, uint32_t old, uint32_t now);
	/* Optional: the device's wake bit (virtio_mmio_wake_bit) was notified on the monitor's
	 * endpoint: its backend answered or has data. Collect it, complete chains. */
	void (*wake)(struct virtio_mmio *d);
};

struct virtio_queue {
	struct virtq vq;
	bool ready;
};

/* What a device did for its guest, for hvstat. The transport counts notifications,
 * interrupts and the driver's mistakes; a device counts requests, bytes and requests it
 * answered with an error. */
struct virtio_stats {
	uint64_t requests;      /* requests (chains) served */
	uint64_t bytes;         /* data bytes moved to or from the guest */
	uint64_t notifications; /* QueueNotify writes: the guest's kicks */
	uint64_t interrupts;    /* interrupts raised on the guest's PLIC */
	uint64_t errors;        /* requests failed, and each misuse the device reported */
};

struct virtio_mmio {
	const struct virtio_device_ops *ops;
	void *state; /* the device's own (its init hook sets it) */
	struct guest *g;
	uint64_t base;
	uint32_t irq;
	struct guest_mem mem;
	uint32_t status, interrupt_status;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	/* Changes at every reset and whenever a queue is enabled or disabled, to a value no
	 * device had before: a chain kept pending across a change belongs to rings that are
	 * gone. */
	uint32_t epoch;
	uint64_t wake_bit; /* 0, or the notification bit virtio_mmio_wake_bit gave */
	uint32_t config_generation; /* ConfigGeneration (4.2.2): one up at each change */
	bool line; /* the level last given to the guest's PLIC */
	struct virtio_queue queue[VIRTIO_MAX_QUEUES];
	struct virtio_stats stats;
};

void virtio_mmio_init(struct virtio_mmio *d, struct guest *g, const struct virtio_device_ops *ops,
		      uint64_t base, uint32_t irq);
/* The device goes away with its guest (its reset hook runs, its wake bit is freed). */
void virtio_mmio_exit(struct virtio_mmio *d);
/* One guest access at offset in the window: the value read (0 for writes). */
uint64_t virtio_mmio_access(struct virtio_mmio *d, uint64_t offset, unsigned width, bool write,
			    uint64_t value);
/* For devices: used entries were added to queue q; notify the driver if it wants that. */
void virtio_mmio_used(struct virtio_mmio *d, unsigned q);
/* For devices: completes a chain kept pending since epoch, with len bytes written, unless
 * the device was reset, queue q disabled or the device broken since: then the chain is
 * no longer the driver's to get back, and false says it was dropped. Call
 * virtio_mmio_used after a batch. */
bool virtio_mmio_complete(struct virtio_mmio *d, unsigned q, uint32_t epoch, uint16_t head,
			  uint32_t len);
/* For devices: the configuration space changed (e.g. a link went up): ConfigGeneration
 * moves on, so that a driver reading across the change reads again (2.5.1), and once
 * DRIVER_OK is set the driver gets a configuration change interrupt (4.2.3.4). */
void virtio_mmio_config_changed(struct virtio_mmio *d);
/* For devices: the guest broke the device; say why, set DEVICE_NEEDS_RESET. */
void virtio_mmio_fail(struct virtio_mmio *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The monitor endpoint's notification bits that wake devices; the low eight are main.c's. */
#define VIRTIO_WAKE_BITS (~0xffull)
/* For devices with a backend that answers later: a notification bit of the monitor's
 * endpoint (monitor_endpoint()) that, notified by the backend, calls the device's wake
 * hook; 0 when all are taken. Kept until virtio_mmio_exit. */
uint64_t virtio_mmio_wake_bit(struct virtio_mmio *d);
/* For the monitor's loop: bits notified on its endpoint, each to the device it wakes. */
void virtio_mmio_wake(uint64_t bits);

/* virtio_rng.c */
extern const struct virtio_device_ops virtio_rng_ops;
/* virtio_blk.c */
extern const struct virtio_device_ops virtio_blk_ops;
/* virtio_console.c */
extern const struct virtio_device_ops virtio_console_ops;
/* virtio_fs.c */
extern const struct virtio_device_ops virtio_fs_ops;
/* virtio_net.c */
extern const struct virtio_device_ops virtio_net_ops;

#endif
