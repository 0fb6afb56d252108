/* One ring of a network link (include/vireo/protocol.h, NET_RING_BYTES): records of a
 * struct net_hdr and a frame, written by one task and read by another through a memory
 * object both map. Pure code, for the monitor, the network server and the NIC driver alike,
 * and for the host unit tests (tools/unit/test_net_ring.c) and the fuzzer.
 *
 * The other side may write anything anywhere in the object at any time. So each side keeps
 * its own count in private memory and only publishes it, reads the other's count once per
 * look and checks it, and a reader takes each record's length once: a ring that makes no
 * sense is reported broken (the caller empties it), never followed out of its bytes. */
#ifndef NET_RING_H
#define NET_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vireo/protocol.h>

#define NET_RECORD_MAX (NET_HDR_BYTES + NET_GSO_FRAME_MAX)

struct net_ring {
	volatile struct net_ring_ends *ends;
	uint8_t *data;  /* NET_RING_BYTES */
	uint32_t count; /* ours: head for the writer, tail for the reader */
	uint32_t reserved; /* the writer's room last reserved */
	bool broken;    /* the other side's count or a record made no sense */
};

/* The ring of link (mapped at va, NET_LINK_PAGES) numbered which (NET_RING_OUT, _IN). */
void net_ring_attach(struct net_ring *r, void *link, unsigned which);
/* For a new link, by whoever made it: both counts 0. */
void net_ring_clear(struct net_ring *r);

/* Writer: room for a record of len bytes (up to NET_RECORD_MAX), or NULL while the reader
 * has not made enough. Fill it, then net_ring_commit with the bytes used (up to len). */
uint8_t *net_ring_reserve(struct net_ring *r, uint32_t len);
void net_ring_commit(struct net_ring *r, uint32_t len);

/* Reader: the oldest record (*len bytes) or NULL when there is none or the ring is broken
 * (r->broken). Its bytes stay the writer's to change, so copy what must be checked. Then
 * net_ring_release it. */
const uint8_t *net_ring_peek(struct net_ring *r, uint32_t *len);
void net_ring_release(struct net_ring *r, uint32_t len);
/* Reader keeping records past their use (a device reads them in place): the record at
 * its own position *at (at or past r->count; pads before it skipped), or NULL. The next is
 * at net_ring_after(*at, *len). Records are released in order, all before position at. */
const uint8_t *net_ring_peek_at(struct net_ring *r, uint32_t *at, uint32_t *len);
uint32_t net_ring_after(uint32_t at, uint32_t len);
void net_ring_release_to(struct net_ring *r, uint32_t at);
/* Reader: drops everything written so far (a broken ring starts over from the writer's
 * count). */
void net_ring_drain(struct net_ring *r);

#endif
