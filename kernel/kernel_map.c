#include "kernel_map.h"

#include "console.h"
#include "csr.h"
#include "memory.h"
#include "page_alloc.h"
#include "panic.h"

extern char __kernel_start[], _etext[], _erodata[], _end[];

static struct pt_space space;
static unsigned table_pages;

static uint64_t alloc_table(void *ctx)
{
	(void)ctx;
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
	map("kernel data", (uint64_t)_erodata, page_round_up((uint64_t)_end) - (uint64_t)_erodata,
	    PTE_R | PTE_W);
	for (unsigned i = 0; i < m->nram; i++)
		map_ram_around_image(&m->ram[i]);
	if (m->has_uart)
		map_device("UART", &m->uart);
	if (m->has_plic)
		map_device("PLIC", &m->plic);
	for (unsigned i = 0; i < m->nvirtio; i++)
		map_device("virtio-mmio", &m->virtio[i]);

	kernel_map_activate();
	kprintf("paging: Sv39, RAM and devices at VA = PA, kernel image W^X, %u table pages\n",
		table_pages);
}

const struct pt_space *kernel_space(void)
{
	return &space;
}

void kernel_map_activate(void)
{
	csr_write(CSR_SATP, SATP_MODE_SV39 | ((uint64_t)(uintptr_t)space.root >> PAGE_SHIFT));
	sfence_vma_all();
}
