/* Split virtqueues, the device side (virtio 1.2 section 2.7; virtqueue.h). */
#include "virtqueue.h"

#include "format.h"

/* 2.7.5: struct virtq_desc. */
#define DESC_SIZE 16
#define DESC_F_NEXT 1
#define DESC_F_WRITE 2
#define DESC_F_INDIRECT 4
/* 2.7.6: struct virtq_avail is flags, idx, ring[num], used_event. */
#define AVAIL_F_NO_INTERRUPT 1
/* 2.7.8: struct virtq_used is flags, idx, ring[num] of {id, len}, avail_event. */
#define USED_ELEM_SIZE 8

enum { PART_DESC, PART_AVAIL, PART_USED };

/* The guest may change its rings at any time: each field is read once, through volatile,
 * and only the copy is used. Virtio's rings are little-endian (1.2 section 1.4), as RISC-V
 * and the host test machines are. */
static uint16_t load16(const uint8_t *p)
{
	return *(const volatile uint16_t *)p;
}

static uint32_t load32(const uint8_t *p)
{
	return *(const volatile uint32_t *)p;
}

static uint64_t load64(const uint8_t *p)
{
	return *(const volatile uint64_t *)p;
}

static void store16(uint8_t *p, uint16_t v)
{
	*(volatile uint16_t *)p = v;
}

static void store32(uint8_t *p, uint32_t v)
{
	*(volatile uint32_t *)p = v;
}

/* [gpa, gpa + len) in the monitor, or NULL when any of it lies outside guest RAM; written
 * with subtractions so that no sum can wrap around. */
static uint8_t *host_range(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (gpa < mem->base || len > mem->size || gpa - mem->base > mem->size - len)
		return NULL;
	return mem->host + (gpa - mem->base);
}

static struct vq_fault fault(enum vq_error error, uint32_t index)
{
	return (struct vq_fault){ .error = error, .index = index };
}

struct vq_fault vq_check(const struct virtq *q, const struct guest_mem *mem, uint16_t max_size)
{
	uint64_t num = q->num;
	/* 2.7: a split queue's size is a power of two, at most QueueNumMax (4.2.2). */
	if (num == 0 || (num & (num - 1)) || num > max_size)
		return fault(VQ_ERR_SIZE, q->num);
	/* 2.7: alignment of the descriptor table, available ring and used ring. */
	if (q->desc % 16)
		return fault(VQ_ERR_ALIGN, PART_DESC);
	if (q->avail % 2)
		return fault(VQ_ERR_ALIGN, PART_AVAIL);
	if (q->used % 4)
		return fault(VQ_ERR_ALIGN, PART_USED);
	/* 2.7: sizes 16 * num, 6 + 2 * num and 6 + 8 * num bytes. */
	if (!host_range(mem, q->desc, DESC_SIZE * num))
		return fault(VQ_ERR_RING_RANGE, PART_DESC);
	if (!host_range(mem, q->avail, 6 + 2 * num))
		return fault(VQ_ERR_RING_RANGE, PART_AVAIL);
	if (!host_range(mem, q->used, 6 + USED_ELEM_SIZE * num))
		return fault(VQ_ERR_RING_RANGE, PART_USED);
	return fault(VQ_OK, 0);
}

int vq_pop(struct virtq *q, const struct guest_mem *mem, struct vq_chain *c,
	   struct vq_fault *f)
{
	const uint8_t *avail = mem->host + (q->avail - mem->base);
	const uint8_t *desc = mem->host + (q->desc - mem->base);
	uint16_t avail_idx = load16(avail + 2);
	uint16_t ahead = (uint16_t)(avail_idx - q->last_avail); /* 2.7.6: idx wraps at 2^16 */

	if (ahead == 0)
		return 0;
	if (ahead > q->num) {
		*f = fault(VQ_ERR_AVAIL_IDX, avail_idx);
		return -1;
	}
	/* 2.7.13.3: the ring entries and descriptors are read after the index. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	uint16_t head = load16(avail + 4 + 2 * (q->last_avail & (q->num - 1)));
	if (head >= q->num) {
		*f = fault(VQ_ERR_HEAD, head);
		return -1;
	}

	bool seen_writable = false;
	uint16_t i = head;
	c->n = 0;
	for (;;) {
		/* 2.7.5.1: a chain holds at most the queue size of descriptors; more means it
		 * loops, which a walk must not follow forever. */
		if (c->n == q->num) {
			*f = fault(VQ_ERR_LOOP, head);
			return -1;
		}
		const uint8_t *d = desc + DESC_SIZE * i;
		uint64_t addr = load64(d);
		uint32_t len = load32(d + 8);
		uint16_t flags = load16(d + 12), next = load16(d + 14);
		if (flags & DESC_F_INDIRECT) {
			*f = fault(VQ_ERR_INDIRECT, i);
			return -1;
		}
		uint8_t *host = host_range(mem, addr, len);
		if (!host) {
			*f = fault(VQ_ERR_RANGE, i);
			return -1;
		}
		/* 2.7.4.2: device-readable descriptors come before device-writable ones. */
		bool writable = flags & DESC_F_WRITE;
		if (seen_writable && !writable) {
			*f = fault(VQ_ERR_ORDER, i);
			return -1;
		}
		seen_writable |= writable;
		c->buf[c->n++] = (struct vq_buf){ .gpa = addr, .len = len, .writable = writable,
						  .index = i, .host = host };
		if (!(flags & DESC_F_NEXT))
			break;
		if (next >= q->num) {
			*f = fault(VQ_ERR_NEXT, i);
			return -1;
		}
		i = next;
	}
	c->head = head;
	q->last_avail++;
	return 1;
}

void vq_push(struct virtq *q, const struct guest_mem *mem, uint16_t head, uint32_t len)
{
	uint8_t *used = mem->host + (q->used - mem->base);
	uint8_t *elem = used + 4 + USED_ELEM_SIZE * (q->used_idx & (q->num - 1));
	store32(elem, head);
	store32(elem + 4, len);
	/* 2.7.8.2 (2.7.13.3 from the device's side): the entry before the index. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	store16(used + 2, ++q->used_idx);
}

bool vq_wants_interrupt(const struct virtq *q, const struct guest_mem *mem)
{
	const uint8_t *avail = mem->host + (q->avail - mem->base);
	/* The interrupt follows used entries the guest reads: make them visible first. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !(load16(avail) & AVAIL_F_NO_INTERRUPT);
}

size_t vq_describe(struct vq_fault f, char *buf, size_t size)
{
	static const char *const parts[] = { "descriptor table", "available ring", "used ring" };
	const char *part = f.index < 3 ? parts[f.index] : "ring";
	switch (f.error) {
	case VQ_OK:
		return snformat(buf, size, "no error");
	case VQ_ERR_SIZE:
		return snformat(buf, size, "queue size %u is not a power of two up to QueueNumMax",
				f.index);
	case VQ_ERR_ALIGN:
		return snformat(buf, size, "%s misaligned", part);
	case VQ_ERR_RING_RANGE:
		return snformat(buf, size, "%s outside guest RAM", part);
	case VQ_ERR_AVAIL_IDX:
		return snformat(buf, size, "available index %u more than a queue ahead", f.index);
	case VQ_ERR_HEAD:
		return snformat(buf, size, "available ring names descriptor %u, past the queue",
				f.index);
	case VQ_ERR_NEXT:
		return snformat(buf, size, "descriptor %u has a next index past the queue", f.index);
	case VQ_ERR_LOOP:
		return snformat(buf, size, "chain from descriptor %u longer than the queue (a loop)",
				f.index);
	case VQ_ERR_RANGE:
		return snformat(buf, size, "descriptor %u outside guest RAM", f.index);
	case VQ_ERR_INDIRECT:
		return snformat(buf, size, "descriptor %u is indirect, a feature not offered",
				f.index);
	case VQ_ERR_ORDER:
		return snformat(buf, size, "descriptor %u is device-readable after a writable one",
				f.index);
	}
	return snformat(buf, size, "unknown virtqueue error");
}
