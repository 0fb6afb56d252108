/* The virtio-net driver: owns QEMU's virtio-mmio network device (virtio 1.2 sections 4.2
 * and 5.1, modern interface, Version 2) and serves "netdev" to the network server alone.
 * One receive and one transmit queue (5.1.2) of QUEUE_SIZE single-descriptor buffers: the
 * receive buffers in a memory object pinned for the device (SYS_DMA_PIN), the transmitted
 * frames where the network server put them, in its link, which is pinned too. Of the
 * offloads it takes only the checksum (VIRTIO_NET_F_CSUM), when the device offers it (QEMU's
 * user network offers none): the network server segments, into frames of one MTU.
 * No merged receive buffers, so every buffer holds the 12-byte header (5.1.6) and one whole
 * frame. With VIRTIO_F_EVENT_IDX (2.7.10) the device and this driver tell each other when
 * to notify.
 *
 * Frames come and go in the link the server made (protocol.h NET_LINK): the device's
 * interrupt moves received frames into ring 1 and notifies the server; the server's
 * NETDEV_KICK says frames wait in ring 0, which the device reads in place, up to QUEUE_SIZE
 * at a time, each released to the server once the device is done. This driver never calls
 * anyone, so the server can call it at any time without a deadlock. */
#include <stdbool.h>
#include <string.h>

#include "../../servers/net/net_ring.h"
#include "../virtio_mmio_regs.h"
#include "vireo.h"

#define REGS_VA VIREO_USER_DEVICES
#define DMA_VA (VIREO_USER_HEAP + 0x100000)
#define LINK_VA (VIREO_USER_HEAP + 0x400000)
#define IRQ_BIT 1
#define QUEUE_SIZE 128
#define SLOT_BYTES 2048 /* a buffer: the header and a frame, two to a page */
#define RXQ 0
#define TXQ 1
#define NET_DEVICE_ID 1
#define NET_F_CSUM (1ull << 0) /* 5.1.3 */
#define NET_F_MAC (1ull << 5)
#define F_EVENT_IDX (1ull << 29) /* 6 */

/* A queue's page: 2.7's alignments (16, 2, 4) hold at these offsets. */
struct queue_page {
	struct virtq_desc desc[QUEUE_SIZE];
	struct {
		uint16_t flags, idx, ring[QUEUE_SIZE], used_event;
	} avail __attribute__((aligned(512)));
	struct {
		uint16_t flags, idx;
		struct virtq_used_elem ring[QUEUE_SIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(512)));
};
_Static_assert(sizeof(struct queue_page) <= 4096, "a queue fits its page");

struct dma_area {
	struct queue_page queue[2];
	uint8_t rx[QUEUE_SIZE][SLOT_BYTES];
};
#define DMA_PAGES ((sizeof(struct dma_area) + 4095) / 4096)

struct queue_state {
	uint16_t next_avail, last_used, kicked; /* kicked: next_avail at the last notification */
};

static volatile uint32_t *regs = (volatile uint32_t *)REGS_VA;
static volatile struct dma_area *dma = (volatile struct dma_area *)DMA_VA;
static uint64_t dma_pa, ep, mac, subscriber, subscriber_bits, takes;
static bool event_idx;
static struct queue_state qs[2];
static uint16_t tx_free[QUEUE_SIZE];
static unsigned tx_nfree;
static struct net_ring to_send, received_ring; /* the link's rings 0 and 1 */
static bool linked;
static uint64_t link_pa;
/* Frames of ring 0 in flight, in the order given: descriptor, where its record ends, and
 * whether the device is done with it. Ring 0 is released up to the oldest not done. */
static uint32_t tx_cursor;
static struct { uint32_t end; bool done; } tx_slot[QUEUE_SIZE];
static uint16_t tx_order[QUEUE_SIZE];
static unsigned tx_oldest, tx_in_flight;
static uint64_t allowed_task; /* the network server's task id, once init has vouched for it */
static uint64_t bad_frames;   /* received with a length no frame has, or sent so */

static uint32_t reg(unsigned off) { return regs[off / 4]; }
static void set_reg(unsigned off, uint32_t v) { regs[off / 4] = v; }
static void set_reg64(unsigned off, uint64_t v)
{
	set_reg(off, (uint32_t)v);
	set_reg(off + 4, (uint32_t)(v >> 32));
}

static uint64_t pa_of(volatile const void *p)
{
	return dma_pa + (uint64_t)((uintptr_t)p - DMA_VA);
}

static int fail(const char *what, int64_t err)
{
	printf("virtio-net: %s%s%s\n", what, err ? ": " : "", err ? error_name(err) : "");
	set_reg(VIRTIO_STATUS, VIRTIO_S_FAILED); /* 2.1 */
	return 1;
}

static uint64_t read_mac(void)
{
	uint32_t gen;
	uint64_t m;
	do { /* 4.2.2: a multi-byte field is read under one generation */
		gen = reg(VIRTIO_CONFIG_GENERATION);
		m = 0;
		for (unsigned i = 0; i < NET_MAC_BYTES; i++)
			m |= (uint64_t)((volatile uint8_t *)regs)[VIRTIO_CONFIG + i] << (8 * i);
	} while (gen != reg(VIRTIO_CONFIG_GENERATION));
	return m;
}

/* 2.7.10's vring_need_event: moving an index from old to new crossed event. */
static bool need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

static void kick(unsigned q)
{
	volatile struct queue_page *p = &dma->queue[q];
	__sync_synchronize(); /* 2.7.13: the index before the notification */
	uint16_t now = qs[q].next_avail, before = qs[q].kicked;
	if (now == before)
		return;
	bool wanted = event_idx ? need_event(p->used.avail_event, now, before)
				: !(p->used.flags & VIRTQ_USED_F_NO_NOTIFY);
	qs[q].kicked = now;
	if (wanted)
		set_reg(VIRTIO_QUEUE_NOTIFY, q);
}

/* Asks for an interrupt at the device's next used buffer of q, or (with event-idx) at none
 * for a long while. Without event-idx, only the receive queue interrupts. */
static void want_interrupt(unsigned q, bool want)
{
	volatile struct queue_page *p = &dma->queue[q];
	if (event_idx)
		p->avail.used_event = (uint16_t)(qs[q].last_used + (want ? 0 : 0x7fff));
	__sync_synchronize(); /* 2.7.10: then look at the used ring once more */
}

/* 2.7.13: makes descriptor id available on queue q. */
static void make_available(unsigned q, uint16_t id)
{
	volatile struct queue_page *p = &dma->queue[q];
	p->avail.ring[qs[q].next_avail % QUEUE_SIZE] = id;
	__sync_synchronize(); /* the ring entry before the index */
	p->avail.idx = ++qs[q].next_avail;
}

static int setup_queue(unsigned q)
{
	volatile struct queue_page *p = &dma->queue[q];
	set_reg(VIRTIO_QUEUE_SEL, q);
	if (reg(VIRTIO_QUEUE_READY) || reg(VIRTIO_QUEUE_NUM_MAX) < QUEUE_SIZE)
		return fail(q == RXQ ? "the receive queue is in use or too small"
				     : "the transmit queue is in use or too small", 0);
	for (uint16_t i = 0; i < QUEUE_SIZE && q == RXQ; i++)
		p->desc[i] = (struct virtq_desc){ pa_of(dma->rx[i]), SLOT_BYTES, VIRTQ_DESC_F_WRITE,
						  0 };
	/* Transmitted buffers are reclaimed when the next frames go: no interrupt for them
	 * unless all are in flight. */
	p->avail.flags = q == TXQ ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0;
	set_reg(VIRTIO_QUEUE_NUM, QUEUE_SIZE);
	set_reg64(VIRTIO_QUEUE_DESC, pa_of(p->desc));
	set_reg64(VIRTIO_QUEUE_DRIVER, pa_of(&p->avail));
	set_reg64(VIRTIO_QUEUE_DEVICE, pa_of(&p->used));
	set_reg(VIRTIO_QUEUE_READY, 1);
	return 0;
}

static int negotiate(void)
{
	set_reg(VIRTIO_DEVICE_FEATURES_SEL, 0);
	uint64_t offered = reg(VIRTIO_DEVICE_FEATURES);
	set_reg(VIRTIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)reg(VIRTIO_DEVICE_FEATURES) << 32;
	if (!(offered & VIRTIO_F_VERSION_1))
		return fail("the device does not offer VIRTIO_F_VERSION_1", 0);
	uint64_t wanted = offered & (VIRTIO_F_VERSION_1 | NET_F_MAC | NET_F_CSUM | F_EVENT_IDX);
	set_reg(VIRTIO_DRIVER_FEATURES_SEL, 0);
	set_reg(VIRTIO_DRIVER_FEATURES, (uint32_t)wanted);
	set_reg(VIRTIO_DRIVER_FEATURES_SEL, 1);
	set_reg(VIRTIO_DRIVER_FEATURES, (uint32_t)(wanted >> 32));
	set_reg(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	if (!(reg(VIRTIO_STATUS) & VIRTIO_S_FEATURES_OK))
		return fail("the device refused the features", 0);
	/* 5.1.5: without VIRTIO_NET_F_MAC the driver picks one; a locally administered one. */
	mac = wanted & NET_F_MAC ? read_mac() : 0x010000566902ull;
	takes = wanted & NET_F_CSUM ? NET_TAKES_CSUM : 0;
	event_idx = wanted & F_EVENT_IDX;
	return 0;
}

/* 3.1.1: the initialization sequence, with the receive queue full of buffers. */
static int setup(void)
{
	int64_t err = vireo_syscall(SYS_DEVICE_MAP, NETDEV_HANDLE_DEVICE, REGS_VA, 0, 0, 0, 0);
	if (err)
		return fail("cannot map the device", err);
	if (reg(VIRTIO_MAGIC) != VIRTIO_MAGIC_VALUE || reg(VIRTIO_VERSION) != 2 ||
	    reg(VIRTIO_DEVICE_ID) != NET_DEVICE_ID)
		return fail("not a modern virtio-mmio network device", 0);
	/* Resets the device and drops the pins of a driver before us, whose buffers the device
	 * might otherwise still write. */
	err = vireo_syscall(SYS_DMA_RESET, NETDEV_HANDLE_DEVICE, 0, 0, 0, 0, 0);
	if (err)
		return fail("cannot reset the device", err);
	set_reg(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE);
	set_reg(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	if (negotiate())
		return 1;

	int64_t h = vireo_syscall(SYS_MEMORY_CREATE, (long)DMA_PAGES, 0, 0, 0, 0, 0);
	int64_t pa = h < 0 ? h : vireo_syscall(SYS_DMA_PIN, NETDEV_HANDLE_DEVICE, h, 0, 0, 0, 0);
	err = pa < 0 ? pa : vireo_syscall(SYS_MEMORY_MAP, h, DMA_VA,
					  VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	if (err < 0)
		return fail("cannot set up DMA memory", err);
	dma_pa = (uint64_t)pa;
	if (setup_queue(RXQ) || setup_queue(TXQ))
		return 1;
	for (uint16_t i = 0; i < QUEUE_SIZE; i++) {
		make_available(RXQ, i);
		tx_free[tx_nfree++] = i;
	}
	want_interrupt(RXQ, true);
	want_interrupt(TXQ, false);

	ep = (uint64_t)vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	err = vireo_syscall(SYS_IRQ_BIND, NETDEV_HANDLE_DEVICE, (long)ep, IRQ_BIT, 0, 0, 0);
	if (err)
		return fail("cannot bind the interrupt", err);
	set_reg(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK |
				       VIRTIO_S_DRIVER_OK);
	kick(RXQ);
	return 0;
}

static uint16_t received(void)
{
	__sync_synchronize();
	return (uint16_t)(dma->queue[RXQ].used.idx - qs[RXQ].last_used);
}

static void tell_subscriber(void)
{
	if (subscriber)
		vireo_syscall(SYS_NOTIFY, (long)subscriber, (long)subscriber_bits, 0, 0, 0, 0);
}

/* Received frames, with the device's header, into ring 1 while it has room; each buffer
 * goes back to the device at once. A length no frame has (the device's mistake) is
 * skipped. A frame with no room waits in its buffer for the server to make some. */
static void take_received(void)
{
	bool moved = false;
	while (linked && received()) {
		volatile struct virtq_used_elem *e =
			&dma->queue[RXQ].used.ring[qs[RXQ].last_used % QUEUE_SIZE];
		uint32_t id = e->id, len = e->len;
		if (id < QUEUE_SIZE && len >= NET_HDR_BYTES + NET_FRAME_MIN &&
		    len <= NET_HDR_BYTES + NET_FRAME_MAX) {
			uint8_t *rec = net_ring_reserve(&received_ring, len);
			if (!rec)
				break;
			memcpy(rec, (const uint8_t *)dma->rx[id], len);
			net_ring_commit(&received_ring, len);
			moved = true;
		} else {
			bad_frames++;
		}
		qs[RXQ].last_used++;
		if (id < QUEUE_SIZE) /* not one of ours: nothing to give back */
			make_available(RXQ, (uint16_t)id);
	}
	want_interrupt(RXQ, true);
	kick(RXQ);
	if (moved)
		tell_subscriber();
}

/* Frames the device has sent are the server's again, in order. */
static void reclaim(void)
{
	volatile struct queue_page *p = &dma->queue[TXQ];
	__sync_synchronize();
	while (p->used.idx != qs[TXQ].last_used) {
		uint32_t id = p->used.ring[qs[TXQ].last_used++ % QUEUE_SIZE].id;
		if (id < QUEUE_SIZE)
			tx_slot[id].done = true;
	}
	uint32_t released = 0;
	bool any = false;
	for (; tx_in_flight && tx_slot[tx_order[tx_oldest]].done; tx_in_flight--) {
		uint16_t id = tx_order[tx_oldest];
		tx_oldest = (tx_oldest + 1) % QUEUE_SIZE;
		tx_slot[id].done = false;
		released = tx_slot[id].end;
		any = true;
		tx_free[tx_nfree++] = id;
	}
	if (any)
		net_ring_release_to(&to_send, released);
}

/* Frames of ring 0 to the device, read where they lie, while descriptors last. When they
 * run out first, the device's next used buffer interrupts to go on. */
static void send_queued(void)
{
	const uint8_t *rec;
	uint32_t n;
	reclaim();
	while (linked && tx_nfree && (rec = net_ring_peek_at(&to_send, &tx_cursor, &n))) {
		uint32_t end = net_ring_after(tx_cursor, n);
		tx_cursor = end;
		if (n < NET_HDR_BYTES + NET_FRAME_MIN || n > NET_HDR_BYTES + NET_FRAME_MAX) {
			bad_frames++; /* the server's mistake: segments are its to make */
			if (!tx_in_flight)
				net_ring_release_to(&to_send, end);
			continue;
		}
		/* 5.1.6.2: nothing asked of the device but what it took; num_buffers is 0. */
		struct net_hdr h;
		memcpy(&h, rec, sizeof(h));
		h.flags &= takes & NET_TAKES_CSUM ? NET_F_NEEDS_CSUM : 0;
		h.gso_type = NET_GSO_NONE;
		h.gso_size = h.hdr_len = h.num_buffers = 0;
		memcpy((uint8_t *)rec, &h, sizeof(h));
		uint16_t id = tx_free[--tx_nfree];
		tx_slot[id].end = end;
		tx_order[(tx_oldest + tx_in_flight++) % QUEUE_SIZE] = id;
		dma->queue[TXQ].desc[id] = (struct virtq_desc){
			link_pa + (uint64_t)((uintptr_t)rec - LINK_VA), n, 0, 0 };
		__sync_synchronize(); /* 2.7.13: the buffer before the ring entry */
		make_available(TXQ, id);
	}
	if (to_send.broken) {
		printf("virtio-net: the network server's frames make no sense: dropped\n");
		net_ring_drain(&to_send); /* the device may still read some: the server's bytes */
		tx_cursor = to_send.count;
	}
	bool blocked = linked && !tx_nfree && net_ring_peek_at(&to_send, &tx_cursor, &n);
	dma->queue[TXQ].avail.flags = blocked ? 0 : VIRTQ_AVAIL_F_NO_INTERRUPT;
	want_interrupt(TXQ, blocked);
	kick(TXQ);
}

static void interrupt(void)
{
	/* 4.2.2: acknowledge what InterruptStatus shows, then let the line fire again. */
	set_reg(VIRTIO_INTERRUPT_ACK, reg(VIRTIO_INTERRUPT_STATUS));
	vireo_syscall(SYS_IRQ_ACK, NETDEV_HANDLE_DEVICE, 0, 0, 0, 0, 0);
	take_received();
	send_queued();
}

/* The server's link: ring 0 to send, ring 1 for what comes in; pinned, since the device
 * reads ring 0 in place. A server that started over brings a new link while the device
 * may still read the old: the driver starts over too (init starts it again). */
static int64_t attach_link(uint64_t handle)
{
	if (linked) {
		printf("virtio-net: a new network server: starting over\n");
		exit(1);
	}
	int64_t pa = vireo_syscall(SYS_DMA_PIN, NETDEV_HANDLE_DEVICE, (long)handle, 0, 0, 0, 0);
	int64_t pages = pa < 0 ? pa : vireo_syscall(SYS_MEMORY_MAP, (long)handle, LINK_VA,
						    VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
	if (pages >= 0 && pages != NET_LINK_PAGES) {
		vireo_syscall(SYS_MEM_FREE, LINK_VA, pages, 0, 0, 0, 0);
		pages = VIREO_E_INVAL;
	}
	if (pages < 0)
		return pages;
	link_pa = (uint64_t)pa;
	net_ring_attach(&to_send, (void *)LINK_VA, NET_RING_OUT);
	net_ring_attach(&received_ring, (void *)LINK_VA, NET_RING_IN);
	tx_cursor = 0;
	linked = true;
	take_received(); /* what came before the link */
	return 0;
}

static void serve(const struct msg *m)
{
	uint64_t caller = (uint64_t)m->status;
	uint64_t handle = m->info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	if (m->task != allowed_task) {
		if (!caller_is_service(m->task, "/boot/bin/net")) {
			if (handle)
				vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
			ipc_reply(caller, 0, (uint64_t)VIREO_E_RIGHTS, 0, 0, 0);
			return;
		}
		allowed_task = m->task;
	}
	switch (vireo_ipc_label(m->info)) {
	case NETDEV_INFO:
		ipc_reply(caller, 0, 0, mac, takes, 0);
		return;
	case NETDEV_SUBSCRIBE:
		if (subscriber)
			vireo_syscall(SYS_HANDLE_CLOSE, (long)subscriber, 0, 0, 0, 0, 0);
		subscriber = handle;
		subscriber_bits = m->w[0];
		ipc_reply(caller, 0, 0, 0, 0, 0);
		return;
	case NETDEV_KICK:
		take_received(); /* the server may have made room */
		send_queued();
		ipc_reply(caller, 0, 0, 0, 0, 0);
		return;
	case NETDEV_LINK:
		if (!handle)
			break;
		ipc_reply(caller, 0, (uint64_t)attach_link(handle), bad_frames, 0, 0);
		return;
	}
	if (handle)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
	ipc_reply(caller, 0, (uint64_t)VIREO_E_NOSYS, 0, 0, 0);
}

int main(void)
{
	if (setup())
		return 1;
	int64_t err = register_service("netdev", ep);
	if (err)
		return fail("cannot register", err);
	for (;;) {
		struct msg m = ipc_recv(ep);
		if (m.status > 0)
			serve(&m);
		else if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY)
			interrupt();
	}
}
