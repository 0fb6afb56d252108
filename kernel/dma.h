/* Memory pinned for a device's DMA (syscall.h, "DMA"): the only place a task learns a
 * physical address, and only for the device its handle names. */
#ifndef VIREO_DMA_H
#define VIREO_DMA_H

#include <stdint.h>

struct device;
struct memobj;

/* Pins o for d: its physical address, or a negative VIREO_E_* error. */
int64_t dma_pin(struct device *d, struct memobj *o);
/* Resets d so that it no longer reads or writes memory, then drops every pin. */
int64_t dma_reset(struct device *d);

#endif
