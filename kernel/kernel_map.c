#include "kernel_map.h"

#include <stdbool.h>

#include "console.h"
#include "csr.h"
#include "kstack.h"
#include "memory.h"
#include "page_alloc.h"
#include "panic.h"
#include "tlb.h"

extern char __kernel_start[], _etext[], _erodata[], _end[], boot_stack_guard[], boot_stack[];

static struct pt_space space;
static unsigned table_pages;
static bool built; /* tasks may have copied the root entries since: no new table now */

static uint64_t alloc_table(void *ctx)
{
	(void)ctx;
	if (built)
		panic("kernel map: a new table after tasks copied the root entries");
	table_pages++;
	return kpage_alloc();
}

static void free_table(void *ctx, uint64_t page)
{
	(void)ctx;
	table_pages--;
	kpage_free(page);
}

static void map(const char *what, uint64_t va, uint64_t size, uint64_t flags)
{
	enum pt_error e = pt_map(&space, va, va, size, flags | PTE_G, PT_PAGE_1G);
	if (e)
		panic("kernel map: %s at %lx+%lx: %s", what, va, size, pt_error_name(e));
}

static uint64_t page_round_up(uint64_t v)
{
	return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* Maps a RAM range except where it overlaps the kernel image, which has its own mappings. */
static void map_ram_around_image(const struct range *r)
{
	uint64_t lo = r->base, hi = r->base + r->size;
	uint64_t cut_lo = (uint64_t)__kernel_start > lo ? (uint64_t)__kernel_start : lo;
	uint64_t cut_hi = page_round_up((uint64_t)_end) < hi ? page_round_up((uint64_t)_end) : hi;
	if (cut_lo >= cut_hi) {
		map("RAM", lo, hi - lo, PTE_R | PTE_W);
		return;
	}
	if (lo < cut_lo)
		map("RAM", lo, cut_lo - lo, PTE_R | PTE_W);
	if (cut_hi < hi)
		map("RAM", cut_hi, hi - cut_hi, PTE_R | PTE_W);
}

static void map_device(const char *what, const struct mmio_device *d)
{
	uint64_t base = d->base & ~(PAGE_SIZE - 1);
	map(what, base, page_round_up(d->base + d->size) - base, PTE_R | PTE_W);
}

void kernel_map_init(const struct machine *m)
{
	space.fmt = &pt_sv39;
	space.alloc = alloc_table;
	space.free = free_table;
	space.root = (pte_t *)(uintptr_t)alloc_table(NULL);
	if (!space.root)
		panic("kernel map: no page for the root table");

	map("kernel text", (uint64_t)__kernel_start, (uint64_t)(_etext - __kernel_start), PTE_R | PTE_X);
	map("kernel rodata", (uint64_t)_etext, (uint64_t)(_erodata - _etext), PTE_R);
	/* All but the boot stack's guard page (entry.S). */
	map("kernel data", (uint64_t)_erodata, (uint64_t)(boot_stack_guard - _erodata), PTE_R | PTE_W);
	map("kernel data", (uint64_t)boot_stack, page_round_up((uint64_t)_end) - (uint64_t)boot_stack,
	    PTE_R | PTE_W);
	for (unsigned i = 0; i < m->nram; i++)
		map_ram_around_image(&m->ram[i]);
	if (m->has_uart)
		map_device("UART", &m->uart);
	if (m->has_plic)
		map_device("PLIC", &m->plic);
	for (unsigned i = 0; i < m->nvirtio; i++)
		map_device("virtio-mmio", &m->virtio[i]);

	enum pt_error e = pt_prepare(&space, KSTACK_REGION_BASE, KSTACK_REGION_SIZE);
	if (e)
		panic("kernel map: kernel stacks at %lx: %s", (uint64_t)KSTACK_REGION_BASE,
		      pt_error_name(e));
	built = true;

	kernel_map_activate();
	kprintf("paging: Sv39, RAM and devices at VA = PA, kernel image W^X, kernel stacks at "
		"%lx with guards, %u table pages\n", (uint64_t)KSTACK_REGION_BASE, table_pages);
}

void kernel_map_pages(uint64_t va, uint64_t pa, uint64_t npages)
{
	enum pt_error e = pt_map(&space, va, pa, npages << PAGE_SHIFT, PTE_R | PTE_W | PTE_G,
				 PAGE_SIZE);
	if (e)
		panic("kernel map: %lu pages at %lx: %s", npages, va, pt_error_name(e));
	/* Priv spec 4.2.1: a hart may have cached the invalid entries. */
	for (uint64_t i = 0; i < npages; i++)
		sfence_vma_page(va + (i << PAGE_SHIFT));
}

void kernel_unmap_pages(uint64_t va, uint64_t npages)
{
	enum pt_error e = pt_unmap(&space, va, npages << PAGE_SHIFT);
	if (e)
		panic("kernel map: unmapping %lu pages at %lx: %s", npages, va, pt_error_name(e));
	tlb_flush_kernel_pages(va, npages); /* any hart may have used them */
}

const struct pt_space *kernel_space(void)
{
	return &space;
}

static uint64_t kernel_satp(void)
{
	return SATP_MODE_SV39 | ((uint64_t)(uintptr_t)space.root >> PAGE_SHIFT);
}

void kernel_map_activate(void)
{
	csr_write(CSR_SATP, kernel_satp());
	sfence_vma_all();
}

void kernel_map_activate_if_away(void)
{
	if (csr_read(CSR_SATP) != kernel_satp())
		kernel_map_activate();
}
