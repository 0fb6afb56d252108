#include "irq.h"

#include <vireo/syscall.h>

#include "csr.h"
#include "ipc.h"

/* PLIC register layout (RISC-V PLIC spec 1.0, chapter 3). */
#define PLIC_PRIORITY(irq) ((irq) * 4)
#define PLIC_ENABLE(ctx, irq) (0x2000 + (ctx) * 0x80 + ((irq) / 32) * 4)
#define PLIC_THRESHOLD(ctx) (0x200000 + (ctx) * 0x1000)
#define PLIC_CLAIM(ctx) (0x200004 + (ctx) * 0x1000)

static volatile uint32_t *plic;
static uint32_t context, ndev;

static volatile uint32_t *reg(uint64_t offset)
{
	return (volatile uint32_t *)((uintptr_t)plic + offset);
}

static void set_enabled(uint32_t irq, int on)
{
	volatile uint32_t *r = reg(PLIC_ENABLE(context, irq));
	*r = on ? *r | (1u << (irq % 32)) : *r & ~(1u << (irq % 32));
}

void irq_init(const struct machine *m)
{
	if (!m->has_plic)
		return;
	plic = (volatile uint32_t *)(uintptr_t)m->plic.base;
	context = m->plic_context;
	ndev = m->plic_ndev;
	for (uint32_t irq = 1; irq <= ndev; irq++)
		set_enabled(irq, 0);
	*reg(PLIC_THRESHOLD(context)) = 0;
	csr_set(CSR_SIE, SIE_SEIE);
}

static struct device *device_for_irq(uint32_t irq)
{
	struct device *d;
	for (unsigned i = 0; (d = device_at(i)); i++)
		if (d->mmio.irq == irq)
			return d;
	return NULL;
}

/* A claimed interrupt stays claimed (so it cannot fire again) until its driver has served
 * the device and says so with SYS_IRQ_ACK: a level-triggered device would otherwise
 * interrupt again at once, before its driver ran. */
void irq_handle(void)
{
	uint32_t irq;
	while ((irq = *reg(PLIC_CLAIM(context))) != 0) {
		struct device *d = device_for_irq(irq);
		if (d && d->irq_ep && d->irq_ep->owner) {
			d->irq_claimed = 1;
			endpoint_notify(d->irq_ep, d->irq_bits);
			continue;
		}
		/* Nobody serves it (its driver died): keep it off until a driver binds again. */
		set_enabled(irq, 0);
		*reg(PLIC_CLAIM(context)) = irq;
	}
}

int irq_bind(struct device *d, struct endpoint *ep, uint64_t bits)
{
	if (!plic || d->mmio.irq == 0 || d->mmio.irq > ndev || bits == 0)
		return VIREO_E_INVAL;
	if (d->irq_ep && d->irq_ep->owner && d->irq_ep != ep)
		return VIREO_E_BUSY;
	if (d->irq_ep)
		endpoint_put(d->irq_ep);
	ep->refs++;
	d->irq_ep = ep;
	d->irq_bits = bits;
	if (d->irq_claimed) { /* left claimed by a driver that died */
		d->irq_claimed = 0;
		*reg(PLIC_CLAIM(context)) = d->mmio.irq;
	}
	*reg(PLIC_PRIORITY(d->mmio.irq)) = 1;
	set_enabled(d->mmio.irq, 1);
	return 0;
}

int irq_ack(struct device *d)
{
	if (!d->irq_claimed)
		return 0;
	d->irq_claimed = 0;
	*reg(PLIC_CLAIM(context)) = d->mmio.irq; /* completion */
	return 0;
}
