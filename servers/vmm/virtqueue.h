/* Split virtqueues (virtio 1.2 section 2.7), the device side: take the next available
 * descriptor chain, check every descriptor of it, give back used entries. Pure code with
 * no system calls: guest RAM is a view {guest physical base, size, host pointer}, so the
 * host unit tests (tools/unit/test_virtqueue.c) drive it with malformed rings.
 *
 * Everything the guest wrote is read once into local copies before it is checked, so a
 * guest changing its ring meanwhile (another vCPU) cannot slip past the checks. Two
 * features change the ring's use, each only when the device offered it and the driver
 * accepted it (the transport sets the queue's flags): indirect descriptor tables
 * (VIRTIO_F_INDIRECT_DESC, 2.7.5.3) and event-index notification suppression
 * (VIRTIO_F_EVENT_IDX, 2.7.10). */
#ifndef VMM_VIRTQUEUE_H
#define VMM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest queue any device offers (QueueNumMax), which bounds a chain too, indirect
 * tables included: a chain is at most VQ_MAX_SIZE buffers however it is laid out. 512, so
 * that virtio-blk's queue holds a 1 MiB request of 256 scattered pages with its header and
 * status as one chain (2.7.5.3.1: no chain longer than the queue). */
#define VQ_MAX_SIZE 512

/* Feature bits of the ring layout (6). */
#define VIRTIO_F_INDIRECT_DESC (1ull << 28)
#define VIRTIO_F_EVENT_IDX (1ull << 29)

struct guest_mem {
	uint64_t base, size; /* guest physical */
	uint8_t *host;       /* where base is mapped in the monitor */
};

struct virtq {
	uint16_t num;                 /* queue size, a power of two */
	uint64_t desc, avail, used;   /* guest physical addresses of the three parts */
	uint16_t last_avail;          /* the next available ring entry to take */
	uint16_t used_idx;            /* the device's copy of used->idx */
	uint16_t signalled_used;      /* used_idx when the driver was last interrupted */
	bool indirect;                /* VIRTIO_F_INDIRECT_DESC negotiated */
	bool event_idx;               /* VIRTIO_F_EVENT_IDX negotiated */
};

/* One descriptor of a chain, checked: [gpa, gpa + len) lies in guest RAM at host. */
struct vq_buf {
	uint64_t gpa;
	uint32_t len;
	bool writable; /* VIRTQ_DESC_F_WRITE: the device writes it */
	uint16_t index; /* the descriptor's index (in its indirect table if indirect), for messages */
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
	VQ_ERR_INDIRECT_LEN,  /* an indirect table of 0 bytes, not a multiple of 16, or
				 more descriptors than a chain may hold */
	VQ_ERR_INDIRECT_RANGE, /* an indirect table outside guest RAM */
	VQ_ERR_NESTED,        /* an indirect descriptor inside an indirect table */
	VQ_ERR_INDIRECT_NEXT, /* an indirect descriptor that also chains on (F_NEXT) */
};

/* What went wrong and where: the descriptor or ring entry it concerns. */
struct vq_fault {
	enum vq_error error;
	uint32_t index;
	bool indirect; /* index is in the chain's indirect table */
};

/* Checks a queue the driver has set up (size, alignment, each part inside RAM) before the
 * device uses it. */
struct vq_fault vq_check(const struct virtq *q, const struct guest_mem *mem, uint16_t max_size);

/* Takes the next available chain into *c: 1 when one was taken, 0 when none is available,
 * -1 with *fault filled when the ring or the chain is malformed (then nothing is taken).
 * With event-idx, finding the ring empty also asks the driver to notify at its next
 * buffer (avail_event, 2.7.10), and looks once more so that none slips between. */
int vq_pop(struct virtq *q, const struct guest_mem *mem, struct vq_chain *c,
	   struct vq_fault *fault);

/* Returns chain head to the driver with len bytes written into its buffers (2.7.8). A
 * device may push chains in any order and long after it took them (2.7.8: used entries
 * need not follow the available order), as long as the queue has not been reset since. */
void vq_push(struct virtq *q, const struct guest_mem *mem, uint16_t head, uint32_t len);

/* Whether the driver wants a used-buffer notification for what was pushed since the last
 * time this said yes: VIRTQ_AVAIL_F_NO_INTERRUPT, or with event-idx the driver's
 * used_event (2.7.10). Records the answer, so call it once per batch of pushes. */
bool vq_wants_interrupt(struct virtq *q, const struct guest_mem *mem);

/* 2.7.10's vring_need_event: whether moving an index from old to new (mod 2^16) crossed
 * event, the index the other side asked to hear about. */
bool vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx);

/* A one-line description of a fault, e.g. "descriptor 3 outside guest RAM". */
size_t vq_describe(struct vq_fault f, char *buf, size_t size);

#endif
