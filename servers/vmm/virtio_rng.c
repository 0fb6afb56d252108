/* virtio-rng, the entropy device (virtio 1.2 section 5.4): one request queue whose buffers
 * the device fills with random bytes from the kernel (SYS_RANDOM). No features, no
 * configuration space. */
#include <string.h>

#include "virtio_mmio.h"
#include "vmm.h"

#define RNG_DEVICE_ID 4 /* 5: device type 4, entropy source */
#define RNG_QUEUE_MAX 64

/* The most given for one request: 5.4.6.1 lets the device fill less than the whole
 * buffer, and a bound keeps a guest asking for megabytes from holding up the others. */
#define RNG_REQUEST_MAX VIREO_RANDOM_MAX

static bool rng_available(const struct guest *g)
{
	(void)g;
	uint8_t probe;
	return vireo_syscall(SYS_RANDOM, (long)&probe, 1, 0, 0, 0, 0) == 0;
}

static void rng_notify(struct virtio_mmio *d, unsigned q)
{
	static struct vq_chain chain;
	static uint8_t bytes[RNG_REQUEST_MAX];
	struct virtq *vq = &d->queue[q].vq;
	struct vq_fault fault;
	bool used = false;
	int got;

	while ((got = vq_pop(vq, &d->mem, &chain, &fault)) > 0) {
		/* 5.4.6: every buffer of a request is for the device to write. */
		uint64_t want = 0;
		for (unsigned i = 0; i < chain.n; i++) {
			if (!chain.buf[i].writable) {
				virtio_mmio_fail(d, "descriptor %u is device-readable where the "
						 "device must write", chain.buf[i].index);
				goto out;
			}
			want += chain.buf[i].len;
		}
		uint32_t len = want < RNG_REQUEST_MAX ? (uint32_t)want : RNG_REQUEST_MAX;
		int64_t err = vireo_syscall(SYS_RANDOM, (long)bytes, len, 0, 0, 0, 0);
		if (err) {
			virtio_mmio_fail(d, "no random bytes: %s", error_name(err));
			goto out;
		}
		uint32_t done = 0;
		for (unsigned i = 0; i < chain.n && done < len; i++) {
			uint32_t n = len - done < chain.buf[i].len ? len - done : chain.buf[i].len;
			memcpy(chain.buf[i].host, bytes + done, n);
			done += n;
		}
		memset(bytes, 0, len);
		vq_push(vq, &d->mem, chain.head, len);
		d->stats.requests++;
		d->stats.bytes += len;
		used = true;
	}
	if (got < 0) {
		char what[80];
		vq_describe(fault, what, sizeof(what));
		virtio_mmio_fail(d, "%s", what);
	}
out:
	if (used)
		virtio_mmio_used(d, q);
}

const struct virtio_device_ops virtio_rng_ops = {
	.name = "virtio-rng",
	.device_id = RNG_DEVICE_ID,
	.features = 0,
	.nqueues = 1,
	.queue_max = RNG_QUEUE_MAX,
	.config_size = 0,
	.available = rng_available,
	.config_read = NULL,
	.notify = rng_notify,
};
