/* Devices the kernel hands to user-mode drivers: a register window to map and an interrupt
 * to bind, taken from the device tree at boot. */
#ifndef VIREO_DEVICE_H
#define VIREO_DEVICE_H

#include <stdint.h>

#include <vireo/syscall.h>

#include "machine.h"

#define MAX_DEVICES (2 + MACHINE_MAX_VIRTIO)

enum device_kind { DEVICE_UART, DEVICE_VIRTIO_MMIO };

struct endpoint;
struct memobj;

struct device {
	int refs;
	enum device_kind kind;
	struct mmio_device mmio;
	struct endpoint *irq_ep; /* where its interrupt goes, or NULL */
	uint64_t irq_bits;
	int irq_claimed;         /* claimed from the PLIC, not yet acknowledged by the driver */
	struct memobj *dma[VIREO_DMA_PINS]; /* pinned for the device's DMA (dma.c) */
};

void devices_init(const struct machine *m);
struct device *device_at(unsigned index);

#endif
