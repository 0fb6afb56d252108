#include "blk_request.h"

#include <string.h>

struct blk_header { /* 5.2.6, little-endian like RISC-V */
	uint32_t type, reserved;
	uint64_t sector;
};

/* Copies between one stream of c (its readable or its writable buffers) and mem. */
static size_t copy_stream(const struct vq_chain *c, bool writable, uint64_t offset, uint8_t *mem,
			  size_t n)
{
	size_t done = 0;
	for (unsigned i = 0; i < c->n && done < n; i++) {
		const struct vq_buf *b = &c->buf[i];
		if (b->writable != writable)
			continue;
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		size_t k = b->len - offset < n - done ? b->len - offset : n - done;
		if (writable)
			memcpy(b->host + offset, mem + done, k);
		else
			memcpy(mem + done, b->host + offset, k);
		done += k;
		offset = 0;
	}
	return done;
}

size_t blk_gather(const struct vq_chain *c, uint64_t offset, void *dst, size_t n)
{
	return copy_stream(c, false, offset, dst, n);
}

size_t blk_scatter(const struct vq_chain *c, uint64_t offset, const void *src, size_t n)
{
	return copy_stream(c, true, offset, (uint8_t *)(uintptr_t)src, n);
}

uint8_t *blk_status_byte(const struct vq_chain *c, const struct blk_request *r)
{
	uint64_t offset = r->in_len - 1;
	for (unsigned i = 0; i < c->n; i++) {
		const struct vq_buf *b = &c->buf[i];
		if (!b->writable)
			continue;
		if (offset < b->len)
			return b->host + offset;
		offset -= b->len;
	}
	return NULL; /* in_len counted the writable buffers: never */
}

unsigned blk_data_segs(const struct vq_chain *c, const struct blk_request *r,
		       struct vireo_grant_seg *segs, unsigned max)
{
	bool writable = r->type == BLK_T_IN;
	uint64_t offset = writable ? 0 : sizeof(struct blk_header), left = r->data_len;
	unsigned n = 0;
	for (unsigned i = 0; i < c->n && left; i++) {
		const struct vq_buf *b = &c->buf[i];
		if (b->writable != writable)
			continue;
		if (offset >= b->len) {
			offset -= b->len;
			continue;
		}
		if (n == max)
			return 0;
		uint64_t k = b->len - offset < left ? b->len - offset : left;
		segs[n++] = (struct vireo_grant_seg){ (uint64_t)(uintptr_t)(b->host + offset), k };
		left -= k;
		offset = 0;
	}
	return left ? 0 : n;
}

static enum blk_parse answer(struct blk_request *r, uint8_t status, const char *why)
{
	r->status = status;
	r->why = why;
	return BLK_PARSE_STATUS;
}

enum blk_parse blk_parse(const struct vq_chain *c, uint64_t capacity, struct blk_request *r)
{
	memset(r, 0, sizeof(*r));
	for (unsigned i = 0; i < c->n; i++) /* at most VQ_MAX_SIZE buffers under 2^32: no wrap */
		*(c->buf[i].writable ? &r->in_len : &r->out_len) += c->buf[i].len;
	if (r->in_len == 0) {
		r->why = "a request without a status byte";
		return BLK_PARSE_BROKEN;
	}
	struct blk_header h;
	if (r->out_len < sizeof(h))
		return answer(r, BLK_S_IOERR, "a request header shorter than 16 bytes");
	blk_gather(c, 0, &h, sizeof(h));
	r->type = h.type;
	r->sector = h.sector;
	switch (h.type) {
	case BLK_T_IN:
	case BLK_T_OUT:
		r->data_len = h.type == BLK_T_IN ? r->in_len - 1 : r->out_len - sizeof(h);
		if ((h.type == BLK_T_IN ? r->out_len != sizeof(h) : r->in_len != 1))
			return answer(r, BLK_S_IOERR, "data buffers of the wrong direction");
		if (r->data_len == 0 || r->data_len % BLK_SECTOR || r->data_len > BLK_REQUEST_MAX)
			return answer(r, BLK_S_IOERR, "a data length not a multiple of 512 up to 4 MiB");
		r->sectors = r->data_len / BLK_SECTOR;
		if (r->sector > capacity || r->sectors > capacity - r->sector)
			return answer(r, BLK_S_IOERR, "sectors past the end of the disk");
		return BLK_PARSE_OK;
	case BLK_T_FLUSH:
		return BLK_PARSE_OK;
	case BLK_T_GET_ID:
		r->data_len = r->in_len - 1 < BLK_ID_BYTES ? r->in_len - 1 : BLK_ID_BYTES;
		return BLK_PARSE_OK;
	default:
		return answer(r, BLK_S_UNSUPP, NULL);
	}
}
