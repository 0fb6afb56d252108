/* virtio-blk with hostile rings: Vireo's monitor's block device (virtio 1.2 sections 2.7,
 * 4.2, 5.2) driven first as a driver should (a write and a read back, directly and through
 * an indirect table), then with every kind of broken ring: a descriptor outside RAM, a
 * loop, a huge length, bad indirect tables (not negotiated, bad length, nested, outside
 * RAM), an available index far ahead. Each must end in DEVICE_NEEDS_RESET with a
 * configuration-change interrupt status, nothing used; after a reset the device works
 * again. Sector ranges off the disk are answered with VIRTIO_BLK_S_IOERR and leave the
 * device working; a write to its read-only configuration space changes nothing.
 *
 * Vireo only, with a disk: `vm run /boot/guest/blk-hostile.elf disk=NAME size=1`. The
 * device is in the first virtio slot, or the second when virtio-rng has the first. A
 * broken ring is found before the guest's write of QueueNotify returns, so nothing is
 * waited for then; a read or a write completes when the disk is done, so its used entry is
 * polled for (no interrupt is taken). */
#include "lib.h"

#define SLOT0 0x10001000UL
#define MAGIC 0x000
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
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
#define QUEUE_DESC_HIGH 0x084
#define QUEUE_DRIVER_LOW 0x090
#define QUEUE_DRIVER_HIGH 0x094
#define QUEUE_DEVICE_LOW 0x0a0
#define QUEUE_DEVICE_HIGH 0x0a4
#define CONFIG 0x100

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 64
#define S_ALL (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

/* Feature bits, in the high word: VERSION_1 is 32; in the low word: 28 and 29. */
#define F_INDIRECT (1u << 28)
#define F_EVENT_IDX (1u << 29)

#define QSIZE 8
#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT_DESC 4
#define T_IN 0
#define T_OUT 1
#define BLK_S_OK 0
#define BLK_S_IOERR 1
#define RAM_END (0x80000000UL + (64UL << 20)) /* vm run's default 64 MiB */

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
static struct {
	struct desc desc[QSIZE];
	struct { uint16_t flags, idx, ring[QSIZE], used_event; } avail;
	uint16_t pad;
	struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSIZE]; uint16_t avail_event; } used;
} ring __attribute__((aligned(4096)));

static struct { uint32_t type, reserved; uint64_t sector; } header;
static uint8_t data[1024] __attribute__((aligned(16)));
static volatile uint8_t status;
static struct desc table[4] __attribute__((aligned(16)));
static struct desc inner[1] __attribute__((aligned(16)));
static unsigned long dev;
static uint16_t avail_idx, used_seen;

static uint32_t rd(unsigned off) { return mmio_read32(dev + off); }
static void wr(unsigned off, uint32_t v) { mmio_write32(dev + off, v); }
static void fence(void) { __asm__ volatile("fence rw, rw" : : : "memory"); }

/* 3.1.1 to DRIVER_OK with VERSION_1 and the given low feature word. */
static bool init_device(uint32_t features_lo)
{
	wr(STATUS, 0);
	wr(STATUS, S_ACKNOWLEDGE | S_DRIVER);
	wr(DRIVER_FEATURES_SEL, 1);
	wr(DRIVER_FEATURES, 1);
	wr(DRIVER_FEATURES_SEL, 0);
	wr(DRIVER_FEATURES, features_lo);
	wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK);
	if (!(rd(STATUS) & S_FEATURES_OK))
		return false;
	memset(&ring, 0, sizeof(ring));
	avail_idx = used_seen = 0;
	wr(QUEUE_SEL, 0);
	wr(QUEUE_NUM, QSIZE);
	wr(QUEUE_DESC_LOW, (uint32_t)(uintptr_t)ring.desc);
	wr(QUEUE_DESC_HIGH, 0);
	wr(QUEUE_DRIVER_LOW, (uint32_t)(uintptr_t)&ring.avail);
	wr(QUEUE_DRIVER_HIGH, 0);
	wr(QUEUE_DEVICE_LOW, (uint32_t)(uintptr_t)&ring.used);
	wr(QUEUE_DEVICE_HIGH, 0);
	wr(QUEUE_READY, 1);
	wr(STATUS, S_ALL);
	return rd(STATUS) == S_ALL;
}

/* Makes the chain at descriptor 0 available and notifies. */
static void kick(void)
{
	ring.avail.ring[avail_idx % QSIZE] = 0;
	fence();
	ring.avail.idx = ++avail_idx;
	fence();
	wr(QUEUE_NOTIFY, 0);
	fence();
}

/* The three descriptors of a request (2.7.5, 5.2.6): header, data, status. */
static void chain(uint32_t type, uint64_t sector, uint32_t len)
{
	header.type = type;
	header.sector = sector;
	status = 0xff;
	ring.desc[0] = (struct desc){ (uintptr_t)&header, 16, F_NEXT, 1 };
	ring.desc[1] = (struct desc){ (uintptr_t)data, len, F_NEXT | (type == T_IN ? F_WRITE : 0), 2 };
	ring.desc[2] = (struct desc){ (uintptr_t)&status, 1, F_WRITE, 0 };
}

/* The status the device gave the request just kicked, or -1 when it used nothing within
 * two seconds. */
static int answer(void)
{
	uint64_t start = rdtime();
	while (*(volatile uint16_t *)&ring.used.idx != (uint16_t)(used_seen + 1))
		if (rdtime() - start > MS_TO_TICKS(2000))
			return -1;
	fence(); /* 2.7.14: the used index before the status it covers */
	used_seen++;
	return status;
}

static int request(uint32_t type, uint64_t sector, uint32_t len)
{
	chain(type, sector, len);
	kick();
	return answer();
}

/* After a broken chain: the device says it needs a reset, with a configuration-change
 * interrupt, and used nothing; a reset and a set-up make it work again. */
static void expect_broken(const char *what, uint32_t features_lo)
{
	uint32_t isr = rd(INTERRUPT_STATUS);
	check((rd(STATUS) & S_NEEDS_RESET) && (isr & 2) &&
	      *(volatile uint16_t *)&ring.used.idx == used_seen,
	      "%s: DEVICE_NEEDS_RESET, interrupt status %x, nothing used", what, isr);
	wr(INTERRUPT_ACK, isr);
	check(init_device(features_lo) && request(T_IN, 0, 512) == BLK_S_OK,
	      "%s: after a reset the device reads again", what);
}

static uint64_t config64(unsigned off)
{
	return rd(CONFIG + off) | (uint64_t)rd(CONFIG + off + 4) << 32;
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	dev = SLOT0;
	if (rd(DEVICE_ID) != 2)
		dev += 0x1000;
	if (!check(rd(MAGIC) == 0x74726976 && rd(DEVICE_ID) == 2, "virtio-blk at %lx", dev))
		finish();
	wr(DEVICE_FEATURES_SEL, 0);
	uint32_t offered = rd(DEVICE_FEATURES);
	check((offered & F_INDIRECT) && (offered & F_EVENT_IDX),
	      "indirect descriptors and event-idx offered (%x)", offered);
	uint64_t capacity = config64(0);
	check(capacity == 2048, "capacity %lu sectors (1 MiB)", (unsigned long)capacity);

	/* As a driver should. */
	check(init_device(0), "set up with VERSION_1 alone");
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	check(request(T_OUT, 5, 1024) == BLK_S_OK, "wrote sectors 5-6");
	memset(data, 0, sizeof(data));
	check(request(T_IN, 5, 1024) == BLK_S_OK && data[0] == 3 && data[1023] == (uint8_t)(1023 * 7 + 3),
	      "read them back");

	/* Sector ranges off the disk: an error status, and the device goes on. */
	check(request(T_IN, capacity, 512) == BLK_S_IOERR, "a read at the capacity: IOERR");
	check(request(T_OUT, capacity - 1, 1024) == BLK_S_IOERR, "a write across the end: IOERR");
	check(request(T_IN, ~0ull, 512) == BLK_S_IOERR, "sector 2^64-1: IOERR");
	check(request(T_IN, 0, 100) == BLK_S_IOERR, "a length not a multiple of 512: IOERR");
	check(!(rd(STATUS) & S_NEEDS_RESET) && request(T_IN, 5, 512) == BLK_S_OK && data[0] == 3,
	      "the device still serves after those");

	/* Its configuration space is read-only: a write changes nothing, breaks nothing. */
	wr(CONFIG, 0x12345678);
	check(config64(0) == capacity && !(rd(STATUS) & S_NEEDS_RESET),
	      "a write to the capacity is ignored");

	/* Broken rings. */
	chain(T_IN, 0, 512);
	ring.desc[1].addr = 0x1000;
	kick();
	expect_broken("a data buffer below RAM", 0);
	chain(T_IN, 0, 512);
	ring.desc[1].addr = RAM_END - 256;
	kick();
	expect_broken("a data buffer running past RAM's end", 0);
	chain(T_IN, 0, 512);
	ring.desc[2].flags |= F_NEXT;
	ring.desc[2].next = 1; /* 1 and 2 are both device-writable: only the loop is wrong */
	kick();
	expect_broken("a chain looping between two descriptors", 0);
	chain(T_IN, 0, 512);
	ring.desc[1].len = 0xffffffffu;
	kick();
	expect_broken("a 4 GiB descriptor", 0);
	chain(T_IN, 0, 512);
	ring.desc[1].next = QSIZE + 1;
	kick();
	expect_broken("a next index past the queue", 0);
	chain(T_IN, 0, 512);
	ring.avail.ring[avail_idx % QSIZE] = 0;
	fence();
	avail_idx += 100;
	ring.avail.idx = avail_idx;
	fence();
	wr(QUEUE_NOTIFY, 0);
	expect_broken("an available index 100 ahead", 0);

	/* Indirect tables: without the feature, and with it good and bad. */
	table[0] = (struct desc){ (uintptr_t)&header, 16, F_NEXT, 1 };
	table[1] = (struct desc){ (uintptr_t)data, 512, F_NEXT | F_WRITE, 2 };
	table[2] = (struct desc){ (uintptr_t)&status, 1, F_WRITE, 0 };
	header.type = T_IN;
	header.sector = 5;
	ring.desc[0] = (struct desc){ (uintptr_t)table, 3 * 16, F_INDIRECT_DESC, 0 };
	kick();
	expect_broken("an indirect table not negotiated", F_INDIRECT);
	memset(data, 0, sizeof(data));
	header.type = T_IN; /* expect_broken's read used the header */
	header.sector = 5;
	status = 0xff;
	ring.desc[0] = (struct desc){ (uintptr_t)table, 3 * 16, F_INDIRECT_DESC, 0 };
	kick();
	check(answer() == BLK_S_OK && data[0] == 3, "a read through an indirect table");
	ring.desc[0].len = 3 * 16 - 1;
	kick();
	expect_broken("an indirect table of 47 bytes", F_INDIRECT);
	inner[0] = (struct desc){ (uintptr_t)&status, 1, F_WRITE, 0 };
	table[2] = (struct desc){ (uintptr_t)inner, 16, F_INDIRECT_DESC, 0 };
	ring.desc[0] = (struct desc){ (uintptr_t)table, 3 * 16, F_INDIRECT_DESC, 0 };
	kick();
	expect_broken("an indirect table inside an indirect table", F_INDIRECT);
	ring.desc[0] = (struct desc){ RAM_END - 32, 3 * 16, F_INDIRECT_DESC, 0 };
	kick();
	expect_broken("an indirect table past RAM's end", F_INDIRECT | F_EVENT_IDX);

	/* Event-idx: a device that emptied the ring asks to be notified at the next buffer. */
	check(request(T_IN, 5, 512) == BLK_S_OK &&
	      *(volatile uint16_t *)&ring.used.avail_event == avail_idx,
	      "with event-idx, avail_event is %u after %u buffers", ring.used.avail_event, avail_idx);
	wr(STATUS, 0);
	finish();
}
