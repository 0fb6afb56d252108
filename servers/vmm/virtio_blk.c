/* virtio-blk, the block device (virtio 1.2 section 5.2): one request queue, served from
 * the guest's volume on the block server ("block"). Every request is checked by
 * blk_request.c first. The reads and writes the driver made available together go as one
 * batch (BLOCK_IOV, up to BLOCK_IOV_MAX requests) under one grant of their data buffers
 * (SYS_MEMORY_GRANT), so that the disk driver DMAs straight to and from guest RAM, no copy,
 * with all of them in flight on the disk at once. The block server takes a batch at once
 * and says when it is done through the device's wake bit, so the guest runs on meanwhile
 * and its next requests join the disk's queue: up to BLK_IN_FLIGHT batches per device. A
 * reset (or the guest's end) waits for them (BLOCK_DRAIN), so that no DMA reaches RAM the
 * guest has left. Offered: VIRTIO_BLK_F_FLUSH, so that a guest's flush reaches QEMU's
 * disk image (5.2.6.4: it covers the writes completed, which is what a driver waits for
 * before it flushes), SIZE_MAX and SEG_MAX for requests of many pages, and the ring
 * features indirect descriptors and event-idx, which save Linux a kick per request while
 * the device is busy. */
#include <string.h>

#include "blk_request.h"
#include "virtio_mmio.h"
#include "vmm.h"

#define BLK_DEVICE_ID 2
#define BLK_F_SIZE_MAX (1ull << 1)
#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_FLUSH (1ull << 9)
#define BLK_CONFIG_SIZE 64 /* struct virtio_blk_config: capacity, size_max, seg_max; rest 0 */
_Static_assert(BLK_SEG_MAX <= VIREO_GRANT_SEGS && BLK_REQUEST_MAX <= BLKDEV_GRANT_MAX,
	       "a request the guest may send fits one grant and one driver request");

#define BLK_IN_FLIGHT 4 /* batches at the block server before the device stops taking more */

/* A request sent: what its answer needs. */
struct blk_sent {
	uint16_t head;
	uint32_t written;
	uint8_t *status; /* in guest RAM, which stays mapped while the batch is in flight */
	struct blk_request r;
};

/* A batch at the block server (tag 0: a free record), from before epoch's change. */
struct blk_in_flight {
	uint64_t tag;
	uint32_t epoch;
	unsigned n;
	struct blk_sent req[BLOCK_IOV_MAX];
};

/* Each device's batches in flight: one more record than it fills before it stops taking
 * chains, for the batch one notify gathers after the last it sent. */
struct blk_state {
	bool watched; /* the session's BLOCK_WATCH names this device's wake bit */
	unsigned n;
	struct blk_in_flight f[BLK_IN_FLIGHT + 1];
};

static struct blk_state states[MAX_GUESTS];
static uint64_t next_tag = 1, answers; /* chains answered so far, for virtio_mmio_used */

/* The requests of the batch being gathered: each chain, its request, and their grant's
 * ranges. */
struct blk_batch {
	unsigned n, nsegs;
	struct vq_chain chain[BLOCK_IOV_MAX];
	struct blk_request r[BLOCK_IOV_MAX];
	struct block_iov iov[BLOCK_IOV_MAX];
	struct vireo_grant_seg segs[VIREO_GRANT_SEGS];
};

static uint64_t block_ep;

static bool blk_available(const struct guest *g)
{
	return g->disk.session != 0;
}

static uint64_t blk_config_read(struct virtio_mmio *d, uint32_t offset, unsigned width)
{
	uint8_t config[BLK_CONFIG_SIZE] = { 0 };
	uint32_t size_max = BLK_SIZE_MAX, seg_max = BLK_SEG_MAX;
	uint64_t value = 0;
	memcpy(config, &d->g->disk.sectors, sizeof(d->g->disk.sectors)); /* capacity, le64 */
	memcpy(config + 8, &size_max, sizeof(size_max));
	memcpy(config + 12, &seg_max, sizeof(seg_max));
	memcpy(&value, config + offset, width);
	return value;
}

static int64_t block_call(uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2)
{
	struct msg r = ipc_call(block_ep, vireo_ipc_info(label, 0), w0, w1, w2, 0);
	return r.status < 0 ? r.status : (int64_t)r.w[0];
}

static void warn_failed(struct virtio_mmio *d, const struct blk_request *r, int64_t err)
{
	d->stats.errors++;
	guest_warn(d->g, "virtio-blk: %s of %lu sectors at %lu failed: %s",
		   r->type == BLK_T_IN ? "read" : r->type == BLK_T_OUT ? "write" : "flush",
		   r->sectors, r->sector, err ? error_name(err) : "the disk said so");
}

/* Answers chain c with status, having written written bytes of data. */
static void answer(struct virtio_mmio *d, unsigned q, const struct vq_chain *c,
		   const struct blk_request *r, uint8_t status, uint32_t written)
{
	blk_scatter(c, r->in_len - 1, &status, 1);
	vq_push(&d->queue[q].vq, &d->mem, c->head, written + 1);
	answers++;
}

static void blk_init(struct virtio_mmio *d)
{
	d->state = &states[d->g->slot];
	memset(d->state, 0, sizeof(struct blk_state));
}

/* The session's news of batches done goes to this device's wake bit. */
static int64_t watch(struct virtio_mmio *d)
{
	uint64_t bit = virtio_mmio_wake_bit(d);
	int64_t ep = bit ? vireo_syscall(SYS_HANDLE_COPY, (long)monitor_endpoint(),
					 VIREO_RIGHT_SEND | VIREO_RIGHT_TRANSFER, 0, 0, 0, 0)
			 : VIREO_E_FULL;
	if (ep < 0)
		return ep;
	ipc_buffer()->handle = (uint64_t)ep;
	struct msg m = ipc_call(block_ep, vireo_ipc_info(BLOCK_WATCH, 0) | VIREO_IPC_HANDLE,
				d->g->disk.session, bit, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, ep, 0, 0, 0, 0, 0);
	int64_t err = m.status < 0 ? m.status : (int64_t)m.w[0];
	((struct blk_state *)d->state)->watched = !err;
	return err;
}

/* Sends the batch to the block server under one grant; it is answered when done (wake),
 * or now if the server refused it. */
static void run_batch(struct virtio_mmio *d, unsigned q, struct blk_batch *b)
{
	struct blk_state *st = d->state;
	if (!b->n)
		return;
	struct blk_in_flight *f = st->f;
	while (f->tag)
		f++; /* st->n <= BLK_IN_FLIGHT: one is free */
	int64_t err = st->watched ? 0 : watch(d);
	int64_t grant = err ? err : vireo_syscall(SYS_MEMORY_GRANT, (long)b->segs, b->nsegs, 0,
						  0, 0, 0);
	err = grant < 0 ? grant : 0;
	if (!err) {
		f->tag = next_tag++;
		memcpy(ipc_buffer()->data, b->iov, b->n * sizeof(*b->iov));
		ipc_buffer()->handle = (uint64_t)grant;
		struct msg m = ipc_call(block_ep, vireo_ipc_info(BLOCK_IOV, b->n * sizeof(*b->iov)) |
							  VIREO_IPC_HANDLE,
					d->g->disk.session, f->tag, 0, 0);
		vireo_syscall(SYS_HANDLE_CLOSE, grant, 0, 0, 0, 0, 0);
		err = m.status < 0 ? m.status : (int64_t)m.w[0];
	}
	for (unsigned i = 0; i < b->n; i++) {
		if (err) {
			warn_failed(d, &b->r[i], err);
			answer(d, q, &b->chain[i], &b->r[i], BLK_S_IOERR, 0);
			continue;
		}
		const struct blk_request *r = &b->r[i];
		f->req[i] = (struct blk_sent){ b->chain[i].head,
					       r->type == BLK_T_IN ? (uint32_t)r->data_len : 0,
					       blk_status_byte(&b->chain[i], r), *r };
	}
	if (err) {
		f->tag = 0;
	} else {
		f->n = b->n;
		f->epoch = d->epoch;
		st->n++;
	}
	b->n = b->nsegs = 0;
}

/* Answers the requests of the batches done: news from the block server. Returns how many. */
static unsigned collect(struct virtio_mmio *d, unsigned q)
{
	struct blk_state *st = d->state;
	struct msg m = ipc_call(block_ep, vireo_ipc_info(BLOCK_DONE, 0), d->g->disk.session, 0, 0,
				0);
	struct block_done done[BLKDEV_BATCHES];
	unsigned n = m.status < 0 || m.w[0] ? 0 : (unsigned)m.w[1];
	if (n > BLKDEV_BATCHES || vireo_ipc_len(m.info) != n * sizeof(*done))
		n = 0;
	memcpy(done, ipc_buffer()->data, n * sizeof(*done));
	for (unsigned k = 0; k < n; k++) {
		struct blk_in_flight *f = st->f;
		while (f < st->f + BLK_IN_FLIGHT + 1 && (!f->tag || f->tag != done[k].tag))
			f++;
		if (f == st->f + BLK_IN_FLIGHT + 1)
			continue; /* not this device's: the server's mistake */
		for (unsigned i = 0; i < f->n; i++) {
			struct blk_sent *s = &f->req[i];
			bool ok = !(done[k].failed >> i & 1);
			if (ok)
				d->stats.bytes += s->r.data_len;
			else
				warn_failed(d, &s->r, 0);
			/* A device reset or a queue disabled since: the chain is not the driver's
			 * to get back (virtio_mmio_complete), and its status is left alone. */
			if (f->epoch == d->epoch) {
				*s->status = ok ? BLK_S_OK : BLK_S_IOERR;
				virtio_mmio_complete(d, q, f->epoch, s->head, ok ? s->written + 1 : 1);
			}
		}
		f->tag = 0;
		st->n--;
	}
	return n;
}

static void blk_notify(struct virtio_mmio *d, unsigned q);

static void blk_wake(struct virtio_mmio *d)
{
	if (collect(d, 0)) {
		virtio_mmio_used(d, 0);
		/* Chains the device left in the ring while its batches were all in flight. */
		if ((d->status & VIRTIO_STATUS_DRIVER_OK) &&
		    !(d->status & VIRTIO_STATUS_NEEDS_RESET) && d->queue[0].ready)
			blk_notify(d, 0);
	}
}

/* The driver reset the device, or the guest goes: nothing of it may stay in flight. */
static void blk_reset(struct virtio_mmio *d)
{
	struct blk_state *st = d->state;
	if (st->n)
		ipc_call(block_ep, vireo_ipc_info(BLOCK_DRAIN, 0), d->g->disk.session, 0, 0, 0);
	st->n = 0;
	for (unsigned i = 0; i < BLK_IN_FLIGHT + 1; i++)
		st->f[i].tag = 0;
	if (st->watched) /* the news of what was drained: no chain to answer any more */
		ipc_call(block_ep, vireo_ipc_info(BLOCK_DONE, 0), d->g->disk.session, 0, 0, 0);
	st->watched = false; /* the wake bit may change (virtio_mmio_exit frees it) */
}

/* Adds read or write r of chain c (the batch's next chain) to the batch, sending the batch
 * first when r does not fit it; false if r alone has more buffers than SEG_MAX allows. */
static bool batch_add(struct virtio_mmio *d, unsigned q, struct blk_batch *b,
		      const struct blk_request *r)
{
	unsigned n = blk_data_segs(&b->chain[b->n], r, b->segs + b->nsegs,
				   VIREO_GRANT_SEGS - b->nsegs);
	if (!n && b->nsegs) {
		unsigned at = b->n;
		run_batch(d, q, b); /* answers the chains before slot at */
		b->chain[0] = b->chain[at];
		n = blk_data_segs(&b->chain[0], r, b->segs, BLK_SEG_MAX);
	}
	if (!n)
		return false;
	b->r[b->n] = *r;
	b->iov[b->n] = (struct block_iov){ r->sector, (uint32_t)r->sectors, r->type == BLK_T_OUT };
	b->nsegs += n;
	if (++b->n == BLOCK_IOV_MAX)
		run_batch(d, q, b);
	return true;
}

/* A request that is not a read or a write: served now, after the batch before it. */
static void serve_alone(struct virtio_mmio *d, unsigned q, struct blk_batch *b,
			const struct vq_chain *c, const struct blk_request *r)
{
	struct guest_disk *disk = &d->g->disk;
	uint32_t written = 0;
	int64_t err = 0;
	if (r->type == BLK_T_FLUSH) {
		run_batch(d, q, b);
		err = block_call(BLOCK_FLUSH, disk->session, 0, 0);
	} else { /* BLK_T_GET_ID */
		char id[BLK_ID_BYTES] = { 0 };
		snformat(id, sizeof(id), "vireo-%s", disk->name);
		written = (uint32_t)blk_scatter(c, 0, id, r->data_len);
	}
	if (err)
		warn_failed(d, r, err);
	answer(d, q, c, r, err ? BLK_S_IOERR : BLK_S_OK, written);
}

static void blk_notify(struct virtio_mmio *d, unsigned q)
{
	static struct blk_batch batch;
	struct blk_state *st = d->state;
	struct blk_batch *b = &batch;
	struct virtq *vq = &d->queue[q].vq;
	struct vq_fault fault;
	uint64_t answered = answers;
	int got = 0;
	/* Each chain is taken into the batch's next slot, and stays there if it joins. With
	 * every batch in flight the rest wait in the ring, for blk_wake. */
	while (st->n < BLK_IN_FLIGHT && (got = vq_pop(vq, &d->mem, &b->chain[b->n], &fault)) > 0) {
		struct vq_chain *c = &b->chain[b->n];
		struct blk_request r;
		enum blk_parse p = blk_parse(c, d->g->disk.sectors, &r);
		if (p == BLK_PARSE_BROKEN) {
			virtio_mmio_fail(d, "%s", r.why);
			break;
		}
		d->stats.requests++;
		if (p == BLK_PARSE_STATUS) {
			if (r.why) {
				d->stats.errors++;
				guest_warn(d->g, "virtio-blk: %s", r.why);
			}
			answer(d, q, c, &r, r.status, 0);
		} else if (r.type != BLK_T_IN && r.type != BLK_T_OUT) {
			serve_alone(d, q, b, c, &r);
		} else if (!batch_add(d, q, b, &r)) {
			d->stats.errors++;
			guest_warn(d->g, "virtio-blk: a request of more than %u data buffers (SEG_MAX)",
				   BLK_SEG_MAX);
			answer(d, q, &b->chain[b->n], &r, BLK_S_IOERR, 0);
		}
	}
	run_batch(d, q, b);
	if (got < 0) {
		char what[80];
		vq_describe(fault, what, sizeof(what));
		virtio_mmio_fail(d, "%s", what);
	}
	if (answers != answered)
		virtio_mmio_used(d, q);
}

int64_t virtio_blk_open(struct guest *g, char *why, size_t len)
{
	struct guest_disk *disk = &g->disk;
	if (!disk->name[0])
		return 0;
	if (!block_ep) {
		int64_t ep = lookup("block");
		if (ep < 0) {
			snformat(why, len, "no disks: %s", ep == VIREO_E_DEAD ?
				 "the machine has none (QEMU without --disk)" : error_name(ep));
			return ep;
		}
		block_ep = (uint64_t)ep;
	}
	struct msg r = ipc_call(block_ep, ipc_data(BLOCK_OPEN, disk->name, strlen(disk->name)),
				disk->create_mib, 0, 0, 0);
	int64_t err = r.status < 0 ? r.status : (int64_t)r.w[0];
	uint64_t handle = r.info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	if (err) {
		size_t n = vireo_ipc_len(r.info) < 96 ? vireo_ipc_len(r.info) : 0;
		char text[96];
		memcpy(text, ipc_buffer()->data, n);
		text[n] = '\0';
		snformat(why, len, "disk %s: %s", disk->name, n ? text : error_name(err));
		return err;
	}
	if (handle) /* the buffer of BLOCK_READ: guest data goes under grants instead */
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
	disk->session = r.w[1];
	disk->sectors = r.w[2];
	return 0;
}

void virtio_blk_close(struct guest *g)
{
	if (g->disk.session)
		block_call(BLOCK_CLOSE, g->disk.session, 0, 0);
	g->disk.session = 0;
}

const struct virtio_device_ops virtio_blk_ops = {
	.name = "virtio-blk",
	.device_id = BLK_DEVICE_ID,
	.features = BLK_F_SIZE_MAX | BLK_F_SEG_MAX | BLK_F_FLUSH | VIRTIO_F_INDIRECT_DESC |
		    VIRTIO_F_EVENT_IDX,
	.nqueues = 1,
	.queue_max = BLK_QUEUE_MAX,
	.config_size = BLK_CONFIG_SIZE,
	.available = blk_available,
	.init = blk_init,
	.config_read = blk_config_read,
	.notify = blk_notify,
	.reset = blk_reset,
	.wake = blk_wake,
};
