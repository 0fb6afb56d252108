/* The guest's device tree (docs/design.md 6.10): memory, one cpu per vCPU, the virtual PLIC, the
 * monitor's devices and /chosen; only what exists, so the guest probes nothing in vain. */
#include <libfdt.h>
#include <string.h>

#include "vmm.h"

#define PHANDLE_PLIC 1
#define PHANDLE_INTC(cpu) (2 + (cpu))
#define IRQ_S_EXT 9
#define IRQ_M_EXT 11
#define GUEST_RNG_SEED 32

static void reg(void *fdt, uint64_t base, uint64_t size)
{
	fdt32_t cells[4] = { cpu_to_fdt32((uint32_t)(base >> 32)), cpu_to_fdt32((uint32_t)base),
			     cpu_to_fdt32((uint32_t)(size >> 32)), cpu_to_fdt32((uint32_t)size) };
	fdt_property(fdt, "reg", cells, sizeof(cells));
}

/* riscv,isa-extensions (the current binding, Linux's riscv/extensions.yaml): the names in
 * the kernel's riscv,isa string, letters one by one, as a string list. */
static void isa_extensions(void *fdt, const char *isa)
{
	char list[VIREO_ISA_MAX * 2];
	size_t n = 0;
	const char *p = isa + 4; /* past "rv64" */
	for (; *p && *p != '_'; p++) {
		list[n++] = *p;
		list[n++] = '\0';
	}
	while (*p) { /* '_' then a name: the name and its NUL take the same room */
		size_t len = strcspn(++p, "_");
		memcpy(list + n, p, len);
		n += len;
		list[n++] = '\0';
		p += len;
	}
	fdt_property(fdt, "riscv,isa-extensions", list, (int)n);
}

static void cpus(void *fdt, const struct guest *g, const struct vireo_vm_config *cfg)
{
	char name[16];
	fdt_begin_node(fdt, "cpus");
	fdt_property_u32(fdt, "#address-cells", 1);
	fdt_property_u32(fdt, "#size-cells", 0);
	fdt_property_u32(fdt, "timebase-frequency", (uint32_t)cfg->timebase_hz);
	for (uint32_t i = 0; i < g->ncpus; i++) {
		snformat(name, sizeof(name), "cpu@%u", i);
		fdt_begin_node(fdt, name);
		fdt_property_string(fdt, "device_type", "cpu");
		fdt_property_u32(fdt, "reg", i);
		fdt_property_string(fdt, "status", "okay");
		fdt_property_string(fdt, "compatible", "riscv");
		/* The kernel's riscv,isa string names no extension it does not virtualize. */
		fdt_property_string(fdt, "riscv,isa", cfg->isa);
		fdt_property_string(fdt, "riscv,isa-base", "rv64i");
		if (!strncmp(cfg->isa, "rv64", 4))
			isa_extensions(fdt, cfg->isa);
		if (cfg->mmu_type[0])
			fdt_property_string(fdt, "mmu-type", cfg->mmu_type);
		if (cfg->cbom_block_size)
			fdt_property_u32(fdt, "riscv,cbom-block-size", cfg->cbom_block_size);
		if (cfg->cboz_block_size)
			fdt_property_u32(fdt, "riscv,cboz-block-size", cfg->cboz_block_size);
		fdt_begin_node(fdt, "interrupt-controller");
		fdt_property_u32(fdt, "#interrupt-cells", 1);
		fdt_property(fdt, "interrupt-controller", NULL, 0);
		fdt_property_string(fdt, "compatible", "riscv,cpu-intc");
		fdt_property_u32(fdt, "phandle", PHANDLE_INTC(i));
		fdt_end_node(fdt);
		fdt_end_node(fdt);
	}
	fdt_end_node(fdt);
}

/* Contexts as on QEMU's virt board: each hart's M-mode context, then its S-mode one. */
static void plic(void *fdt, const struct guest *g, const struct vireo_vm_config *cfg)
{
	fdt32_t ie[4 * VIREO_VM_MAX_VCPUS];
	for (uint32_t i = 0; i < g->ncpus; i++) {
		ie[4 * i] = cpu_to_fdt32(PHANDLE_INTC(i));
		ie[4 * i + 1] = cpu_to_fdt32(IRQ_M_EXT);
		ie[4 * i + 2] = cpu_to_fdt32(PHANDLE_INTC(i));
		ie[4 * i + 3] = cpu_to_fdt32(IRQ_S_EXT);
	}
	fdt_begin_node(fdt, "plic@c000000");
	const char compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	fdt_property(fdt, "compatible", compat, sizeof(compat));
	reg(fdt, VIREO_GUEST_PLIC, 0x400000);
	fdt_property_u32(fdt, "#interrupt-cells", 1);
	fdt_property_u32(fdt, "#address-cells", 0);
	fdt_property(fdt, "interrupt-controller", NULL, 0);
	fdt_property_u32(fdt, "riscv,ndev", (uint32_t)cfg->plic_ndev);
	fdt_property(fdt, "interrupts-extended", ie, (int)(4 * g->ncpus * sizeof(fdt32_t)));
	fdt_property_u32(fdt, "phandle", PHANDLE_PLIC);
	fdt_end_node(fdt);
}

int64_t guest_fdt(const struct guest *g, void *buf, size_t size, const struct vireo_vm_config *cfg,
		  uint64_t initrd_start, uint64_t initrd_end)
{
	void *fdt = buf;
	char name[32], serial[32];
	snformat(serial, sizeof(serial), "/soc/serial@%lx", UART_BASE);
	fdt_create(fdt, (int)size);
	fdt_finish_reservemap(fdt);
	fdt_begin_node(fdt, "");
	fdt_property_u32(fdt, "#address-cells", 2);
	fdt_property_u32(fdt, "#size-cells", 2);
	fdt_property_string(fdt, "compatible", "vireo,vm");
	fdt_property_string(fdt, "model", "Vireo virtual machine");

	fdt_begin_node(fdt, "aliases");
	fdt_property_string(fdt, "serial0", serial);
	fdt_end_node(fdt);

	fdt_begin_node(fdt, "chosen");
	fdt_property_string(fdt, "bootargs", g->bootargs);
	/* Firmware and an earlycon with no options find their console here. */
	if (uart_is_console(g))
		fdt_property_string(fdt, "stdout-path", serial);
	if (initrd_end > initrd_start) {
		fdt_property_u64(fdt, "linux,initrd-start", initrd_start);
		fdt_property_u64(fdt, "linux,initrd-end", initrd_end);
	}
	/* Like QEMU's virt: a seed that lets Linux's generator start before any device. */
	uint8_t seed[GUEST_RNG_SEED];
	if (vireo_syscall(SYS_RANDOM, (long)seed, sizeof(seed), 0, 0, 0, 0) == 0)
		fdt_property(fdt, "rng-seed", seed, sizeof(seed));
	memset(seed, 0, sizeof(seed));
	fdt_end_node(fdt);

	snformat(name, sizeof(name), "memory@%lx", VIREO_GUEST_RAM);
	fdt_begin_node(fdt, name);
	fdt_property_string(fdt, "device_type", "memory");
	reg(fdt, VIREO_GUEST_RAM, g->ram_size);
	fdt_end_node(fdt);

	cpus(fdt, g, cfg);

	fdt_begin_node(fdt, "soc");
	fdt_property_u32(fdt, "#address-cells", 2);
	fdt_property_u32(fdt, "#size-cells", 2);
	fdt_property_string(fdt, "compatible", "simple-bus");
	fdt_property(fdt, "ranges", NULL, 0);
	plic(fdt, g, cfg);
	snformat(name, sizeof(name), "test@%lx", TESTDEV_BASE);
	fdt_begin_node(fdt, name);
	fdt_property_string(fdt, "compatible", "vireo,test-mmio");
	reg(fdt, TESTDEV_BASE, TESTDEV_SIZE);
	fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC);
	fdt_property_u32(fdt, "interrupts", TESTDEV_IRQ);
	fdt_end_node(fdt);
	for (unsigned i = 0; i < g->nvirtio; i++) {
		const struct virtio_mmio *d = &g->virtio[i];
		snformat(name, sizeof(name), "virtio_mmio@%lx", d->base);
		fdt_begin_node(fdt, name);
		fdt_property_string(fdt, "compatible", "virtio,mmio");
		reg(fdt, d->base, VIRTIO_MMIO_SIZE);
		fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC);
		fdt_property_u32(fdt, "interrupts", d->irq);
		fdt_end_node(fdt);
	}
	/* Byte registers one apart: the defaults of reg-shift and reg-io-width. */
	fdt_begin_node(fdt, serial + strlen("/soc/"));
	fdt_property_string(fdt, "compatible", "ns16550a");
	reg(fdt, UART_BASE, UART_SIZE);
	fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC);
	fdt_property_u32(fdt, "interrupts", UART_IRQ);
	fdt_property_u32(fdt, "clock-frequency", UART_CLOCK_HZ);
	fdt_end_node(fdt);
	fdt_end_node(fdt);

	fdt_end_node(fdt);
	int err = fdt_finish(fdt);
	if (err)
		return VIREO_E_NOMEM;
	/* libfdt built the strings at the buffer's end before moving them down: leave the
	 * guest no stale bytes past the tree. */
	memset((uint8_t *)fdt + fdt_totalsize(fdt), 0, size - fdt_totalsize(fdt));
	return 0;
}
