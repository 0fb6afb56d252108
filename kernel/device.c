#include "device.h"

#include "handle.h"

static struct device devices[MAX_DEVICES];
static unsigned ndevices;

void devices_init(const struct machine *m)
{
	if (m->has_uart)
		devices[ndevices++] = (struct device){ .kind = DEVICE_UART, .mmio = m->uart };
	for (unsigned i = 0; i < m->nvirtio && ndevices < MAX_DEVICES; i++)
		devices[ndevices++] = (struct device){ .kind = DEVICE_VIRTIO_MMIO,
						       .mmio = m->virtio[i] };
}

/* Devices live forever: the count only tells whether a handle names one. */
static void device_release(struct device *d)
{
	d->refs--;
}

DEFINE_OBJECT_OPS(device, struct device, device_release);

struct device *device_at(unsigned index)
{
	return index < ndevices ? &devices[index] : 0;
}
