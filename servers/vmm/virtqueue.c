/* Split virtqueues, the device side (virtio 1.2 section 2.7; virtqueue.h). */
#include "virtqueue.h"

#include <string.h>

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

/* 2.7.5: one descriptor, copied out of the guest's table in one go. The copy is made
 * with memcpy, which takes any alignment (an indirect table has none in 2.7.5.3), and the
 * barrier keeps the compiler from reading the guest's bytes again later. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct desc load_desc(const uint8_t *p)
{
	struct desc d;
	memcpy(&d, p, sizeof(d));
	__asm__ volatile("" : : : "memory");
	return d;
}

static int refuse(struct vq_fault *f, enum vq_error error, uint32_t index, bool indirect)
{
	*f = fault(error, index);
	f->indirect = indirect;
	return -1;
}

/* The driver's available index; with event-idx, a ring found empty first asks the driver
 * to notify at its next buffer (avail_event = last_avail), then is looked at again, so
 * that a buffer added between the two reads is not left waiting for a kick that the
 * driver, reading the old avail_event, would not send (2.7.10). */
static uint16_t avail_index(struct virtq *q, const struct guest_mem *mem)
{
	const uint8_t *avail = mem->host + (q->avail - mem->base);
	uint16_t idx = load16(avail + 2);
	if (idx != q->last_avail || !q->event_idx)
		return idx;
	uint8_t *used = mem->host + (q->used - mem->base);
	store16(used + 4 + USED_ELEM_SIZE * q->num, q->last_avail);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16(avail + 2);
}

/* Walks the chain from head: its direct descriptors, then at most one indirect table,
 * which ends it (2.7.5.3.1: an indirect descriptor has no F_NEXT, and an indirect table
 * holds no indirect descriptor). In each table a chain visits each descriptor at most
 * once, so a walk longer than its table loops. */
static int walk(const struct virtq *q, const struct guest_mem *mem, uint16_t head,
		struct vq_chain *c, struct vq_fault *f)
{
	const uint8_t *table = mem->host + (q->desc - mem->base);
	uint32_t size = q->num, walked = 0;
	bool indirect = false, seen_writable = false;
	uint16_t i = head;
	c->n = 0;
	for (;;) {
		if (walked == size)
			return refuse(f, VQ_ERR_LOOP, head, indirect);
		struct desc d = load_desc(table + DESC_SIZE * i);
		walked++;
		if (d.flags & DESC_F_INDIRECT) {
			if (!q->indirect)
				return refuse(f, VQ_ERR_INDIRECT, i, indirect);
			if (indirect)
				return refuse(f, VQ_ERR_NESTED, i, true);
			if (d.flags & DESC_F_NEXT)
				return refuse(f, VQ_ERR_INDIRECT_NEXT, i, false);
			/* 2.7.5.3: len is the table's bytes, 16 per descriptor; the chain's
			 * direct part and the table together stay within VQ_MAX_SIZE. */
			if (d.len == 0 || d.len % DESC_SIZE || d.len / DESC_SIZE > VQ_MAX_SIZE - c->n)
				return refuse(f, VQ_ERR_INDIRECT_LEN, i, false);
			table = host_range(mem, d.addr, d.len);
			if (!table)
				return refuse(f, VQ_ERR_INDIRECT_RANGE, i, false);
			size = d.len / DESC_SIZE;
			walked = 0;
			indirect = true;
			i = 0; /* 2.7.5.3.2: the table's first descriptor starts the chain */
			continue;
		}
		uint8_t *host = host_range(mem, d.addr, d.len);
		if (!host)
			return refuse(f, VQ_ERR_RANGE, i, indirect);
		/* 2.7.4.2: device-readable descriptors come before device-writable ones. */
		bool writable = d.flags & DESC_F_WRITE;
		if (seen_writable && !writable)
			return refuse(f, VQ_ERR_ORDER, i, indirect);
		seen_writable |= writable;
		c->buf[c->n++] = (struct vq_buf){ .gpa = d.addr, .len = d.len, .writable = writable,
						  .index = i, .host = host };
		if (!(d.flags & DESC_F_NEXT))
			return 1;
		if (d.next >= size)
			return refuse(f, VQ_ERR_NEXT, i, indirect);
		i = d.next;
	}
}

int vq_pop(struct virtq *q, const struct guest_mem *mem, struct vq_chain *c,
	   struct vq_fault *f)
{
	const uint8_t *avail = mem->host + (q->avail - mem->base);
	uint16_t avail_idx = avail_index(q, mem);
	uint16_t ahead = (uint16_t)(avail_idx - q->last_avail); /* 2.7.6: idx wraps at 2^16 */

	if (ahead == 0)
		return 0;
	if (ahead > q->num)
		return refuse(f, VQ_ERR_AVAIL_IDX, avail_idx, false);
	/* 2.7.13.3: the ring entries and descriptors are read after the index. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	uint16_t head = load16(avail + 4 + 2 * (q->last_avail & (q->num - 1)));
	if (head >= q->num)
		return refuse(f, VQ_ERR_HEAD, head, false);
	if (walk(q, mem, head, c, f) < 0)
		return -1;
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

bool vq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

bool vq_wants_interrupt(struct virtq *q, const struct guest_mem *mem)
{
	const uint8_t *avail = mem->host + (q->avail - mem->base);
	uint16_t old = q->signalled_used;
	/* The interrupt follows used entries the guest reads: make them visible first, and
	 * read the driver's wish only after. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	q->signalled_used = q->used_idx;
	/* 2.7.10: with event-idx the flags' low bit is ignored; used_event follows the ring. */
	if (q->event_idx)
		return vq_need_event(load16(avail + 4 + 2 * q->num), q->used_idx, old);
	return !(load16(avail) & AVAIL_F_NO_INTERRUPT);
}

size_t vq_describe(struct vq_fault f, char *buf, size_t size)
{
	static const char *const parts[] = { "descriptor table", "available ring", "used ring" };
	const char *part = f.index < 3 ? parts[f.index] : "ring";
	const char *what = f.indirect ? "indirect descriptor" : "descriptor";
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
		return snformat(buf, size, "%s %u has a next index past its table", what, f.index);
	case VQ_ERR_LOOP:
		return snformat(buf, size, "chain from descriptor %u longer than %s (a loop)",
				f.index, f.indirect ? "its indirect table" : "the queue");
	case VQ_ERR_RANGE:
		return snformat(buf, size, "%s %u outside guest RAM", what, f.index);
	case VQ_ERR_INDIRECT:
		return snformat(buf, size, "%s %u is indirect, a feature not negotiated", what,
				f.index);
	case VQ_ERR_ORDER:
		return snformat(buf, size, "%s %u is device-readable after a writable one", what,
				f.index);
	case VQ_ERR_INDIRECT_LEN:
		return snformat(buf, size, "descriptor %u: an indirect table not 16 to %u bytes in "
				"16-byte steps", f.index, 16 * VQ_MAX_SIZE);
	case VQ_ERR_INDIRECT_RANGE:
		return snformat(buf, size, "descriptor %u: an indirect table outside guest RAM",
				f.index);
	case VQ_ERR_NESTED:
		return snformat(buf, size, "indirect descriptor %u is indirect again (nesting)",
				f.index);
	case VQ_ERR_INDIRECT_NEXT:
		return snformat(buf, size, "descriptor %u is indirect and chains on", f.index);
	}
	return snformat(buf, size, "unknown virtqueue error");
}
