/* The network server ("net"): an Ethernet switch between the host NIC (the "netdev"
 * driver, the uplink) and one port per guest, which the VM monitor opens. Each port gets a
 * locally administered MAC of its own, 02:56:69:72:65:NN ("Vireo", NN the port), and may
 * send with no other source; switch.c decides where each frame goes. Callers are told
 * apart by the task id the kernel reports, checked with init (INIT_WHOIS).
 *
 * Frames travel in links (protocol.h NET_LINK): the monitor makes one per port, this server
 * one for the driver. A frame goes with the offloads it asks for (struct net_hdr); a port
 * or NIC that does not take one gets it done here (offload.c): the checksum filled in, a
 * TCP frame of up to 64 KiB cut into segments. A receiver's ring that is full drops the
 * frame, counted. The monitor learns of frames for its ports by a notification, once per
 * batch, so it never polls and this server never calls it. The driver likewise notifies,
 * and is called (NETDEV_KICK): calls only go monitor -> server -> driver. */
#include <string.h>

#include "net_ring.h"
#include "offload.h"
#include "switch.h"
#include "vireo.h"

#define UPLINK_BATCH 256      /* frames taken from the driver before callers get a turn */
#define DRIVER_RX 1           /* notification bits */
#define VMM_GONE 2
#define DRIVER_GONE 4
#define LINK_VA (VIREO_USER_HEAP + (16ul << 20)) /* the uplink's, then a slot per port */
#define LINK_STRIDE (2ul << 20)
_Static_assert(SWITCH_FRAME_MIN == NET_FRAME_MIN && SWITCH_FRAME_MAX == NET_FRAME_MAX &&
		       MAC_BYTES == NET_MAC_BYTES, "switch.h and protocol.h agree");
_Static_assert(NET_LINK_PAGES * 4096ul <= LINK_STRIDE, "a link fits its slot");

struct port {
	bool open;
	uint64_t owner;       /* the monitor's task id */
	uint64_t ep, bits;    /* notified when frames were put in its ring */
	uint8_t mac[MAC_BYTES];
	uint64_t takes;       /* NET_TAKES_*; for the uplink, the NIC's */
	bool linked, pending; /* pending: frames put since the last notification */
	struct net_ring from, to; /* frames from the guest (or the NIC), frames for it */
	uint64_t refused, overflowed;
};

static uint64_t ep, netdev, vmm_task;
static struct port ports[SWITCH_PORTS]; /* [0], the uplink */
static struct switch_table table;
static uint64_t uplink_refused, bad_offloads;

static uint64_t mac_word(const uint8_t mac[MAC_BYTES])
{
	uint64_t w = 0;
	for (unsigned i = 0; i < MAC_BYTES; i++)
		w |= (uint64_t)mac[i] << (8 * i);
	return w;
}

static void *link_va(unsigned port)
{
	return (void *)(LINK_VA + port * LINK_STRIDE);
}

static uint32_t open_ports(void)
{
	uint32_t mask = ports[SWITCH_UPLINK].linked ? 1u << SWITCH_UPLINK : 0;
	for (unsigned i = 1; i < SWITCH_PORTS; i++)
		if (ports[i].open && ports[i].linked)
			mask |= 1u << i;
	return mask;
}

/* Room in p's ring for a frame of up to len bytes behind its header; NULL (counted) when
 * the receiver takes no frames, or not fast enough. */
static uint8_t *room(struct port *p, size_t len)
{
	uint8_t *rec = net_ring_reserve(&p->to, (uint32_t)(NET_HDR_BYTES + len));
	if (!rec)
		p->overflowed++;
	return rec;
}

/* The frame in rec goes: its Ethernet header is eth, the copy that was checked (the
 * sender's ring may have changed under us). */
static void commit(struct port *p, uint8_t *rec, const uint8_t *eth, size_t len)
{
	memcpy(rec + NET_HDR_BYTES, eth, NET_FRAME_MIN);
	net_ring_commit(&p->to, (uint32_t)(NET_HDR_BYTES + len));
	p->pending = true;
}

static bool takes_gso(const struct port *p, const struct net_hdr *h)
{
	return p->takes & ((h->gso_type & ~NET_GSO_ECN) == NET_GSO_TCPV6 ? NET_TAKES_TSO6
									: NET_TAKES_TSO4);
}

/* The frame to p: as it is, with its checksum filled in, or cut into segments p can take,
 * each written straight into p's ring. */
static void deliver(struct port *p, const struct net_hdr *h, const struct offload_gso *gso,
		    const uint8_t *eth, const uint8_t *f, size_t len)
{
	uint8_t *rec;
	if (h->gso_type != NET_GSO_NONE && !takes_gso(p, h)) {
		static const struct net_hdr whole; /* each segment's checksums are done */
		for (unsigned i = 0; i < gso->segments && (rec = room(p, NET_FRAME_MAX)); i++) {
			memcpy(rec, &whole, NET_HDR_BYTES);
			commit(p, rec, eth, offload_gso_segment(gso, f, i, rec + NET_HDR_BYTES));
		}
		return;
	}
	if (!(rec = room(p, len)))
		return;
	memcpy(rec, h, NET_HDR_BYTES);
	memcpy(rec + NET_HDR_BYTES, f, len);
	if ((h->flags & NET_F_NEEDS_CSUM) && !(p->takes & NET_TAKES_CSUM)) {
		const char *why;
		((struct net_hdr *)rec)->flags &= (uint8_t)~NET_F_NEEDS_CSUM;
		offload_checksum(h, rec + NET_HDR_BYTES, len, &why); /* checked at admission */
	}
	commit(p, rec, eth, len);
}

/* An admitted frame from port goes where the table says. */
static void switch_frame(unsigned port, const struct net_hdr *h, const struct offload_gso *gso,
			 const uint8_t *eth, const uint8_t *f, size_t len)
{
	uint32_t mask = switch_route(&table, port, eth, open_ports());
	for (unsigned i = 0; i < SWITCH_PORTS; i++)
		if (mask & (1u << i))
			deliver(&ports[i], h, gso, eth, f, len);
}

/* What a frame's header asks must fit the frame (the monitor checked it against the
 * guest's features; this server trusts no copy but its own). */
static bool offloads_make_sense(const struct net_hdr *h, const uint8_t *f, size_t len,
				struct offload_gso *gso)
{
	const char *why;
	if ((h->flags & NET_F_NEEDS_CSUM) &&
	    (h->csum_start >= len || (size_t)h->csum_start + h->csum_offset + 2 > len))
		return false;
	return h->gso_type == NET_GSO_NONE || offload_gso_plan(h, f, len, gso, &why);
}

/* The oldest record of r as a header and frame: false when there is none. */
static bool next_frame(struct net_ring *r, struct net_hdr *h, const uint8_t **f, uint32_t *n)
{
	const uint8_t *rec = net_ring_peek(r, n);
	if (!rec)
		return false;
	memset(h, 0, sizeof(*h));
	memcpy(h, rec, *n < NET_HDR_BYTES ? *n : NET_HDR_BYTES);
	*f = rec + NET_HDR_BYTES;
	return true;
}

static size_t frame_len(uint32_t n)
{
	return n < NET_HDR_BYTES ? 0 : n - NET_HDR_BYTES;
}

static void kick_driver(void)
{
	ipc_call(netdev, vireo_ipc_info(NETDEV_KICK, 0), 0, 0, 0, 0);
}

/* Once per batch, each port that got frames hears of it. */
static void notify_receivers(void)
{
	for (unsigned i = 0; i < SWITCH_PORTS; i++) {
		struct port *p = &ports[i];
		if (!p->pending)
			continue;
		p->pending = false;
		if (i == SWITCH_UPLINK)
			kick_driver();
		else
			vireo_syscall(SYS_NOTIFY, (long)p->ep, (long)p->bits, 0, 0, 0, 0);
	}
}

/* Frames from the host NIC, a batch at a time; the rest after the callers waiting now. */
static void from_uplink(void)
{
	struct port *up = &ports[SWITCH_UPLINK];
	struct net_hdr h;
	const uint8_t *f;
	uint32_t n;
	unsigned taken = 0;
	/* A nearly full ring may have stopped the driver: it hears when there is room again. */
	bool was_full = up->linked && up->from.ends->head - up->from.count > NET_RING_BYTES / 2;
	while (up->linked && taken < UPLINK_BATCH && next_frame(&up->from, &h, &f, &n)) {
		size_t len = frame_len(n);
		uint8_t eth[NET_FRAME_MIN];
		struct offload_gso gso;
		if (len >= NET_FRAME_MIN)
			memcpy(eth, f, sizeof(eth));
		if (switch_admit(&table, SWITCH_UPLINK, NULL, len >= NET_FRAME_MIN ? eth : f, len,
				 NET_FRAME_MAX) != SWITCH_OK)
			uplink_refused++;
		else if (!offloads_make_sense(&h, f, len, &gso))
			bad_offloads++;
		else
			switch_frame(SWITCH_UPLINK, &h, &gso, eth, f, len);
		net_ring_release(&up->from, n);
		taken++;
	}
	if (up->from.broken) {
		printf("net: the network driver's frames make no sense: dropped\n");
		net_ring_drain(&up->from);
	}
	notify_receivers();
	if (was_full)
		kick_driver();
	if (taken == UPLINK_BATCH)
		vireo_syscall(SYS_NOTIFY, (long)ep, DRIVER_RX, 0, 0, 0, 0);
}

static void unlink_port(struct port *p)
{
	if (p->linked)
		vireo_syscall(SYS_MEM_FREE, (long)link_va((unsigned)(p - ports)), NET_LINK_PAGES, 0,
			      0, 0, 0);
	p->linked = false;
}

static void close_port(struct port *p)
{
	if (p->ep)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)p->ep, 0, 0, 0, 0, 0);
	unlink_port(p);
	switch_detach(&table, (unsigned)(p - ports));
	memset(p, 0, sizeof(*p));
}

/* Maps the link of handle for port; the handle goes either way. */
static int64_t link_port(unsigned port, uint64_t handle)
{
	struct port *p = &ports[port];
	unlink_port(p);
	int64_t pages = handle ? vireo_syscall(SYS_MEMORY_MAP, (long)handle, (long)link_va(port),
					       VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0)
			       : VIREO_E_INVAL;
	if (handle)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
	if (pages >= 0 && pages != NET_LINK_PAGES) {
		vireo_syscall(SYS_MEM_FREE, (long)link_va(port), pages, 0, 0, 0, 0);
		pages = VIREO_E_INVAL;
	}
	if (pages < 0)
		return pages;
	net_ring_attach(&p->from, link_va(port), NET_RING_OUT);
	net_ring_attach(&p->to, link_va(port), NET_RING_IN);
	p->linked = true;
	return 0;
}

static void open_port(const struct msg *m, uint64_t handle)
{
	uint64_t caller = (uint64_t)m->status;
	struct port *p = NULL;
	for (unsigned i = 1; i < SWITCH_PORTS && !p; i++)
		if (!ports[i].open)
			p = &ports[i];
	if (!handle || !p) {
		if (handle)
			vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
		ipc_reply(caller, 0, (uint64_t)(handle ? VIREO_E_FULL : VIREO_E_INVAL), 0, 0, 0);
		return;
	}
	unsigned port = (unsigned)(p - ports);
	const uint8_t mac[MAC_BYTES] = { 0x02, 0x56, 0x69, 0x72, 0x65, (uint8_t)port };
	if (!switch_attach(&table, port, mac)) {
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
		ipc_reply(caller, 0, (uint64_t)VIREO_E_FULL, 0, 0, 0);
		return;
	}
	/* Field by field: a compound literal of the whole port could be built on the stack. */
	memset(p, 0, sizeof(*p));
	p->open = true;
	p->owner = m->task;
	p->ep = handle;
	p->bits = m->w[0];
	memcpy(p->mac, mac, MAC_BYTES);
	ipc_reply(caller, 0, 0, port, mac_word(mac), 0);
}

/* Every frame in p's ring 0 through the switch; the first refusal is the caller's news. */
static void send_from(struct port *p, uint64_t caller)
{
	unsigned port = (unsigned)(p - ports);
	int64_t first = 0;
	uint64_t first_source = 0;
	struct net_hdr h;
	const uint8_t *f;
	uint32_t n;
	while (next_frame(&p->from, &h, &f, &n)) {
		size_t len = frame_len(n);
		uint8_t eth[NET_FRAME_MIN] = { 0 };
		struct offload_gso gso;
		int64_t err = 0;
		if (len >= NET_FRAME_MIN)
			memcpy(eth, f, sizeof(eth));
		switch (switch_admit(&table, port, p->mac, eth, len,
				     h.gso_type == NET_GSO_NONE ? NET_FRAME_MAX : NET_GSO_FRAME_MAX)) {
		case SWITCH_OK:
			if (offloads_make_sense(&h, f, len, &gso))
				switch_frame(port, &h, &gso, eth, f, len);
			else
				err = VIREO_E_INVAL;
			break;
		case SWITCH_BAD_SIZE:
			err = VIREO_E_INVAL;
			break;
		default:
			err = VIREO_E_RIGHTS;
		}
		net_ring_release(&p->from, n);
		if (err) {
			p->refused++;
			if (!first) {
				first = err;
				first_source = mac_word(eth + MAC_BYTES);
			}
		}
	}
	if (p->from.broken) {
		net_ring_drain(&p->from);
		p->refused++;
		first = first ? first : VIREO_E_INVAL;
	}
	notify_receivers();
	ipc_reply(caller, 0, (uint64_t)first, p->refused, first_source, 0);
}

/* Only the VM monitor init started uses the network. */
static bool allowed(const struct msg *m)
{
	if (m->task == vmm_task)
		return true;
	if (!caller_is_service(m->task, "/boot/bin/vmm"))
		return false;
	vmm_task = m->task;
	watch_service("vmm", ep, VMM_GONE);
	return true;
}

static void request(const struct msg *m)
{
	uint64_t caller = (uint64_t)m->status;
	uint32_t label = vireo_ipc_label(m->info);
	/* Taken before allowed() asks init, which reuses the IPC buffer. */
	uint64_t handle = m->info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	if (!allowed(m)) {
		if (handle)
			vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
		ipc_reply(caller, 0, (uint64_t)VIREO_E_RIGHTS, 0, 0, 0);
		return;
	}
	if (label == NET_OPEN) {
		open_port(m, handle);
		return;
	}
	struct port *p = m->w[0] && m->w[0] < SWITCH_PORTS ? &ports[m->w[0]] : NULL;
	if (!p || !p->open || p->owner != m->task) {
		if (handle)
			vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
		ipc_reply(caller, 0, (uint64_t)VIREO_E_NOENT, 0, 0, 0);
		return;
	}
	if (label == NET_LINK) {
		ipc_reply(caller, 0, (uint64_t)link_port((unsigned)m->w[0], handle), 0, 0, 0);
		return;
	}
	if (handle) /* nothing else takes a handle */
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
	switch (label) {
	case NET_CLOSE:
		close_port(p);
		ipc_reply(caller, 0, 0, 0, 0, 0);
		return;
	case NET_SEND:
		if (!p->linked)
			break;
		send_from(p, caller);
		return;
	case NET_OFFLOADS:
		p->takes = m->w[1] & NET_TAKES_CSUM; /* guests get no segments yet: no MRG_RXBUF */
		ipc_reply(caller, 0, 0, p->takes, 0, 0);
		return;
	}
	ipc_reply(caller, 0, (uint64_t)VIREO_E_NOSYS, 0, 0, 0);
}

/* The monitor ended: its ports go, and their MACs with them. */
static void vmm_gone(void)
{
	for (unsigned i = 1; i < SWITCH_PORTS; i++)
		if (ports[i].open && ports[i].owner == vmm_task)
			close_port(&ports[i]);
	vmm_task = 0;
}

/* The uplink's link, made once and given to each driver in turn, emptied. */
static int64_t make_uplink(void)
{
	struct port *up = &ports[SWITCH_UPLINK];
	static uint64_t handle;
	if (!handle) {
		int64_t h = vireo_syscall(SYS_MEMORY_CREATE, NET_LINK_PAGES, 0, 0, 0, 0, 0);
		int64_t err = h < 0 ? h : vireo_syscall(SYS_MEMORY_MAP, h, (long)link_va(0),
							VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
		if (err < 0)
			return err;
		handle = (uint64_t)h;
		net_ring_attach(&up->from, link_va(0), NET_RING_IN); /* from the NIC */
		net_ring_attach(&up->to, link_va(0), NET_RING_OUT); /* to it */
	}
	net_ring_clear(&up->from);
	net_ring_clear(&up->to);
	int64_t copy = vireo_syscall(SYS_HANDLE_COPY, (long)handle,
				     VIREO_RIGHT_MAP | VIREO_RIGHT_WRITE | VIREO_RIGHT_TRANSFER, 0, 0,
				     0, 0);
	if (copy < 0)
		return copy;
	ipc_buffer()->handle = (uint64_t)copy;
	struct msg r = ipc_call(netdev, vireo_ipc_info(NETDEV_LINK, 0) | VIREO_IPC_HANDLE, 0, 0, 0,
				0);
	vireo_syscall(SYS_HANDLE_CLOSE, copy, 0, 0, 0, 0, 0);
	int64_t err = r.status ? r.status : (int64_t)r.w[0];
	if (err)
		return err;
	r = ipc_call(netdev, vireo_ipc_info(NETDEV_INFO, 0), 0, 0, 0, 0);
	up->takes = r.status || r.w[0] ? 0 : r.w[2] & (NET_TAKES_CSUM | NET_TAKES_TSO4 |
						       NET_TAKES_TSO6);
	up->linked = true;
	return 0;
}

/* Finds the driver and asks it for news of frames: at the start, and again whenever it
 * ended (init restarts it; the lookup waits for the new one). Watched before it is looked
 * up, so that the driver watched is the one found. */
static int64_t connect_driver(void)
{
	ports[SWITCH_UPLINK].linked = false;
	if (netdev)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)netdev, 0, 0, 0, 0, 0);
	netdev = 0;
	int64_t err = watch_service("netdev", ep, DRIVER_GONE);
	int64_t h = err ? err : lookup("netdev");
	if (h < 0)
		return h;
	netdev = (uint64_t)h;
	/* The driver may only notify us: a copy of our endpoint without the right to receive. */
	int64_t notify = vireo_syscall(SYS_HANDLE_COPY, (long)ep,
				       VIREO_RIGHT_SEND | VIREO_RIGHT_TRANSFER, 0, 0, 0, 0);
	if (notify < 0)
		return notify;
	ipc_buffer()->handle = (uint64_t)notify;
	struct msg r = ipc_call(netdev, vireo_ipc_info(NETDEV_SUBSCRIBE, 0) | VIREO_IPC_HANDLE,
				DRIVER_RX, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, notify, 0, 0, 0, 0, 0);
	err = r.status ? r.status : (int64_t)r.w[0];
	return err ? err : make_uplink();
}

int main(void)
{
	ep = (uint64_t)vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	switch_init(&table);
	int64_t err = connect_driver();
	if (err) {
		printf("net: no network driver: %s\n", error_name(err));
		return 1;
	}
	err = register_service("net", ep);
	if (err) {
		printf("net: cannot register: %s\n", error_name(err));
		return 1;
	}
	for (;;) {
		struct msg m = ipc_recv(ep);
		if (m.status > 0) {
			request(&m);
		} else if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY) {
			if (m.w[0] & VMM_GONE)
				vmm_gone();
			if ((m.w[0] & DRIVER_GONE) && (err = connect_driver()))
				printf("net: the network driver is gone: %s\n", error_name(err));
			if (m.w[0] & DRIVER_RX)
				from_uplink();
		}
	}
}
