/* The virtio-blk driver: owns QEMU's virtio-mmio block device (virtio 1.2 sections 4.2 and
 * 5.2, modern interface, Version 2) and serves "blkdev" to the block server alone. One
 * request at a time on one queue, a chain of the header, one descriptor per physically
 * contiguous run of data and the status, completed by interrupt. Data moves by DMA between
 * the disk and either two buffers of this driver's, pinned for the device (SYS_DMA_PIN),
 * which the block server maps, or the pages of a grant that came with the request
 * (BLKDEV_READV, pinned with SYS_DMA_PIN_RUNS for that request alone). */
#include <stdbool.h>
#include <string.h>

#include "../virtio_mmio_regs.h"
#include "vireo.h"

#define REGS_VA VIREO_USER_DEVICES
#define RING_VA (VIREO_USER_HEAP + 0x100000)
#define IRQ_BIT 1
#define BUFFER_PAGES 128 /* 512 KiB each: a 1 MiB request in two round trips */
#define BUFFER_BYTES (BUFFER_PAGES * 4096ul)
#define QUEUE_SIZE (BLKDEV_GRANT_RUNS + 2) /* one request's chain */
#define RING_PAGES 2

#define BLK_F_RO (1ull << 5)    /* 5.2.3 */
#define BLK_F_FLUSH (1ull << 9)
/* 5.2.6 */
#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define S_OK 0

struct avail { uint16_t flags, idx, ring[QUEUE_SIZE], used_event; };
struct used { uint16_t flags, idx; struct virtq_used_elem ring[QUEUE_SIZE]; uint16_t avail_event; };
struct req_header { uint32_t type, reserved; uint64_t sector; };

/* The ring pages: 2.7 alignment (16, 2, 4) holds at these offsets. */
struct ring_page {
	struct virtq_desc desc[QUEUE_SIZE];
	struct avail avail;
	uint8_t pad0[1024 - sizeof(struct avail)];
	struct req_header header;
	uint8_t status;
	uint8_t pad1[1024 - sizeof(struct req_header) - 1];
	struct used used;
};
_Static_assert(sizeof(struct virtq_desc) * QUEUE_SIZE <= 2048 &&
		       sizeof(struct ring_page) <= RING_PAGES * 4096, "the ring pages' layout");

static volatile uint32_t *regs = (volatile uint32_t *)REGS_VA;
static volatile struct ring_page *ring = (volatile struct ring_page *)RING_VA;
static uint64_t ring_pa, ep, capacity;
static bool can_flush, read_only;
static uint16_t next_avail, last_used;
static struct {
	uint64_t handle, pa;
} buffers[BLKDEV_NBUFS];
static uint64_t allowed_task; /* the block server's task id, once init has vouched for it */

static uint32_t reg(unsigned off) { return regs[off / 4]; }
static void set_reg(unsigned off, uint32_t v) { regs[off / 4] = v; }
static void set_reg64(unsigned off, uint64_t v)
{
	set_reg(off, (uint32_t)v);
	set_reg(off + 4, (uint32_t)(v >> 32));
}

static int fail(const char *what, int64_t err)
{
	printf("virtio-blk: %s%s%s\n", what, err ? ": " : "", err ? error_name(err) : "");
	set_reg(VIRTIO_STATUS, VIRTIO_S_FAILED);
	return 1;
}

/* A memory object pinned for the device: its handle and physical address. */
static int64_t dma_memory(uint64_t npages, uint64_t *handle, uint64_t *pa)
{
	int64_t h = vireo_syscall(SYS_MEMORY_CREATE, (long)npages, 0, 0, 0, 0, 0);
	if (h < 0)
		return h;
	int64_t p = vireo_syscall(SYS_DMA_PIN, BLKDEV_HANDLE_DEVICE, h, 0, 0, 0, 0);
	if (p < 0)
		return p;
	*handle = (uint64_t)h;
	*pa = (uint64_t)p;
	return 0;
}

static uint64_t read_capacity(void)
{
	uint32_t gen, lo, hi;
	do { /* 4.2.2: a 64-bit field is read in two halves under one generation */
		gen = reg(VIRTIO_CONFIG_GENERATION);
		lo = reg(VIRTIO_CONFIG);
		hi = reg(VIRTIO_CONFIG + 4);
	} while (gen != reg(VIRTIO_CONFIG_GENERATION));
	return (uint64_t)hi << 32 | lo;
}

/* 3.1.1: the initialization sequence, with one request queue. */
static int setup(void)
{
	int64_t err = vireo_syscall(SYS_DEVICE_MAP, BLKDEV_HANDLE_DEVICE, REGS_VA, 0, 0, 0, 0);
	if (err)
		return fail("cannot map the device", err);
	if (reg(VIRTIO_MAGIC) != VIRTIO_MAGIC_VALUE || reg(VIRTIO_VERSION) != 2 || reg(VIRTIO_DEVICE_ID) != 2)
		return fail("not a modern virtio-mmio block device", 0);
	/* Resets the device and drops the pins of a driver before us, whose buffers the device
	 * might otherwise still write. */
	err = vireo_syscall(SYS_DMA_RESET, BLKDEV_HANDLE_DEVICE, 0, 0, 0, 0, 0);
	if (err)
		return fail("cannot reset the device", err);
	set_reg(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE);
	set_reg(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER);
	set_reg(VIRTIO_DEVICE_FEATURES_SEL, 0);
	uint64_t offered = reg(VIRTIO_DEVICE_FEATURES);
	set_reg(VIRTIO_DEVICE_FEATURES_SEL, 1);
	offered |= (uint64_t)reg(VIRTIO_DEVICE_FEATURES) << 32;
	if (!(offered & VIRTIO_F_VERSION_1))
		return fail("the device does not offer VIRTIO_F_VERSION_1", 0);
	/* 5.2.6.2: without VIRTIO_BLK_F_FLUSH the device has no write cache to flush. */
	uint64_t wanted = offered & (VIRTIO_F_VERSION_1 | BLK_F_FLUSH | BLK_F_RO);
	can_flush = wanted & BLK_F_FLUSH;
	read_only = wanted & BLK_F_RO;
	set_reg(VIRTIO_DRIVER_FEATURES_SEL, 0);
	set_reg(VIRTIO_DRIVER_FEATURES, (uint32_t)wanted);
	set_reg(VIRTIO_DRIVER_FEATURES_SEL, 1);
	set_reg(VIRTIO_DRIVER_FEATURES, (uint32_t)(wanted >> 32));
	set_reg(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	if (!(reg(VIRTIO_STATUS) & VIRTIO_S_FEATURES_OK))
		return fail("the device refused the features", 0);

	uint64_t ring_handle;
	err = dma_memory(RING_PAGES, &ring_handle, &ring_pa);
	if (!err)
		err = vireo_syscall(SYS_MEMORY_MAP, (long)ring_handle, RING_VA,
				    VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0) < 0;
	for (unsigned i = 0; !err && i < BLKDEV_NBUFS; i++)
		err = dma_memory(BUFFER_PAGES, &buffers[i].handle, &buffers[i].pa);
	if (err)
		return fail("cannot set up DMA memory", err < 0 ? err : VIREO_E_NOMEM);

	set_reg(VIRTIO_QUEUE_SEL, 0);
	if (reg(VIRTIO_QUEUE_READY) || reg(VIRTIO_QUEUE_NUM_MAX) < QUEUE_SIZE)
		return fail("queue 0 is in use or too small", 0);
	set_reg(VIRTIO_QUEUE_NUM, QUEUE_SIZE);
	set_reg64(VIRTIO_QUEUE_DESC, ring_pa + __builtin_offsetof(struct ring_page, desc));
	set_reg64(VIRTIO_QUEUE_DRIVER, ring_pa + __builtin_offsetof(struct ring_page, avail));
	set_reg64(VIRTIO_QUEUE_DEVICE, ring_pa + __builtin_offsetof(struct ring_page, used));
	set_reg(VIRTIO_QUEUE_READY, 1);
	capacity = read_capacity();

	ep = (uint64_t)vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	err = vireo_syscall(SYS_IRQ_BIND, BLKDEV_HANDLE_DEVICE, (long)ep, IRQ_BIT, 0, 0, 0);
	if (err)
		return fail("cannot bind the interrupt", err);
	set_reg(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK |
				       VIRTIO_S_DRIVER_OK);
	return 0;
}

/* A handle that came with a message this driver does not keep. */
static void drop_handle(const struct msg *m)
{
	if (m->info & VIREO_IPC_HANDLE)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)ipc_buffer()->handle, 0, 0, 0, 0, 0);
}

/* Waits for the interrupt that says the request is done; calls meanwhile are turned away
 * (only the block server calls, and it waits for this request). */
static void wait_used(void)
{
	for (;;) {
		__sync_synchronize();
		if (ring->used.idx != last_used)
			break;
		struct msg m = ipc_recv(ep);
		if (m.status > 0) {
			drop_handle(&m);
			ipc_reply((uint64_t)m.status, 0, (uint64_t)VIREO_E_BUSY, 0, 0, 0);
			continue;
		}
		if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY) {
			/* 4.2.2: acknowledge what InterruptStatus shows, then let the line fire again. */
			set_reg(VIRTIO_INTERRUPT_ACK, reg(VIRTIO_INTERRUPT_STATUS));
			vireo_syscall(SYS_IRQ_ACK, BLKDEV_HANDLE_DEVICE, 0, 0, 0, 0, 0);
		}
	}
	last_used++;
	__sync_synchronize();
}

/* One request: type, sector, and (for reads and writes) its data in n physical runs. */
static int64_t transfer(uint32_t type, uint64_t sector, const struct vireo_dma_run *runs,
			unsigned n)
{
	volatile struct virtq_desc *d = ring->desc;
	ring->header.type = type;
	ring->header.reserved = 0;
	ring->header.sector = sector;
	ring->status = 0xff;
	d[0] = (struct virtq_desc){ ring_pa + __builtin_offsetof(struct ring_page, header),
			      sizeof(struct req_header), VIRTQ_DESC_F_NEXT, 1 };
	uint16_t data_flags = (uint16_t)(VIRTQ_DESC_F_NEXT | (type == T_IN ? VIRTQ_DESC_F_WRITE : 0));
	for (unsigned i = 0; i < n; i++)
		d[i + 1] = (struct virtq_desc){ runs[i].pa, (uint32_t)runs[i].len, data_flags,
						(uint16_t)(i + 2) };
	d[n + 1] = (struct virtq_desc){ ring_pa + __builtin_offsetof(struct ring_page, status), 1,
				     VIRTQ_DESC_F_WRITE, 0 };
	ring->avail.ring[next_avail % QUEUE_SIZE] = 0;
	__sync_synchronize(); /* 2.7.13: descriptors and ring entry before the index */
	ring->avail.idx = ++next_avail;
	__sync_synchronize();
	set_reg(VIRTIO_QUEUE_NOTIFY, 0);
	wait_used();
	return ring->status == S_OK ? 0 : VIREO_E_INVAL;
}

static bool range_ok(uint64_t sector, uint64_t count, uint64_t max)
{
	return count && count <= max && sector <= capacity && count <= capacity - sector;
}

static int64_t disk_io(uint32_t label, uint64_t buf, uint64_t sector, uint64_t count)
{
	if (buf >= BLKDEV_NBUFS || !range_ok(sector, count, BUFFER_BYTES / BLKDEV_SECTOR))
		return VIREO_E_INVAL;
	if (label == BLKDEV_WRITE && read_only)
		return VIREO_E_RIGHTS;
	struct vireo_dma_run run = { buffers[buf].pa, count * BLKDEV_SECTOR };
	return transfer(label == BLKDEV_READ ? T_IN : T_OUT, sector, &run, 1);
}

/* BLKDEV_READV, BLKDEV_WRITEV: the grant is pinned only while the device works on it, and
 * must hold exactly the request's bytes. */
static int64_t grant_io(uint32_t label, uint64_t sector, uint64_t count, uint64_t grant)
{
	static struct vireo_dma_run runs[BLKDEV_GRANT_RUNS];
	if (!range_ok(sector, count, BLKDEV_GRANT_MAX / BLKDEV_SECTOR))
		return VIREO_E_INVAL;
	if (label == BLKDEV_WRITEV && read_only)
		return VIREO_E_RIGHTS;
	int64_t n = vireo_syscall(SYS_DMA_PIN_RUNS, BLKDEV_HANDLE_DEVICE, (long)grant, (long)runs,
				  BLKDEV_GRANT_RUNS, 0, 0);
	if (n < 0)
		return n;
	uint64_t bytes = 0;
	for (int64_t i = 0; i < n; i++)
		bytes += runs[i].len; /* each under the grant's total, at most 4 MiB: no wrap */
	int64_t st = bytes == count * BLKDEV_SECTOR
			     ? transfer(label == BLKDEV_READV ? T_IN : T_OUT, sector, runs, (unsigned)n)
			     : VIREO_E_INVAL;
	vireo_syscall(SYS_DMA_UNPIN, BLKDEV_HANDLE_DEVICE, (long)grant, 0, 0, 0, 0);
	return st;
}

static void serve(const struct msg *m)
{
	uint64_t caller = (uint64_t)m->status;
	/* Taken before caller_is_service asks init, which reuses the IPC buffer. */
	uint64_t grant = m->info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	uint32_t label = vireo_ipc_label(m->info);
	bool takes_grant = label == BLKDEV_READV || label == BLKDEV_WRITEV;
	if (m->task != allowed_task && caller_is_service(m->task, "/boot/bin/block"))
		allowed_task = m->task;
	if (grant && (!takes_grant || m->task != allowed_task)) {
		vireo_syscall(SYS_HANDLE_CLOSE, (long)grant, 0, 0, 0, 0, 0);
		grant = 0;
	}
	if (m->task != allowed_task) {
		ipc_reply(caller, 0, (uint64_t)VIREO_E_RIGHTS, 0, 0, 0);
		return;
	}
	int64_t st = 0;
	switch (label) {
	case BLKDEV_INFO:
		ipc_reply(caller, 0, 0, capacity, BUFFER_BYTES, can_flush);
		return;
	case BLKDEV_BUFFER:
		if (m->w[0] >= BLKDEV_NBUFS) {
			st = VIREO_E_INVAL;
			break;
		}
		ipc_buffer()->handle = buffers[m->w[0]].handle;
		ipc_reply(caller, VIREO_IPC_HANDLE, 0, 0, 0, 0);
		return;
	case BLKDEV_READ:
	case BLKDEV_WRITE:
		st = disk_io(vireo_ipc_label(m->info), m->w[0], m->w[1], m->w[2]);
		ipc_reply(caller, 0, (uint64_t)st, 0, 0, 0);
		return;
	case BLKDEV_READV:
	case BLKDEV_WRITEV:
		st = grant ? grant_io(label, m->w[0], m->w[1], grant) : VIREO_E_INVAL;
		break;
	case BLKDEV_FLUSH:
		st = can_flush ? transfer(T_FLUSH, 0, NULL, 0) : 0;
		break;
	default:
		st = VIREO_E_INVAL;
	}
	if (grant)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)grant, 0, 0, 0, 0, 0);
	ipc_reply(caller, 0, (uint64_t)st, 0, 0, 0);
}

int main(void)
{
	if (setup())
		return 1;
	int64_t err = register_service("blkdev", ep);
	if (err)
		return fail("cannot register", err);
	for (;;) {
		struct msg m = ipc_recv(ep);
		if (m.status > 0)
			serve(&m);
		else if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY) {
			set_reg(VIRTIO_INTERRUPT_ACK, reg(VIRTIO_INTERRUPT_STATUS));
			vireo_syscall(SYS_IRQ_ACK, BLKDEV_HANDLE_DEVICE, 0, 0, 0, 0, 0);
		}
	}
}
