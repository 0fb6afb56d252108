/* rfence: SBI remote fences (SBI spec 8) from hart 0 to hart 1 (`vm run rfence.elf
 * cpus=2`). Hart 1 runs with Sv39 paging on and reads one virtual page whose mapping hart 0
 * changes; after remote_sfence_vma(_asid) it must see the new page. Whether a TLB entry
 * goes stale at all here is probed first: hart 0 changes the mapping with no fence, and hart
 * 1 still seeing the old page shows it does, so that the fenced reads prove the fence (on a
 * machine that never keeps a stale entry, that check is skipped). remote_fence_i: hart 1
 * runs code hart 0 has just rewritten. The HFENCE calls are refused: no vCPU has the H
 * extension. */
#include "lib.h"

#define ONE_SECOND MS_TO_TICKS(1000)
#define TEST_VA 0x40000000UL /* root entry 1: its own level-1 and level-0 tables */
#define PTE_V 0x1UL
#define PTE_R 0x2UL
#define PTE_W 0x4UL
#define PTE_X 0x8UL
#define PTE_A 0x40UL
#define PTE_D 0x80UL
#define VALUE_A 0xaaaa0001UL
#define VALUE_B 0xbbbb0002UL

enum command { NONE, READ, CALL, STOP };

static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t level1[512] __attribute__((aligned(4096)));
static uint64_t level0[512] __attribute__((aligned(4096)));
static volatile uint64_t page_a[512] __attribute__((aligned(4096)));
static volatile uint64_t page_b[512] __attribute__((aligned(4096)));
static volatile uint32_t code[4] __attribute__((aligned(16)));

static volatile unsigned long command, done, result, paging_on;

static uint64_t table(const void *next)
{
	return ((uint64_t)(uintptr_t)next >> 12) << 10 | PTE_V;
}

static uint64_t leaf(const volatile void *page)
{
	return ((uint64_t)(uintptr_t)page >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_A | PTE_D;
}

/* An identity gigapage for RAM, where the code, stacks and tables are, and TEST_VA. */
static void build_tables(void)
{
	root[2] = (0x80000000UL >> 12) << 10 | PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D;
	root[1] = table(level1);
	level1[0] = table(level0);
	level0[0] = leaf(page_a);
	page_a[0] = VALUE_A;
	page_b[0] = VALUE_B;
}

void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid, (void)opaque;
	csr_write(satp, SATP_MODE_SV39 | ((uint64_t)(uintptr_t)root >> 12));
	__asm__ volatile("sfence.vma" ::: "memory");
	__atomic_store_n(&paging_on, 1, __ATOMIC_RELEASE);
	for (;;) {
		unsigned long c = __atomic_load_n(&command, __ATOMIC_ACQUIRE);
		if (c == READ)
			result = *(volatile uint64_t *)TEST_VA;
		else if (c == CALL)
			result = ((unsigned long (*)(void))(uintptr_t)code)();
		else if (c == STOP)
			break;
		if (c != NONE) {
			__atomic_store_n(&command, NONE, __ATOMIC_RELAXED);
			__atomic_store_n(&done, 1, __ATOMIC_RELEASE);
		}
	}
	csr_write(satp, 0);
	sbi_call0(SBI_EXT_HSM, SBI_HSM_HART_STOP);
}

/* Has hart 1 run c and returns its result (~0 if it did not answer within a second). */
static unsigned long ask(enum command c)
{
	done = 0;
	__atomic_store_n(&command, c, __ATOMIC_RELEASE);
	if (!wait_flag(&done, ONE_SECOND))
		return ~0UL;
	return result;
}

static struct sbiret rfence(unsigned long fid, unsigned long mask, unsigned long base,
			    unsigned long start, unsigned long size, unsigned long asid)
{
	return sbi_call(SBI_EXT_RFENCE, fid, mask, base, start, size, asid, 0);
}

static void remap(const volatile void *page)
{
	level0[0] = leaf(page);
	__asm__ volatile("fence rw, rw" ::: "memory");
}

static void sfence_checks(void)
{
	unsigned long v = ask(READ);
	check(v == VALUE_A, "hart 1 reads page A through its mapping (0x%lx)", v);
	remap(page_b);
	v = ask(READ);
	bool stale = v == VALUE_A;
	if (!stale)
		check(v == VALUE_B, "unfenced, hart 1 reads page A or B (0x%lx)", v);
	struct sbiret r = rfence(SBI_RFENCE_SFENCE_VMA, 1UL << 1, 0, TEST_VA, 4096, 0);
	v = ask(READ);
	check(r.error == SBI_SUCCESS && v == VALUE_B,
	      "after remote_sfence_vma to hart 1 it reads page B (%ld, 0x%lx)", r.error, v);
	if (stale)
		check(true, "without the fence hart 1 had read the stale page A: the fence did it");
	else
		skip("this machine kept no stale TLB entry to prove the fence by");

	(void)ask(READ);
	remap(page_a);
	r = rfence(SBI_RFENCE_SFENCE_VMA_ASID, 0, (unsigned long)-1, 0, (unsigned long)-1, 0);
	v = ask(READ);
	check(r.error == SBI_SUCCESS && v == VALUE_A,
	      "after remote_sfence_vma_asid to every hart (base -1) hart 1 reads page A again "
	      "(%ld, 0x%lx)", r.error, v);
}

/* li a0, n; ret */
static void write_code(unsigned n)
{
	code[0] = 0x00000513u | (n << 20);
	code[1] = 0x00008067u;
	__asm__ volatile("fence rw, rw" ::: "memory");
}

static void fence_i_checks(void)
{
	write_code(1);
	struct sbiret r = rfence(SBI_RFENCE_FENCE_I, 1UL << 1, 0, 0, 0, 0);
	unsigned long v = ask(CALL);
	check(r.error == SBI_SUCCESS && v == 1, "hart 1 runs code after remote_fence_i (%lu)", v);
	write_code(2);
	r = rfence(SBI_RFENCE_FENCE_I, 1UL << 1, 0, 0, 0, 0);
	v = ask(CALL);
	check(r.error == SBI_SUCCESS && v == 2,
	      "rewritten, then remote_fence_i: hart 1 runs the new code (%lu)", v);
}

static void refusals(void)
{
	struct sbiret r = rfence(SBI_RFENCE_SFENCE_VMA, 1UL << 2, 0, 0, (unsigned long)-1, 0);
	check(r.error == SBI_ERR_INVALID_PARAM,
	      "a fence naming hart 2, which does not exist, is SBI_ERR_INVALID_PARAM (%ld)",
	      r.error);
	r = rfence(SBI_RFENCE_FENCE_I, 1, 5, 0, 0, 0);
	check(r.error == SBI_ERR_INVALID_PARAM, "a base past the last hart is invalid (%ld)",
	      r.error);
	for (unsigned long fid = SBI_RFENCE_HFENCE_GVMA_VMID; fid <= SBI_RFENCE_HFENCE_VVMA; fid++) {
		r = rfence(fid, 1UL << 1, 0, 0, (unsigned long)-1, 0);
		check(r.error == SBI_ERR_NOT_SUPPORTED,
		      "remote HFENCE (function %lu) is SBI_ERR_NOT_SUPPORTED (%ld)", fid, r.error);
	}
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)dtb;
	if (!check(hartid == 0 && hart_count() >= 2, "booted on hart 0 of %lu (2 or more)",
		   hart_count()))
		finish();
	build_tables();
	struct sbiret r = sbi_call3(SBI_EXT_HSM, SBI_HSM_HART_START, 1,
				    (unsigned long)_secondary_start, 0);
	if (!check(r.error == SBI_SUCCESS && wait_flag(&paging_on, ONE_SECOND),
		   "hart 1 started with Sv39 paging on (%ld)", r.error))
		finish();
	sfence_checks();
	fence_i_checks();
	refusals();
	__atomic_store_n(&command, STOP, __ATOMIC_RELEASE);
	uint64_t t0 = rdtime();
	while (hart_status(1) != SBI_HSM_STOPPED && rdtime() - t0 < ONE_SECOND)
		;
	check(hart_status(1) == SBI_HSM_STOPPED, "hart 1 stopped");
	finish();
}
