/* virtio-net, the network device (virtio 1.2 section 5.1): receiveq1 and transmitq1, and
 * the MAC of the guest's port on the network server ("net") in its configuration space
 * (VIRTIO_NET_F_MAC). No offloads, no control queue, no merged receive buffers: each packet
 * is the 12-byte header and one frame, checked by net_frame.c.
 *
 * Transmitted frames go to the server at once, copied from guest RAM into the IPC message.
 * Received ones wait in the server until it notifies the monitor's endpoint; the monitor
 * then takes them as long as the guest has receive buffers, and never polls. */
#include <string.h>

#include "net_frame.h"
#include "virtio_mmio.h"
#include "vmm.h"

#define NET_DEVICE_ID 1
#define NET_QUEUE_MAX 256
#define NET_F_MAC (1ull << 5)  /* 5.1.3 */
#define NET_CONFIG_SIZE 12     /* 5.1.4: mac, status, max_virtqueue_pairs, mtu */
#define RXQ 0                  /* 5.1.2: receiveq1, transmitq1 */
#define TXQ 1
_Static_assert(NET_ETH_MIN == NET_FRAME_MIN && NET_ETH_MAX == NET_FRAME_MAX,
	       "net_frame.h and protocol.h agree");

static uint64_t net_ep;

static bool net_available(const struct guest *g)
{
	return g->net.port != 0;
}

static uint64_t net_config_read(struct virtio_mmio *d, uint32_t offset, unsigned width)
{
	uint8_t config[NET_CONFIG_SIZE] = { 0 }; /* status and the rest: no such features */
	uint64_t value = 0;
	memcpy(config, d->g->net.mac, sizeof(d->g->net.mac));
	memcpy(&value, config + offset, width);
	return value;
}

/* 2.1.2: the device serves nothing before DRIVER_OK or once it needs a reset (as the
 * transport decides for notifications; frames from the server come without one). */
static bool serving(const struct virtio_mmio *d, unsigned q)
{
	return (d->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET |
			     VIRTIO_STATUS_FAILED)) == VIRTIO_STATUS_DRIVER_OK && d->queue[q].ready;
}

static void describe_mac(const uint8_t *m, char *buf, size_t len)
{
	snformat(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* One checked frame of the chain to the server, which refuses a source MAC not the port's. */
static void send_frame(struct guest *g, const struct vq_chain *c, size_t len)
{
	uint8_t *data = ipc_buffer()->data;
	uint8_t source[NET_MAC_BYTES];
	net_gather(c, NET_HDR_SIZE, data, len);
	memcpy(source, data + NET_MAC_BYTES, sizeof(source));
	struct msg r = ipc_call(net_ep, vireo_ipc_info(NET_SEND, len), g->net.port, 0, 0, 0);
	int64_t err = r.status ? r.status : (int64_t)r.w[0];
	if (!err) {
		g->net.sent++;
		return;
	}
	char have[24], own[24];
	describe_mac(source, have, sizeof(have));
	describe_mac(g->net.mac, own, sizeof(own));
	g->net.refused++;
	if (err == VIREO_E_RIGHTS)
		guest_warn(g, "virtio-net: a frame from source MAC %s, not the guest's %s: refused "
			   "(%lu so far)", have, own, r.w[1]);
	else
		guest_warn(g, "virtio-net: the network server refused a frame: %s", error_name(err));
}

static void transmit(struct virtio_mmio *d, struct virtq *vq)
{
	static struct vq_chain chain;
	struct vq_fault fault;
	bool used = false;
	int got;
	while ((got = vq_pop(vq, &d->mem, &chain, &fault)) > 0) {
		size_t len;
		const char *why;
		enum net_verdict v = net_tx_parse(&chain, &len, &why);
		if (v == NET_BROKEN) {
			virtio_mmio_fail(d, "%s", why);
			break;
		}
		d->stats.requests++;
		if (v == NET_DROP) {
			d->stats.errors++;
			d->g->net.dropped++;
			guest_warn(d->g, "virtio-net: %s, %zu bytes: dropped (%lu so far)", why, len,
				   d->g->net.dropped);
		} else {
			d->stats.bytes += len;
			send_frame(d->g, &chain, len);
		}
		vq_push(vq, &d->mem, chain.head, 0); /* 5.1.6.2: nothing written */
		used = true;
	}
	if (got < 0) {
		char what[80];
		vq_describe(fault, what, sizeof(what));
		virtio_mmio_fail(d, "%s", what);
	}
	if (used)
		virtio_mmio_used(d, TXQ);
}

/* The next frame for the port into net->held; false when the server has none. */
static bool fetch(struct guest_net *net)
{
	if (!net->rx_waiting)
		return false;
	struct msg r = ipc_call(net_ep, vireo_ipc_info(NET_RECV, 0), net->port, 0, 0, 0);
	size_t n = vireo_ipc_len(r.info);
	if (r.status || r.w[0] || n < NET_FRAME_MIN || n > sizeof(net->held)) {
		net->rx_waiting = false;
		return false;
	}
	memcpy(net->held, ipc_buffer()->data, n);
	net->held_len = (uint16_t)n;
	net->rx_waiting = r.w[1] != 0;
	return true;
}

/* Frames waiting for the guest go into its receive buffers while both last. */
static void receive(struct virtio_mmio *d)
{
	static struct vq_chain chain;
	struct guest_net *net = &d->g->net;
	struct virtq *vq = &d->queue[RXQ].vq;
	struct vq_fault fault;
	bool used = false;
	while (serving(d, RXQ) && (net->held_len || fetch(net))) {
		int got = vq_pop(vq, &d->mem, &chain, &fault);
		if (got == 0)
			break; /* the frame waits for the guest's next buffers */
		if (got < 0) {
			char what[80];
			vq_describe(fault, what, sizeof(what));
			virtio_mmio_fail(d, "%s", what);
			break;
		}
		uint32_t written;
		const char *why;
		enum net_verdict v = net_rx_fill(&chain, net->held, net->held_len, &written, &why);
		if (v == NET_BROKEN) {
			virtio_mmio_fail(d, "%s", why);
			break;
		}
		d->stats.requests++;
		if (v == NET_DROP) {
			d->stats.errors++;
			net->dropped++;
			guest_warn(d->g, "virtio-net: %s, %u bytes: dropped", why, net->held_len);
		} else {
			d->stats.bytes += written;
			net->received++;
		}
		net->held_len = 0;
		vq_push(vq, &d->mem, chain.head, written);
		used = true;
	}
	if (used)
		virtio_mmio_used(d, RXQ);
}

static struct virtio_mmio *device_of(struct guest *g)
{
	for (unsigned i = 0; i < g->nvirtio; i++)
		if (g->virtio[i].ops == &virtio_net_ops)
			return &g->virtio[i];
	return NULL;
}

void virtio_net_receive(struct guest *g)
{
	struct virtio_mmio *d = g->net.port ? device_of(g) : NULL;
	if (!d)
		return;
	g->net.rx_waiting = true;
	receive(d);
}

static void net_notify(struct virtio_mmio *d, unsigned q)
{
	if (q == TXQ)
		transmit(d, &d->queue[q].vq);
	else
		receive(d);
}

static int64_t open_port(struct guest *g)
{
	int64_t notify = vireo_syscall(SYS_HANDLE_COPY, (long)monitor_endpoint(),
				       VIREO_RIGHT_SEND | VIREO_RIGHT_TRANSFER, 0, 0, 0, 0);
	if (notify < 0)
		return notify;
	ipc_buffer()->handle = (uint64_t)notify;
	struct msg r = ipc_call(net_ep, vireo_ipc_info(NET_OPEN, 0) | VIREO_IPC_HANDLE,
				NET_NOTIFY_BIT, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, notify, 0, 0, 0, 0, 0);
	int64_t err = r.status ? r.status : (int64_t)r.w[0];
	if (err)
		return err;
	g->net.port = r.w[1];
	for (unsigned i = 0; i < NET_MAC_BYTES; i++)
		g->net.mac[i] = (uint8_t)(r.w[2] >> (8 * i));
	return 0;
}

/* A guest without a NIC still runs: the machine may have none, or every port is open. */
void virtio_net_open(struct guest *g)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		if (!net_ep) {
			int64_t ep = lookup("net");
			if (ep == VIREO_E_DEAD)
				return; /* QEMU gave the machine no NIC */
			if (ep < 0)
				break;
			net_ep = (uint64_t)ep;
		}
		int64_t err = open_port(g);
		if (!err)
			return;
		if (err != VIREO_E_DEAD) { /* dead: a restarted server, looked up again */
			guest_warn(g, "virtio-net: no network port: %s", error_name(err));
			return;
		}
		vireo_syscall(SYS_HANDLE_CLOSE, (long)net_ep, 0, 0, 0, 0, 0);
		net_ep = 0;
	}
	guest_warn(g, "virtio-net: the network server is not there");
}

void virtio_net_close(struct guest *g)
{
	if (g->net.port)
		ipc_call(net_ep, vireo_ipc_info(NET_CLOSE, 0), g->net.port, 0, 0, 0);
	g->net.port = 0;
}

const struct virtio_device_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_id = NET_DEVICE_ID,
	.features = NET_F_MAC,
	.nqueues = 2,
	.queue_max = NET_QUEUE_MAX,
	.config_size = NET_CONFIG_SIZE,
	.available = net_available,
	.config_read = net_config_read,
	.notify = net_notify,
};
