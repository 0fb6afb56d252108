#include "tlb.h"

#include <riscv/sbi.h>

#include "csr.h"
#include "hart.h"
#include "sbi.h"

/* The other harts that are up, as an SBI hart mask from hart id 0 (smp.c starts only harts
 * with ids below 64). 0 when this hart is alone. */
static unsigned long other_harts(void)
{
	struct hart *self = this_hart(), *h;
	unsigned long mask = 0;
	if (!self->smp)
		return 0;
	for (unsigned i = 0; (h = hart_at(i)); i++)
		if (h != self && h->online)
			mask |= 1ul << h->hartid;
	return mask;
}

/* SBI spec 8.3-8.4: remote sfence.vma over [start, start + size) (size ~0: all), for one
 * ASID or for all. */
static void remote_fence(unsigned long fid, unsigned long start, unsigned long size,
			 unsigned long asid)
{
	unsigned long mask = other_harts();
	if (mask)
		sbi_call(SBI_EXT_RFENCE, fid, mask, 0, start, size, asid);
}

void tlb_flush_asid(uint64_t asid)
{
	sfence_vma_asid(asid);
	remote_fence(SBI_RFENCE_SFENCE_VMA_ASID, 0, ~0ul, asid);
}

void tlb_flush_all(void)
{
	sfence_vma_all();
	remote_fence(SBI_RFENCE_SFENCE_VMA, 0, ~0ul, 0);
}

void tlb_flush_guests(void)
{
	hfence_gvma_all();
	remote_fence(SBI_RFENCE_HFENCE_GVMA, 0, ~0ul, 0); /* SBI spec 8.6 */
}

void tlb_flush_kernel_pages(uint64_t va, uint64_t npages)
{
	for (uint64_t i = 0; i < npages; i++)
		sfence_vma_page(va + (i << 12));
	remote_fence(SBI_RFENCE_SFENCE_VMA, va, npages << 12, 0);
}
