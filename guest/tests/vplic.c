/* vplic: Vireo's virtual PLIC, driven by the interrupt line of Vireo's test device (mmio.c:
 * guest physical 0x10000000, writing 1 / 0 to offset 0x48 raises / lowers PLIC source 1).
 * Vireo only: on bare QEMU there is no such device (0x10000000 is the UART).
 *
 * The PLIC has QEMU virt's layout (PLIC spec 1.0.0 and QEMU hw/riscv/virt.c): priority at
 * 4 * source, pending bits at 0x1000, enable bits at 0x2000 + 0x80 * context, threshold at
 * 0x200000 + 0x1000 * context and claim/complete 4 bytes after it; hart N's S-mode context
 * is 2N + 1. The checks hold for a level-triggered source whether the pending bit follows
 * the line (QEMU) or stays latched until claimed (the PLIC spec's gateway). */
#include "lib.h"

#define DEV_IRQ 0x10000048UL
#define SRC 1

static unsigned long ctx;
static volatile unsigned long delivered;
static volatile uint32_t last_claim;

static void line(uint32_t level)
{
	mmio_write32(DEV_IRQ, level);
}

/* Claim, lower the line, complete: the order a driver uses for a level-triggered device. */
static bool plic_hook(struct trap_frame *tf)
{
	if (tf->scause != (SCAUSE_INTERRUPT | IRQ_S_EXTERNAL))
		return false;
	uint32_t id = mmio_read32(PLIC_CLAIM(ctx));
	last_claim = id;
	line(0);
	if (id)
		mmio_write32(PLIC_CLAIM(ctx), id);
	delivered++;
	return true;
}

/* Opens the interrupt window for up to ms and reports whether an interrupt came. */
static bool window(unsigned ms)
{
	unsigned long before = delivered;
	uint64_t start = rdtime();
	irq_enable();
	while (delivered == before && rdtime() - start < MS_TO_TICKS(ms))
		;
	irq_disable();
	return delivered != before;
}

static bool pending(void)
{
	return (mmio_read32(PLIC_PENDING) >> SRC) & 1;
}

/* Leaves the source idle: line low and any latched request claimed and completed. */
static void drain(void)
{
	line(0);
	uint32_t id;
	while ((id = mmio_read32(PLIC_CLAIM(ctx))) != 0)
		mmio_write32(PLIC_CLAIM(ctx), id);
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	ctx = 2 * hartid + 1;
	trap_set_hook(plic_hook);
	irq_disable();
	csr_set(sie, SIE_SEIE);
	mmio_write32(PLIC_PRIORITY(SRC), 1);
	mmio_write32(PLIC_ENABLE(ctx), 1U << SRC);
	mmio_write32(PLIC_THRESHOLD(ctx), 0);
	check(mmio_read32(PLIC_PRIORITY(SRC)) == 1 && mmio_read32(PLIC_ENABLE(ctx)) == 1U << SRC &&
		      mmio_read32(PLIC_THRESHOLD(ctx)) == 0,
	      "priority, enable and threshold read back");
	check(mmio_read32(PLIC_CLAIM(ctx)) == 0, "claim returns 0 when nothing is pending");

	line(1);
	check(pending(), "pending bit set while the line is high, before the claim");
	check(window(100) && last_claim == SRC,
	      "supervisor external interrupt delivered, claim returned %u", last_claim);
	check(!pending(), "pending bit clear after claim and complete");
	check(mmio_read32(PLIC_CLAIM(ctx)) == 0, "claim returns 0 after the interrupt is handled");

	mmio_write32(PLIC_THRESHOLD(ctx), 1);
	line(1);
	check(!window(20), "threshold 1 masks a priority-1 source while its line is high");
	mmio_write32(PLIC_THRESHOLD(ctx), 0);
	check(window(100) && last_claim == SRC, "lowering the threshold to 0 delivers it");
	drain();

	mmio_write32(PLIC_ENABLE(ctx), 0);
	line(1);
	check(!window(20), "a disabled source is not delivered");
	check(pending(), "a disabled source still shows pending");
	mmio_write32(PLIC_ENABLE(ctx), 1U << SRC);
	check(window(100) && last_claim == SRC, "enabling the source delivers it");
	drain();

	mmio_write32(PLIC_PRIORITY(SRC), 0);
	line(1);
	check(!window(20), "priority 0 is never delivered");
	check(mmio_read32(PLIC_CLAIM(ctx)) == 0, "claim of a priority-0 source returns 0");
	line(0);
	mmio_write32(PLIC_PRIORITY(SRC), 1);
	drain();

	csr_clear(sie, SIE_SEIE);
	finish();
}
