/* virtio-rng: Vireo's monitor's entropy device through the virtio-mmio transport (virtio
 * 1.2 sections 4.2 and 5.4), as a driver would use it: find it, negotiate VERSION_1, set
 * up its queue, read random bytes with the used-buffer interrupt taken through the PLIC,
 * then break it on purpose (a descriptor outside RAM), see DEVICE_NEEDS_RESET with a
 * configuration-change interrupt, reset it and read again. Misuse that only earns a
 * warning line (bad widths, undefined offsets, notify before DRIVER_OK) is tried too, and
 * repeated until the monitor stops reporting it.
 *
 * Vireo only: the monitor puts the device in QEMU virt's first virtio slot, 0x10001000,
 * with PLIC source 2 (source 1 is the test device's); bare QEMU has no device there. */
#include "lib.h"

#define VIRTIO 0x10001000UL
#define IRQ 2
#define REG(off) (VIRTIO + (off))
#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
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

#define S_ACKNOWLEDGE 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 64

#define QSIZE 8
#define DESC_F_WRITE 2

/* 2.7: the split ring's three parts, here in one page. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
static struct {
	struct desc desc[QSIZE];
	struct { uint16_t flags, idx, ring[QSIZE], used_event; } avail;
	uint16_t pad;
	struct { uint16_t flags, idx; struct { uint32_t id, len; } ring[QSIZE]; } used;
} ring __attribute__((aligned(4096)));

static uint8_t buf[2][32];
static unsigned long ctx;
static uint16_t avail_idx, used_seen;
static volatile unsigned long interrupts;
static volatile uint32_t last_isr;

static uint32_t rd(unsigned off) { return mmio_read32(REG(off)); }
static void wr(unsigned off, uint32_t v) { mmio_write32(REG(off), v); }
static void fence(void) { __asm__ volatile("fence rw, rw" : : : "memory"); }

/* What Linux's vm_interrupt does: read InterruptStatus, acknowledge it, then complete. */
static bool irq_hook(struct trap_frame *tf)
{
	if (tf->scause != (SCAUSE_INTERRUPT | IRQ_S_EXTERNAL))
		return false;
	uint32_t id = mmio_read32(PLIC_CLAIM(ctx));
	if (id == IRQ) {
		last_isr = rd(INTERRUPT_STATUS);
		wr(INTERRUPT_ACK, last_isr);
		interrupts++;
	}
	if (id)
		mmio_write32(PLIC_CLAIM(ctx), id);
	return true;
}

/* Waits up to 200 ms, interrupts on, for an interrupt from the device. */
static bool wait_interrupt(void)
{
	unsigned long before = interrupts;
	uint64_t start = rdtime();
	irq_enable();
	while (interrupts == before && rdtime() - start < MS_TO_TICKS(200))
		;
	irq_disable();
	return interrupts != before;
}

/* 3.1.1 up to DRIVER_OK (or short of it), with features as given for word 1 (VERSION_1
 * is bit 0 there). */
static bool init_device(uint32_t features_hi, bool driver_ok)
{
	wr(STATUS, 0);
	wr(STATUS, S_ACKNOWLEDGE);
	wr(STATUS, S_ACKNOWLEDGE | S_DRIVER);
	wr(DRIVER_FEATURES_SEL, 1);
	wr(DRIVER_FEATURES, features_hi);
	wr(DRIVER_FEATURES_SEL, 0);
	wr(DRIVER_FEATURES, 0);
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
	if (rd(QUEUE_READY) != 1)
		return false;
	if (!driver_ok)
		return true;
	wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return rd(STATUS) == (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

/* Offers one device-writable buffer (descriptor 0 at addr) without notifying. */
static void offer(uint64_t addr, uint32_t len)
{
	ring.desc[0] = (struct desc){ .addr = addr, .len = len, .flags = DESC_F_WRITE };
	ring.avail.ring[avail_idx % QSIZE] = 0;
	fence();
	ring.avail.idx = ++avail_idx;
	fence();
}

/* One request through the interrupt: the bytes written, or -1 when nothing came back. */
static long request(uint8_t *dst, uint32_t len)
{
	memset(dst, 0, len);
	offer((uintptr_t)dst, len);
	wr(QUEUE_NOTIFY, 0);
	if (!wait_interrupt() || !(last_isr & 1))
		return -1;
	fence();
	if (*(volatile uint16_t *)&ring.used.idx != (uint16_t)(used_seen + 1))
		return -1;
	long n = ring.used.ring[used_seen % QSIZE].len;
	used_seen++;
	return n;
}

static bool same(const uint8_t *a, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool all_zero(const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	ctx = 2 * hartid + 1;
	trap_set_hook(irq_hook);
	csr_set(sie, SIE_SEIE);
	mmio_write32(PLIC_PRIORITY(IRQ), 1);
	mmio_write32(PLIC_ENABLE(ctx), 1U << IRQ);
	mmio_write32(PLIC_THRESHOLD(ctx), 0);

	check(rd(MAGIC) == 0x74726976 && rd(VERSION) == 2 && rd(DEVICE_ID) == 4,
	      "virtio-mmio version 2 entropy device at %lx", VIRTIO);
	wr(DEVICE_FEATURES_SEL, 1);
	check(rd(DEVICE_FEATURES) == 1, "device offers VIRTIO_F_VERSION_1 and nothing else");
	wr(QUEUE_SEL, 0);
	check(rd(QUEUE_NUM_MAX) >= QSIZE, "queue 0 takes %u entries", rd(QUEUE_NUM_MAX));
	wr(QUEUE_SEL, 1);
	check(rd(QUEUE_NUM_MAX) == 0, "there is no queue 1");

	check(!init_device(0, true), "FEATURES_OK refused without VERSION_1");
	check(init_device(1, true), "negotiated VERSION_1, queue ready, DRIVER_OK");

	long n0 = request(buf[0], sizeof(buf[0]));
	long n1 = request(buf[1], sizeof(buf[1]));
	check(n0 == 32 && n1 == 32, "two requests came back through the PLIC with %ld and %ld bytes",
	      n0, n1);
	check(!all_zero(buf[0], 32) && !all_zero(buf[1], 32), "the bytes are not all zero");
	check(!same(buf[0], buf[1], 32), "the two reads differ");
	check(rd(INTERRUPT_STATUS) == 0 && !((mmio_read32(PLIC_PENDING) >> IRQ) & 1),
	      "InterruptACK cleared the status and the line");

	/* Misuse that the device answers with a warning and otherwise ignores. */
	check(*(volatile uint8_t *)REG(MAGIC) == 0, "a byte read of MagicValue reads 0");
	check(rd(0x048) == 0, "a read at an undefined offset reads 0");
	check(rd(STATUS) == (S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK),
	      "the device still works after those");

	/* A buffer outside guest RAM breaks the device until a reset. */
	offer(0x1000, 16);
	wr(QUEUE_NOTIFY, 0);
	check(wait_interrupt() && (last_isr & 2), "configuration-change interrupt (status %x)",
	      last_isr);
	check(rd(STATUS) & S_NEEDS_RESET, "DEVICE_NEEDS_RESET after a descriptor outside RAM");
	check(ring.used.idx == used_seen, "the bad buffer was not used");
	wr(QUEUE_NOTIFY, 0);
	check(ring.used.idx == used_seen, "a broken device serves nothing");

	wr(STATUS, 0);
	check(rd(STATUS) == 0 && rd(QUEUE_READY) == 0, "a reset clears status and the queue");
	check(init_device(1, true), "set up again after the reset");
	n0 = request(buf[0], sizeof(buf[0]));
	check(n0 == 32 && !all_zero(buf[0], 32) && !same(buf[0], buf[1], 32),
	      "reads fresh random bytes again after the reset");

	/* A queue size that is not a power of two is refused at QueueReady. */
	wr(STATUS, 0);
	wr(STATUS, S_ACKNOWLEDGE | S_DRIVER);
	wr(QUEUE_SEL, 0);
	wr(QUEUE_NUM, 6);
	wr(QUEUE_READY, 1);
	check(rd(QUEUE_READY) == 0 && (rd(STATUS) & S_NEEDS_RESET),
	      "queue size 6 refused with DEVICE_NEEDS_RESET");
	wr(STATUS, 0);

	/* Before DRIVER_OK the device must not use buffers (2.1.2); at DRIVER_OK it serves
	 * what was made available meanwhile. */
	check(init_device(1, false), "set up a third time, short of DRIVER_OK");
	offer((uintptr_t)buf[0], 32);
	wr(QUEUE_NOTIFY, 0);
	check(ring.used.idx == 0, "notify before DRIVER_OK uses nothing");
	wr(STATUS, S_ACKNOWLEDGE | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	check(wait_interrupt() && ring.used.idx == 1 && ring.used.ring[0].len == 32,
	      "DRIVER_OK serves the buffer made available before it");
	wr(STATUS, 0);

	/* A guest repeating a mistake gets a bounded number of lines, then silence. */
	for (unsigned i = 0; i < 40; i++)
		rd(0x0c0);
	check(rd(MAGIC) == 0x74726976, "the device answers after 40 more bad reads");

	csr_clear(sie, SIE_SEIE);
	finish();
}
