/* A ring of a network link (net_ring.h). */
#include "net_ring.h"

#include <string.h>

_Static_assert(NET_RING_BYTES % 8 == 0 && (NET_RING_BYTES & (NET_RING_BYTES - 1)) == 0,
	       "a ring's offsets are its counts modulo its size");
_Static_assert(sizeof(struct net_ring_ends) == 128, "two cache lines");
_Static_assert(2 * sizeof(struct net_ring_ends) <= 4096, "the ends fit the link's first page");

static uint32_t record_bytes(uint32_t len)
{
	return (4 + len + 7) & ~7u; /* len <= NET_RECORD_MAX: no wrap */
}

void net_ring_attach(struct net_ring *r, void *link, unsigned which)
{
	r->ends = (volatile struct net_ring_ends *)link + which;
	r->data = (uint8_t *)link + 4096 + (size_t)which * NET_RING_BYTES;
	r->count = 0;
	r->broken = false;
}

void net_ring_clear(struct net_ring *r)
{
	r->ends->head = 0;
	r->ends->tail = 0;
	r->count = 0;
	r->broken = false;
}

static uint32_t load(volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE); /* the count before the bytes it covers */
}

static void store(volatile uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE); /* the bytes before the count */
}

uint8_t *net_ring_reserve(struct net_ring *r, uint32_t len)
{
	if (len > NET_RECORD_MAX)
		return NULL;
	uint32_t used = r->count - load(&r->ends->tail);
	if (used > NET_RING_BYTES) { /* the reader's count is past ours: nonsense */
		r->broken = true;
		return NULL;
	}
	uint32_t need = record_bytes(len), offset = r->count % NET_RING_BYTES;
	uint32_t to_end = NET_RING_BYTES - offset;
	if (need > to_end) { /* records never wrap: a pad to the end first */
		if (NET_RING_BYTES - used < to_end + need)
			return NULL;
		memcpy(r->data + offset, &(uint32_t){ NET_RING_PAD }, 4);
		r->count += to_end;
		offset = 0;
	} else if (NET_RING_BYTES - used < need) {
		return NULL;
	}
	r->reserved = len;
	return r->data + offset + 4;
}

void net_ring_commit(struct net_ring *r, uint32_t len)
{
	if (len > r->reserved)
		len = r->reserved; /* a caller's slip: never past the room it was given */
	memcpy(r->data + r->count % NET_RING_BYTES, &len, 4);
	r->count += record_bytes(len);
	r->reserved = 0;
	store(&r->ends->head, r->count);
}

const uint8_t *net_ring_peek_at(struct net_ring *r, uint32_t *at, uint32_t *len)
{
	*len = 0;
	if (r->broken)
		return NULL;
	for (int pads = 0; pads < 2; pads++) {
		uint32_t head = load(&r->ends->head), ready = head - *at;
		if (ready == 0)
			return NULL;
		uint32_t offset = *at % NET_RING_BYTES, to_end = NET_RING_BYTES - offset;
		uint32_t n;
		if (head - r->count > NET_RING_BYTES || ready > head - r->count || ready % 8)
			break;
		memcpy(&n, r->data + offset, 4); /* read once */
		if (n == NET_RING_PAD) {
			if (to_end > ready)
				break;
			*at += to_end;
			continue;
		}
		if (n > NET_RECORD_MAX || record_bytes(n) > ready || record_bytes(n) > to_end)
			break;
		*len = n;
		return r->data + offset + 4;
	}
	r->broken = true;
	return NULL;
}

uint32_t net_ring_after(uint32_t at, uint32_t len)
{
	return at + record_bytes(len);
}

const uint8_t *net_ring_peek(struct net_ring *r, uint32_t *len)
{
	return net_ring_peek_at(r, &r->count, len); /* a pad skipped is released with the record */
}

void net_ring_release_to(struct net_ring *r, uint32_t at)
{
	r->count = at;
	store(&r->ends->tail, r->count);
}

void net_ring_release(struct net_ring *r, uint32_t len)
{
	net_ring_release_to(r, net_ring_after(r->count, len));
}

void net_ring_drain(struct net_ring *r)
{
	r->count = load(&r->ends->head);
	r->broken = false;
	store(&r->ends->tail, r->count);
}
