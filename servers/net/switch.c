/* The network server's MAC table and forwarding decisions (switch.h). */
#include "switch.h"

#include <string.h>

static bool is_group(const uint8_t mac[MAC_BYTES])
{
	return mac[0] & 1; /* IEEE 802: the I/G bit, set for multicast and broadcast */
}

void switch_init(struct switch_table *t)
{
	memset(t, 0, sizeof(*t));
}

static struct switch_entry *find(const struct switch_table *t, const uint8_t mac[MAC_BYTES])
{
	for (unsigned i = 0; i < SWITCH_ENTRIES; i++)
		if (t->e[i].used && !memcmp(t->e[i].mac, mac, MAC_BYTES))
			return (struct switch_entry *)&t->e[i];
	return NULL;
}

int switch_lookup(const struct switch_table *t, const uint8_t mac[MAC_BYTES])
{
	const struct switch_entry *e = find(t, mac);
	return e ? e->port : -1;
}

/* A free entry, else (when allowed) the next learned one in turn; NULL when all are fixed. */
static struct switch_entry *room(struct switch_table *t, bool evict)
{
	for (unsigned i = 0; i < SWITCH_ENTRIES; i++)
		if (!t->e[i].used)
			return &t->e[i];
	for (unsigned k = 0; evict && k < SWITCH_ENTRIES; k++) {
		struct switch_entry *e = &t->e[t->next_victim];
		t->next_victim = (t->next_victim + 1) % SWITCH_ENTRIES;
		if (!e->fixed)
			return e;
	}
	return NULL;
}

bool switch_attach(struct switch_table *t, unsigned port, const uint8_t mac[MAC_BYTES])
{
	if (port == SWITCH_UPLINK || port >= SWITCH_PORTS || is_group(mac))
		return false;
	struct switch_entry *e = find(t, mac);
	if (e && e->fixed)
		return false;
	if (!e) /* a MAC learned on the uplink is the guest's from now on */
		e = room(t, true);
	if (!e)
		return false;
	*e = (struct switch_entry){ .port = (uint8_t)port, .used = true, .fixed = true };
	memcpy(e->mac, mac, MAC_BYTES);
	return true;
}

void switch_detach(struct switch_table *t, unsigned port)
{
	for (unsigned i = 0; i < SWITCH_ENTRIES; i++)
		if (t->e[i].used && t->e[i].port == port)
			t->e[i] = (struct switch_entry){ 0 };
}

enum switch_verdict switch_admit(struct switch_table *t, unsigned port,
				 const uint8_t own[MAC_BYTES], const uint8_t *f, size_t len,
				 size_t max)
{
	if (len < SWITCH_FRAME_MIN || len > max)
		return SWITCH_BAD_SIZE;
	const uint8_t *src = f + MAC_BYTES;
	if (is_group(src))
		return SWITCH_MULTICAST_SOURCE;
	if (port != SWITCH_UPLINK)
		return memcmp(src, own, MAC_BYTES) ? SWITCH_SPOOFED : SWITCH_OK;
	struct switch_entry *e = find(t, src);
	if (e && e->fixed) /* a guest's MAC from outside: someone passing for a guest */
		return SWITCH_SPOOFED;
	if (!e && (e = room(t, true))) {
		*e = (struct switch_entry){ .port = SWITCH_UPLINK, .used = true };
		memcpy(e->mac, src, MAC_BYTES);
	}
	return SWITCH_OK;
}

uint32_t switch_route(const struct switch_table *t, unsigned port, const uint8_t dst[MAC_BYTES],
		      uint32_t open_ports)
{
	uint32_t others = open_ports & ~(1u << port);
	if (is_group(dst))
		return others;
	int to = switch_lookup(t, dst);
	if (to < 0) /* every guest's MAC is in the table: an unknown one is outside */
		to = SWITCH_UPLINK;
	return others & (1u << to);
}
