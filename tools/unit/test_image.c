/* guest_image_plan and guest_layout_plan (servers/vmm/image.c): where the monitor puts a
 * guest's image, initrd and device tree. Linux Images with headers that make sums wrap, BSS
 * far beyond the file, raw and ELF images at the edges of RAM, RAM sizes at their limits,
 * initrds that do not fit. Files are parsed from heap copies of exactly their size, so that
 * ASan reports any read past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image.h"

#define RAM_BASE 0x80000000ull
#define MiB (1ull << 20)
#define KiB (1ull << 10)
#define RAM (64 * MiB)
#define LIMIT (RAM - GUEST_FDT_MAX) /* where the device tree starts */

static char why[128];

/* A Linux Image file: the header, then a byte pattern up to size. */
static uint8_t *linux_file(uint64_t size, uint64_t text_offset, uint64_t image_size)
{
	uint8_t *f = malloc(size ? size : 1);
	assert_non_null(f);
	for (uint64_t i = 0; i < size; i++)
		f[i] = (uint8_t)(i * 13 + 5);
	struct linux_header h = { .code0 = 0x0000a221, .code1 = 0, .text_offset = text_offset,
				  .image_size = image_size, .version = 2, .magic = LINUX_MAGIC,
				  .magic2 = LINUX_MAGIC2 };
	memcpy(f, &h, size < sizeof(h) ? size : sizeof(h));
	return f;
}

static int plan_n(const uint8_t *file, uint64_t size, uint64_t ram_size, bool linux_only,
		  struct guest_image *out)
{
	memset(out, 0x5a, sizeof(*out));
	why[0] = '\0';
	return guest_image_plan(file, size, RAM_BASE, ram_size, linux_only, out, why, sizeof(why));
}

static void assert_zeroed(const struct guest_image *img)
{
	static const struct guest_image zero;
	assert_memory_equal(img, &zero, sizeof(zero));
}

/* Refused with a message containing what, and *img left zeroed rather than half-filled. */
static void expect_refused(const uint8_t *file, uint64_t size, uint64_t ram_size, bool linux_only,
			   const char *what)
{
	struct guest_image img;
	assert_int_equal(plan_n(file, size, ram_size, linux_only, &img), -1);
	if (!strstr(why, what))
		fail_msg("expected \"%s\" in \"%s\"", what, why);
	assert_true(strlen(why) < 96); /* the monitor's reply to the shell holds 95 characters */
	assert_zeroed(&img);
}

static void expect_linux_refused(uint64_t size, uint64_t text_offset, uint64_t image_size,
				 const char *what)
{
	uint8_t *f = linux_file(size, text_offset, image_size);
	expect_refused(f, size, RAM, true, what);
	expect_refused(f, size, RAM, false, what); /* no falling back to a raw image either */
	free(f);
}

/* Accepted as one piece: the whole file at dst, zeros up to memsz, entry at its start. */
static void expect_one_piece(const uint8_t *file, uint64_t size, uint64_t ram_size, uint64_t dst,
			     uint64_t memsz)
{
	struct guest_image img;
	if (plan_n(file, size, ram_size, false, &img))
		fail_msg("refused: %s", why);
	assert_int_equal(img.npieces, 1);
	assert_int_equal(img.pieces[0].dst, dst);
	assert_int_equal(img.pieces[0].src, 0);
	assert_int_equal(img.pieces[0].filesz, size);
	assert_int_equal(img.pieces[0].memsz, memsz);
	assert_int_equal(img.entry, dst);
	assert_int_equal(img.end, dst + memsz);
}

static void expect_linux_loads(uint64_t size, uint64_t text_offset, uint64_t image_size,
			       uint64_t memsz)
{
	uint8_t *f = linux_file(size, text_offset, image_size);
	expect_one_piece(f, size, RAM, text_offset, memsz);
	free(f);
}

static void test_header_is_read_by_either_magic(void **state)
{
	(void)state;
	struct linux_header h;
	uint8_t *f = linux_file(64, 2 * MiB, 4096);
	assert_true(linux_header_read(f, 64, &h));
	assert_int_equal(h.text_offset, 2 * MiB);
	assert_int_equal(h.image_size, 4096);
	h.magic = 0; /* header 0.2 deprecated magic: magic2 alone will do */
	memcpy(f, &h, sizeof(h));
	assert_true(linux_header_read(f, 64, &h));
	h.magic = LINUX_MAGIC; /* header 0.1 had no magic2 */
	h.magic2 = 0;
	memcpy(f, &h, sizeof(h));
	assert_true(linux_header_read(f, 64, &h));
	h.magic = LINUX_MAGIC + 1;
	memcpy(f, &h, sizeof(h));
	assert_false(linux_header_read(f, 64, &h));
	free(f);
}

static void test_file_shorter_than_its_header(void **state)
{
	(void)state;
	struct linux_header h;
	for (uint64_t size = 0; size < 64; size++) {
		uint8_t *f = linux_file(size, 2 * MiB, 4096);
		assert_false(linux_header_read(f, size, &h));
		expect_refused(f, size, RAM, true, "not a Linux Image: no RISC-V boot image header");
		free(f);
	}
}

/* Issue 11: a bare-metal image declaring 176 KiB in a 48 KiB file; the rest is BSS. */
static void test_bss_beyond_the_file_is_zeroed(void **state)
{
	(void)state;
	expect_linux_loads(48 * KiB, 2 * MiB, 176 * KiB, 176 * KiB);
	expect_linux_loads(64, 2 * MiB, 32 * MiB, 32 * MiB); /* nothing but the header */
	expect_linux_loads(64, 0, LIMIT, LIMIT);             /* all the RAM there is */
}

static void test_file_longer_than_image_size_loads_whole(void **state)
{
	(void)state;
	expect_linux_loads(8 * KiB, 2 * MiB, 4 * KiB, 8 * KiB);
}

/* The attack of issue 10: text_offset + image_size wraps to a small number. */
static void test_text_offset_wrap(void **state)
{
	(void)state;
	const char *what = "the Linux Image does not fit in guest RAM";
	expect_linux_refused(64 * KiB, -(2 * MiB), 2 * MiB + 64 * KiB, what);
	expect_linux_refused(64 * KiB, -(2 * MiB), 4 * MiB, what);
	expect_linux_refused(64 * KiB, UINT64_MAX - 1, 64 * KiB, what);
	expect_linux_refused(64 * KiB, 1ull << 63, 1ull << 63, what);
	expect_linux_refused(64 * KiB, LIMIT, 2, what);
	expect_linux_refused(64 * KiB, LIMIT + 2 * MiB, 64 * KiB, what);
	expect_linux_refused(64 * KiB, -(2 * MiB), 2 * MiB + 64 * KiB, "at 0xffffffffffe00000");
}

static void test_image_size_wrap(void **state)
{
	(void)state;
	const char *what = "the Linux Image does not fit in guest RAM";
	expect_linux_refused(64 * KiB, 2 * MiB, -(1 * MiB), what);
	expect_linux_refused(64 * KiB, 2 * MiB, UINT64_MAX, what);
	expect_linux_refused(64 * KiB, 0, UINT64_MAX, what);
	expect_linux_refused(64 * KiB, 2 * MiB, -(2 * MiB), what);
	expect_linux_refused(64 * KiB, 2 * MiB, LIMIT - 2 * MiB + 1, what);
	expect_linux_loads(64 * KiB, 2 * MiB, LIMIT - 2 * MiB, LIMIT - 2 * MiB);
}

/* A file size that wraps with text_offset, even when image_size is small. */
static void test_file_size_wrap(void **state)
{
	(void)state;
	uint8_t *f = linux_file(64, 2 * MiB, 4096);
	expect_refused(f, UINT64_MAX, RAM, false, "the Linux Image does not fit in guest RAM");
	expect_refused(f, -(2 * MiB) + 64, RAM, false, "the Linux Image does not fit in guest RAM");
	free(f);
}

static void test_what_the_protocol_rules_out(void **state)
{
	(void)state;
	expect_linux_refused(4 * KiB, 2 * MiB, 0, "image_size is 0");
	expect_linux_refused(4 * KiB, 2 * MiB + 1, 8 * KiB, "text_offset 0x200001 is odd");
	expect_linux_refused(4 * KiB, UINT64_MAX, 8 * KiB, "is odd");
	uint8_t *f = linux_file(4 * KiB, 2 * MiB, 8 * KiB);
	struct linux_header h;
	memcpy(&h, f, sizeof(h));
	h.flags = LINUX_FLAG_BE;
	memcpy(f, &h, sizeof(h));
	expect_refused(f, 4 * KiB, RAM, false, "big-endian");
	free(f);
}

/* Alignment is the kernel's business (Linux itself wants 2 MiB); the monitor only needs an
 * address an instruction can start at. */
static void test_misaligned_but_even_offsets_load(void **state)
{
	(void)state;
	expect_linux_loads(4 * KiB, 0x1000, 8 * KiB, 8 * KiB);
	expect_linux_loads(4 * KiB, 0x2, 8 * KiB, 8 * KiB);
	expect_linux_loads(4 * KiB + 3, 2 * MiB, 8 * KiB + 5, 8 * KiB + 5);
}

static void test_ram_size_limits(void **state)
{
	(void)state;
	uint8_t *f = linux_file(4 * KiB, 2 * MiB, 8 * KiB);
	expect_one_piece(f, 4 * KiB, GUEST_RAM_MIN, 2 * MiB, 8 * KiB);
	expect_one_piece(f, 4 * KiB, GUEST_RAM_MAX, 2 * MiB, 8 * KiB);
	const char *what = "it takes whole pages from 4 to 2048 MiB";
	uint64_t bad[] = { 0, 4096, GUEST_RAM_MIN - 4096, GUEST_RAM_MIN + 1, GUEST_RAM_MAX + 4096,
			   GUEST_FDT_MAX, UINT64_MAX, -(4096ull) };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		expect_refused(f, 4 * KiB, bad[i], false, what);
		struct guest_layout l;
		assert_int_equal(guest_layout_plan(bad[i], 0, 0, &l, why, sizeof(why)), -1);
		assert_non_null(strstr(why, what));
	}
	/* Guest RAM that would end past the top of the guest physical address space. */
	struct guest_image img;
	assert_int_equal(guest_image_plan(f, 4 * KiB, -(2 * MiB), RAM, false, &img, why,
					  sizeof(why)), -1);
	assert_non_null(strstr(why, what));
	free(f);
}

static void test_raw_images(void **state)
{
	(void)state;
	uint8_t *f = calloc(1, 64);
	assert_non_null(f);
	expect_refused(f, 0, RAM, false, "the image is empty");
	expect_refused(f, 0, RAM, true, "not a Linux Image");
	expect_one_piece(f, 64, RAM, GUEST_IMAGE_OFFSET, 64);
	expect_refused(f, 64, RAM, true, "not a Linux Image: no RISC-V boot image header");
	/* Sizes that do not fit: only the first 64 bytes of the file are ever looked at. */
	expect_refused(f, LIMIT - GUEST_IMAGE_OFFSET + 1, RAM, false,
		       "the image does not fit in guest RAM");
	expect_refused(f, UINT64_MAX, RAM, false, "the image does not fit in guest RAM");
	expect_refused(f, -GUEST_IMAGE_OFFSET, RAM, false, "the image does not fit in guest RAM");
	expect_refused(f, GUEST_RAM_MIN - GUEST_FDT_MAX - GUEST_IMAGE_OFFSET + 1, GUEST_RAM_MIN,
		       false, "the image does not fit in guest RAM");
	free(f);
	uint64_t fit = GUEST_RAM_MIN - GUEST_FDT_MAX - GUEST_IMAGE_OFFSET;
	f = calloc(1, fit);
	assert_non_null(f);
	expect_one_piece(f, fit, GUEST_RAM_MIN, GUEST_IMAGE_OFFSET, fit);
	free(f);
}

/* A RISC-V ET_EXEC with one PT_LOAD: the whole file at vaddr, memsz bytes in memory. */
static uint8_t *elf_file(uint64_t vaddr, uint64_t memsz, uint64_t entry, size_t size)
{
	uint8_t *f = calloc(1, size);
	assert_non_null(f);
	struct elf64_ehdr eh = {
		.e_ident = { ELF_MAG0, 'E', 'L', 'F', ELF_CLASS64, ELF_DATA2LSB, ELF_EV_CURRENT },
		.e_type = ELF_ET_EXEC, .e_machine = ELF_EM_RISCV, .e_version = ELF_EV_CURRENT,
		.e_entry = entry, .e_phoff = 64, .e_ehsize = 64,
		.e_phentsize = sizeof(struct elf64_phdr), .e_phnum = 1,
	};
	struct elf64_phdr ph = { .p_type = ELF_PT_LOAD, .p_flags = ELF_PF_R | ELF_PF_X,
				 .p_offset = 0, .p_vaddr = vaddr, .p_paddr = vaddr,
				 .p_filesz = size, .p_memsz = memsz, .p_align = 4096 };
	memcpy(f, &eh, sizeof(eh));
	memcpy(f + 64, &ph, sizeof(ph));
	return f;
}

static void test_elf_images(void **state)
{
	(void)state;
	const size_t size = 4096;
	uint8_t *f = elf_file(RAM_BASE + 2 * MiB, 64 * KiB, RAM_BASE + 2 * MiB + 0x100, size);
	struct guest_image img;
	if (plan_n(f, size, RAM, false, &img))
		fail_msg("refused: %s", why);
	assert_int_equal(img.npieces, 1);
	assert_int_equal(img.entry, 2 * MiB + 0x100);
	assert_int_equal(img.end, 2 * MiB + 64 * KiB);
	assert_int_equal(img.pieces[0].dst, 2 * MiB);
	assert_int_equal(img.pieces[0].filesz, size);
	assert_int_equal(img.pieces[0].memsz, 64 * KiB);
	expect_refused(f, size, RAM, true, "not a Linux Image");
	free(f);

	const char *outside = "ELF: segment outside the address range";
	struct {
		uint64_t vaddr, memsz;
		const char *what;
	} bad[] = {
		{ RAM_BASE + LIMIT - 4096, 4097, outside },      /* over the device tree */
		{ RAM_BASE + RAM - 4096, 4096, outside },        /* in the device tree */
		{ RAM_BASE - 4096, 8192, outside },              /* below RAM */
		{ RAM_BASE + 2 * MiB, -(RAM_BASE + MiB), "ELF: segment wraps" },
		{ RAM_BASE + 2 * MiB, UINT64_MAX, "ELF: segment wraps" },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		f = elf_file(bad[i].vaddr, bad[i].memsz, bad[i].vaddr, size);
		expect_refused(f, size, RAM, false, bad[i].what);
		assert_non_null(strstr(why, "not a loadable guest: "));
		free(f);
	}
	f = elf_file(RAM_BASE + LIMIT - 4096, 4096, RAM_BASE + LIMIT - 4096, size);
	expect_one_piece(f, size, RAM, LIMIT - 4096, 4096); /* right below the device tree */
	free(f);
}

static void expect_layout(uint64_t ram_size, uint64_t image_end, uint64_t initrd_size,
			  uint64_t initrd)
{
	struct guest_layout l;
	memset(&l, 0x5a, sizeof(l));
	if (guest_layout_plan(ram_size, image_end, initrd_size, &l, why, sizeof(why)))
		fail_msg("refused: %s", why);
	assert_int_equal(l.fdt, ram_size - GUEST_FDT_MAX);
	assert_int_equal(l.initrd, initrd);
	if (initrd_size) {
		assert_int_equal(l.initrd % 4096, 0);
		assert_true(l.initrd >= image_end && initrd_size <= l.fdt - l.initrd);
	}
}

static void expect_layout_refused(uint64_t ram_size, uint64_t image_end, uint64_t initrd_size,
				  const char *what)
{
	struct guest_layout l;
	memset(&l, 0x5a, sizeof(l));
	assert_int_equal(guest_layout_plan(ram_size, image_end, initrd_size, &l, why, sizeof(why)),
			 -1);
	if (!strstr(why, what))
		fail_msg("expected \"%s\" in \"%s\"", what, why);
	assert_true(strlen(why) < 96);
	assert_int_equal(l.fdt, 0);
	assert_int_equal(l.initrd, 0);
}

static void test_initrd_and_device_tree_placement(void **state)
{
	(void)state;
	expect_layout(RAM, 4 * MiB, 0, 0);
	expect_layout(RAM, LIMIT, 0, 0);
	expect_layout(RAM, 4 * MiB, 1, LIMIT - 4096);
	expect_layout(RAM, 4 * MiB, 4096, LIMIT - 4096);
	expect_layout(RAM, 4 * MiB, 4097, LIMIT - 8192);
	expect_layout(RAM, 4 * MiB, LIMIT - 4 * MiB, 4 * MiB); /* exactly the room there is */
	expect_layout(GUEST_RAM_MIN, 0, GUEST_RAM_MIN - GUEST_FDT_MAX, 0);
	expect_layout_refused(RAM, LIMIT + 1, 0, "the image reaches the device tree");
	expect_layout_refused(RAM, UINT64_MAX, 0, "the image reaches the device tree");
}

static void test_initrd_too_big(void **state)
{
	(void)state;
	const char *what = "the initrd does not fit in guest RAM";
	expect_layout_refused(RAM, 4 * MiB, LIMIT - 4 * MiB + 1, what);
	expect_layout_refused(RAM, 4 * MiB, LIMIT, what);
	expect_layout_refused(RAM, 4 * MiB, RAM, what);
	expect_layout_refused(RAM, 4 * MiB, UINT64_MAX, what);
	expect_layout_refused(RAM, 4 * MiB, -(4 * MiB), what);
	expect_layout_refused(RAM, LIMIT, 1, what);
	expect_layout_refused(GUEST_RAM_MAX, 2 * MiB, GUEST_RAM_MAX, what);
	expect_layout_refused(GUEST_RAM_MAX, 0, UINT64_MAX, what); /* the longest message */
	/* It fits by bytes, but page-aligned it would start inside the image. */
	expect_layout_refused(RAM, 4 * MiB + 1, LIMIT - 4 * MiB - 1, what);
	expect_layout_refused(RAM, 4 * MiB + 1, LIMIT - 4 * MiB - 4095, what);
	expect_layout(RAM, 4 * MiB + 1, LIMIT - 4 * MiB - 4096, 4 * MiB + 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_is_read_by_either_magic),
		cmocka_unit_test(test_file_shorter_than_its_header),
		cmocka_unit_test(test_bss_beyond_the_file_is_zeroed),
		cmocka_unit_test(test_file_longer_than_image_size_loads_whole),
		cmocka_unit_test(test_text_offset_wrap),
		cmocka_unit_test(test_image_size_wrap),
		cmocka_unit_test(test_file_size_wrap),
		cmocka_unit_test(test_what_the_protocol_rules_out),
		cmocka_unit_test(test_misaligned_but_even_offsets_load),
		cmocka_unit_test(test_ram_size_limits),
		cmocka_unit_test(test_raw_images),
		cmocka_unit_test(test_elf_images),
		cmocka_unit_test(test_initrd_and_device_tree_placement),
		cmocka_unit_test(test_initrd_too_big),
	};
	return cmocka_run_group_tests_name("image", tests, NULL, NULL);
}
