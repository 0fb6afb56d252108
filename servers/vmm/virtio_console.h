/* virtio-console (virtio 1.2 section 5.3) with VIRTIO_CONSOLE_F_MULTIPORT and two ports:
 * port 0 is a console (Linux's hvc1, hvc0 being the SBI console; `linux console=virtio`
 * makes it /dev/console), port 1 is "vireo.agent", the channel of `linux exec` (agent.c).
 * The state of each guest's device lives in its struct guest. */
#ifndef VMM_VIRTIO_CONSOLE_H
#define VMM_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent_frame.h"

struct guest;

#define VCONS_PORTS 2
#define VCONS_PORT_CONSOLE 0
#define VCONS_PORT_AGENT 1
#define VCONS_RX_BYTES 8192 /* bytes kept for a port until the driver gives buffers */
#define VCONS_CONTROL_MAX 8 /* control messages waiting for the driver's buffers */
#define VCONS_CONSOLE_NAME "hvc1"

struct vcons_port {
	bool ready;        /* the driver sent PORT_READY */
	bool guest_open;   /* a guest program holds the port open (PORT_OPEN from the driver) */
	uint8_t rx[VCONS_RX_BYTES];
	unsigned rx_head, rx_len;
};

struct vcons_control {
	uint32_t id;
	uint16_t event, value;
	const char *name; /* PORT_NAME's, after the header */
};

/* agent.c: `linux exec` on one guest. */
struct agent {
	struct agent_reader reader;
	bool hello;          /* the agent said it is up, since the port was last opened */
	bool running, done;  /* a command is running; it ended (status valid) */
	bool lost;           /* it ended without an exit status (the agent went away) */
	int32_t status;
	uint64_t notify_ep, notify_bits; /* the shell's, told when the command ends */
};

struct vcons {
	struct vcons_port port[VCONS_PORTS];
	struct vcons_control control[VCONS_CONTROL_MAX];
	unsigned control_head, control_len;
	struct agent agent;
};

/* Whether the guest's console is this device's port 0: its last console= is hvc1. */
bool virtio_console_is_console(const struct guest *g);
/* Bytes for port's receive queue: those that fit are queued and given to the driver as it
 * supplies buffers; returns how many were taken (all or none when whole is set). */
size_t virtio_console_send(struct guest *g, unsigned port, const void *s, size_t n, bool whole);

/* agent.c: the port opened or closed by the guest, and bytes the guest sent on it. */
void agent_port_open(struct guest *g, bool open);
void agent_from_guest(struct guest *g, const uint8_t *s, size_t n);
/* The guest ends: a command running in it ends too. */
void agent_guest_ended(struct guest *g);

#endif
