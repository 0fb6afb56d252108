/* What Vireo's virtio drivers share about the device side of virtio-mmio (virtio 1.2
 * section 4.2.2, Version 2) and split virtqueues (2.7): register offsets, status bits and
 * the ring layouts, sized by each driver's QUEUE_SIZE. */
#ifndef DRIVERS_VIRTIO_MMIO_REGS_H
#define DRIVERS_VIRTIO_MMIO_REGS_H

#include <stdint.h>

enum {
	VIRTIO_MAGIC = 0x000, VIRTIO_VERSION = 0x004, VIRTIO_DEVICE_ID = 0x008,
	VIRTIO_DEVICE_FEATURES = 0x010, VIRTIO_DEVICE_FEATURES_SEL = 0x014,
	VIRTIO_DRIVER_FEATURES = 0x020, VIRTIO_DRIVER_FEATURES_SEL = 0x024,
	VIRTIO_QUEUE_SEL = 0x030, VIRTIO_QUEUE_NUM_MAX = 0x034, VIRTIO_QUEUE_NUM = 0x038,
	VIRTIO_QUEUE_READY = 0x044, VIRTIO_QUEUE_NOTIFY = 0x050,
	VIRTIO_INTERRUPT_STATUS = 0x060, VIRTIO_INTERRUPT_ACK = 0x064, VIRTIO_STATUS = 0x070,
	VIRTIO_QUEUE_DESC = 0x080, VIRTIO_QUEUE_DRIVER = 0x090, VIRTIO_QUEUE_DEVICE = 0x0a0,
	VIRTIO_CONFIG_GENERATION = 0x0fc, VIRTIO_CONFIG = 0x100,
};
#define VIRTIO_MAGIC_VALUE 0x74726976u /* "virt" */

/* 2.1: device status. */
#define VIRTIO_S_ACKNOWLEDGE 1
#define VIRTIO_S_DRIVER 2
#define VIRTIO_S_DRIVER_OK 4
#define VIRTIO_S_FEATURES_OK 8
#define VIRTIO_S_FAILED 128
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* 2.7.5 - 2.7.8 */
struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1
struct virtq_used_elem {
	uint32_t id, len;
};

#endif
