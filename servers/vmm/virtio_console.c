/* virtio-console, the console device (virtio 1.2 section 5.3), multiport (5.3.6.2): queues
 * 0/1 are port 0's receive and transmit queues, 2/3 the control queues, 4/5 port 1's
 * (5.3.2). The driver says DEVICE_READY, the device adds both ports, the driver says
 * PORT_READY for each; then port 0 is made a console port and port 1 is named for the agent,
 * and both are opened on the host side. See virtio_console.h. */
#include <string.h>

#include "blk_request.h" /* blk_gather and blk_scatter: the two streams of a chain */
#include "virtio_console.h"
#include "virtio_mmio.h"
#include "vmm.h"

#define CONSOLE_DEVICE_ID 3
#define CONSOLE_QUEUE_MAX 64
#define CONSOLE_F_MULTIPORT (1ull << 1)
#define CONSOLE_CONFIG_SIZE 12 /* cols, rows (le16 each), max_nr_ports, emerg_wr (le32) */
#define CONSOLE_QUEUES (2 * (VCONS_PORTS + 1))
#define CONTROL_BYTES 8 /* struct virtio_console_control: le32 id, le16 event, le16 value */
#define TX_CHUNK 512
/* The most one transmit buffer may hold: Linux sends a page or 32 KiB at most (hvc,
 * port writes), and a bound keeps a guest from holding the monitor up with gigabytes. */
#define TX_CHAIN_MAX (64u * 1024)
_Static_assert(CONSOLE_QUEUES <= VIRTIO_MAX_QUEUES, "queues of both ports and control");

/* 5.3.6.2: control events. */
enum {
	DEVICE_READY = 0, DEVICE_ADD = 1, PORT_READY = 3, CONSOLE_PORT = 4, PORT_OPEN = 6,
	PORT_NAME = 7,
};

#define CONTROL_RX 2
#define CONTROL_TX 3

static unsigned rx_queue(unsigned port)
{
	return port == 0 ? 0 : 2 * (port + 1);
}

static struct virtio_mmio *device_of(struct guest *g)
{
	for (unsigned i = 0; i < g->nvirtio; i++)
		if (g->virtio[i].ops == &virtio_console_ops)
			return &g->virtio[i];
	return NULL;
}

static bool serving(const struct virtio_mmio *d, unsigned q)
{
	return (d->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET |
			     VIRTIO_STATUS_FAILED)) == VIRTIO_STATUS_DRIVER_OK &&
	       d->queue[q].ready;
}

static void queue_fault(struct virtio_mmio *d, struct vq_fault fault)
{
	char what[80];
	vq_describe(fault, what, sizeof(what));
	virtio_mmio_fail(d, "%s", what);
}

/* A receive chain is all device-writable (5.3.6.1); its bytes, or -1 after failing d. */
static int64_t writable_bytes(struct virtio_mmio *d, const struct vq_chain *c)
{
	uint64_t room = 0;
	for (unsigned i = 0; i < c->n; i++) {
		if (!c->buf[i].writable) {
			virtio_mmio_fail(d, "descriptor %u of a receive queue is device-readable",
					 c->buf[i].index);
			return -1;
		}
		room += c->buf[i].len;
	}
	return (int64_t)room;
}

/* Gives a port's queued bytes to the driver's receive buffers, as far as they go. */
static void deliver_port(struct virtio_mmio *d, unsigned port)
{
	static struct vq_chain chain;
	struct vcons_port *p = &d->g->cons.port[port];
	unsigned q = rx_queue(port);
	struct vq_fault fault;
	bool used = false;
	int got = 0;
	if (!p->ready || !serving(d, q))
		return;
	while (p->rx_len && (got = vq_pop(&d->queue[q].vq, &d->mem, &chain, &fault)) > 0) {
		int64_t room = writable_bytes(d, &chain);
		if (room < 0)
			return;
		uint32_t n = 0;
		while (p->rx_len && n < room) {
			unsigned run = VCONS_RX_BYTES - p->rx_head < p->rx_len ?
					       VCONS_RX_BYTES - p->rx_head : p->rx_len;
			if (run > room - n)
				run = (unsigned)(room - n);
			blk_scatter(&chain, n, p->rx + p->rx_head, run);
			p->rx_head = (p->rx_head + run) % VCONS_RX_BYTES;
			p->rx_len -= run;
			n += run;
		}
		vq_push(&d->queue[q].vq, &d->mem, chain.head, n);
		d->stats.requests++;
		d->stats.bytes += n;
		used = true;
	}
	if (got < 0)
		queue_fault(d, fault);
	if (used)
		virtio_mmio_used(d, q);
}

/* Gives queued control messages to the driver, one per buffer. */
static void deliver_control(struct virtio_mmio *d)
{
	static struct vq_chain chain;
	struct vcons *c = &d->g->cons;
	struct vq_fault fault;
	bool used = false;
	int got = 0;
	if (!serving(d, CONTROL_RX))
		return;
	while (c->control_len &&
	       (got = vq_pop(&d->queue[CONTROL_RX].vq, &d->mem, &chain, &fault)) > 0) {
		const struct vcons_control *m = &c->control[c->control_head];
		uint8_t msg[CONTROL_BYTES + 32];
		size_t name = m->name ? strlen(m->name) : 0;
		memcpy(msg, &m->id, 4);
		memcpy(msg + 4, &m->event, 2);
		memcpy(msg + 6, &m->value, 2);
		memcpy(msg + CONTROL_BYTES, m->name ? m->name : "", name);
		int64_t room = writable_bytes(d, &chain);
		if (room < 0)
			return;
		if ((uint64_t)room < CONTROL_BYTES + name) {
			virtio_mmio_fail(d, "a control receive buffer of %ld bytes, too small", room);
			return;
		}
		blk_scatter(&chain, 0, msg, CONTROL_BYTES + name);
		vq_push(&d->queue[CONTROL_RX].vq, &d->mem, chain.head,
			(uint32_t)(CONTROL_BYTES + name));
		c->control_head = (c->control_head + 1) % VCONS_CONTROL_MAX;
		c->control_len--;
		used = true;
	}
	if (got < 0)
		queue_fault(d, fault);
	if (used)
		virtio_mmio_used(d, CONTROL_RX);
}

static void send_control(struct virtio_mmio *d, uint32_t id, uint16_t event, uint16_t value,
			 const char *name)
{
	struct vcons *c = &d->g->cons;
	if (c->control_len == VCONS_CONTROL_MAX) {
		guest_warn(d->g, "virtio-console: control messages not taken by the driver; "
			   "event %u dropped", event);
		return;
	}
	c->control[(c->control_head + c->control_len++) % VCONS_CONTROL_MAX] =
		(struct vcons_control){ .id = id, .event = event, .value = value, .name = name };
	deliver_control(d);
}

/* A control message from the driver (5.3.6.2.1 says what the driver sends). */
static void control_from_driver(struct virtio_mmio *d, uint32_t id, uint16_t event,
				uint16_t value)
{
	struct vcons *c = &d->g->cons;
	if (event == DEVICE_READY) {
		if (value != 1) {
			guest_warn(d->g, "virtio-console: the driver could not set the device up");
			return;
		}
		/* A driver (re)starting: the ports start over, and what was meant for the last
		 * driver goes; keys typed ahead stay queued. */
		c->control_len = 0;
		for (unsigned i = 0; i < VCONS_PORTS; i++)
			c->port[i].ready = c->port[i].guest_open = false;
		c->port[VCONS_PORT_AGENT].rx_len = 0;
		agent_port_open(d->g, false);
		for (uint32_t i = 0; i < VCONS_PORTS; i++)
			send_control(d, i, DEVICE_ADD, 0, NULL);
		return;
	}
	if (id >= VCONS_PORTS || (event != PORT_READY && event != PORT_OPEN)) {
		guest_warn(d->g, "virtio-console: control event %u for port %u, not one the "
			   "driver sends or not a port", event, id);
		return;
	}
	struct vcons_port *p = &c->port[id];
	if (event == PORT_READY) {
		p->ready = value == 1;
		if (!p->ready)
			return;
		if (id == VCONS_PORT_CONSOLE)
			send_control(d, id, CONSOLE_PORT, 1, NULL);
		else
			send_control(d, id, PORT_NAME, 0, AGENT_PORT_NAME);
		send_control(d, id, PORT_OPEN, 1, NULL);
		deliver_port(d, id);
		return;
	}
	p->guest_open = value != 0;
	if (id == VCONS_PORT_AGENT)
		agent_port_open(d->g, p->guest_open);
}

/* Bytes the driver transmitted on queue q (a port's or the control one). */
static void take(struct virtio_mmio *d, unsigned q, const uint8_t *s, size_t n)
{
	if (q == CONTROL_TX) {
		uint32_t id;
		uint16_t event, value;
		if (n != CONTROL_BYTES) {
			guest_warn(d->g, "virtio-console: a control message of %lu bytes, not 8", n);
			return;
		}
		memcpy(&id, s, 4);
		memcpy(&event, s + 4, 2);
		memcpy(&value, s + 6, 2);
		control_from_driver(d, id, event, value);
	} else if (q == 1) {
		guest_output(d->g, (const char *)s, n);
	} else {
		agent_from_guest(d->g, s, n);
	}
}

static void serve_transmit(struct virtio_mmio *d, unsigned q)
{
	static struct vq_chain chain;
	static uint8_t bytes[TX_CHUNK];
	struct vq_fault fault;
	bool used = false;
	int got;
	while ((got = vq_pop(&d->queue[q].vq, &d->mem, &chain, &fault)) > 0) {
		uint64_t len = 0;
		for (unsigned i = 0; i < chain.n; i++) {
			if (chain.buf[i].writable) {
				virtio_mmio_fail(d, "descriptor %u of a transmit queue is "
						 "device-writable", chain.buf[i].index);
				return;
			}
			len += chain.buf[i].len;
		}
		if (len > TX_CHAIN_MAX) {
			virtio_mmio_fail(d, "a transmit buffer of %lu bytes (at most 64 KiB)", len);
			return;
		}
		/* A control message is read whole; port bytes in chunks, as a stream. */
		if (q == CONTROL_TX) {
			blk_gather(&chain, 0, bytes, len < TX_CHUNK ? len : TX_CHUNK);
			take(d, q, bytes, len); /* read only when 8 bytes long */
		} else {
			for (uint64_t off = 0; off < len;) {
				size_t n = blk_gather(&chain, off, bytes, TX_CHUNK);
				take(d, q, bytes, n);
				off += n;
			}
		}
		vq_push(&d->queue[q].vq, &d->mem, chain.head, 0);
		d->stats.requests++;
		d->stats.bytes += len;
		used = true;
		if (!serving(d, q)) /* the message just taken may have broken the device */
			break;
	}
	if (got < 0)
		queue_fault(d, fault);
	if (used)
		virtio_mmio_used(d, q);
}

static void console_notify(struct virtio_mmio *d, unsigned q)
{
	if (q == CONTROL_RX)
		deliver_control(d);
	else if (q % 2 == 0)
		deliver_port(d, q == 0 ? 0 : q / 2 - 1);
	else
		serve_transmit(d, q);
}

size_t virtio_console_send(struct guest *g, unsigned port, const void *s, size_t n, bool whole)
{
	struct virtio_mmio *d = device_of(g);
	if (!d || port >= VCONS_PORTS)
		return 0;
	struct vcons_port *p = &g->cons.port[port];
	size_t room = VCONS_RX_BYTES - p->rx_len;
	if (whole && n > room)
		return 0;
	size_t took = n < room ? n : room;
	for (size_t i = 0; i < took; i++)
		p->rx[(p->rx_head + p->rx_len++) % VCONS_RX_BYTES] = ((const uint8_t *)s)[i];
	deliver_port(d, port);
	return took;
}

bool virtio_console_is_console(const struct guest *g)
{
	const char *last = guest_console(g);
	size_t n = strlen(VCONS_CONSOLE_NAME);
	return last && !strncmp(last, VCONS_CONSOLE_NAME, n) && (last[n] == ' ' || !last[n]);
}

static uint64_t console_config_read(struct virtio_mmio *d, uint32_t offset, unsigned width)
{
	(void)d;
	uint8_t config[CONSOLE_CONFIG_SIZE] = { 0 };
	uint32_t ports = VCONS_PORTS;
	uint64_t value = 0;
	memcpy(config + 4, &ports, 4); /* max_nr_ports; no size, emerg_wr not offered */
	memcpy(&value, config + offset, width);
	return value;
}

static bool console_available(const struct guest *g)
{
	(void)g;
	return true;
}

const struct virtio_device_ops virtio_console_ops = {
	.name = "virtio-console",
	.device_id = CONSOLE_DEVICE_ID,
	.features = CONSOLE_F_MULTIPORT,
	.nqueues = CONSOLE_QUEUES,
	.queue_max = CONSOLE_QUEUE_MAX,
	.config_size = CONSOLE_CONFIG_SIZE,
	.available = console_available,
	.config_read = console_config_read,
	.notify = console_notify,
};
