/* Memory pinned for a device's DMA (syscall.h, "DMA"): the only place a task learns a
 * physical address, and only for the device its handle names. */
#ifndef VIREO_DMA_H
#define VIREO_DMA_H

#include <stdint.h>

#include <vireo/syscall.h>

struct device;
struct memobj;

/* Pins o for d: its physical address, or a negative VIREO_E_* error. */
int64_t dma_pin(struct device *d, struct memobj *o);
/* Pins o (any object, a grant too) for d and writes its physical runs to out: how many, or
 * VIREO_E_FULL (nothing pinned) when more than max. */
int64_t dma_pin_runs(struct device *d, struct memobj *o, struct vireo_dma_run *out,
		     unsigned max);
/* Drops d's pin of o: VIREO_E_NOENT if it has none. */
int64_t dma_unpin(struct device *d, struct memobj *o);
/* Resets d so that it no longer reads or writes memory, then drops every pin. */
int64_t dma_reset(struct device *d);

#endif
