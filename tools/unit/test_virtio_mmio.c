/* The virtio-mmio transport (servers/vmm/virtio_mmio.c) with a fake device and a fake
 * guest: the optional hooks (config writes, reset, status, wake), ring features following
 * what the driver accepted, a chain completed later or dropped once its rings are gone,
 * wake bits, and the counts hvstat shows. The system calls it makes are recorded here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vmm.h"

#define RAM_SIZE 0x10000ul
#define QNUM 8
#define DESC (VIREO_GUEST_RAM + 0x1000)
#define AVAIL (VIREO_GUEST_RAM + 0x2000)
#define USED (VIREO_GUEST_RAM + 0x3000)
#define DATA (VIREO_GUEST_RAM + 0x8000)

/* 4.2.2 offsets used here. */
enum {
	DEVICE_FEATURES = 0x010, DEVICE_FEATURES_SEL = 0x014, DRIVER_FEATURES = 0x020,
	DRIVER_FEATURES_SEL = 0x024, QUEUE_SEL = 0x030, QUEUE_NUM = 0x038, QUEUE_READY = 0x044,
	QUEUE_NOTIFY = 0x050, INTERRUPT_STATUS = 0x060, INTERRUPT_ACK = 0x064, STATUS = 0x070,
	QUEUE_DESC_LOW = 0x080, QUEUE_DRIVER_LOW = 0x090, QUEUE_DEVICE_LOW = 0x0a0,
	CONFIG_GENERATION = 0x0fc, CONFIG = 0x100,
};
#define S_OK_ALL (VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | \
		  VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK)

/* What the stubs saw. */
static int irq_level = -1, irq_changes, warnings;
static char last_warning[256];

long vireo_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	(void)a0, (void)a1, (void)a3, (void)a4, (void)a5;
	if (n == SYS_VM_IRQ) {
		irq_level = (int)a2;
		irq_changes++;
	}
	return 0;
}

void guest_warn(struct guest *g, const char *fmt, ...)
{
	(void)g;
	va_list ap;
	va_start(ap, fmt);
	vsnformat(last_warning, sizeof(last_warning), fmt, ap);
	va_end(ap);
	warnings++;
}

/* The fake device: keeps every chain pending until the test completes it. */
struct fake {
	uint16_t pending[QNUM];
	unsigned npending, resets, wakes, inits;
	uint32_t epoch, old_status, new_status;
	uint64_t config, written;
};
static struct fake fake;

static void fake_init(struct virtio_mmio *d) { fake.inits++; d->state = &fake; }
static bool fake_available(const struct guest *g) { (void)g; return true; }
static uint64_t fake_config_read(struct virtio_mmio *d, uint32_t offset, unsigned width)
{
	(void)d;
	uint64_t v = 0;
	memcpy(&v, (uint8_t *)&fake.config + offset, width);
	return v;
}
static void fake_config_write(struct virtio_mmio *d, uint32_t offset, unsigned width,
			      uint64_t value)
{
	(void)d;
	memcpy((uint8_t *)&fake.config + offset, &value, width);
	fake.written++;
}
static void fake_notify(struct virtio_mmio *d, unsigned q)
{
	static struct vq_chain c;
	struct vq_fault f;
	struct fake *s = d->state;
	while (vq_pop(&d->queue[q].vq, &d->mem, &c, &f) > 0) {
		s->pending[s->npending++] = c.head;
		s->epoch = d->epoch;
	}
}
static void fake_reset(struct virtio_mmio *d) { ((struct fake *)d->state)->resets++; }
static void fake_status(struct virtio_mmio *d, uint32_t old, uint32_t now)
{
	(void)d;
	fake.old_status = old;
	fake.new_status = now;
}
static void fake_wake(struct virtio_mmio *d) { ((struct fake *)d->state)->wakes++; }

static const struct virtio_device_ops fake_ops = {
	.name = "fake", .device_id = 42,
	.features = VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX,
	.nqueues = 2, .queue_max = QNUM, .config_size = 8,
	.available = fake_available, .init = fake_init, .config_read = fake_config_read,
	.config_write = fake_config_write, .notify = fake_notify, .reset = fake_reset,
	.status = fake_status, .wake = fake_wake,
};
/* The least a device sets: every optional hook NULL. */
static const struct virtio_device_ops bare_ops = {
	.name = "bare", .device_id = 43, .nqueues = 1, .queue_max = QNUM, .config_size = 8,
	.available = fake_available, .config_read = fake_config_read, .notify = fake_notify,
};

struct fixture {
	struct guest g;
	struct virtio_mmio d;
	uint8_t *ram;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	x->ram = calloc(1, RAM_SIZE);
	x->g = (struct guest){ .id = 1, .vm = 7, .ram_size = RAM_SIZE, .ram_va = (uint64_t)x->ram };
	memset(&fake, 0, sizeof(fake));
	irq_level = -1;
	irq_changes = warnings = 0;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	free(x->ram);
	free(x);
	return 0;
}

static void wr(struct fixture *x, uint64_t off, uint32_t v)
{
	virtio_mmio_access(&x->d, off, 4, true, v);
}

static uint32_t rd(struct fixture *x, uint64_t off)
{
	return (uint32_t)virtio_mmio_access(&x->d, off, 4, false, 0);
}

static void put16(struct fixture *x, uint64_t gpa, uint16_t v)
{
	memcpy(x->ram + (gpa - VIREO_GUEST_RAM), &v, 2);
}

static uint16_t get16(struct fixture *x, uint64_t gpa)
{
	uint16_t v;
	memcpy(&v, x->ram + (gpa - VIREO_GUEST_RAM), 2);
	return v;
}

/* 3.1.1 with the given low feature word (and VERSION_1), queue 0 set up, DRIVER_OK. */
static void bring_up(struct fixture *x, const struct virtio_device_ops *ops, uint32_t low)
{
	virtio_mmio_init(&x->d, &x->g, ops, VIRTIO_MMIO_BASE, VIRTIO_IRQ_BASE);
	wr(x, STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(x, DRIVER_FEATURES_SEL, 0);
	wr(x, DRIVER_FEATURES, low);
	wr(x, DRIVER_FEATURES_SEL, 1);
	wr(x, DRIVER_FEATURES, 1);
	wr(x, STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	wr(x, QUEUE_SEL, 0);
	wr(x, QUEUE_NUM, QNUM);
	wr(x, QUEUE_DESC_LOW, (uint32_t)DESC);
	wr(x, QUEUE_DRIVER_LOW, (uint32_t)AVAIL);
	wr(x, QUEUE_DEVICE_LOW, (uint32_t)USED);
	wr(x, QUEUE_READY, 1);
	wr(x, STATUS, S_OK_ALL);
	assert_int_equal(rd(x, STATUS), S_OK_ALL);
}

/* One buffer at descriptor 0 made available, and the queue notified. */
static void offer_and_kick(struct fixture *x)
{
	uint8_t *d = x->ram + (DESC - VIREO_GUEST_RAM);
	uint64_t addr = DATA;
	uint32_t len = 64;
	uint16_t flags = 2; /* WRITE */
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	uint16_t idx = get16(x, AVAIL + 2);
	put16(x, AVAIL + 4 + 2 * (idx % QNUM), 0);
	put16(x, AVAIL + 2, (uint16_t)(idx + 1));
	wr(x, QUEUE_NOTIFY, 0);
}

static void test_offers_ring_features_and_queues_follow_the_driver(void **state)
{
	struct fixture *x = *state;
	bring_up(x, &fake_ops, (uint32_t)(VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX));
	assert_int_equal(fake.inits, 1);
	wr(x, DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(x, DEVICE_FEATURES), (uint32_t)(VIRTIO_F_INDIRECT_DESC | VIRTIO_F_EVENT_IDX));
	assert_true(x->d.queue[0].vq.indirect && x->d.queue[0].vq.event_idx);
	wr(x, STATUS, 0);
	bring_up(x, &fake_ops, (uint32_t)VIRTIO_F_EVENT_IDX);
	assert_false(x->d.queue[0].vq.indirect);
	assert_true(x->d.queue[0].vq.event_idx);
	assert_int_equal(warnings, 0);
}

static void test_config_writes_reach_the_hook_or_are_ignored(void **state)
{
	struct fixture *x = *state;
	bring_up(x, &fake_ops, 0);
	virtio_mmio_access(&x->d, CONFIG + 2, 2, true, 0xbeef);
	assert_int_equal(fake.written, 1);
	assert_int_equal(virtio_mmio_access(&x->d, CONFIG + 2, 2, false, 0), 0xbeef);
	/* Outside the space or misaligned: refused before the device sees it. */
	virtio_mmio_access(&x->d, CONFIG + 8, 4, true, 1);
	virtio_mmio_access(&x->d, CONFIG + 1, 2, true, 1);
	assert_int_equal(fake.written, 1);
	assert_int_equal(warnings, 2);
	assert_int_equal(x->d.stats.errors, 2);
	/* A device without config_write: ignored, and nothing counted against the guest. */
	warnings = 0;
	bring_up(x, &bare_ops, 0);
	fake.config = 0x1122334455667788ull;
	virtio_mmio_access(&x->d, CONFIG, 8, true, 0);
	assert_int_equal(virtio_mmio_access(&x->d, CONFIG, 8, false, 0), 0x1122334455667788ull);
	assert_int_equal(warnings, 0);
	assert_int_equal(x->d.stats.errors, 0);
	assert_int_equal(rd(x, STATUS), S_OK_ALL);
}

static void test_a_config_change_moves_the_generation_and_interrupts(void **state)
{
	struct fixture *x = *state;
	virtio_mmio_init(&x->d, &x->g, &fake_ops, VIRTIO_MMIO_BASE, VIRTIO_IRQ_BASE);
	virtio_mmio_config_changed(&x->d); /* before DRIVER_OK: no interrupt */
	assert_int_equal(rd(x, CONFIG_GENERATION), 1);
	assert_int_equal(irq_changes, 0);
	bring_up(x, &fake_ops, 0);
	uint32_t generation = rd(x, CONFIG_GENERATION);
	virtio_mmio_config_changed(&x->d);
	assert_int_equal(rd(x, CONFIG_GENERATION), generation + 1);
	assert_int_equal(rd(x, INTERRUPT_STATUS), VIRTIO_INT_CONFIG);
	assert_int_equal(irq_level, 1);
	assert_int_equal(x->d.stats.interrupts, 1);
}

static void test_status_and_reset_hooks(void **state)
{
	struct fixture *x = *state;
	bring_up(x, &fake_ops, 0);
	assert_int_equal(fake.new_status, S_OK_ALL);
	assert_int_equal(fake.old_status, S_OK_ALL & ~VIRTIO_STATUS_DRIVER_OK);
	wr(x, STATUS, 0);
	assert_int_equal(fake.resets, 1);
	assert_int_equal(rd(x, STATUS), 0);
	assert_int_equal(fake.new_status, S_OK_ALL); /* a reset is not a status change */
	virtio_mmio_exit(&x->d);
	assert_int_equal(fake.resets, 2); /* going away with the guest resets too */
	assert_null(x->d.ops);
}

static void test_a_pending_chain_completes_later(void **state)
{
	struct fixture *x = *state;
	bring_up(x, &fake_ops, 0);
	offer_and_kick(x);
	assert_int_equal(fake.npending, 1);
	assert_int_equal(get16(x, USED + 2), 0); /* nothing used yet */
	assert_int_equal(irq_changes, 0);
	assert_true(virtio_mmio_complete(&x->d, 0, fake.epoch, fake.pending[0], 64));
	virtio_mmio_used(&x->d, 0);
	assert_int_equal(get16(x, USED + 2), 1);
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(x, INTERRUPT_STATUS), VIRTIO_INT_USED);
	wr(x, INTERRUPT_ACK, VIRTIO_INT_USED);
	assert_int_equal(irq_level, 0);
	assert_int_equal(x->d.stats.notifications, 1);
	assert_int_equal(x->d.stats.interrupts, 1);
}

static void test_a_chain_pending_across_a_reset_is_dropped(void **state)
{
	struct fixture *x = *state;
	bring_up(x, &fake_ops, 0);
	offer_and_kick(x);
	uint32_t epoch = fake.epoch;
	wr(x, STATUS, 0);
	bring_up(x, &fake_ops, 0); /* the same rings again: the old chain is still not theirs */
	assert_false(virtio_mmio_complete(&x->d, 0, epoch, fake.pending[0], 64));
	assert_int_equal(get16(x, USED + 2), 0);
	/* Nor across a queue disabled, nor to a queue that does not exist, nor when broken. */
	offer_and_kick(x);
	epoch = fake.epoch;
	assert_false(virtio_mmio_complete(&x->d, 5, epoch, 0, 0));
	virtio_mmio_fail(&x->d, "test");
	assert_false(virtio_mmio_complete(&x->d, 0, epoch, fake.pending[1], 64));
	assert_int_equal(get16(x, USED + 2), 0);
	assert_true(rd(x, STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

static void test_wake_bits_reach_their_device(void **state)
{
	struct fixture *x = *state;
	struct virtio_mmio *other = calloc(1, sizeof(*other));
	bring_up(x, &fake_ops, 0);
	uint64_t bit = virtio_mmio_wake_bit(&x->d);
	assert_true(bit & VIRTIO_WAKE_BITS);
	assert_int_equal(virtio_mmio_wake_bit(&x->d), bit); /* one per device */
	virtio_mmio_init(other, &x->g, &bare_ops, VIRTIO_MMIO_BASE + VIRTIO_MMIO_SIZE,
			 VIRTIO_IRQ_BASE + 1);
	uint64_t other_bit = virtio_mmio_wake_bit(other);
	assert_true(other_bit && other_bit != bit);
	virtio_mmio_wake(other_bit | 1); /* bit 0 is the monitor's own; bare has no wake hook */
	assert_int_equal(fake.wakes, 0);
	virtio_mmio_wake(bit);
	assert_int_equal(fake.wakes, 1);
	/* Freed with its device: a late notification wakes nobody, and the bit is free. */
	virtio_mmio_exit(&x->d);
	virtio_mmio_wake(bit);
	assert_int_equal(fake.wakes, 1);
	virtio_mmio_exit(other);
	unsigned taken = 0;
	struct virtio_mmio *many = calloc(64, sizeof(*many));
	for (unsigned i = 0; i < 64; i++) {
		virtio_mmio_init(&many[i], &x->g, &bare_ops, VIRTIO_MMIO_BASE, VIRTIO_IRQ_BASE);
		taken += virtio_mmio_wake_bit(&many[i]) != 0;
	}
	assert_int_equal(taken, 56); /* bits 8-63; then 0 says none is left */
	for (unsigned i = 0; i < 64; i++)
		virtio_mmio_exit(&many[i]);
	free(many);
	free(other);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_offers_ring_features_and_queues_follow_the_driver),
		T(test_config_writes_reach_the_hook_or_are_ignored),
		T(test_a_config_change_moves_the_generation_and_interrupts),
		T(test_status_and_reset_hooks),
		T(test_a_pending_chain_completes_later),
		T(test_a_chain_pending_across_a_reset_is_dropped),
		T(test_wake_bits_reach_their_device),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
