/* The virtio-blk driver: owns QEMU's virtio-mmio block device (virtio 1.2 sections 4.2 and
 * 5.2, modern interface, Version 2) and serves "blkdev" to the block server alone. Each
 * request is one descriptor of the queue pointing at an indirect table (2.7.5.3) of its
 * header, one descriptor per physically contiguous run of its data, and its status; up to
 * QUEUE_SIZE of them in flight at once, completed by interrupt. Data moves by DMA between
 * the disk and either two buffers of this driver's, pinned for the device (SYS_DMA_PIN),
 * which the block server maps, or the pages of a grant that came with a batch of requests
 * (BLKDEV_IOV), pinned with SYS_DMA_PIN_RUNS until the batch is done. BLKDEV_READ and
 * BLKDEV_WRITE are answered when done; batches at once, and their end is news for the
 * subscriber (BLKDEV_DONE), so that several are in flight while the caller goes on. */
#include <stdbool.h>
#include <string.h>

#include "../virtio_mmio_regs.h"
#include "vireo.h"

#define REGS_VA VIREO_USER_DEVICES
#define RING_VA (VIREO_USER_HEAP + 0x100000)
#define SLOTS_VA (VIREO_USER_HEAP + 0x200000)
#define IRQ_BIT 1
#define BUFFER_PAGES 128 /* 512 KiB each: a 1 MiB request in two round trips */
#define BUFFER_BYTES (BUFFER_PAGES * 4096ul)
#define QUEUE_SIZE 32 /* requests in flight: a power of two (2.7) */
#define SYNC_OWNER (BLKDEV_BATCHES + 1) /* a slot's owner: BLKDEV_READ and the like */
/* A request's table: its header, its status and its data's runs, which are the grant's runs
 * cut at the batch's request boundaries: at most VIREO_GRANT_SEGS + QUEUE_SIZE - 1. */
#define TABLE_MAX (VIREO_GRANT_SEGS + QUEUE_SIZE + 1)

#define VIRTQ_DESC_F_INDIRECT 4
#define VIRTIO_F_INDIRECT_DESC (1ull << 28) /* 6 */
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

/* The ring page: 2.7 alignment (16, 2, 4) holds at these offsets. */
struct ring_page {
	struct virtq_desc desc[QUEUE_SIZE];
	struct avail avail;
	uint8_t pad0[512 - sizeof(struct avail)];
	struct used used;
};
_Static_assert(sizeof(struct virtq_desc) * QUEUE_SIZE == 512 && sizeof(struct ring_page) <= 4096,
	       "the ring page's layout");

/* What request i of the queue owns, in descriptor i's slot: its table (aligned to 16, as
 * 2.7.5 wants of descriptors), its header and its status. */
struct slot {
	struct virtq_desc table[TABLE_MAX];
	struct req_header header;
	uint8_t status;
} __attribute__((aligned(16)));
#define SLOTS_PAGES ((sizeof(struct slot) * QUEUE_SIZE + 4095) / 4096)

static volatile uint32_t *regs = (volatile uint32_t *)REGS_VA;
static volatile struct ring_page *ring = (volatile struct ring_page *)RING_VA;
static volatile struct slot *slots = (volatile struct slot *)SLOTS_VA;
static uint64_t ring_pa, slots_pa, ep, capacity;
static bool can_flush, read_only;
static uint16_t next_avail, last_used;
/* Who each slot (descriptor) is in flight for: 0 free, a batch's index + 1, or SYNC_OWNER;
 * and which of the batch's requests. */
static uint8_t slot_owner[QUEUE_SIZE], slot_request[QUEUE_SIZE];
static bool sync_done;
/* Batches accepted: pinned, then submitted (in the order they came) once enough slots are
 * free, then done and waiting for BLKDEV_DONE. */
static struct batch {
	enum { BATCH_FREE, BATCH_WAITING, BATCH_IN_FLIGHT, BATCH_DONE } state;
	uint64_t grant, tag, order, failed;
	unsigned n, pending;
	struct block_iov iov[BLOCK_IOV_MAX];
	struct vireo_dma_run runs[VIREO_GRANT_SEGS];
	unsigned nruns;
} batches[BLKDEV_BATCHES];
static uint64_t batch_order, subscriber, subscriber_bits;
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
	if (!(offered & VIRTIO_F_INDIRECT_DESC))
		return fail("the device does not offer VIRTIO_F_INDIRECT_DESC", 0);
	uint64_t wanted = offered & (VIRTIO_F_VERSION_1 | VIRTIO_F_INDIRECT_DESC | BLK_F_FLUSH |
				     BLK_F_RO);
	can_flush = wanted & BLK_F_FLUSH;
	read_only = wanted & BLK_F_RO;
	set_reg(VIRTIO_DRIVER_FEATURES_SEL, 0);
	set_reg(VIRTIO_DRIVER_FEATURES, (uint32_t)wanted);
	set_reg(VIRTIO_DRIVER_FEATURES_SEL, 1);
	set_reg(VIRTIO_DRIVER_FEATURES, (uint32_t)(wanted >> 32));
	set_reg(VIRTIO_STATUS, VIRTIO_S_ACKNOWLEDGE | VIRTIO_S_DRIVER | VIRTIO_S_FEATURES_OK);
	if (!(reg(VIRTIO_STATUS) & VIRTIO_S_FEATURES_OK))
		return fail("the device refused the features", 0);

	uint64_t ring_handle, slots_handle;
	err = dma_memory(1, &ring_handle, &ring_pa);
	if (!err)
		err = vireo_syscall(SYS_MEMORY_MAP, (long)ring_handle, RING_VA,
				    VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0) < 0;
	if (!err)
		err = dma_memory(SLOTS_PAGES, &slots_handle, &slots_pa);
	if (!err)
		err = vireo_syscall(SYS_MEMORY_MAP, (long)slots_handle, SLOTS_VA,
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

/* Makes request i (type, sector, its data in n runs) available in descriptor i, which
 * points at the table of slot i. The device sees it at the next notification. */
static void submit(unsigned i, uint32_t type, uint64_t sector, const struct vireo_dma_run *runs,
		   unsigned n)
{
	volatile struct slot *s = &slots[i];
	uint64_t pa = slots_pa + i * sizeof(struct slot);
	s->header.type = type;
	s->header.reserved = 0;
	s->header.sector = sector;
	s->status = 0xff;
	s->table[0] = (struct virtq_desc){ pa + __builtin_offsetof(struct slot, header),
					   sizeof(struct req_header), VIRTQ_DESC_F_NEXT, 1 };
	uint16_t data_flags = (uint16_t)(VIRTQ_DESC_F_NEXT | (type == T_IN ? VIRTQ_DESC_F_WRITE : 0));
	for (unsigned k = 0; k < n; k++)
		s->table[k + 1] = (struct virtq_desc){ runs[k].pa, (uint32_t)runs[k].len, data_flags,
						       (uint16_t)(k + 2) };
	s->table[n + 1] = (struct virtq_desc){ pa + __builtin_offsetof(struct slot, status), 1,
					       VIRTQ_DESC_F_WRITE, 0 };
	ring->desc[i] = (struct virtq_desc){ pa, (uint32_t)((n + 2) * sizeof(struct virtq_desc)),
					     VIRTQ_DESC_F_INDIRECT, 0 };
	ring->avail.ring[next_avail % QUEUE_SIZE] = (uint16_t)i;
	__sync_synchronize(); /* 2.7.13: descriptors and ring entry before the index */
	ring->avail.idx = ++next_avail;
}

static void kick(void)
{
	__sync_synchronize();
	set_reg(VIRTIO_QUEUE_NOTIFY, 0);
}

static unsigned free_slots(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < QUEUE_SIZE; i++)
		n += !slot_owner[i];
	return n;
}

static unsigned take_slot(uint8_t owner, uint8_t request)
{
	for (unsigned i = 0;; i++)
		if (!slot_owner[i]) {
			slot_owner[i] = owner;
			slot_request[i] = request;
			return i;
		}
}

/* Cuts batch b's runs into each request's share and submits them all. */
static void start_batch(struct batch *b)
{
	static struct vireo_dma_run piece[TABLE_MAX - 2];
	unsigned r = 0;
	uint64_t used = 0; /* of b->runs[r] */
	for (unsigned i = 0; i < b->n; i++) {
		unsigned k = 0;
		for (uint64_t left = (uint64_t)b->iov[i].sectors * BLKDEV_SECTOR; left; k++) {
			uint64_t take = b->runs[r].len - used < left ? b->runs[r].len - used : left;
			piece[k] = (struct vireo_dma_run){ b->runs[r].pa + used, take };
			left -= take;
			used += take;
			if (used == b->runs[r].len)
				r++, used = 0;
		}
		unsigned slot = take_slot((uint8_t)(b - batches + 1), (uint8_t)i);
		submit(slot, b->iov[i].write ? T_OUT : T_IN, b->iov[i].sector, piece, k);
	}
	b->state = BATCH_IN_FLIGHT;
	b->pending = b->n;
}

/* Starts the waiting batches, oldest first, while the queue has room for them. */
static void start_waiting(void)
{
	bool started = false;
	for (;;) {
		struct batch *oldest = NULL;
		for (unsigned i = 0; i < BLKDEV_BATCHES; i++)
			if (batches[i].state == BATCH_WAITING &&
			    (!oldest || batches[i].order < oldest->order))
				oldest = &batches[i];
		if (!oldest || free_slots() < oldest->n)
			break;
		start_batch(oldest);
		started = true;
	}
	if (started)
		kick();
}

static void finish(unsigned slot)
{
	uint8_t owner = slot_owner[slot];
	bool ok = slots[slot].status == S_OK;
	slot_owner[slot] = 0;
	if (owner == SYNC_OWNER) {
		sync_done = true;
		return;
	}
	struct batch *b = &batches[owner - 1];
	b->failed |= (uint64_t)!ok << slot_request[slot];
	if (--b->pending)
		return;
	/* The device is done with every page of the grant: let go of it. */
	vireo_syscall(SYS_DMA_UNPIN, BLKDEV_HANDLE_DEVICE, (long)b->grant, 0, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, (long)b->grant, 0, 0, 0, 0, 0);
	b->grant = 0;
	b->state = BATCH_DONE;
}

/* The interrupt: 4.2.2, acknowledge what InterruptStatus shows, then let the line fire
 * again; then every used entry, the waiting batches, and news for the subscriber. */
static void interrupt(void)
{
	set_reg(VIRTIO_INTERRUPT_ACK, reg(VIRTIO_INTERRUPT_STATUS));
	vireo_syscall(SYS_IRQ_ACK, BLKDEV_HANDLE_DEVICE, 0, 0, 0, 0, 0);
	bool news = false;
	__sync_synchronize();
	while (last_used != ring->used.idx) {
		uint32_t id = ring->used.ring[last_used % QUEUE_SIZE].id;
		last_used++;
		if (id < QUEUE_SIZE && slot_owner[id]) { /* else a device's mistake, ignored */
			news |= slot_owner[id] != SYNC_OWNER;
			finish(id);
		}
	}
	start_waiting();
	if (news && subscriber)
		vireo_syscall(SYS_NOTIFY, (long)subscriber, (long)subscriber_bits, 0, 0, 0, 0);
}

/* One request on its own, answered when done: type, sector, and its data in n runs. Calls
 * meanwhile are turned away (only the block server calls, and it waits for this one). */
static int64_t transfer(uint32_t type, uint64_t sector, const struct vireo_dma_run *runs,
			unsigned n)
{
	while (!free_slots()) {
		struct msg m = ipc_recv(ep);
		if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY)
			interrupt();
		else if (m.status > 0) {
			drop_handle(&m);
			ipc_reply((uint64_t)m.status, 0, (uint64_t)VIREO_E_BUSY, 0, 0, 0);
		}
	}
	unsigned slot = take_slot(SYNC_OWNER, 0);
	submit(slot, type, sector, runs, n);
	kick();
	sync_done = false;
	while (!sync_done) {
		struct msg m = ipc_recv(ep);
		if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY)
			interrupt();
		else if (m.status > 0) {
			drop_handle(&m);
			ipc_reply((uint64_t)m.status, 0, (uint64_t)VIREO_E_BUSY, 0, 0, 0);
		}
	}
	return slots[slot].status == S_OK ? 0 : VIREO_E_INVAL;
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

/* Checks a batch's requests: the bytes of their data, or a negative error. */
static int64_t batch_bytes(const struct block_iov *iov, unsigned n)
{
	uint64_t bytes = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!range_ok(iov[i].sector, iov[i].sectors, BLKDEV_GRANT_MAX / BLKDEV_SECTOR) ||
		    iov[i].write > 1)
			return VIREO_E_INVAL;
		if (iov[i].write && read_only)
			return VIREO_E_RIGHTS;
		bytes += (uint64_t)iov[i].sectors * BLKDEV_SECTOR; /* at most 8 x 4 MiB */
	}
	return (int64_t)bytes;
}

/* BLKDEV_IOV: the grant pinned (it must hold exactly the requests' bytes), the batch kept
 * until it is done. Keeps the grant's handle on success. */
static int64_t accept_batch(uint64_t tag, const struct block_iov *iov, uint32_t len,
			    uint64_t grant)
{
	struct batch *b = NULL;
	for (unsigned i = 0; i < BLKDEV_BATCHES && !b; i++)
		if (batches[i].state == BATCH_FREE)
			b = &batches[i];
	if (len == 0 || len % sizeof(struct block_iov) || len > sizeof(b->iov))
		return VIREO_E_INVAL;
	if (!b)
		return VIREO_E_BUSY;
	memcpy(b->iov, iov, len);
	b->n = len / sizeof(struct block_iov);
	int64_t bytes = batch_bytes(b->iov, b->n);
	if (bytes < 0)
		return bytes;
	int64_t nruns = vireo_syscall(SYS_DMA_PIN_RUNS, BLKDEV_HANDLE_DEVICE, (long)grant,
				      (long)b->runs, VIREO_GRANT_SEGS, 0, 0);
	if (nruns < 0)
		return nruns;
	uint64_t granted = 0;
	for (int64_t r = 0; r < nruns; r++)
		granted += b->runs[r].len; /* the grant's bytes, under its mapping's size */
	if (granted != (uint64_t)bytes) {
		vireo_syscall(SYS_DMA_UNPIN, BLKDEV_HANDLE_DEVICE, (long)grant, 0, 0, 0, 0);
		return VIREO_E_INVAL;
	}
	b->nruns = (unsigned)nruns;
	b->grant = grant;
	b->tag = tag;
	b->failed = 0;
	b->order = batch_order++;
	b->state = BATCH_WAITING;
	start_waiting();
	return 0;
}

/* BLKDEV_DONE: the batches done, as many as the message holds. */
static void reply_done(uint64_t caller)
{
	struct block_done *out = (struct block_done *)ipc_buffer()->data;
	unsigned n = 0;
	for (unsigned i = 0; i < BLKDEV_BATCHES; i++)
		if (batches[i].state == BATCH_DONE) {
			out[n++] = (struct block_done){ batches[i].tag, batches[i].failed };
			batches[i].state = BATCH_FREE;
		}
	_Static_assert(BLKDEV_BATCHES * sizeof(struct block_done) <= VIREO_IPC_DATA_MAX,
		       "every batch's news fits one message");
	ipc_reply(caller, vireo_ipc_info(0, n * sizeof(*out)), 0, n, 0, 0);
}

static void serve(const struct msg *m)
{
	uint64_t caller = (uint64_t)m->status;
	/* Taken before caller_is_service asks init, which reuses the IPC buffer. */
	uint64_t handle = m->info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	uint32_t label = vireo_ipc_label(m->info);
	struct block_iov iov[BLOCK_IOV_MAX];
	uint32_t len = vireo_ipc_len(m->info);
	if (len <= sizeof(iov))
		memcpy(iov, ipc_buffer()->data, len);
	if (m->task != allowed_task && caller_is_service(m->task, "/boot/bin/block"))
		allowed_task = m->task;
	bool takes_handle = label == BLKDEV_IOV || label == BLKDEV_SUBSCRIBE;
	if (handle && (!takes_handle || m->task != allowed_task)) {
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
		handle = 0;
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
		st = disk_io(label, m->w[0], m->w[1], m->w[2]);
		break;
	case BLKDEV_IOV:
		st = handle ? accept_batch(m->w[0], iov, len, handle) : VIREO_E_INVAL;
		if (!st)
			handle = 0; /* the batch's now */
		break;
	case BLKDEV_SUBSCRIBE:
		if (subscriber)
			vireo_syscall(SYS_HANDLE_CLOSE, (long)subscriber, 0, 0, 0, 0, 0);
		subscriber = handle;
		subscriber_bits = m->w[0];
		handle = 0;
		break;
	case BLKDEV_DONE:
		reply_done(caller);
		return;
	case BLKDEV_FLUSH:
		st = can_flush ? transfer(T_FLUSH, 0, NULL, 0) : 0;
		break;
	default:
		st = VIREO_E_INVAL;
	}
	if (handle)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
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
		else if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY)
			interrupt();
	}
}
