/* The network server's switching decisions, pure code for the host unit tests
 * (tools/unit/test_switch.c) and the fuzzer: which frames a port may send, and where each
 * frame goes.
 *
 * Port 0 is the uplink (the host NIC), ports 1..SWITCH_PORTS-1 the guests. Each guest port
 * has one MAC, the server's choice, fixed in the table while the port is open; a frame from
 * a guest with any other source is refused, so no guest can pass for another or poison the
 * table. Source MACs seen on the uplink are learned. So the table knows where every guest
 * is, and an unknown unicast destination can only be behind the uplink: frames from guests
 * to it go there alone, and from the uplink to it nowhere. Broadcast and multicast frames
 * go to every open port but the one they came from. */
#ifndef NET_SWITCH_H
#define NET_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SWITCH_PORTS 9    /* the uplink and eight guests, as many as the monitor runs */
#define SWITCH_ENTRIES 64 /* learned uplink MACs beyond these replace the oldest */
#define SWITCH_UPLINK 0
#define MAC_BYTES 6
#define SWITCH_FRAME_MIN 14   /* protocol.h NET_FRAME_MIN, NET_FRAME_MAX */
#define SWITCH_FRAME_MAX 1514

struct switch_entry {
	uint8_t mac[MAC_BYTES];
	uint8_t port;
	bool used, fixed; /* fixed: a guest port's own MAC */
};

struct switch_table {
	struct switch_entry e[SWITCH_ENTRIES];
	unsigned next_victim; /* round robin over learned entries */
};

enum switch_verdict {
	SWITCH_OK,
	SWITCH_BAD_SIZE,  /* shorter than an Ethernet header or longer than allowed */
	SWITCH_SPOOFED,   /* a guest's frame with a source MAC not its own */
	SWITCH_MULTICAST_SOURCE, /* a group address as source: no station has one */
};

void switch_init(struct switch_table *t);
/* A guest port opens with mac: false when the table has no room or another port has it. */
bool switch_attach(struct switch_table *t, unsigned port, const uint8_t mac[MAC_BYTES]);
void switch_detach(struct switch_table *t, unsigned port);
/* Checks frame f of len bytes (up to max: SWITCH_FRAME_MAX, more for a frame the switch or
 * the NIC will segment) arriving at port, which (for a guest) has the MAC own; an accepted
 * frame from the uplink teaches the table where its source is. */
enum switch_verdict switch_admit(struct switch_table *t, unsigned port,
				 const uint8_t own[MAC_BYTES], const uint8_t *f, size_t len,
				 size_t max);
/* Where an admitted frame from port to dst goes: a bit per port, among the open ones. */
uint32_t switch_route(const struct switch_table *t, unsigned port, const uint8_t dst[MAC_BYTES],
		      uint32_t open_ports);
/* The port behind mac, or -1 when unknown. */
int switch_lookup(const struct switch_table *t, const uint8_t mac[MAC_BYTES]);

#endif
