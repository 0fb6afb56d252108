/* The virtio-mmio register file (virtio 1.2 section 4.2.2) and the device life cycle around
 * it (2.1 status, 2.2 features, 2.4 reset, 3.1 initialization); see virtio_mmio.h. */
#include "virtio_mmio.h"

#include <stdarg.h>
#include <string.h>

#include "vmm.h"

#define MAGIC 0x74726976u        /* "virt" */
#define VENDOR_VIREO 0x4f524956u /* "VIRO" */

/* 4.2.2: register offsets. */
enum {
	REG_MAGIC = 0x000, REG_VERSION = 0x004, REG_DEVICE_ID = 0x008, REG_VENDOR_ID = 0x00c,
	REG_DEVICE_FEATURES = 0x010, REG_DEVICE_FEATURES_SEL = 0x014,
	REG_DRIVER_FEATURES = 0x020, REG_DRIVER_FEATURES_SEL = 0x024,
	REG_QUEUE_SEL = 0x030, REG_QUEUE_NUM_MAX = 0x034, REG_QUEUE_NUM = 0x038,
	REG_QUEUE_READY = 0x044, REG_QUEUE_NOTIFY = 0x050,
	REG_INTERRUPT_STATUS = 0x060, REG_INTERRUPT_ACK = 0x064, REG_STATUS = 0x070,
	REG_QUEUE_DESC_LOW = 0x080, REG_QUEUE_DESC_HIGH = 0x084,
	REG_QUEUE_DRIVER_LOW = 0x090, REG_QUEUE_DRIVER_HIGH = 0x094,
	REG_QUEUE_DEVICE_LOW = 0x0a0, REG_QUEUE_DEVICE_HIGH = 0x0a4,
	REG_SHM_SEL = 0x0ac, REG_SHM_LEN_LOW = 0x0b0, REG_SHM_LEN_HIGH = 0x0b4,
	REG_SHM_BASE_LOW = 0x0b8, REG_SHM_BASE_HIGH = 0x0bc,
	REG_CONFIG_GENERATION = 0x0fc, REG_CONFIG = 0x100,
};

#define R 1
#define W 2
static const struct {
	const char *name;
	unsigned access;
} regs[REG_CONFIG / 4] = {
	[REG_MAGIC / 4] = { "MagicValue", R },
	[REG_VERSION / 4] = { "Version", R },
	[REG_DEVICE_ID / 4] = { "DeviceID", R },
	[REG_VENDOR_ID / 4] = { "VendorID", R },
	[REG_DEVICE_FEATURES / 4] = { "DeviceFeatures", R },
	[REG_DEVICE_FEATURES_SEL / 4] = { "DeviceFeaturesSel", W },
	[REG_DRIVER_FEATURES / 4] = { "DriverFeatures", W },
	[REG_DRIVER_FEATURES_SEL / 4] = { "DriverFeaturesSel", W },
	[REG_QUEUE_SEL / 4] = { "QueueSel", W },
	[REG_QUEUE_NUM_MAX / 4] = { "QueueNumMax", R },
	[REG_QUEUE_NUM / 4] = { "QueueNum", W },
	[REG_QUEUE_READY / 4] = { "QueueReady", R | W },
	[REG_QUEUE_NOTIFY / 4] = { "QueueNotify", W },
	[REG_INTERRUPT_STATUS / 4] = { "InterruptStatus", R },
	[REG_INTERRUPT_ACK / 4] = { "InterruptACK", W },
	[REG_STATUS / 4] = { "Status", R | W },
	[REG_QUEUE_DESC_LOW / 4] = { "QueueDescLow", W },
	[REG_QUEUE_DESC_HIGH / 4] = { "QueueDescHigh", W },
	[REG_QUEUE_DRIVER_LOW / 4] = { "QueueDriverLow", W },
	[REG_QUEUE_DRIVER_HIGH / 4] = { "QueueDriverHigh", W },
	[REG_QUEUE_DEVICE_LOW / 4] = { "QueueDeviceLow", W },
	[REG_QUEUE_DEVICE_HIGH / 4] = { "QueueDeviceHigh", W },
	[REG_SHM_SEL / 4] = { "SHMSel", W },
	[REG_SHM_LEN_LOW / 4] = { "SHMLenLow", R },
	[REG_SHM_LEN_HIGH / 4] = { "SHMLenHigh", R },
	[REG_SHM_BASE_LOW / 4] = { "SHMBaseLow", R },
	[REG_SHM_BASE_HIGH / 4] = { "SHMBaseHigh", R },
	[REG_CONFIG_GENERATION / 4] = { "ConfigGeneration", R },
};

static void warn(struct virtio_mmio *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct virtio_mmio *d, const char *fmt, ...)
{
	char line[96];
	va_list ap;
	va_start(ap, fmt);
	vsnformat(line, sizeof(line), fmt, ap);
	va_end(ap);
	d->stats.errors++;
	guest_warn(d->g, "%s: %s", d->ops->name, line);
}

/* Epochs are drawn from one count, so that no device, even one made afresh in the same
 * slot (a reboot), has an epoch a chain from before could still match. */
static uint32_t epochs;

static void new_epoch(struct virtio_mmio *d)
{
	d->epoch = ++epochs;
}

/* The line follows InterruptStatus: high while any bit is set (4.2.2). The vPLIC latches a
 * rising line as one request and, at completion, forwards another if the line is still
 * high, so a driver that acknowledges before completing sees exactly one interrupt. */
static void update_line(struct virtio_mmio *d)
{
	bool level = d->interrupt_status != 0;
	if (level == d->line)
		return;
	d->line = level;
	d->stats.interrupts += level;
	vireo_syscall(SYS_VM_IRQ, (long)d->g->vm, d->irq, level, 0, 0, 0);
}

/* 2.4: a reset returns the device to its state at power-on; what the device keeps
 * pending goes first, and the new epoch disowns any completion still on its way. */
static void reset(struct virtio_mmio *d)
{
	if (d->ops->reset)
		d->ops->reset(d);
	new_epoch(d);
	d->status = 0;
	d->interrupt_status = 0;
	d->device_features_sel = d->driver_features_sel = d->queue_sel = 0;
	d->driver_features = 0;
	memset(d->queue, 0, sizeof(d->queue));
	update_line(d);
}

void virtio_mmio_init(struct virtio_mmio *d, struct guest *g, const struct virtio_device_ops *ops,
		      uint64_t base, uint32_t irq)
{
	memset(d, 0, sizeof(*d));
	d->ops = ops;
	d->g = g;
	d->base = base;
	d->irq = irq;
	new_epoch(d);
	d->mem = (struct guest_mem){ .base = VIREO_GUEST_RAM, .size = g->ram_size,
				     .host = (uint8_t *)g->ram_va };
	if (ops->init)
		ops->init(d);
}

/* Which device each wake bit belongs to, by bit number. */
static struct virtio_mmio *wakers[64];

void virtio_mmio_exit(struct virtio_mmio *d)
{
	if (!d->ops)
		return;
	if (d->ops->reset)
		d->ops->reset(d);
	for (unsigned b = 0; b < 64; b++)
		if (wakers[b] == d)
			wakers[b] = NULL;
	memset(d, 0, sizeof(*d));
}

uint64_t virtio_mmio_wake_bit(struct virtio_mmio *d)
{
	if (d->wake_bit)
		return d->wake_bit;
	for (unsigned b = 0; b < 64; b++)
		if ((VIRTIO_WAKE_BITS >> b & 1) && !wakers[b]) {
			wakers[b] = d;
			return d->wake_bit = 1ull << b;
		}
	return 0;
}

void virtio_mmio_wake(uint64_t bits)
{
	bits &= VIRTIO_WAKE_BITS;
	for (unsigned b = 0; b < 64; b++) {
		struct virtio_mmio *d = wakers[b];
		/* A bit freed since the backend was told of it wakes nobody. */
		if ((bits >> b & 1) && d && d->ops->wake)
			d->ops->wake(d);
	}
}

bool virtio_mmio_complete(struct virtio_mmio *d, unsigned q, uint32_t epoch, uint16_t head,
			  uint32_t len)
{
	if (epoch != d->epoch || q >= d->ops->nqueues || !d->queue[q].ready ||
	    (d->status & VIRTIO_STATUS_NEEDS_RESET))
		return false;
	vq_push(&d->queue[q].vq, &d->mem, head, len);
	return true;
}

void virtio_mmio_fail(struct virtio_mmio *d, const char *fmt, ...)
{
	char line[96];
	va_list ap;
	va_start(ap, fmt);
	vsnformat(line, sizeof(line), fmt, ap);
	va_end(ap);
	warn(d, "%s; the device needs a reset", line);
	if (d->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	d->status |= VIRTIO_STATUS_NEEDS_RESET;
	/* 2.1.2: once DRIVER_OK is set, the driver learns of it by a configuration change
	 * notification (4.2.3.4: InterruptStatus bit 1). */
	if (d->status & VIRTIO_STATUS_DRIVER_OK) {
		d->interrupt_status |= VIRTIO_INT_CONFIG;
		update_line(d);
	}
}

void virtio_mmio_config_changed(struct virtio_mmio *d)
{
	d->config_generation++;
	if (d->status & VIRTIO_STATUS_DRIVER_OK) {
		d->interrupt_status |= VIRTIO_INT_CONFIG;
		update_line(d);
	}
}

void virtio_mmio_used(struct virtio_mmio *d, unsigned q)
{
	if (!vq_wants_interrupt(&d->queue[q].vq, &d->mem))
		return;
	d->interrupt_status |= VIRTIO_INT_USED;
	update_line(d);
}

static uint64_t offered(const struct virtio_mmio *d)
{
	return d->ops->features | VIRTIO_F_VERSION_1;
}

/* The device serves queues only while the driver says it is ready and the device is not
 * broken (2.1.2: a device in DEVICE_NEEDS_RESET serves nothing until reset). */
static bool live(const struct virtio_mmio *d)
{
	return (d->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_NEEDS_RESET |
			     VIRTIO_STATUS_FAILED)) == VIRTIO_STATUS_DRIVER_OK;
}

static void notify(struct virtio_mmio *d, uint32_t q)
{
	d->stats.notifications++;
	if (d->status & VIRTIO_STATUS_NEEDS_RESET)
		return; /* already reported */
	if (!(d->status & VIRTIO_STATUS_DRIVER_OK)) {
		/* 2.1.2: the device must not use buffers before DRIVER_OK. */
		warn(d, "queue %u notified before DRIVER_OK", q);
		return;
	}
	if (q >= d->ops->nqueues || !d->queue[q].ready) {
		warn(d, "notify of queue %u, which is not %s", q,
		     q >= d->ops->nqueues ? "one of the device's" : "ready");
		return;
	}
	if (live(d))
		d->ops->notify(d, q);
}

/* 3.1.1 step 5-6: FEATURES_OK sticks only for a subset of the offer that includes
 * VERSION_1 (this device has no legacy interface). */
static bool features_acceptable(struct virtio_mmio *d)
{
	if (d->driver_features & ~offered(d)) {
		warn(d, "driver accepted features %lx, more than offered %lx", d->driver_features,
		     offered(d));
		return false;
	}
	if (!(d->driver_features & VIRTIO_F_VERSION_1)) {
		warn(d, "driver did not accept VIRTIO_F_VERSION_1 (legacy drivers unsupported)");
		return false;
	}
	return true;
}

static bool negotiated(const struct virtio_mmio *d, uint64_t feature)
{
	return (d->status & VIRTIO_STATUS_FEATURES_OK) && (d->driver_features & feature);
}

/* The ring features the driver accepted, for a queue: set when it is enabled, and again
 * at DRIVER_OK (3.1.1 settles features before either). */
static void follow_features(struct virtio_mmio *d, struct virtio_queue *q)
{
	q->vq.indirect = negotiated(d, VIRTIO_F_INDIRECT_DESC);
	q->vq.event_idx = negotiated(d, VIRTIO_F_EVENT_IDX);
}

static void write_status(struct virtio_mmio *d, uint32_t value)
{
	if (value == 0) {
		reset(d);
		return;
	}
	uint32_t added = value & ~d->status;
	if ((added & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(d))
		value &= ~(uint32_t)VIRTIO_STATUS_FEATURES_OK;
	/* DEVICE_NEEDS_RESET is the device's to set; only a reset clears it. */
	value = (value & ~(uint32_t)VIRTIO_STATUS_NEEDS_RESET) |
		(d->status & VIRTIO_STATUS_NEEDS_RESET);
	uint32_t old = d->status;
	d->status = value;
	if (added & VIRTIO_STATUS_DRIVER_OK)
		for (unsigned q = 0; q < d->ops->nqueues; q++)
			follow_features(d, &d->queue[q]);
	if (d->ops->status && value != old)
		d->ops->status(d, old, value);
	/* Buffers made available before DRIVER_OK were left alone; serve them now. */
	if ((added & VIRTIO_STATUS_DRIVER_OK) && live(d))
		for (unsigned q = 0; q < d->ops->nqueues && live(d); q++)
			if (d->queue[q].ready)
				d->ops->notify(d, q);
}

static void write_queue_ready(struct virtio_mmio *d, struct virtio_queue *q, uint32_t value)
{
	if (value == 0) {
		q->ready = false;
		new_epoch(d);
		return;
	}
	struct vq_fault f = vq_check(&q->vq, &d->mem, d->ops->queue_max);
	if (f.error != VQ_OK) {
		char what[80];
		vq_describe(f, what, sizeof(what));
		virtio_mmio_fail(d, "queue %u: %s", d->queue_sel, what);
		return;
	}
	/* The driver starts both rings at index 0 (2.7.6, 2.7.8); so does the device. */
	q->vq.last_avail = q->vq.used_idx = q->vq.signalled_used = 0;
	follow_features(d, q);
	q->ready = true;
	new_epoch(d);
}

static void set_low(uint64_t *v, uint32_t low)
{
	*v = (*v & ~0xffffffffull) | low;
}

static void set_high(uint64_t *v, uint32_t high)
{
	*v = (*v & 0xffffffffull) | (uint64_t)high << 32;
}

/* A write to a queue's set-up registers: only to an existing queue that is not ready
 * (4.2.3.2 sets a queue up before QueueReady). */
static void write_queue(struct virtio_mmio *d, unsigned reg, uint32_t value)
{
	if (d->queue_sel >= d->ops->nqueues || d->queue[d->queue_sel].ready) {
		warn(d, "%s written for queue %u, which is %s", regs[reg / 4].name, d->queue_sel,
		     d->queue_sel >= d->ops->nqueues ? "not one of the device's" : "ready");
		return;
	}
	struct virtio_queue *q = &d->queue[d->queue_sel];
	switch (reg) {
	case REG_QUEUE_NUM:
		q->vq.num = value > 0xffff ? 0 : (uint16_t)value; /* 0: refused at QueueReady */
		break;
	case REG_QUEUE_READY:
		write_queue_ready(d, q, value);
		break;
	case REG_QUEUE_DESC_LOW: set_low(&q->vq.desc, value); break;
	case REG_QUEUE_DESC_HIGH: set_high(&q->vq.desc, value); break;
	case REG_QUEUE_DRIVER_LOW: set_low(&q->vq.avail, value); break;
	case REG_QUEUE_DRIVER_HIGH: set_high(&q->vq.avail, value); break;
	case REG_QUEUE_DEVICE_LOW: set_low(&q->vq.used, value); break;
	case REG_QUEUE_DEVICE_HIGH: set_high(&q->vq.used, value); break;
	}
}

static void write_reg(struct virtio_mmio *d, unsigned reg, uint32_t value)
{
	switch (reg) {
	case REG_DEVICE_FEATURES_SEL:
		d->device_features_sel = value;
		break;
	case REG_DRIVER_FEATURES_SEL:
		d->driver_features_sel = value;
		break;
	case REG_DRIVER_FEATURES:
		/* 3.1.1: features are settled once FEATURES_OK is set. */
		if (d->status & VIRTIO_STATUS_FEATURES_OK)
			warn(d, "DriverFeatures written after FEATURES_OK");
		else if (d->driver_features_sel == 0)
			set_low(&d->driver_features, value);
		else if (d->driver_features_sel == 1)
			set_high(&d->driver_features, value);
		else if (value)
			warn(d, "driver accepted features in word %u, none offered there",
			     d->driver_features_sel);
		break;
	case REG_QUEUE_SEL:
		d->queue_sel = value;
		break;
	case REG_QUEUE_NOTIFY:
		notify(d, value);
		break;
	case REG_INTERRUPT_ACK:
		d->interrupt_status &= ~value;
		update_line(d);
		break;
	case REG_STATUS:
		write_status(d, value);
		break;
	case REG_SHM_SEL:
		break; /* no shared memory regions: every SHMLen reads as -1 */
	default:
		write_queue(d, reg, value);
		break;
	}
}

static uint32_t read_reg(struct virtio_mmio *d, unsigned reg)
{
	bool queue_exists = d->queue_sel < d->ops->nqueues;
	switch (reg) {
	case REG_MAGIC: return MAGIC;
	case REG_VERSION: return 2;
	case REG_DEVICE_ID: return d->ops->device_id;
	case REG_VENDOR_ID: return VENDOR_VIREO;
	case REG_DEVICE_FEATURES:
		return d->device_features_sel < 2 ?
			(uint32_t)(offered(d) >> (32 * d->device_features_sel)) : 0;
	case REG_QUEUE_NUM_MAX: return queue_exists ? d->ops->queue_max : 0; /* 0: no queue */
	case REG_QUEUE_READY: return queue_exists && d->queue[d->queue_sel].ready;
	case REG_INTERRUPT_STATUS: return d->interrupt_status;
	case REG_STATUS: return d->status;
	case REG_SHM_LEN_LOW: case REG_SHM_LEN_HIGH: return 0xffffffffu;
	case REG_SHM_BASE_LOW: case REG_SHM_BASE_HIGH: return 0xffffffffu;
	case REG_CONFIG_GENERATION: return d->config_generation;
	}
	return 0;
}

static uint64_t config_access(struct virtio_mmio *d, uint64_t offset, unsigned width, bool write,
			      uint64_t value)
{
	uint64_t at = offset - REG_CONFIG;
	/* 4.2.2.2: fields are accessed at their own width, naturally aligned. */
	if (width == 0 || width > 8 || (width & (width - 1)) || (at & (width - 1)) ||
	    at + width > d->ops->config_size) {
		warn(d, "%u-byte %s at offset 0x%lx, outside its configuration space", width,
		     write ? "write" : "read", offset);
		return 0;
	}
	if (write) {
		if (d->ops->config_write)
			d->ops->config_write(d, (uint32_t)at, width, value);
		return 0;
	}
	return d->ops->config_read(d, (uint32_t)at, width);
}

uint64_t virtio_mmio_access(struct virtio_mmio *d, uint64_t offset, unsigned width, bool write,
			    uint64_t value)
{
	if (offset >= REG_CONFIG)
		return config_access(d, offset, width, write, value);
	unsigned reg = (unsigned)offset & ~3u;
	unsigned need = write ? W : R;
	/* 4.2.2.2: the control registers take aligned 32-bit accesses only. */
	if (width != 4 || (offset & 3)) {
		warn(d, "%u-byte %s at offset 0x%lx (registers take aligned 32-bit accesses)", width,
		     write ? "write" : "read", offset);
		return 0;
	}
	if (!regs[reg / 4].name) {
		warn(d, "%s at undefined offset 0x%lx", write ? "write" : "read", offset);
		return 0;
	}
	if (!(regs[reg / 4].access & need)) {
		warn(d, "%s of %s, which is %s-only", write ? "write" : "read", regs[reg / 4].name,
		     write ? "read" : "write");
		return 0;
	}
	if (write) {
		write_reg(d, reg, (uint32_t)value);
		return 0;
	}
	return read_reg(d, reg);
}
