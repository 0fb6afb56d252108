/* virtio-net, the network device (virtio 1.2 section 5.1): receiveq1 and transmitq1, and
 * the MAC of the guest's port on the network server ("net") in its configuration space
 * (VIRTIO_NET_F_MAC). It offers checksum offload and TCP segmentation both ways it can
 * check them (CSUM, HOST_TSO4/6; GUEST_CSUM), checked by net_frame.c; the network server
 * completes what a receiver does not take. No control queue, no merged receive buffers.
 *
 * Frames travel in the port's link with the server (protocol.h NET_LINK): transmitted ones
 * are copied from guest RAM into ring 0 as they come, and the server takes them all in one
 * call per kick (or whenever the ring fills). Received ones wait in ring 1 until they fit
 * the guest's buffers; the server notifies the monitor's endpoint when it put some there,
 * and the monitor never polls. */
#include <string.h>

#include "../net/net_ring.h"
#include "net_frame.h"
#include "virtio_mmio.h"
#include "vmm.h"

#define NET_DEVICE_ID 1
#define NET_QUEUE_MAX 256
#define NET_CONFIG_SIZE 12     /* 5.1.4: mac, status, max_virtqueue_pairs, mtu */
#define RXQ 0                  /* 5.1.2: receiveq1, transmitq1 */
#define TXQ 1
#define LINK_VA 0x2a80000000ul  /* past the bootfs, below the block buffer: a slot each */
#define LINK_STRIDE (2ul << 20)
_Static_assert(NET_LINK_PAGES * 4096ul <= LINK_STRIDE, "a link fits its slot");

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

static void describe_mac(uint64_t word, char *buf, size_t len)
{
	uint8_t m[NET_MAC_BYTES];
	for (unsigned i = 0; i < NET_MAC_BYTES; i++)
		m[i] = (uint8_t)(word >> (8 * i));
	snformat(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static uint64_t mac_word(const uint8_t *m)
{
	uint64_t w = 0;
	for (unsigned i = 0; i < NET_MAC_BYTES; i++)
		w |= (uint64_t)m[i] << (8 * i);
	return w;
}

static struct net_ring *ring(struct guest *g, unsigned which)
{
	static struct net_ring rings[MAX_GUESTS][2];
	return &rings[g->slot][which];
}

/* The server takes what ring 0 holds; it refuses a source MAC not the port's. */
static void flush(struct guest *g)
{
	struct msg r = ipc_call(net_ep, vireo_ipc_info(NET_SEND, 0), g->net.port, 0, 0, 0);
	int64_t err = r.status ? r.status : (int64_t)r.w[0];
	if (!err)
		return;
	char have[24], own[24];
	describe_mac(r.w[2], have, sizeof(have));
	describe_mac(mac_word(g->net.mac), own, sizeof(own));
	g->net.refused++;
	if (err == VIREO_E_RIGHTS)
		guest_warn(g, "virtio-net: a frame from source MAC %s, not the guest's %s: refused "
			   "(%lu so far)", have, own, r.w[1]);
	else
		guest_warn(g, "virtio-net: the network server refused a frame: %s", error_name(err));
}

/* One checked packet of the chain into ring 0: its header, then its frame. */
static void queue_frame(struct guest *g, const struct vq_chain *c, const struct net_hdr *h,
			size_t len)
{
	struct net_ring *out = ring(g, NET_RING_OUT);
	uint32_t n = (uint32_t)(NET_HDR_SIZE + len);
	uint8_t *rec = net_ring_reserve(out, n);
	if (!rec) { /* full: the server empties it */
		flush(g);
		rec = net_ring_reserve(out, n);
	}
	if (!rec) {
		guest_warn(g, "virtio-net: the network server takes no frames");
		return;
	}
	memcpy(rec, h, NET_HDR_SIZE);
	net_gather(c, NET_HDR_SIZE, rec + NET_HDR_SIZE, len);
	net_ring_commit(out, n);
	g->net.sent++;
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
		struct net_hdr h;
		enum net_verdict v = net_tx_parse(&chain, d->driver_features, &h, &len, &why);
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
			queue_frame(d->g, &chain, &h, len);
		}
		vq_push(vq, &d->mem, chain.head, 0); /* 5.1.6.2: nothing written */
		used = true;
	}
	if (got < 0) {
		char what[80];
		vq_describe(fault, what, sizeof(what));
		virtio_mmio_fail(d, "%s", what);
	}
	if (used) {
		flush(d->g);
		virtio_mmio_used(d, TXQ);
	}
}

/* Frames waiting in ring 1 go into the guest's receive buffers while both last. */
static void receive(struct virtio_mmio *d)
{
	static struct vq_chain chain;
	struct guest_net *net = &d->g->net;
	struct net_ring *in = ring(d->g, NET_RING_IN);
	struct virtq *vq = &d->queue[RXQ].vq;
	struct vq_fault fault;
	bool used = false;
	const uint8_t *rec;
	uint32_t n;
	while (serving(d, RXQ) && (rec = net_ring_peek(in, &n))) {
		int got = vq_pop(vq, &d->mem, &chain, &fault);
		if (got == 0)
			break; /* the frame waits for the guest's next buffers */
		if (got < 0) {
			char what[80];
			vq_describe(fault, what, sizeof(what));
			virtio_mmio_fail(d, "%s", what);
			break;
		}
		struct net_hdr h = { 0 };
		memcpy(&h, rec, n < NET_HDR_SIZE ? n : NET_HDR_SIZE);
		size_t len = n < NET_HDR_SIZE ? 0 : n - NET_HDR_SIZE;
		uint32_t written;
		const char *why;
		enum net_verdict v = net_rx_fill(&chain, d->driver_features, &h, rec + NET_HDR_SIZE,
						 len, &written, &why);
		net_ring_release(in, n);
		if (v == NET_BROKEN) {
			virtio_mmio_fail(d, "%s", why);
			break;
		}
		d->stats.requests++;
		if (v == NET_DROP) {
			d->stats.errors++;
			net->dropped++;
			guest_warn(d->g, "virtio-net: %s, %zu bytes: dropped", why, len);
		} else {
			d->stats.bytes += written;
			net->received++;
		}
		vq_push(vq, &d->mem, chain.head, written);
		used = true;
	}
	if (in->broken) {
		guest_warn(d->g, "virtio-net: the network server's frames make no sense: dropped");
		net_ring_drain(in);
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
	if (d)
		receive(d);
}

static void net_notify(struct virtio_mmio *d, unsigned q)
{
	if (q == TXQ)
		transmit(d, &d->queue[q].vq);
	else
		receive(d);
}

/* The server completes in software the offloads the guest's driver did not take. */
static void tell_offloads(struct guest *g, uint64_t features)
{
	uint64_t takes = features & NET_F_GUEST_CSUM ? NET_TAKES_CSUM : 0;
	if (!g->net.port || takes == g->net.takes)
		return;
	struct msg r = ipc_call(net_ep, vireo_ipc_info(NET_OFFLOADS, 0), g->net.port, takes, 0, 0);
	if (!r.status && !r.w[0])
		g->net.takes = takes;
}

static void net_status(struct virtio_mmio *d, uint32_t old, uint32_t now)
{
	if ((now & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		tell_offloads(d->g, d->driver_features);
}

static void net_reset(struct virtio_mmio *d)
{
	tell_offloads(d->g, 0);
}

static void unmap_link(struct guest *g)
{
	if (g->net.link)
		vireo_syscall(SYS_MEM_FREE, (long)g->net.link, NET_LINK_PAGES, 0, 0, 0, 0);
	g->net.link = NULL;
}

/* The port's link: made here (the monitor's quota has room for it), mapped by both. */
static int64_t make_link(struct guest *g)
{
	uint64_t va = LINK_VA + g->slot * LINK_STRIDE;
	int64_t h = vireo_syscall(SYS_MEMORY_CREATE, NET_LINK_PAGES, 0, 0, 0, 0, 0);
	if (h < 0)
		return h;
	int64_t err = vireo_syscall(SYS_MEMORY_MAP, h, (long)va,
				    VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	if (err >= 0) {
		g->net.link = (void *)va;
		for (unsigned i = 0; i < 2; i++) {
			net_ring_attach(ring(g, i), g->net.link, i);
			net_ring_clear(ring(g, i));
		}
		ipc_buffer()->handle = (uint64_t)h;
		struct msg r = ipc_call(net_ep, vireo_ipc_info(NET_LINK, 0) | VIREO_IPC_HANDLE,
					g->net.port, 0, 0, 0);
		err = r.status ? r.status : (int64_t)r.w[0];
	}
	vireo_syscall(SYS_HANDLE_CLOSE, h, 0, 0, 0, 0, 0);
	return err < 0 ? err : 0;
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
	g->net.takes = 0;
	for (unsigned i = 0; i < NET_MAC_BYTES; i++)
		g->net.mac[i] = (uint8_t)(r.w[2] >> (8 * i));
	err = make_link(g);
	if (err)
		virtio_net_close(g);
	return err;
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
	unmap_link(g);
}

const struct virtio_device_ops virtio_net_ops = {
	.name = "virtio-net",
	.device_id = NET_DEVICE_ID,
	.features = NET_F_MAC | NET_F_CSUM | NET_F_GUEST_CSUM | NET_F_HOST_TSO4 | NET_F_HOST_TSO6 |
		    VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX,
	.nqueues = 2,
	.queue_max = NET_QUEUE_MAX,
	.config_size = NET_CONFIG_SIZE,
	.available = net_available,
	.config_read = net_config_read,
	.notify = net_notify,
	.reset = net_reset,
	.status = net_status,
};
