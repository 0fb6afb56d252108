#include "dma.h"

#include <vireo/syscall.h>

#include "device.h"
#include "memobj.h"

/* virtio 1.2 4.2.2: the Status register of a virtio-mmio device. Writing 0 resets it; the
 * reset is complete once it reads 0 again (2.4.1), and after that the device uses none of
 * the buffers it was given. */
#define VIRTIO_MMIO_STATUS 0x70
#define RESET_POLLS 1000000

int64_t dma_pin(struct device *d, struct memobj *o)
{
	/* Only pages a task created: the bootfs is the kernel's, read-only to everyone. */
	if (d->kind != DEVICE_VIRTIO_MMIO || !o->charged)
		return VIREO_E_INVAL;
	struct memobj **free_slot = 0;
	for (unsigned i = 0; i < VIREO_DMA_PINS; i++) {
		if (d->dma[i] == o)
			return (int64_t)o->pa;
		if (!d->dma[i] && !free_slot)
			free_slot = &d->dma[i];
	}
	if (!free_slot)
		return VIREO_E_FULL;
	o->refs++;
	*free_slot = o;
	return (int64_t)o->pa;
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
