/* virtio-blk requests (virtio 1.2 section 5.2.6), parsed from a descriptor chain the split
 * virtqueue code has already checked: each buffer inside guest RAM. Pure code, so that the
 * host unit tests (tools/unit/test_blk_request.c) and the fuzzer drive it with hostile
 * chains.
 *
 * No framing is assumed (2.6.4): the device-readable buffers form one byte stream (the
 * 16-byte header, then a write's data), the device-writable ones another (a read's data,
 * then the status byte, its last). */
#ifndef VMM_BLK_REQUEST_H
#define VMM_BLK_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vireo/syscall.h>

#include "virtqueue.h"

#define BLK_SECTOR 512
#define BLK_REQUEST_MAX (4ul << 20) /* data bytes one request may move */
/* The device's limits (5.2.4): its queue size, and the most data buffers a request has
 * (SEG_MAX; the chain also holds the header and the status) and bytes in each (SIZE_MAX),
 * so that no request exceeds BLK_REQUEST_MAX and its data fits one grant. Without SEG_MAX
 * Linux sends one buffer, a page, per request; with 256, a 1 MiB direct read of scattered
 * pages is one request (QEMU's own device, with 254, takes two). */
#define BLK_QUEUE_MAX VQ_MAX_SIZE
#define BLK_SEG_MAX VIREO_GRANT_SEGS
#define BLK_SIZE_MAX (BLK_REQUEST_MAX / BLK_SEG_MAX & ~4095ul)
_Static_assert(BLK_SEG_MAX + 2 <= BLK_QUEUE_MAX && BLK_SEG_MAX * BLK_SIZE_MAX <= BLK_REQUEST_MAX,
	       "a request of SEG_MAX buffers is one chain and within the limit");

/* 5.2.6: request types and status values. */
#define BLK_T_IN 0
#define BLK_T_OUT 1
#define BLK_T_FLUSH 4
#define BLK_T_GET_ID 8
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define BLK_S_UNSUPP 2
#define BLK_ID_BYTES 20

enum blk_parse {
	BLK_PARSE_OK,     /* do it */
	BLK_PARSE_STATUS, /* answer with status at once: a bad range, length or type */
	BLK_PARSE_BROKEN, /* no status byte to answer in: the device needs a reset */
};

struct blk_request {
	uint32_t type;
	uint64_t sector, sectors; /* for reads and writes */
	uint64_t out_len, in_len; /* bytes in each stream */
	uint64_t data_len;        /* data bytes: of the out stream after the header (writes),
				     of the in stream before the status (reads, GET_ID) */
	uint8_t status;           /* with BLK_PARSE_STATUS */
	const char *why;          /* what was wrong, for BLK_PARSE_STATUS and BROKEN */
};

/* Reads the request of chain c for a disk of capacity sectors. */
enum blk_parse blk_parse(const struct vq_chain *c, uint64_t capacity, struct blk_request *r);
/* Copies n bytes from offset of the device-readable stream to dst; the bytes copied. */
size_t blk_gather(const struct vq_chain *c, uint64_t offset, void *dst, size_t n);
/* Where parsed request r's status byte is: the last of the device-writable stream. */
uint8_t *blk_status_byte(const struct vq_chain *c, const struct blk_request *r);
/* The data buffers of parsed read or write r, as ranges of the monitor's memory for a grant
 * (a read's before its status byte, a write's after its header): how many, or 0 if they
 * take more than max. */
unsigned blk_data_segs(const struct vq_chain *c, const struct blk_request *r,
		       struct vireo_grant_seg *segs, unsigned max);
/* Copies n bytes from src to offset of the device-writable stream; the bytes copied. */
size_t blk_scatter(const struct vq_chain *c, uint64_t offset, const void *src, size_t n);

#endif
