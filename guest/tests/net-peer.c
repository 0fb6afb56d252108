/* net-peer: a bare-metal guest on Vireo's network (the monitor's virtio-net, virtio 1.2
 * section 5.1, switched by the network server). It says hello to everyone every 500 ms (a
 * broadcast of EtherType 0x88b5, IEEE's local experimental one) and answers each hello it
 * hears with a reply to the sender alone. It prints each peer's first hello and first reply,
 * and a FAIL line for any unicast frame that is not for its own MAC, which the switch must
 * never deliver. First it misuses the device: a frame with a source MAC not its own (the
 * switch refuses it), one of 2000 bytes (the monitor drops it) and a transmit buffer marked
 * device-writable (the device needs a reset; it resets it and goes on).
 * With checksum offload and TCPv4 segmentation negotiated, it then sends headers no driver
 * may: a segment size of 0, a checksum to place past the frame's end, TCPv6 segmentation
 * (not negotiated), and segmentation of a frame that is no TCP at all (the network server
 * refuses that one); each is dropped with a line, and the device works on.
 * It runs for 60 s (the tests kill it sooner) waiting in WFI between timer ticks and the
 * device's interrupts, so that several can run at once on a small machine.
 *
 * Vireo only: it looks for the device in the first four virtio slots. */
#include "lib.h"

#define SLOT(i) (0x10001000UL + 0x1000UL * (i))
#define IRQ(i) (2 + (i))
#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES_SEL 0x014
#define DEVICE_FEATURES 0x010
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC_LOW 0x080
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DEVICE_LOW 0x0a0
#define CONFIG 0x100
#define S_ALL_OK (1 | 2 | 8 | 4) /* ACKNOWLEDGE, DRIVER, FEATURES_OK, DRIVER_OK */
#define NET_F_CSUM (1u << 0)
#define NET_F_MAC (1u << 5)
#define NET_F_HOST_TSO4 (1u << 11)
#define GSO_TCPV4 1
#define GSO_TCPV6 4
#define BIG 3000
#define DESC_F_WRITE 2
#define QSIZE 8
#define HDR 12 /* struct virtio_net_hdr, VERSION_1 layout */
#define BUF 1536
#define ETHERTYPE 0x88b5
#define MAX_PEERS 8

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct queue {
	struct desc desc[QSIZE];
	struct { uint16_t flags, idx, ring[QSIZE], used_event; } avail;
	uint16_t pad;
	struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSIZE]; } used;
} __attribute__((aligned(4096)));

static struct queue rxq, txq;
static uint8_t rx_buf[QSIZE][BUF], tx_buf[HDR + BIG];
static uint16_t rx_avail, rx_seen, tx_avail;
static unsigned long base;
static uint8_t mac[6];
static struct { uint8_t mac[6]; bool hello, reply; } peers[MAX_PEERS];
static unsigned npeers;

static uint32_t rd(unsigned off) { return mmio_read32(base + off); }
static void wr(unsigned off, uint32_t v) { mmio_write32(base + off, v); }
static void fence(void) { __asm__ volatile("fence rw, rw" : : : "memory"); }

static bool same(const void *a, const void *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)a)[i] != ((const uint8_t *)b)[i])
			return false;
	return true;
}

static bool same_mac(const uint8_t *a, const uint8_t *b)
{
	return same(a, b, 6);
}

static void print_mac(const char *what, const uint8_t *m)
{
	print("net-peer: %s %02x:%02x:%02x:%02x:%02x:%02x\n", what, m[0], m[1], m[2], m[3], m[4],
	      m[5]);
}

static void setup_queue(unsigned q, struct queue *r)
{
	wr(QUEUE_SEL, q);
	wr(QUEUE_NUM, QSIZE);
	wr(QUEUE_DESC_LOW, (uint32_t)(uintptr_t)r->desc);
	wr(QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&r->avail);
	wr(QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&r->used);
	wr(QUEUE_READY, 1);
}

static void give_rx(uint16_t id)
{
	rxq.desc[id] = (struct desc){ (uintptr_t)rx_buf[id], BUF, DESC_F_WRITE, 0 };
	rxq.avail.ring[rx_avail % QSIZE] = id;
	fence();
	rxq.avail.idx = ++rx_avail;
}

/* 3.1.1 with VERSION_1 and VIRTIO_NET_F_MAC; false when there is no such device. */
static bool init_device(void)
{
	for (unsigned i = 0; i < 4 && !base; i++)
		if (mmio_read32(SLOT(i) + MAGIC) == 0x74726976 && mmio_read32(SLOT(i) + VERSION) == 2 &&
		    mmio_read32(SLOT(i) + DEVICE_ID) == 1) {
			base = SLOT(i);
			mmio_write32(PLIC_PRIORITY(IRQ(i)), 1);
			mmio_write32(PLIC_ENABLE(1), 1U << IRQ(i));
		}
	if (!base)
		return false;
	memset(&rxq, 0, sizeof(rxq));
	memset(&txq, 0, sizeof(txq));
	rx_avail = rx_seen = tx_avail = 0;
	wr(STATUS, 0);
	wr(STATUS, 1 | 2);
	wr(DEVICE_FEATURES_SEL, 0);
	if (!(rd(DEVICE_FEATURES) & NET_F_MAC))
		return false;
	wr(DRIVER_FEATURES_SEL, 0);
	wr(DRIVER_FEATURES, NET_F_MAC | (rd(DEVICE_FEATURES) & (NET_F_CSUM | NET_F_HOST_TSO4)));
	wr(DRIVER_FEATURES_SEL, 1);
	wr(DRIVER_FEATURES, 1); /* VERSION_1 */
	wr(STATUS, 1 | 2 | 8);
	for (int i = 0; i < 6; i++)
		mac[i] = *(volatile uint8_t *)(base + CONFIG + i);
	setup_queue(0, &rxq);
	setup_queue(1, &txq);
	for (uint16_t id = 0; id < QSIZE; id++)
		give_rx(id);
	wr(STATUS, S_ALL_OK);
	wr(QUEUE_NOTIFY, 0);
	return rd(STATUS) == S_ALL_OK;
}

/* Puts tx_buf's first len bytes on the transmit queue with flags; the device is done with
 * the buffer when it returns it, which the monitor does before the notification completes. */
static void transmit(uint32_t len, uint16_t flags)
{
	txq.desc[0] = (struct desc){ (uintptr_t)tx_buf, len, flags, 0 };
	txq.avail.ring[tx_avail % QSIZE] = 0;
	fence();
	txq.avail.idx = ++tx_avail;
	fence();
	wr(QUEUE_NOTIFY, 1);
}

/* One frame to dst from src with the word as payload, padded to size bytes, behind a
 * header asking for offloads (virtio 1.2 5.1.6: flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset). */
static void send_offload(const uint8_t *dst, const uint8_t *src, const char *word, uint32_t size,
			 const uint16_t hdr[6])
{
	memset(tx_buf, 0, HDR + size);
	tx_buf[0] = (uint8_t)hdr[0];
	tx_buf[1] = (uint8_t)hdr[1];
	for (int i = 2; i < 6; i++) {
		tx_buf[2 * i - 2] = (uint8_t)hdr[i];
		tx_buf[2 * i - 1] = (uint8_t)(hdr[i] >> 8);
	}
	uint8_t *f = tx_buf + HDR;
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE >> 8;
	f[13] = ETHERTYPE & 0xff;
	memcpy(f + 14, word, 5);
	transmit(HDR + size, 0);
}

static void send_sized(const uint8_t *dst, const uint8_t *src, const char *word, uint32_t size)
{
	static const uint16_t none[6];
	send_offload(dst, src, word, size, none);
}

static void send(const uint8_t *dst, const uint8_t *src, const char *word)
{
	send_sized(dst, src, word, 60);
}

/* Misuse a guest may try: each earns a line in its console, the device goes on (sizes,
 * sources) or needs a reset (a transmit buffer for the device to write). */
static void misuse(void)
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t stranger[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	send(broadcast, stranger, "hello");
	send_sized(broadcast, mac, "jumbo", 2000);
	check(rd(STATUS) == S_ALL_OK, "the device works on after refused frames");
	transmit(HDR + 60, DESC_F_WRITE);
	check(rd(STATUS) & 64, "a device-writable transmit buffer: DEVICE_NEEDS_RESET");
	check(init_device(), "the device works again after a reset");
	/* flags, gso_type, hdr_len, gso_size, csum_start, csum_offset */
	static const uint16_t no_size[6] = { 1, GSO_TCPV4, 54, 0, 34, 16 };
	static const uint16_t past_end[6] = { 1, 0, 0, 0, 50, 9 };
	static const uint16_t tcpv6[6] = { 1, GSO_TCPV6, 74, 1428, 54, 16 };
	static const uint16_t not_tcp[6] = { 1, GSO_TCPV4, 54, 1448, 34, 16 };
	send_offload(broadcast, mac, "nosiz", BIG, no_size);
	send_offload(broadcast, mac, "csum", 60, past_end);
	send_offload(broadcast, mac, "tcpv6", BIG, tcpv6);
	send_offload(broadcast, mac, "nottc", BIG, not_tcp);
	check(rd(STATUS) == S_ALL_OK, "the device works on after hostile offload headers");
}


static unsigned peer(const uint8_t *m)
{
	unsigned i = 0;
	while (i < npeers && !same_mac(peers[i].mac, m))
		i++;
	if (i == npeers && npeers < MAX_PEERS)
		memcpy(peers[npeers++].mac, m, 6);
	return i;
}

static void take(const uint8_t *f, uint32_t len)
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	if (len < 14 + 5 || f[12] != (ETHERTYPE >> 8) || f[13] != (ETHERTYPE & 0xff))
		return;
	if (!same_mac(f, broadcast) && !same_mac(f, mac)) {
		check(false, "a frame for another guest reached this one");
		print_mac("it was for", f);
		return;
	}
	unsigned p = peer(f + 6);
	if (p == MAX_PEERS)
		return;
	bool hello = same(f + 14, "hello", 5);
	if (hello)
		send(f + 6, mac, "reply");
	bool *seen = hello ? &peers[p].hello : &peers[p].reply;
	if (!*seen)
		print_mac(hello ? "hello from" : "reply from", f + 6);
	*seen = true;
}

static void receive(void)
{
	fence();
	while (*(volatile uint16_t *)&rxq.used.idx != rx_seen) {
		uint32_t id = rxq.used.ring[rx_seen % QSIZE].id, len = rxq.used.ring[rx_seen % QSIZE].len;
		rx_seen++;
		if (id < QSIZE) {
			if (len > HDR)
				take(rx_buf[id] + HDR, len - HDR);
			give_rx((uint16_t)id);
		}
	}
	wr(QUEUE_NOTIFY, 0);
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid, (void)dtb;
	irq_disable();
	mmio_write32(PLIC_THRESHOLD(1), 0);
	if (!check(init_device(), "a virtio-net device with a MAC"))
		finish();
	print_mac("mac", mac);
	misuse();
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	csr_write(sie, SIE_STIE | SIE_SEIE);
	uint64_t start = rdtime(), next_hello = start;
	while (rdtime() - start < MS_TO_TICKS(60000)) {
		if (rdtime() >= next_hello) {
			send(broadcast, mac, "hello");
			next_hello += MS_TO_TICKS(500);
		}
		sbi_set_timer(next_hello);
		__asm__ volatile("wfi");
		uint32_t id = mmio_read32(PLIC_CLAIM(1));
		if (id) {
			wr(INTERRUPT_ACK, rd(INTERRUPT_STATUS));
			mmio_write32(PLIC_CLAIM(1), id);
		}
		receive();
	}
	unsigned answered = 0;
	for (unsigned i = 0; i < npeers; i++)
		answered += peers[i].hello && peers[i].reply;
	check(answered > 0, "%u peers said hello and replied", answered);
	finish();
}
