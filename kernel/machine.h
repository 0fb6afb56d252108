/* What the kernel knows of the machine, read from the device tree OpenSBI hands over.
 * Pure logic over libfdt: also built for the host and unit-tested there. */
#ifndef VIREO_MACHINE_H
#define VIREO_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MACHINE_MAX_HARTS 8
#define MACHINE_MAX_RANGES 16
#define MACHINE_MAX_VIRTIO 16
/* /chosen/rng-seed bytes kept (QEMU's virt passes 32); a longer seed is cut here. */
#define MACHINE_MAX_SEED 64
/* A device tree larger than this is taken as corrupt rather than trusted. */
#define MACHINE_MAX_FDT_SIZE (1u << 20)

struct range {
	uint64_t base, size;
};

struct mmio_device {
	uint64_t base, size;
	uint32_t irq;
};

struct machine {
	uint32_t fdt_size;
	unsigned nharts;
	uint32_t hart_ids[MACHINE_MAX_HARTS];
	const char *isa; /* of the boot hart; points into the blob, as long as the tree has it */
	/* Every extension the boot hart has, in riscv,isa form: from riscv,isa-extensions
	 * (the current binding) when the tree has it, else riscv,isa. */
	char extensions[512];
	bool has_h, has_sstc, has_zicbom, has_zicboz;
	uint32_t cbom_block_size, cboz_block_size; /* bytes; 0 when the tree gives none */
	char mmu_type[16]; /* "riscv,sv39" and so on; "" when the tree gives none */
	uint64_t timebase_hz;

	unsigned nram, nreserved;
	struct range ram[MACHINE_MAX_RANGES];
	struct range reserved[MACHINE_MAX_RANGES]; /* memreserve entries and /reserved-memory */

	bool has_uart, has_plic, has_initrd;
	struct mmio_device uart, plic;
	uint32_t plic_ndev;
	uint32_t plic_context; /* the boot hart's S-mode context */
	unsigned nvirtio;
	struct mmio_device virtio[MACHINE_MAX_VIRTIO];
	uint64_t initrd_start, initrd_end;
	const char *bootargs; /* points into the blob; "" when absent */
	uint8_t rng_seed[MACHINE_MAX_SEED]; /* /chosen/rng-seed, copied: memory reuses the blob */
	unsigned rng_seed_len;              /* bytes in rng_seed; 0 without one */

	char error[128]; /* why machine_parse failed */
};

/* Checks the blob (at most bufsize bytes are readable) and fills m. Returns 0, or -1 with
 * m->error naming the problem. */
int machine_parse(const void *fdt, size_t bufsize, uint32_t boot_hart, struct machine *m);

/* Whether an ISA string (riscv,isa form, e.g. "rv64imafdch_zicsr_sstc") names an extension:
 * a single letter is looked up in the base part, a longer name among the '_' parts. */
bool isa_has_extension(const char *isa, const char *ext);

#endif
