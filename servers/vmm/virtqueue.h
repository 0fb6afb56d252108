/* Split virtqueues (virtio 1.2 section 2.7), the device side: take the next available
 * descriptor chain, check every descriptor of it, give back used entries. Pure code with
 * no system calls: guest RAM is a view {guest physical base, size, host pointer}, so the
 * host unit tests (tools/unit/test_virtqueue.c) drive it with malformed rings.
 *
 * Everything the guest wrote is read once into local copies before it is checked, so a
 * guest changing its ring meanwhile (another vCPU) cannot slip past the checks. No feature
 * that changes the ring format is offered: no VIRTIO_F_INDIRECT_DESC, no
 * VIRTIO_F_EVENT_IDX. */
#ifndef VMM_VIRTQUEUE_H
#define VMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest queue any device offers (QueueNumMax), which bounds a chain too. */
#define VQ_MAX_SIZE 256

struct guest_mem {
	uint64_t base, size; /* guest physical */
	uint8_t *host;       /* where base is mapped in the monitor */
};

struct virtq {
	uint16_t num;                 /* queue size, a power of two */
	uint64_t desc, avail, used;   /* guest physical addresses of the three parts */
	uint16_t last_avail;          /* the next available ring entry to take */
	uint16_t used_idx;            /* the device's copy of used->idx */
};

/* One descriptor of a chain, checked: [gpa, gpa + len) lies in guest RAM at host. */
struct vq_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable; /* VIRTQ_DESC_F_WRITE: the device writes it */
	uint16_t index; /* the descriptor's index, for messages */
	uint8_t *host;
};

struct vq_chain {
	uint16_t head;
	unsigned n;
	struct vq_buf buf[VQ_MAX_SIZE];
};

enum vq_error {
	VQ_OK,
	VQ_ERR_SIZE,          /* queue size 0, not a power of two, or above the maximum */
	VQ_ERR_ALIGN,         /* a ring part misaligned (2.7: 16, 2, 4 bytes) */
	VQ_ERR_RING_RANGE,    /* a ring part outside guest RAM */
	VQ_ERR_AVAIL_IDX,     /* avail->idx ran more than the queue size ahead */
	VQ_ERR_HEAD,          /* the available ring names a descriptor >= queue size */
	VQ_ERR_NEXT,          /* a next field >= queue size */
	VQ_ERR_LOOP,          /* a chain longer than the queue: it loops */
	VQ_ERR_RANGE,         /* a buffer outside guest RAM, or wrapping around */
	VQ_ERR_INDIRECT,      /* VIRTQ_DESC_F_INDIRECT, not negotiated */
	VQ_ERR_ORDER,         /* a device-readable descriptor after a device-writable one */
};

/* What went wrong and where: the descriptor or ring entry it concerns. */
struct vq_fault {
	enum vq_error error;
	uint32_t index;
};

/* Checks a queue the driver has set up (size, alignment, each part inside RAM) before the
 * device uses it. */
struct vq_fault vq_check(const struct virtq *q, const struct guest_mem *mem, uint16_t max_size);

/* Takes the next available chain into *c: 1 when one was taken, 0 when none is available,
 * -1 with *fault filled when the ring or the chain is malformed (then nothing is taken). */
int vq_pop(struct virtq *q, const struct guest_mem *mem, struct vq_chain *c,
	   struct vq_fault *fault);

/* Returns chain head to the driver with len bytes written into its buffers (2.7.8). */
void vq_push(struct virtq *q, const struct guest_mem *mem, uint16_t head, uint32_t len);

/* Whether the driver wants a used-buffer notification (2.7.10: VIRTQ_AVAIL_F_NO_INTERRUPT,
 * without VIRTIO_F_EVENT_IDX). */
bool vq_wants_interrupt(const struct virtq *q, const struct guest_mem *mem);

/* A one-line description of a fault, e.g. "descriptor 3 outside guest RAM". */
size_t vq_describe(struct vq_fault f, char *buf, size_t size);

#endif
