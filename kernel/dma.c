#include "dma.h"

#include <vireo/syscall.h>

#include "device.h"
#include "memobj.h"
#include "page_alloc.h"

/* virtio 1.2 4.2.2: the Status register of a virtio-mmio device. Writing 0 resets it; the
 * reset is complete once it reads 0 again (2.4.1), and after that the device uses none of
 * the buffers it was given. */
#define VIRTIO_MMIO_STATUS 0x70
#define RESET_POLLS 1000000

/* Takes a pin of o for d, or finds the one it has: the slot, or a negative error. */
static int64_t take_pin(struct device *d, struct memobj *o)
{
	if (d->kind != DEVICE_VIRTIO_MMIO)
		return VIREO_E_INVAL;
	if (o->revoked)
		return VIREO_E_DEAD;
	int free_slot = -1;
	for (unsigned i = 0; i < VIREO_DMA_PINS; i++) {
		if (d->dma[i] == o)
			return i;
		if (!d->dma[i] && free_slot < 0)
			free_slot = (int)i;
	}
	if (free_slot < 0)
		return VIREO_E_FULL;
	o->refs++;
	d->dma[free_slot] = o;
	return free_slot;
}

int64_t dma_pin(struct device *d, struct memobj *o)
{
	/* Only pages a task created: the bootfs is the kernel's, read-only to everyone. A
	 * grant has no one address: SYS_DMA_PIN_RUNS. */
	if (!o->charged || o->runs)
		return VIREO_E_INVAL;
	int64_t slot = take_pin(d, o);
	return slot < 0 ? slot : (int64_t)o->pa;
}

int64_t dma_pin_runs(struct device *d, struct memobj *o, struct vireo_dma_run *out,
		     unsigned max)
{
	if (!o->charged && !o->runs)
		return VIREO_E_INVAL;
	unsigned n = o->runs ? o->nruns : 1;
	if (n > max)
		return VIREO_E_FULL;
	int64_t slot = take_pin(d, o);
	if (slot < 0)
		return slot;
	for (unsigned i = 0; i < n; i++)
		out[i] = o->runs ? o->runs[i] : (struct vireo_dma_run){ o->pa, o->npages << PAGE_SHIFT };
	return n;
}

int64_t dma_unpin(struct device *d, struct memobj *o)
{
	for (unsigned i = 0; i < VIREO_DMA_PINS; i++) {
		if (d->dma[i] == o) {
			d->dma[i] = 0;
			memobj_put(o);
			return 0;
		}
	}
	return VIREO_E_NOENT;
}

int64_t dma_reset(struct device *d)
{
	if (d->kind != DEVICE_VIRTIO_MMIO)
		return VIREO_E_INVAL;
	/* The kernel maps devices at VA = PA (kernel_map.c). */
	volatile uint32_t *status = (volatile uint32_t *)(uintptr_t)(d->mmio.base + VIRTIO_MMIO_STATUS);
	*status = 0;
	unsigned polls = 0;
	while (*status != 0)
		if (++polls == RESET_POLLS)
			return VIREO_E_BUSY; /* the pins stay: the device may still use them */
	for (unsigned i = 0; i < VIREO_DMA_PINS; i++) {
		if (d->dma[i])
			memobj_put(d->dma[i]);
		d->dma[i] = 0;
	}
	return 0;
}
