/* machine_parse over device-tree fixtures (tools/unit/fixtures) and over blobs damaged in
 * code, and isa_has_extension. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libfdt.h>

#include "machine.h"

/* Reads build/unit/fixtures/NAME.dtb into a buffer of exactly its size, so that ASan
 * catches any read past the end of the blob. */
static void *load_fixture(const char *name, size_t *size)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s.dtb", FIXTURES, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	assert_true(len > 0);
	void *blob = malloc((size_t)len);
	assert_non_null(blob);
	assert_int_equal(fread(blob, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*size = (size_t)len;
	return blob;
}

static void *copy_of(const void *blob, size_t n)
{
	void *p = malloc(n);
	assert_non_null(p);
	memcpy(p, blob, n);
	return p;
}

/* A copy of blob with room to grow, for editing with libfdt's read-write functions. */
static void *editable_copy(const void *blob, size_t room)
{
	int size = (int)(fdt_totalsize(blob) + room);
	void *p = malloc((size_t)size);
	assert_non_null(p);
	assert_int_equal(fdt_open_into(blob, p, size), 0);
	return p;
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);
	assert_true(off >= 0);
	return off;
}

/* Parses a fixture that must be rejected and returns the reason. */
static void expect_rejected(const char *fixture, const char *error)
{
	size_t size;
	void *blob = load_fixture(fixture, &size);
	struct machine m;
	assert_int_equal(machine_parse(blob, size, 0, &m), -1);
	assert_string_equal(m.error, error);
	free(blob);
}

/* The QEMU virt tree: every field of struct machine. */

struct parsed {
	void *blob;
	size_t size;
	struct machine m;
};

static int parse_qemu_virt(void **state)
{
	struct parsed *p = calloc(1, sizeof(*p));
	if (!p)
		return -1;
	p->blob = load_fixture("qemu-virt", &p->size);
	if (machine_parse(p->blob, p->size, 0, &p->m) != 0) {
		fprintf(stderr, "qemu-virt: %s\n", p->m.error);
		return -1;
	}
	*state = p;
	return 0;
}

static int free_parsed(void **state)
{
	struct parsed *p = *state;
	free(p->blob);
	free(p);
	return 0;
}

static void test_qemu_virt_harts_and_isa(void **state)
{
	const struct machine *m = &((struct parsed *)*state)->m;
	assert_int_equal(m->nharts, 1);
	assert_int_equal(m->hart_ids[0], 0);
	assert_string_equal(m->isa, "rv64imafdch_zicsr_zifencei_zihintpause_zba_zbb_zbc_zbs_sstc");
	assert_string_equal(m->extensions, m->isa); /* no riscv,isa-extensions: the same */
	assert_true(m->has_h);
	assert_true(m->has_sstc);
	assert_string_equal(m->mmu_type, "riscv,sv48");
	assert_false(m->has_zicbom);
	assert_int_equal(m->cbom_block_size, 0);
	assert_int_equal(m->timebase_hz, 10000000);
	assert_string_equal(m->error, "");
}

static void test_qemu_virt_memory_and_reservations(void **state)
{
	const struct machine *m = &((struct parsed *)*state)->m;
	assert_int_equal(m->nram, 1);
	assert_int_equal(m->ram[0].base, 0x80000000);
	assert_int_equal(m->ram[0].size, 0x40000000);
	/* The /memreserve/ entry first, then /reserved-memory's children. */
	assert_int_equal(m->nreserved, 2);
	assert_int_equal(m->reserved[0].base, 0x87e00000);
	assert_int_equal(m->reserved[0].size, 0x200000);
	assert_int_equal(m->reserved[1].base, 0x80000000);
	assert_int_equal(m->reserved[1].size, 0x80000);
}

static void test_qemu_virt_uart_and_plic(void **state)
{
	const struct machine *m = &((struct parsed *)*state)->m;
	assert_true(m->has_uart);
	assert_int_equal(m->uart.base, 0x10000000);
	assert_int_equal(m->uart.size, 0x100);
	assert_int_equal(m->uart.irq, 10);
	assert_true(m->has_plic);
	assert_int_equal(m->plic.base, 0xc000000);
	assert_int_equal(m->plic.size, 0x600000);
	assert_int_equal(m->plic.irq, 0); /* it has interrupts-extended, not interrupts */
	assert_int_equal(m->plic_ndev, 0x60);
	/* interrupts-extended lists hart 0's M-mode (cause 11) then S-mode (cause 9) context. */
	assert_int_equal(m->plic_context, 1);
}

static void test_qemu_virt_virtio_in_address_order(void **state)
{
	const struct machine *m = &((struct parsed *)*state)->m;
	assert_int_equal(m->nvirtio, 8);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(m->virtio[i].base, 0x10001000 + 0x1000 * i);
		assert_int_equal(m->virtio[i].size, 0x1000);
		assert_int_equal(m->virtio[i].irq, i + 1);
	}
}

static void test_qemu_virt_chosen(void **state)
{
	const struct parsed *p = *state;
	const struct machine *m = &p->m;
	assert_true(m->has_initrd);
	assert_int_equal(m->initrd_start, 0x88200000);
	assert_int_equal(m->initrd_end, 0x88200200);
	assert_string_equal(m->bootargs, "console=hvc0 quiet");
	assert_true(m->bootargs > (const char *)p->blob &&
		    m->bootargs < (const char *)p->blob + p->size);
	/* rng-seed is copied, in the blob's byte order. */
	assert_int_equal(m->rng_seed_len, 32);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(m->rng_seed[i], i + 1);
	assert_true(m->rng_seed < (const uint8_t *)p->blob ||
		    m->rng_seed >= (const uint8_t *)p->blob + p->size);
}

static void test_qemu_virt_fdt_size(void **state)
{
	const struct parsed *p = *state;
	assert_int_equal(p->m.fdt_size, p->size);
}

/* Other good trees. */

static void test_multi_hart_skips_disabled_hart(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("multi-hart", &size);
	struct machine m;
	assert_int_equal(machine_parse(blob, size, 0, &m), 0);
	assert_int_equal(m.nharts, 3);
	assert_int_equal(m.hart_ids[0], 0);
	assert_int_equal(m.hart_ids[1], 1);
	assert_int_equal(m.hart_ids[2], 3);
	assert_int_equal(m.timebase_hz, 25000000);
	free(blob);
}

static void test_multi_hart_extensions_from_string_list(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("multi-hart", &size);
	struct machine m;
	/* riscv,isa says only "rv64imafdc": H and Sstc come from riscv,isa-extensions. */
	assert_int_equal(machine_parse(blob, size, 1, &m), 0);
	assert_string_equal(m.isa, "rv64imafdc");
	assert_string_equal(m.extensions, "rv64imafdch_zicsr_zifencei_zicbom_zicboz_sstc");
	assert_true(m.has_h);
	assert_true(m.has_sstc);
	assert_true(m.has_zicbom && m.has_zicboz);
	assert_int_equal(m.cbom_block_size, 64);
	assert_int_equal(m.cboz_block_size, 64);
	assert_string_equal(m.mmu_type, ""); /* none in the tree */
	free(blob);
}

static void test_multi_hart_isa_is_the_boot_harts(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("multi-hart", &size);
	struct machine m;
	assert_int_equal(machine_parse(blob, size, 3, &m), 0);
	assert_string_equal(m.isa, "rv64imac");
	assert_false(m.has_h);
	assert_false(m.has_sstc);
	/* A boot hart the tree lists as disabled is refused, not swapped for another. */
	assert_int_equal(machine_parse(blob, size, 2, &m), -1);
	assert_non_null(strstr(m.error, "no enabled cpu node for the boot hart"));
	free(blob);
}

static void test_multi_hart_32bit_memory_nodes(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("multi-hart", &size);
	struct machine m;
	assert_int_equal(machine_parse(blob, size, 0, &m), 0);
	assert_int_equal(m.nram, 3);
	assert_int_equal(m.ram[0].base, 0x80000000);
	assert_int_equal(m.ram[0].size, 0x20000000);
	assert_int_equal(m.ram[1].base, 0xc0000000);
	assert_int_equal(m.ram[1].size, 0x10000000);
	assert_int_equal(m.ram[2].base, 0xe0000000);
	assert_int_equal(m.ram[2].size, 0x8000000);
	assert_int_equal(m.nreserved, 0);
	free(blob);
}

static void test_multi_hart_defaults_without_chosen_plic_virtio(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("multi-hart", &size);
	struct machine m;
	assert_int_equal(machine_parse(blob, size, 0, &m), 0);
	assert_true(m.has_uart);
	assert_int_equal(m.uart.base, 0x10010000);
	assert_int_equal(m.uart.size, 0x1000);
	assert_int_equal(m.uart.irq, 4);
	assert_false(m.has_plic);
	assert_int_equal(m.nvirtio, 0);
	assert_false(m.has_initrd);
	assert_non_null(m.bootargs);
	assert_string_equal(m.bootargs, "");
	assert_int_equal(m.rng_seed_len, 0);
	free(blob);
}

static void test_tree_without_h_parses_without_h(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("no-h", &size);
	struct machine m;
	assert_int_equal(machine_parse(blob, size, 0, &m), 0);
	assert_string_equal(m.isa, "rv64imafdc_zicsr_zifencei");
	assert_false(m.has_h);
	assert_false(m.has_sstc);
	free(blob);
}

static void test_empty_initrd_is_no_initrd(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("qemu-virt", &size);
	void *fdt = editable_copy(blob, 0);
	assert_int_equal(fdt_setprop_u64(fdt, node(fdt, "/chosen"), "linux,initrd-end", 0x88200000),
			 0);
	struct machine m;
	assert_int_equal(machine_parse(fdt, fdt_totalsize(fdt), 0, &m), 0);
	assert_false(m.has_initrd);
	free(fdt);
	free(blob);
}

static void test_32bit_initrd_cells_accepted(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("qemu-virt", &size);
	void *fdt = editable_copy(blob, 0);
	int chosen = node(fdt, "/chosen");
	assert_int_equal(fdt_setprop_u32(fdt, chosen, "linux,initrd-start", 0x84000000), 0);
	assert_int_equal(fdt_setprop_u32(fdt, chosen, "linux,initrd-end", 0x84001000), 0);
	struct machine m;
	assert_int_equal(machine_parse(fdt, fdt_totalsize(fdt), 0, &m), 0);
	assert_true(m.has_initrd);
	assert_int_equal(m.initrd_start, 0x84000000);
	assert_int_equal(m.initrd_end, 0x84001000);
	free(fdt);
	free(blob);
}

static void test_disabled_devices_are_skipped(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("qemu-virt", &size);
	void *fdt = editable_copy(blob, 256);
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, "/soc/serial@10000000"), "status",
					    "disabled"), 0);
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, "/soc/virtio_mmio@10003000"), "status",
					    "disabled"), 0);
	struct machine m;
	assert_int_equal(machine_parse(fdt, fdt_totalsize(fdt), 0, &m), 0);
	assert_false(m.has_uart);
	assert_int_equal(m.nvirtio, 7);
	for (unsigned i = 0; i < m.nvirtio; i++)
		assert_int_not_equal(m.virtio[i].base, 0x10003000);
	free(fdt);
	free(blob);
}

/* QEMU 10's riscv,isa (virt, -cpu rv64,h=true) is longer than any console line: it is kept
 * whole, not cut. */
static void test_long_isa_string_kept_whole(void **state)
{
	(void)state;
	static const char isa[] =
		"rv64imafdch_zic64b_zicbom_zicbop_zicboz_ziccamoa_ziccif_zicclsm_ziccrse_zicntr_"
		"zicsr_zifencei_zihintntl_zihintpause_zihpm_zmmul_za64rs_zaamo_zalrsc_zawrs_zfa_zca_"
		"zcd_zba_zbb_zbc_zbs_shcounterenw_shgatpa_shtvala_shvsatpa_shvstvala_shvstvecd_"
		"ssccptr_sscounterenw_sstc_sstvala_sstvecd_ssu64xl_svadu_svvptc";
	size_t size;
	void *blob = load_fixture("qemu-virt", &size);
	void *fdt = editable_copy(blob, 512);
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, "/cpus/cpu@0"), "riscv,isa", isa), 0);
	struct machine m;
	assert_int_equal(machine_parse(fdt, fdt_totalsize(fdt), 0, &m), 0);
	assert_string_equal(m.isa, isa);
	assert_true(m.has_h);
	assert_true(m.has_sstc);
	free(fdt);
	free(blob);
}

/* Trees that must be rejected, with the reason machine.c gives. */

/* Sets PATH's PROP to LEN bytes of "rv64imac" (no terminating NUL) and expects ERROR. */
static void expect_unterminated_rejected(const char *path, const char *prop, int len,
					 const char *error)
{
	size_t size;
	void *blob = load_fixture("qemu-virt", &size);
	void *fdt = editable_copy(blob, 64);
	assert_int_equal(fdt_setprop(fdt, node(fdt, path), prop, "rv64imac", len), 0);
	struct machine m;
	assert_int_equal(machine_parse(fdt, fdt_totalsize(fdt), 0, &m), -1);
	assert_string_equal(m.error, error);
	free(fdt);
	free(blob);
}

static void test_isa_that_is_not_a_string_rejected(void **state)
{
	(void)state;
	expect_unterminated_rejected("/cpus/cpu@0", "riscv,isa", 8,
				     "device tree: boot cpu's riscv,isa is not a string");
	expect_unterminated_rejected("/cpus/cpu@0", "riscv,isa", 0,
				     "device tree: boot cpu's riscv,isa is not a string");
}

static void test_bootargs_that_are_not_a_string_rejected(void **state)
{
	(void)state;
	expect_unterminated_rejected("/chosen", "bootargs", 8,
				     "device tree: /chosen/bootargs is not a string");
}

static void test_no_memory_node_rejected(void **state)
{
	(void)state;
	expect_rejected("no-memory", "device tree: no memory node");
}

static void test_no_timebase_rejected(void **state)
{
	(void)state;
	expect_rejected("no-timebase", "device tree: no timebase-frequency");
}

static void test_malformed_memory_reg_rejected(void **state)
{
	(void)state;
	expect_rejected("bad-memory-reg", "device tree: memory node with a malformed reg");
}

static void test_initrd_ending_before_start_rejected(void **state)
{
	(void)state;
	expect_rejected("bad-initrd", "device tree: /chosen has an inconsistent initrd range");
}

static void test_initrd_start_without_end_rejected(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("qemu-virt", &size);
	void *fdt = editable_copy(blob, 0);
	assert_int_equal(fdt_delprop(fdt, node(fdt, "/chosen"), "linux,initrd-end"), 0);
	struct machine m;
	assert_int_equal(machine_parse(fdt, fdt_totalsize(fdt), 0, &m), -1);
	assert_string_equal(m.error, "device tree: /chosen has an inconsistent initrd range");
	free(fdt);
	free(blob);
}

/* Damaged blobs. */

static void test_null_blob_rejected(void **state)
{
	(void)state;
	struct machine m;
	assert_int_equal(machine_parse(NULL, 4096, 0, &m), -1);
	assert_string_equal(m.error, "device tree: none was passed (a1 = 0)");
}

static void test_buffer_shorter_than_header_rejected(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("qemu-virt", &size);
	size_t n = sizeof(struct fdt_header) - 1;
	void *head = copy_of(blob, n);
	struct machine m;
	assert_int_equal(machine_parse(head, n, 0, &m), -1);
	assert_string_equal(m.error, "device tree: truncated: shorter than its header");
	free(head);
	free(blob);
}

static void test_truncated_blob_rejected(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("qemu-virt", &size);
	void *half = copy_of(blob, size / 2);
	struct machine m;
	assert_int_equal(machine_parse(half, size / 2, 0, &m), -1);
	assert_string_equal(m.error,
			    "device tree: truncated: header claims more bytes than there are");
	free(half);
	free(blob);
}

static void test_bad_magic_rejected(void **state)
{
	(void)state;
	size_t size;
	uint8_t *blob = load_fixture("qemu-virt", &size);
	blob[0] ^= 0x01;
	struct machine m;
	assert_int_equal(machine_parse(blob, size, 0, &m), -1);
	assert_string_equal(m.error, "device tree: bad header (FDT_ERR_BADMAGIC)");
	free(blob);
}

static void test_corrupted_node_token_rejected(void **state)
{
	(void)state;
	size_t size;
	uint8_t *blob = load_fixture("qemu-virt", &size);
	/* /cpus follows a childless node, so the walk meets the bad token between nodes. */
	uint32_t at = fdt_off_dt_struct(blob) + (uint32_t)node(blob, "/cpus");
	assert_int_equal(fdt32_to_cpu(*(fdt32_t *)(blob + at)), FDT_BEGIN_NODE);
	*(fdt32_t *)(blob + at) = cpu_to_fdt32(0x0badf00d);
	struct machine m;
	assert_int_equal(machine_parse(blob, size, 0, &m), -1);
	assert_string_equal(m.error, "device tree: damaged structure block (FDT_ERR_BADSTRUCTURE)");
	free(blob);
}

static void test_corrupted_property_token_rejected(void **state)
{
	(void)state;
	size_t size;
	uint8_t *blob = load_fixture("qemu-virt", &size);
	int mem = node(blob, "/memory@80000000"), prop, reg = -1;
	fdt_for_each_property_offset(prop, blob, mem) {
		const char *name;
		fdt_getprop_by_offset(blob, prop, &name, NULL);
		if (!strcmp(name, "reg"))
			reg = prop;
	}
	assert_true(reg >= 0);
	uint32_t at = fdt_off_dt_struct(blob) + (uint32_t)reg;
	assert_int_equal(fdt32_to_cpu(*(fdt32_t *)(blob + at)), FDT_PROP);
	*(fdt32_t *)(blob + at) = cpu_to_fdt32(0x0badf00d);
	struct machine m;
	assert_int_equal(machine_parse(blob, size, 0, &m), -1);
	assert_string_equal(m.error, "device tree: damaged property list (FDT_ERR_BADSTRUCTURE)");
	free(blob);
}

static void test_implausibly_large_blob_rejected(void **state)
{
	(void)state;
	size_t size;
	void *blob = load_fixture("qemu-virt", &size);
	size_t big = MACHINE_MAX_FDT_SIZE + 4096;
	void *fdt = calloc(1, big);
	assert_non_null(fdt);
	memcpy(fdt, blob, size);
	fdt_set_totalsize(fdt, (uint32_t)big);
	assert_int_equal(fdt_check_header(fdt), 0);
	struct machine m;
	assert_int_equal(machine_parse(fdt, big, 0, &m), -1);
	assert_string_equal(m.error, "device tree: implausibly large");
	/* At exactly the limit it is still accepted. */
	fdt_set_totalsize(fdt, MACHINE_MAX_FDT_SIZE);
	assert_int_equal(machine_parse(fdt, big, 0, &m), 0);
	free(fdt);
	free(blob);
}

/* Whatever the damage, machine_parse answers (0, or -1 with a reason) and reads nothing
 * outside the buffer (ASan watches) and leaves its counts within their arrays. */
static void parse_damaged(const void *fdt, size_t size)
{
	struct machine m;
	int rc = machine_parse(fdt, size, 0, &m);
	if (rc == 0) {
		assert_true(m.nharts >= 1 && m.nharts <= MACHINE_MAX_HARTS);
		assert_true(m.nram >= 1 && m.nram <= MACHINE_MAX_RANGES);
		assert_true(m.nreserved <= MACHINE_MAX_RANGES);
		assert_true(m.nvirtio <= MACHINE_MAX_VIRTIO);
		/* The strings kept point into the blob and end there. */
		const char *end = (const char *)fdt + size;
		assert_true(m.isa >= (const char *)fdt && m.isa < end);
		assert_non_null(memchr(m.isa, '\0', (size_t)(end - m.isa)));
		assert_non_null(m.bootargs);
		if (m.bootargs[0])
			assert_true(m.bootargs >= (const char *)fdt && m.bootargs < end &&
				    memchr(m.bootargs, '\0', (size_t)(end - m.bootargs)));
	} else {
		assert_int_equal(rc, -1);
		assert_true(m.error[0] != '\0');
		assert_non_null(memchr(m.error, '\0', sizeof(m.error)));
	}
}

static void test_every_byte_flipped_never_crashes(void **state)
{
	(void)state;
	size_t size;
	uint8_t *blob = load_fixture("qemu-virt", &size);
	static const uint8_t masks[] = { 0xff, 0x01, 0x80 };
	for (size_t i = 0; i < size; i++) {
		for (size_t k = 0; k < sizeof(masks); k++) {
			blob[i] ^= masks[k];
			parse_damaged(blob, size);
			blob[i] ^= masks[k];
		}
	}
	free(blob);
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void test_random_damage_never_crashes(void **state)
{
	(void)state;
	size_t size;
	uint8_t *good = load_fixture("qemu-virt", &size);
	uint8_t *blob = malloc(size);
	assert_non_null(blob);
	uint64_t seed = 0x5eed5eed1234abcdull;
	for (int round = 0; round < 5000; round++) {
		memcpy(blob, good, size);
		unsigned hits = 1 + (unsigned)(xorshift(&seed) % 4);
		for (unsigned h = 0; h < hits; h++)
			blob[xorshift(&seed) % size] = (uint8_t)xorshift(&seed);
		parse_damaged(blob, size);
	}
	free(blob);
	free(good);
}

/* isa_has_extension. */

static void test_isa_single_letters(void **state)
{
	(void)state;
	const char *isa = "rv64imafdch_zicsr_sstc";
	assert_true(isa_has_extension(isa, "i"));
	assert_true(isa_has_extension(isa, "a"));
	assert_true(isa_has_extension(isa, "h"));
	assert_false(isa_has_extension(isa, "v"));
	/* Letters of multi-letter names are not base extensions. */
	assert_false(isa_has_extension(isa, "s"));
	assert_false(isa_has_extension(isa, "z"));
	assert_false(isa_has_extension("rv64ima_zicsr", "c"));
}

static void test_isa_multi_letter(void **state)
{
	(void)state;
	const char *isa = "rv64imafdch_zicsr_zifencei_sstc";
	assert_true(isa_has_extension(isa, "zicsr"));
	assert_true(isa_has_extension(isa, "zifencei"));
	assert_true(isa_has_extension(isa, "sstc"));
	assert_false(isa_has_extension(isa, "zba"));
	assert_false(isa_has_extension("rv64imafdch", "sstc"));
}

/* The first multi-letter extension may follow the letters without an underscore. */
static void test_isa_multi_letter_right_after_the_letters(void **state)
{
	(void)state;
	assert_false(isa_has_extension("rv64imafdczihintpause", "h"));
	assert_true(isa_has_extension("rv64imafdczihintpause", "zihintpause"));
	assert_true(isa_has_extension("rv64imafdchzicsr_sstc", "h"));
	assert_true(isa_has_extension("rv64imafdchzicsr_sstc", "zicsr"));
	assert_true(isa_has_extension("rv64imafdchzicsr_sstc", "sstc"));
	assert_false(isa_has_extension("rv64imacsstc", "s"));
	assert_true(isa_has_extension("rv64imacsstc", "sstc"));
}

static void test_isa_prefixes_do_not_match(void **state)
{
	(void)state;
	const char *isa = "rv64imafdch_zicsr_sstc";
	assert_false(isa_has_extension(isa, "ss"));
	assert_false(isa_has_extension(isa, "sstcx"));
	assert_false(isa_has_extension(isa, "zics"));
	assert_false(isa_has_extension(isa, "icsr"));
	assert_false(isa_has_extension(isa, "imafdch"));
}

static void test_isa_rv32(void **state)
{
	(void)state;
	assert_true(isa_has_extension("rv32imac_zicsr", "c"));
	assert_true(isa_has_extension("rv32imac_zicsr", "zicsr"));
	assert_false(isa_has_extension("rv32imac_zicsr", "f"));
}

static void test_isa_garbage(void **state)
{
	(void)state;
	assert_false(isa_has_extension("", "i"));
	assert_false(isa_has_extension("rv", "i"));
	assert_false(isa_has_extension("rv6", "i"));
	assert_false(isa_has_extension("x86_64", "i"));
	assert_false(isa_has_extension("imafdc_sstc", "sstc"));
	assert_false(isa_has_extension("rv128imac", "c"));
	assert_false(isa_has_extension("rv64", "i"));
	assert_false(isa_has_extension("rv64__", "sstc"));
	assert_false(isa_has_extension("RV64IMAC", "c"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_qemu_virt_harts_and_isa, parse_qemu_virt,
						free_parsed),
		cmocka_unit_test_setup_teardown(test_qemu_virt_memory_and_reservations,
						parse_qemu_virt, free_parsed),
		cmocka_unit_test_setup_teardown(test_qemu_virt_uart_and_plic, parse_qemu_virt,
						free_parsed),
		cmocka_unit_test_setup_teardown(test_qemu_virt_virtio_in_address_order,
						parse_qemu_virt, free_parsed),
		cmocka_unit_test_setup_teardown(test_qemu_virt_chosen, parse_qemu_virt,
						free_parsed),
		cmocka_unit_test_setup_teardown(test_qemu_virt_fdt_size, parse_qemu_virt,
						free_parsed),
		cmocka_unit_test(test_multi_hart_skips_disabled_hart),
		cmocka_unit_test(test_multi_hart_extensions_from_string_list),
		cmocka_unit_test(test_multi_hart_isa_is_the_boot_harts),
		cmocka_unit_test(test_multi_hart_32bit_memory_nodes),
		cmocka_unit_test(test_multi_hart_defaults_without_chosen_plic_virtio),
		cmocka_unit_test(test_tree_without_h_parses_without_h),
		cmocka_unit_test(test_empty_initrd_is_no_initrd),
		cmocka_unit_test(test_32bit_initrd_cells_accepted),
		cmocka_unit_test(test_disabled_devices_are_skipped),
		cmocka_unit_test(test_long_isa_string_kept_whole),
		cmocka_unit_test(test_isa_that_is_not_a_string_rejected),
		cmocka_unit_test(test_bootargs_that_are_not_a_string_rejected),
		cmocka_unit_test(test_no_memory_node_rejected),
		cmocka_unit_test(test_no_timebase_rejected),
		cmocka_unit_test(test_malformed_memory_reg_rejected),
		cmocka_unit_test(test_initrd_ending_before_start_rejected),
		cmocka_unit_test(test_initrd_start_without_end_rejected),
		cmocka_unit_test(test_null_blob_rejected),
		cmocka_unit_test(test_buffer_shorter_than_header_rejected),
		cmocka_unit_test(test_truncated_blob_rejected),
		cmocka_unit_test(test_bad_magic_rejected),
		cmocka_unit_test(test_corrupted_node_token_rejected),
		cmocka_unit_test(test_corrupted_property_token_rejected),
		cmocka_unit_test(test_implausibly_large_blob_rejected),
		cmocka_unit_test(test_every_byte_flipped_never_crashes),
		cmocka_unit_test(test_random_damage_never_crashes),
		cmocka_unit_test(test_isa_single_letters),
		cmocka_unit_test(test_isa_multi_letter),
		cmocka_unit_test(test_isa_multi_letter_right_after_the_letters),
		cmocka_unit_test(test_isa_prefixes_do_not_match),
		cmocka_unit_test(test_isa_rv32),
		cmocka_unit_test(test_isa_garbage),
	};
	return cmocka_run_group_tests_name("machine", tests, NULL, NULL);
}
