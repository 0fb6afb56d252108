/* The network server ("net"): an Ethernet switch between the host NIC (the "netdev"
 * driver, the uplink) and one port per guest, which the VM monitor opens. Each port gets a
 * locally administered MAC of its own, 02:56:69:72:65:NN ("Vireo", NN the port), and may
 * send with no other source; switch.c decides where each frame goes. Callers are told
 * apart by the task id the kernel reports, checked with init (INIT_WHOIS).
 *
 * Frames for a port wait in its queue until the monitor takes them (NET_RECV); the monitor
 * learns of them by a notification, so it never polls and this server never calls it. The
 * driver likewise notifies, and is called: calls only go monitor -> server -> driver. */
#include <string.h>

#include "switch.h"
#include "vireo.h"

#define PORT_QUEUE 128        /* frames waiting per port (a TCP window); more are dropped, counted */
#define UPLINK_BATCH 64       /* frames taken from the driver before callers get a turn */
#define DRIVER_RX 1           /* notification bits */
#define VMM_GONE 2
#define DRIVER_GONE 4
_Static_assert(SWITCH_FRAME_MIN == NET_FRAME_MIN && SWITCH_FRAME_MAX == NET_FRAME_MAX &&
		       MAC_BYTES == NET_MAC_BYTES, "switch.h and protocol.h agree");

struct frame {
	uint16_t len;
	uint8_t data[NET_FRAME_MAX];
};

struct port {
	bool open;
	uint64_t owner;       /* the monitor's task id */
	uint64_t ep, bits;    /* notified when the queue stops being empty */
	uint8_t mac[MAC_BYTES];
	struct frame queue[PORT_QUEUE];
	unsigned head, count;
	uint64_t refused, overflowed;
};

static uint64_t ep, netdev, vmm_task;
static struct port ports[SWITCH_PORTS]; /* [0], the uplink, only for its bit */
static struct switch_table table;
static uint8_t frame[NET_FRAME_MAX]; /* the frame being switched, out of the IPC buffer */
static uint64_t uplink_refused, uplink_busy;

static uint64_t mac_word(const uint8_t mac[MAC_BYTES])
{
	uint64_t w = 0;
	for (unsigned i = 0; i < MAC_BYTES; i++)
		w |= (uint64_t)mac[i] << (8 * i);
	return w;
}

static uint32_t open_ports(void)
{
	uint32_t mask = 1u << SWITCH_UPLINK;
	for (unsigned i = 1; i < SWITCH_PORTS; i++)
		if (ports[i].open)
			mask |= 1u << i;
	return mask;
}

static void enqueue(struct port *p, size_t len)
{
	if (p->count == PORT_QUEUE) {
		p->overflowed++; /* the guest takes no frames, or not fast enough */
		return;
	}
	struct frame *f = &p->queue[(p->head + p->count++) % PORT_QUEUE];
	f->len = (uint16_t)len;
	memcpy(f->data, frame, len);
	if (p->count == 1)
		vireo_syscall(SYS_NOTIFY, (long)p->ep, (long)p->bits, 0, 0, 0, 0);
}

/* The frame of len bytes in frame[], to every port of mask. */
static void deliver(size_t len, uint32_t mask)
{
	for (unsigned i = 1; i < SWITCH_PORTS; i++)
		if (mask & (1u << i))
			enqueue(&ports[i], len);
	if (mask & (1u << SWITCH_UPLINK)) {
		struct msg r = ipc_call(netdev, ipc_data(NETDEV_SEND, frame, len), 0, 0, 0, 0);
		if (r.status || r.w[0])
			uplink_busy++;
	}
}

static void switch_frame(unsigned port, size_t len)
{
	deliver(len, switch_route(&table, port, frame, open_ports()));
}

/* Frames from the host NIC, a batch at a time; the rest after the callers waiting now. */
static void from_uplink(void)
{
	for (unsigned i = 0; i < UPLINK_BATCH; i++) {
		struct msg r = ipc_call(netdev, vireo_ipc_info(NETDEV_RECV, 0), 0, 0, 0, 0);
		size_t n = vireo_ipc_len(r.info);
		if (r.status || r.w[0] || n == 0 || n > sizeof(frame))
			return;
		memcpy(frame, ipc_buffer()->data, n);
		if (switch_admit(&table, SWITCH_UPLINK, NULL, frame, n) == SWITCH_OK)
			switch_frame(SWITCH_UPLINK, n);
		else
			uplink_refused++;
		if (r.w[1] == 0)
			return;
	}
	vireo_syscall(SYS_NOTIFY, (long)ep, DRIVER_RX, 0, 0, 0, 0);
}

static void close_port(struct port *p)
{
	if (p->ep)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)p->ep, 0, 0, 0, 0, 0);
	switch_detach(&table, (unsigned)(p - ports));
	memset(p, 0, sizeof(*p));
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

static int64_t send_from(struct port *p, size_t len)
{
	unsigned port = (unsigned)(p - ports);
	switch (switch_admit(&table, port, p->mac, frame, len)) {
	case SWITCH_OK:
		switch_frame(port, len);
		return 0;
	case SWITCH_BAD_SIZE:
		p->refused++;
		return VIREO_E_INVAL;
	default:
		p->refused++;
		return VIREO_E_RIGHTS;
	}
}

static void take(struct port *p, uint64_t caller)
{
	if (!p->count) {
		ipc_reply(caller, 0, 0, 0, 0, 0);
		return;
	}
	struct frame *f = &p->queue[p->head];
	p->head = (p->head + 1) % PORT_QUEUE;
	p->count--;
	ipc_reply(caller, ipc_data(0, f->data, f->len), 0, p->count, p->overflowed, 0);
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
	uint64_t handle = m->info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	size_t len = vireo_ipc_len(m->info);
	/* Taken before allowed() asks init, which reuses the IPC buffer. */
	if (len <= sizeof(frame))
		memcpy(frame, ipc_buffer()->data, len);
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
	if (handle) /* nothing else takes a handle */
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
	struct port *p = m->w[0] && m->w[0] < SWITCH_PORTS ? &ports[m->w[0]] : NULL;
	if (!p || !p->open || p->owner != m->task) {
		ipc_reply(caller, 0, (uint64_t)VIREO_E_NOENT, 0, 0, 0);
		return;
	}
	switch (label) {
	case NET_CLOSE:
		close_port(p);
		ipc_reply(caller, 0, 0, 0, 0, 0);
		return;
	case NET_SEND: {
		int64_t err = send_from(p, len);
		ipc_reply(caller, 0, (uint64_t)err, p->refused, 0, 0);
		return;
	}
	case NET_RECV:
		take(p, caller);
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

/* Finds the driver and asks it for news of frames: at the start, and again whenever it
 * ended (init restarts it; the lookup waits for the new one). Watched before it is looked
 * up, so that the driver watched is the one found. */
static int64_t connect_driver(void)
{
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
	return r.status ? r.status : (int64_t)r.w[0];
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
