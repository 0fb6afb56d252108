/* virtio-blk, the block device (virtio 1.2 section 5.2): one request queue, served from
 * the guest's volume on the block server ("block"). Every request is checked by
 * blk_request.c first; its data buffers are then granted (SYS_MEMORY_GRANT) for that
 * request alone, and the disk driver DMAs straight to and from them: no copy. The monitor
 * waits for each answer (the block server answers in the time of a disk request). Offered: VIRTIO_BLK_F_FLUSH, so that a guest's flush
 * reaches QEMU's disk image, SIZE_MAX and SEG_MAX for requests of many pages, and the
 * ring features indirect descriptors and event-idx,
 * which save Linux a kick per request while the device is busy. */
#include <string.h>

#include "blk_request.h"
#include "virtio_mmio.h"
#include "vmm.h"

#define BLK_DEVICE_ID 2
#define BLK_QUEUE_MAX 128
#define BLK_F_SIZE_MAX (1ull << 1)
#define BLK_F_SEG_MAX (1ull << 2)
#define BLK_F_FLUSH (1ull << 9)
#define BLK_CONFIG_SIZE 64 /* struct virtio_blk_config: capacity, size_max, seg_max; rest 0 */
/* 5.2.4: the most data buffers a request has (its chain also holds the header and the
 * status), and the most bytes in each, so that no request exceeds BLK_REQUEST_MAX. Without
 * SEG_MAX Linux sends one buffer, a page, per request. */
#define BLK_SEG_MAX (BLK_QUEUE_MAX - 2)
#define BLK_SIZE_MAX (BLK_REQUEST_MAX / BLK_SEG_MAX & ~4095ul)
_Static_assert(BLK_SEG_MAX * BLK_SIZE_MAX <= BLK_REQUEST_MAX, "a request fits the limit");
_Static_assert(BLK_SEG_MAX <= BLKDEV_GRANT_RUNS && BLK_REQUEST_MAX <= BLKDEV_GRANT_MAX,
	       "a request the guest may send is one the driver takes");

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

/* Moves a read's or a write's data under a grant of its buffers, in one block server call. */
static int64_t transfer(const struct guest_disk *disk, const struct vq_chain *c,
			const struct blk_request *r)
{
	static struct vireo_grant_seg segs[BLK_SEG_MAX];
	unsigned n = blk_data_segs(c, r, segs, BLK_SEG_MAX);
	if (!n)
		return VIREO_E_INVAL; /* more buffers than the SEG_MAX the device offered */
	int64_t grant = vireo_syscall(SYS_MEMORY_GRANT, (long)segs, n, 0, 0, 0, 0);
	if (grant < 0)
		return grant;
	ipc_buffer()->handle = (uint64_t)grant;
	struct msg m = ipc_call(block_ep, vireo_ipc_info(r->type == BLK_T_IN ? BLOCK_READV
									: BLOCK_WRITEV, 0) |
						  VIREO_IPC_HANDLE,
				disk->session, r->sector, r->sectors, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, grant, 0, 0, 0, 0, 0);
	return m.status < 0 ? m.status : (int64_t)m.w[0];
}

/* Serves one parsed request; the status for the driver. */
static uint8_t serve(struct virtio_mmio *d, const struct vq_chain *c, struct blk_request *r,
		     uint32_t *written)
{
	struct guest_disk *disk = &d->g->disk;
	int64_t err = 0;
	*written = 0;
	switch (r->type) {
	case BLK_T_IN:
	case BLK_T_OUT:
		err = transfer(disk, c, r);
		if (!err && r->type == BLK_T_IN)
			*written = (uint32_t)r->data_len;
		break;
	case BLK_T_FLUSH:
		err = block_call(BLOCK_FLUSH, disk->session, 0, 0);
		break;
	case BLK_T_GET_ID: {
		char id[BLK_ID_BYTES] = { 0 };
		snformat(id, sizeof(id), "vireo-%s", disk->name);
		*written = (uint32_t)blk_scatter(c, 0, id, r->data_len);
		break;
	}
	}
	if (err) {
		d->stats.errors++;
		guest_warn(d->g, "virtio-blk: %s of %lu sectors at %lu failed: %s",
			   r->type == BLK_T_IN ? "read" : r->type == BLK_T_OUT ? "write" : "flush",
			   r->sectors, r->sector, error_name(err));
		return BLK_S_IOERR;
	}
	d->stats.bytes += r->type == BLK_T_IN || r->type == BLK_T_OUT ? r->data_len : 0;
	return BLK_S_OK;
}

static void blk_notify(struct virtio_mmio *d, unsigned q)
{
	static struct vq_chain chain;
	struct virtq *vq = &d->queue[q].vq;
	struct vq_fault fault;
	bool used = false;
	int got;
	while ((got = vq_pop(vq, &d->mem, &chain, &fault)) > 0) {
		struct blk_request r;
		uint8_t status;
		uint32_t written = 0;
		enum blk_parse p = blk_parse(&chain, d->g->disk.sectors, &r);
		if (p == BLK_PARSE_BROKEN) {
			virtio_mmio_fail(d, "%s", r.why);
			break;
		}
		d->stats.requests++;
		if (p == BLK_PARSE_STATUS) {
			status = r.status;
			if (r.why) {
				d->stats.errors++;
				guest_warn(d->g, "virtio-blk: %s", r.why);
			}
		} else {
			status = serve(d, &chain, &r, &written);
		}
		blk_scatter(&chain, r.in_len - 1, &status, 1);
		vq_push(vq, &d->mem, chain.head, written + 1);
		used = true;
	}
	if (got < 0) {
		char what[80];
		vq_describe(fault, what, sizeof(what));
		virtio_mmio_fail(d, "%s", what);
	}
	if (used)
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
	.config_read = blk_config_read,
	.notify = blk_notify,
};
