/* External interrupts: the kernel drives the PLIC and turns each device interrupt into a
 * notification for the driver that bound it (docs/design.md 3). */
#ifndef VIREO_IRQ_H
#define VIREO_IRQ_H

#include <stdint.h>

#include "device.h"
#include "machine.h"

void irq_init(const struct machine *m);
void irq_handle(void);
int irq_bind(struct device *d, struct endpoint *ep, uint64_t bits);
int irq_ack(struct device *d);

#endif
