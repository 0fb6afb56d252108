/* The virtual PLIC a guest sees: the register file of a RISC-V PLIC (PLIC spec 1.0.0) laid
 * out like QEMU's virt board, as pure logic the kernel embeds in its VM struct. The kernel
 * forwards a guest's MMIO accesses in the vPLIC window here, reports device lines with
 * vplic_set_level, and after any call that may change state re-evaluates
 * vplic_context_pending(vplic_s_context(h)) for each hart h to set or clear its
 * hvip.VSEIP. No locking here: the caller serializes calls on one vplic.
 *
 * Register map (offsets from the vPLIC base, all 32-bit):
 *   0x000000 + 4*i               priority of source i (1..ndev; source 0 reads 0)
 *   0x001000 + 4*w               pending bits of sources 32*w..32*w+31 (read-only)
 *   0x002000 + 0x80*c + 4*w      enable bits of context c
 *   0x200000 + 0x1000*c          priority threshold of context c
 *   0x200004 + 0x1000*c          claim (read) / complete (write) of context c
 * Context 2*h is hart h's M-mode context, 2*h+1 its S-mode context, as on QEMU's virt.
 * A guest runs only in (V)S-mode, so M-mode contexts are plain registers: their enables
 * and threshold read back, but they never signal, claim nothing and complete nothing. */
#ifndef VIREO_HV_VPLIC_H
#define VIREO_HV_VPLIC_H

#include <stdbool.h>
#include <stdint.h>

#define VPLIC_MAX_SOURCES 64  /* ids 1..63 */
#define VPLIC_MAX_HARTS 8     /* contexts 0..2*VPLIC_MAX_HARTS-1 */
#define VPLIC_SIZE 0x400000ul /* MMIO window size the guest device tree will declare */

#define VPLIC_WORDS (VPLIC_MAX_SOURCES / 32)
#define VPLIC_CONTEXTS (2 * VPLIC_MAX_HARTS)

/* Bit arrays are indexed by source id, 32 per word, as in the pending and enable
 * registers. Bits of sources above ndev, and bit 0, are always 0. */
struct vplic {
	uint32_t ndev;   /* highest source id */
	uint32_t nharts; /* contexts 0..2*nharts-1 exist */
	uint8_t priority[VPLIC_MAX_SOURCES];
	uint8_t threshold[VPLIC_CONTEXTS];
	uint32_t enable[VPLIC_CONTEXTS][VPLIC_WORDS];
	uint32_t pending[VPLIC_WORDS];    /* IP bits: requests forwarded, not yet claimed */
	uint32_t in_service[VPLIC_WORDS]; /* claimed, completion not yet received */
	uint32_t level[VPLIC_WORDS];      /* current level of each device line */
};

/* All registers zero, all lines low. ndev = highest source id (riscv,ndev), 1..63; nharts
 * 1..VPLIC_MAX_HARTS. Larger values are clamped to the maximum. */
void vplic_init(struct vplic *p, unsigned ndev, unsigned nharts);

/* A guest access at offset into the window, width in bytes. Return 0, or -1 when the access
 * is not a naturally aligned 32-bit access to a register that exists (other widths,
 * misaligned, holes, contexts or sources past the last one): the caller then injects an
 * access fault and no state has changed. Reading a claim register claims (changes state),
 * hence the non-const p. Writes to read-only or reserved-but-present registers (pending
 * bits, source 0's priority) succeed and are ignored. */
int vplic_read(struct vplic *p, uint64_t offset, unsigned width, uint32_t *value);
int vplic_write(struct vplic *p, uint64_t offset, unsigned width, uint32_t value);

/* A level-triggered device line changed. Ignores irq 0 or > ndev. */
void vplic_set_level(struct vplic *p, unsigned irq, bool level);

/* Whether context's interrupt notification (EIP) is raised: some pending, enabled source
 * has priority > the context's threshold. Always false for M-mode and absent contexts. */
bool vplic_context_pending(const struct vplic *p, unsigned context);

/* The S-mode context of a hart: 2*hart+1. */
static inline unsigned vplic_s_context(unsigned hart)
{
	return 2 * hart + 1;
}

#endif
