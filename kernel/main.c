/* The boot sequence: learn the machine from the device tree, report it, bring up memory,
 * paging and the timer. */
#include <libfdt.h>
#include <stdint.h>
#include <string.h>

#include "console.h"
#include "csr.h"
#include "device.h"
#include "hart.h"
#include "hv.h"
#include "init_task.h"
#include "irq.h"
#include "kernel_map.h"
#include "machine.h"
#include "memory.h"
#include "panic.h"
#include "random.h"
#include "sbi.h"
#include "sched.h"
#include "smp.h"
#include "testhooks.h"
#include "timer.h"
#include "trap.h"

void kmain(uint64_t hartid, void *fdt);

static struct machine machine;

/* kprintf formats into a 256-byte line; device-tree strings have no such bound (QEMU 10's
 * riscv,isa alone is over 300 bytes), so they go to the console whole. */
static void print_dt_string(const char *before, const char *s, const char *after)
{
	console_write(before, strlen(before));
	console_write(s, strlen(s));
	console_write(after, strlen(after));
}

static void report_machine(const struct machine *m, uint32_t boot_hart)
{
	kprintf("harts: %u (booting on hart %u):", m->nharts, boot_hart);
	for (unsigned i = 0; i < m->nharts; i++)
		kprintf(" %u", m->hart_ids[i]);
	print_dt_string("\nisa: ", m->isa, "\n");
	kprintf("extensions: H %s, sstc %s\n", m->has_h ? "yes" : "no", m->has_sstc ? "yes" : "no");
	for (unsigned i = 0; i < m->nram; i++)
		kprintf("ram: %016lx-%016lx (%lu MiB)\n", m->ram[i].base,
			m->ram[i].base + m->ram[i].size, m->ram[i].size >> 20);
	for (unsigned i = 0; i < m->nreserved; i++)
		kprintf("reserved: %016lx-%016lx\n", m->reserved[i].base,
			m->reserved[i].base + m->reserved[i].size);
	kprintf("timebase: %lu Hz\n", m->timebase_hz);
	if (m->has_uart)
		kprintf("uart: ns16550a at %lx, irq %u\n", m->uart.base, m->uart.irq);
	else
		kprintf("uart: none\n");
	if (m->has_plic)
		kprintf("plic: at %lx, %u sources\n", m->plic.base, m->plic_ndev);
	else
		kprintf("plic: none\n");
	kprintf("virtio-mmio: %u slots", m->nvirtio);
	for (unsigned i = 0; i < m->nvirtio; i++)
		kprintf("%s %lx/irq %u", i ? "," : "", m->virtio[i].base, m->virtio[i].irq);
	kprintf("\n");
	if (m->has_initrd)
		kprintf("initrd: %016lx-%016lx (%lu bytes)\n", m->initrd_start, m->initrd_end,
			m->initrd_end - m->initrd_start);
	print_dt_string("bootargs: \"", m->bootargs, "\"\n");
}

/* Seeds the generator, then wipes the seed both in the copy and in the blob: the first key
 * is the seed, and fast key erasure (random.c) protects past output only if no copy of an
 * old key stays in memory. */
static void seed_random(struct machine *m, void *fdt)
{
	int len, chosen = fdt_path_offset(fdt, "/chosen");
	void *blob_seed = chosen >= 0 ? fdt_getprop_w(fdt, chosen, "rng-seed", &len) : NULL;

	if (random_init(m->rng_seed, m->rng_seed_len))
		kprintf("random: %u-byte seed from /chosen/rng-seed\n", m->rng_seed_len);
	else if (m->rng_seed_len)
		kprintf("random: none (/chosen/rng-seed has %u bytes, fewer than %u)\n",
			m->rng_seed_len, RANDOM_MIN_SEED);
	else
		kprintf("random: none (no /chosen/rng-seed); SYS_RANDOM will fail\n");
	memset(m->rng_seed, 0, sizeof(m->rng_seed));
	if (blob_seed && len > 0)
		memset(blob_seed, 0, (size_t)len);
}

/* The hypervisor is not optional: without the H extension there is nothing to run. */
static void require_hypervisor(const struct machine *m)
{
	if (m->has_h)
		return;
	print_dt_string("vireo: this hart has no H extension (riscv,isa \"", m->isa, "\").\n");
	kprintf("vireo: Vireo's hypervisor is not optional; run QEMU with -cpu rv64,h=true.\n");
	sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
	panic("SBI refused to power off");
}

/* The boot file system is a newc cpio archive (docs/design.md 1); its magic is checked here so a
 * wrong file fails at boot with a clear message rather than later in init. */
static void require_initrd(const struct machine *m)
{
	if (!m->has_initrd)
		panic("no initrd: /chosen has no linux,initrd-start/end (start QEMU with -initrd "
		      "build/bootfs.cpio)");
	if (m->initrd_end - m->initrd_start < 6 ||
	    memcmp((const void *)(uintptr_t)m->initrd_start, "070701", 6))
		panic("initrd at %lx is not a newc cpio archive", m->initrd_start);
}

static void wait_for_ticks(void)
{
	uint64_t start = timer_uptime_us(), first = timer_ticks();
	csr_set(CSR_SSTATUS, SSTATUS_SIE);
	while (timer_ticks() < first + 3)
		wfi();
	csr_clear(CSR_SSTATUS, SSTATUS_SIE); /* the kernel runs with interrupts off */
	uint64_t us = timer_uptime_us() - start;
	kprintf("timer: %s, %u Hz tick, 3 ticks in %lu.%03lu ms\n", timer_backend(), TIMER_HZ,
		us / 1000, us % 1000);
}

void kmain(uint64_t hartid, void *fdt)
{
	hart_init_boot(hartid);
	trap_init();
	console_init();
	kprintf("\nVireo %s (%s), a RISC-V microkernel with a built-in hypervisor\n",
		VIREO_VERSION, VIREO_GIT);
	kprintf("console: %s\n", console_backend());

	fdt = testhook_before_parse(fdt);
	if (machine_parse(fdt, MACHINE_MAX_FDT_SIZE, (uint32_t)hartid, &machine))
		panic("%s", machine.error);
	report_machine(&machine, (uint32_t)hartid);
	seed_random(&machine, fdt);
	require_hypervisor(&machine);
	require_initrd(&machine);

	memory_place_bootfs(&machine, (uint64_t)(uintptr_t)fdt);
	memory_init(&machine, (uint64_t)(uintptr_t)fdt);
	kernel_map_init(&machine);
	timer_init(machine.timebase_hz, machine.has_sstc);
	/* Tasks may read cycle, time and instret (priv spec 4.1.5): benchmarks use them. */
	csr_write(CSR_SCOUNTEREN, 7);
	wait_for_ticks();
	kprintf("boot: done %lu us after reset\n", timer_uptime_us());

	testhook_after_boot();
	hv_init(&machine);
	devices_init(&machine);
	irq_init(&machine);
	start_init(&machine);
	smp_start(&machine);
	sched_run();
}
