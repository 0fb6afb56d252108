/* elf_parse over ELF images built in memory: a valid two-segment program, then one test per
 * rejection, every truncation of the valid image, and random corruptions of its headers.
 * Each image is parsed from a heap copy of exactly its size, so that ASan reports any read
 * past the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf.h"

#define PT_NOTE 4
#define PT_GNU_STACK 0x6474e551
#define PT_RISCV_ATTRIBUTES 0x70000003
#define RX (ELF_PF_R | ELF_PF_X)
#define RW (ELF_PF_R | ELF_PF_W)

/* The address window programs are loaded into. */
#define LO 0x10000ull
#define HI 0x40000000ull

/* The valid image: text (R+X, headers included, like GNU ld's first segment) at 0x10000,
 * data (R+W, 0x100 bytes from the file then bss) at 0x12000, and two headers to ignore. */
#define TEXT_VADDR 0x10000ull
#define TEXT_SIZE 0x1800ull
#define DATA_VADDR 0x12000ull
#define DATA_OFFSET 0x2000ull
#define DATA_FILESZ 0x100ull
#define DATA_MEMSZ 0x3000ull
#define ATTR_OFFSET (DATA_OFFSET + DATA_FILESZ)
#define ATTR_SIZE 0x40ull
#define ENTRY (TEXT_VADDR + 0x120)
#define VALID_SIZE (ATTR_OFFSET + ATTR_SIZE)
#define VALID_PHNUM 4

#define IMG_MAX 0x4000

struct img {
	uint8_t bytes[IMG_MAX];
	size_t size;
};

static struct elf64_ehdr get_eh(const struct img *im)
{
	struct elf64_ehdr eh;
	memcpy(&eh, im->bytes, sizeof(eh));
	return eh;
}

static void put_eh(struct img *im, const struct elf64_ehdr *eh)
{
	memcpy(im->bytes, eh, sizeof(*eh));
}

static struct elf64_phdr get_ph(const struct img *im, unsigned i)
{
	struct elf64_phdr ph;
	memcpy(&ph, im->bytes + get_eh(im).e_phoff + i * sizeof(ph), sizeof(ph));
	return ph;
}

static void put_ph(struct img *im, unsigned i, const struct elf64_phdr *ph)
{
	memcpy(im->bytes + get_eh(im).e_phoff + i * sizeof(*ph), ph, sizeof(*ph));
}

static struct elf64_phdr load(uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz,
			      uint64_t memsz)
{
	return (struct elf64_phdr){ .p_type = ELF_PT_LOAD, .p_flags = flags, .p_offset = offset,
				    .p_vaddr = vaddr, .p_paddr = vaddr, .p_filesz = filesz,
				    .p_memsz = memsz, .p_align = 0x1000 };
}

/* A RISC-V ET_EXEC with the program headers right after the ELF header, file contents a
 * byte pattern so that offsets are recognisable. */
static void build(struct img *im, uint64_t entry, const struct elf64_phdr *ph, unsigned n,
		  size_t size)
{
	assert_true(size <= IMG_MAX && 64 + n * sizeof(*ph) <= size);
	for (size_t i = 0; i < size; i++)
		im->bytes[i] = (uint8_t)(i * 7 + 1);
	im->size = size;
	struct elf64_ehdr eh = {
		.e_ident = { ELF_MAG0, 'E', 'L', 'F', ELF_CLASS64, ELF_DATA2LSB, ELF_EV_CURRENT },
		.e_type = ELF_ET_EXEC,
		.e_machine = ELF_EM_RISCV,
		.e_version = ELF_EV_CURRENT,
		.e_entry = entry,
		.e_phoff = 64,
		.e_flags = 0x5, /* EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE: not looked at */
		.e_ehsize = 64,
		.e_phentsize = sizeof(struct elf64_phdr),
		.e_phnum = (uint16_t)n,
	};
	put_eh(im, &eh);
	for (unsigned i = 0; i < n; i++)
		put_ph(im, i, &ph[i]);
}

static void valid_image(struct img *im)
{
	struct elf64_phdr ph[VALID_PHNUM] = {
		load(RX, 0, TEXT_VADDR, TEXT_SIZE, TEXT_SIZE),
		load(RW, DATA_OFFSET, DATA_VADDR, DATA_FILESZ, DATA_MEMSZ),
		{ .p_type = PT_GNU_STACK, .p_flags = RW },
		{ .p_type = PT_RISCV_ATTRIBUTES, .p_flags = ELF_PF_R, .p_offset = ATTR_OFFSET,
		  .p_filesz = ATTR_SIZE, .p_align = 1 },
	};
	build(im, ENTRY, ph, VALID_PHNUM, VALID_SIZE);
}

/* Parses the first size bytes of im from a heap copy of exactly that many bytes. */
static int parse_n(const struct img *im, size_t size, uint64_t lo, uint64_t hi,
		   struct elf_image *out, const char **err)
{
	void *copy = malloc(size ? size : 1);
	assert_non_null(copy);
	memcpy(copy, im->bytes, size);
	memset(out, 0x5a, sizeof(*out));
	*err = NULL;
	int r = elf_parse(copy, size, lo, hi, ELF_TASK_LAYOUT, out, err);
	free(copy);
	return r;
}

static int parse(const struct img *im, struct elf_image *out, const char **err)
{
	return parse_n(im, im->size, LO, HI, out, err);
}

static void assert_zeroed(const struct elf_image *out)
{
	static const struct elf_image zero;
	assert_memory_equal(out, &zero, sizeof(zero));
}

/* Rejected, with a message containing what (each check's message is distinct), and *out
 * left zeroed rather than half-filled. */
static void expect_reject_in(const struct img *im, uint64_t lo, uint64_t hi, const char *what)
{
	struct elf_image out;
	const char *err;
	assert_int_equal(parse_n(im, im->size, lo, hi, &out, &err), -1);
	assert_non_null(err);
	if (!strstr(err, what))
		fail_msg("error \"%s\" does not mention \"%s\"", err, what);
	assert_zeroed(&out);
}

static void expect_reject(const struct img *im, const char *what)
{
	expect_reject_in(im, LO, HI, what);
}

static void expect_accept(const struct img *im, struct elf_image *out)
{
	const char *err;
	int r = parse(im, out, &err);
	if (r != 0)
		fail_msg("rejected: %s", err);
}

static void assert_segment(const struct elf_segment *s, uint64_t vaddr, uint64_t memsz,
			   uint64_t offset, uint64_t filesz, uint32_t flags)
{
	assert_int_equal(s->vaddr, vaddr);
	assert_int_equal(s->memsz, memsz);
	assert_int_equal(s->offset, offset);
	assert_int_equal(s->filesz, filesz);
	assert_int_equal(s->flags, flags);
}

static void test_valid_two_segments(void **state)
{
	(void)state;
	struct img im;
	struct elf_image out;
	valid_image(&im);
	expect_accept(&im, &out);
	assert_int_equal(out.entry, ENTRY);
	assert_int_equal(out.nsegments, 2);
	assert_segment(&out.segments[0], TEXT_VADDR, TEXT_SIZE, 0, TEXT_SIZE, RX);
	assert_segment(&out.segments[1], DATA_VADDR, DATA_MEMSZ, DATA_OFFSET, DATA_FILESZ, RW);
	for (unsigned i = 2; i < ELF_MAX_SEGMENTS; i++)
		assert_segment(&out.segments[i], 0, 0, 0, 0, 0);
}

static void test_err_may_be_null(void **state)
{
	(void)state;
	struct img im;
	struct elf_image out;
	valid_image(&im);
	assert_int_equal(elf_parse(im.bytes, im.size, LO, HI, ELF_TASK_LAYOUT, &out, NULL), 0);
	assert_int_equal(elf_parse(im.bytes, 10, LO, HI, ELF_TASK_LAYOUT, &out, NULL), -1);
}

static void test_null_and_too_small(void **state)
{
	(void)state;
	struct img im;
	struct elf_image out;
	const char *err = NULL;
	assert_int_equal(elf_parse(NULL, 4096, LO, HI, ELF_TASK_LAYOUT, &out, &err), -1);
	assert_non_null(strstr(err, "no file"));
	valid_image(&im);
	assert_int_equal(parse_n(&im, 0, LO, HI, &out, &err), -1);
	assert_non_null(strstr(err, "too small"));
	assert_int_equal(parse_n(&im, 63, LO, HI, &out, &err), -1);
	assert_non_null(strstr(err, "too small"));
}

static void test_bad_magic(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		struct img im;
		valid_image(&im);
		im.bytes[i] ^= 0x20;
		expect_reject(&im, "magic");
	}
}

static void test_32_bit_class(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	im.bytes[ELF_EI_CLASS] = 1; /* ELFCLASS32 */
	expect_reject(&im, "64-bit");
	im.bytes[ELF_EI_CLASS] = 0; /* ELFCLASSNONE */
	expect_reject(&im, "64-bit");
}

static void test_big_endian(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	im.bytes[ELF_EI_DATA] = 2; /* ELFDATA2MSB */
	expect_reject(&im, "little-endian");
}

static void test_bad_version(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	im.bytes[ELF_EI_VERSION] = 0;
	expect_reject(&im, "version");

	valid_image(&im);
	struct elf64_ehdr eh = get_eh(&im);
	eh.e_version = 2;
	put_eh(&im, &eh);
	expect_reject(&im, "version");
}

static void test_not_exec(void **state)
{
	(void)state;
	static const uint16_t types[] = { 0, 1 /* ET_REL */, 3 /* ET_DYN */, 4 /* ET_CORE */ };
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct img im;
		valid_image(&im);
		struct elf64_ehdr eh = get_eh(&im);
		eh.e_type = types[i];
		put_eh(&im, &eh);
		expect_reject(&im, "ET_EXEC");
	}
}

static void test_wrong_machine(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	struct elf64_ehdr eh = get_eh(&im);
	eh.e_machine = 62; /* EM_X86_64 */
	put_eh(&im, &eh);
	expect_reject(&im, "RISC-V");
	eh.e_machine = 183; /* EM_AARCH64 */
	put_eh(&im, &eh);
	expect_reject(&im, "RISC-V");
}

static void test_bad_phentsize(void **state)
{
	(void)state;
	static const uint16_t sizes[] = { 0, 32 /* ELF32 */, 55, 57, 64 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct img im;
		valid_image(&im);
		struct elf64_ehdr eh = get_eh(&im);
		eh.e_phentsize = sizes[i];
		put_eh(&im, &eh);
		expect_reject(&im, "e_phentsize");
	}
}

static void test_pn_xnum(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	struct elf64_ehdr eh = get_eh(&im);
	eh.e_phnum = ELF_PN_XNUM;
	put_eh(&im, &eh);
	expect_reject(&im, "PN_XNUM");
}

static void test_phdrs_outside_file(void **state)
{
	(void)state;
	/* Past the end; straddling it by one byte; so far out that e_phoff + size wraps. */
	const uint64_t phoffs[] = { VALID_SIZE + 8, VALID_SIZE - VALID_PHNUM * 56 + 1,
				    UINT64_MAX - 8, UINT64_MAX - VALID_PHNUM * 56 + 1 };
	for (size_t i = 0; i < sizeof(phoffs) / sizeof(phoffs[0]); i++) {
		struct img im;
		valid_image(&im);
		struct elf64_ehdr eh = get_eh(&im);
		eh.e_phoff = phoffs[i];
		put_eh(&im, &eh);
		expect_reject(&im, "program header table");
	}
	/* Many entries from a valid offset. */
	struct img im;
	valid_image(&im);
	struct elf64_ehdr eh = get_eh(&im);
	eh.e_phnum = 0xfffe;
	put_eh(&im, &eh);
	expect_reject(&im, "program header table");
}

static void test_phdrs_at_end_of_file(void **state)
{
	(void)state;
	struct img im;
	struct elf_image out;
	valid_image(&im);
	struct elf64_phdr ph[VALID_PHNUM];
	for (unsigned i = 0; i < VALID_PHNUM; i++)
		ph[i] = get_ph(&im, i);
	memcpy(im.bytes + VALID_SIZE, ph, sizeof(ph));
	im.size = VALID_SIZE + sizeof(ph);
	struct elf64_ehdr eh = get_eh(&im);
	eh.e_phoff = VALID_SIZE;
	put_eh(&im, &eh);
	expect_accept(&im, &out);
	assert_int_equal(out.nsegments, 2);
}

static void test_no_load_segment(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	for (unsigned i = 0; i < 2; i++) {
		struct elf64_phdr ph = get_ph(&im, i);
		ph.p_type = PT_NOTE;
		put_ph(&im, i, &ph);
	}
	expect_reject(&im, "no loadable segment");

	valid_image(&im);
	struct elf64_ehdr eh = get_eh(&im);
	eh.e_phnum = 0;
	put_eh(&im, &eh);
	expect_reject(&im, "no loadable segment");
}

/* n one-page R+X segments, one page apart, all loaded from the same file page. */
static void many_segments(struct img *im, unsigned n)
{
	struct elf64_phdr ph[ELF_MAX_SEGMENTS + 1];
	for (unsigned i = 0; i < n; i++)
		ph[i] = load(RX, 0x1000, LO + 0x2000 * i, 0x10, 0x1000);
	build(im, LO, ph, n, 0x2000);
}

static void test_max_segments(void **state)
{
	(void)state;
	struct img im;
	struct elf_image out;
	many_segments(&im, ELF_MAX_SEGMENTS);
	expect_accept(&im, &out);
	assert_int_equal(out.nsegments, ELF_MAX_SEGMENTS);
	assert_int_equal(out.segments[ELF_MAX_SEGMENTS - 1].vaddr,
			 LO + 0x2000 * (ELF_MAX_SEGMENTS - 1));

	many_segments(&im, ELF_MAX_SEGMENTS + 1);
	expect_reject(&im, "too many loadable segments");
}

static void test_empty_load_is_skipped(void **state)
{
	(void)state;
	struct img im;
	struct elf_image out;
	valid_image(&im);
	/* Not page-aligned and outside [LO, HI): no check applies to an empty segment. */
	struct elf64_phdr ph = load(RW | ELF_PF_X, 0x123, 0x7, 0, 0);
	put_ph(&im, 2, &ph);
	expect_accept(&im, &out);
	assert_int_equal(out.nsegments, 2);
	assert_int_equal(out.segments[1].vaddr, DATA_VADDR);
}

static void test_filesz_over_memsz(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	struct elf64_phdr ph = get_ph(&im, 1);
	ph.p_memsz = ph.p_filesz - 1;
	put_ph(&im, 1, &ph);
	expect_reject(&im, "p_filesz > p_memsz");

	/* Even an otherwise empty segment. */
	valid_image(&im);
	ph = load(RW, DATA_OFFSET, DATA_VADDR + 0x10000, 1, 0);
	put_ph(&im, 2, &ph);
	expect_reject(&im, "p_filesz > p_memsz");
}

static void test_segment_data_outside_file(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	struct elf64_phdr ph = get_ph(&im, 1);
	ph.p_filesz = VALID_SIZE - DATA_OFFSET + 1;
	put_ph(&im, 1, &ph);
	expect_reject(&im, "past the end of the file");

	/* p_offset + p_filesz wraps to a small number. */
	valid_image(&im);
	ph = get_ph(&im, 1);
	ph.p_offset = UINT64_MAX - 0xfff; /* 4096-congruent to the vaddr */
	ph.p_filesz = 0x1000 + DATA_FILESZ;
	ph.p_memsz = ph.p_filesz;
	put_ph(&im, 1, &ph);
	expect_reject(&im, "past the end of the file");

	/* Data ending exactly at the end of the file is fine. */
	valid_image(&im);
	ph = get_ph(&im, 1);
	ph.p_filesz = VALID_SIZE - DATA_OFFSET;
	put_ph(&im, 1, &ph);
	struct elf_image out;
	expect_accept(&im, &out);
	assert_int_equal(out.segments[1].filesz, VALID_SIZE - DATA_OFFSET);
}

static void test_unaligned_segment(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	struct elf64_phdr ph = get_ph(&im, 1);
	ph.p_vaddr += 0x10;
	ph.p_offset += 0x10; /* still congruent, as the psABI asks, but not page-aligned */
	put_ph(&im, 1, &ph);
	expect_reject(&im, "not page-aligned");

	valid_image(&im);
	ph = get_ph(&im, 1);
	ph.p_offset -= 0x10;
	put_ph(&im, 1, &ph);
	expect_reject(&im, "not congruent");
}

static void test_segment_outside_window(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	/* Text starts at LO; below it is out. */
	expect_reject_in(&im, LO + 0x1000, HI, "outside the address range");
	/* Data ends (rounded up to a page) at 0x15000: hi = 0x15000 is enough, a byte less is
	 * not, because the last page is mapped whole. */
	struct elf_image out;
	const char *err;
	uint64_t end = DATA_VADDR + DATA_MEMSZ;
	assert_int_equal(parse_n(&im, im.size, LO, end, &out, &err), 0);
	expect_reject_in(&im, LO, end - 1, "outside the address range");

	/* bss 1 byte into the next page makes the data segment end at 0x16000. */
	struct elf64_phdr ph = get_ph(&im, 1);
	ph.p_memsz += 1;
	put_ph(&im, 1, &ph);
	expect_reject_in(&im, LO, end, "outside the address range");

	/* Far above the window. */
	valid_image(&im);
	ph = get_ph(&im, 1);
	ph.p_vaddr = HI + DATA_OFFSET;
	put_ph(&im, 1, &ph);
	expect_reject(&im, "outside the address range");

	/* An empty window. */
	valid_image(&im);
	expect_reject_in(&im, HI, LO, "outside the address range");
}

static void test_oversized_segment_wraps(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	struct elf64_phdr ph = get_ph(&im, 1);
	ph.p_memsz = UINT64_MAX;
	put_ph(&im, 1, &ph);
	expect_reject(&im, "wraps");

	valid_image(&im);
	ph = get_ph(&im, 1);
	ph.p_vaddr = UINT64_MAX - 0xfff; /* the last page */
	ph.p_offset = 0x2000;
	ph.p_memsz = 0x1000; /* ends at 2^64 exactly */
	put_ph(&im, 1, &ph);
	expect_reject_in(&im, 0, UINT64_MAX, "wraps");

	/* No wrap, just far too big for the window. */
	valid_image(&im);
	ph = get_ph(&im, 1);
	ph.p_memsz = HI;
	put_ph(&im, 1, &ph);
	expect_reject(&im, "outside the address range");
}

static void test_write_and_execute(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	struct elf64_phdr ph = get_ph(&im, 0);
	ph.p_flags |= ELF_PF_W;
	put_ph(&im, 0, &ph);
	expect_reject(&im, "W^X");

	valid_image(&im);
	ph = get_ph(&im, 1);
	ph.p_flags = ELF_PF_W | ELF_PF_X;
	put_ph(&im, 1, &ph);
	expect_reject(&im, "W^X");
}

static void test_overlapping_segments(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	/* Text ends at 0x11800, so its last page is 0x11000: data there shares it. */
	struct elf64_phdr ph = get_ph(&im, 1);
	ph.p_vaddr = 0x11000;
	ph.p_offset = 0x1000;
	put_ph(&im, 1, &ph);
	expect_reject(&im, "overlap");

	/* The same check when the later segment in the file is the lower one. */
	valid_image(&im);
	ph = get_ph(&im, 1);
	ph.p_vaddr = TEXT_VADDR - 0x2000;
	ph.p_memsz = 0x2001;
	put_ph(&im, 1, &ph);
	expect_reject_in(&im, 0, HI, "overlap");

	/* One segment inside another. */
	valid_image(&im);
	ph = load(ELF_PF_R, 0x1000, 0x11000, 0x10, 0x10);
	put_ph(&im, 2, &ph);
	expect_reject(&im, "overlap");

	/* Back to back: text filling its last page exactly, data on the next page. */
	valid_image(&im);
	ph = get_ph(&im, 0);
	ph.p_filesz = ph.p_memsz = DATA_VADDR - TEXT_VADDR;
	put_ph(&im, 0, &ph);
	struct elf_image out;
	expect_accept(&im, &out);
	assert_int_equal(out.segments[0].vaddr + out.segments[0].memsz, out.segments[1].vaddr);
}

/* A guest image lays out its own memory: without ELF_TASK_LAYOUT, W+X, unaligned and
 * page-sharing segments are accepted; the address window and the file still bound them. */
static void test_guest_layout_is_loose_but_bounded(void **state)
{
	(void)state;
	struct img im;
	struct elf_image out;
	const char *err;
	valid_image(&im);
	struct elf64_phdr ph = get_ph(&im, 1);
	ph.p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;
	ph.p_vaddr = 0x11804; /* shares text's last page, not page-aligned */
	ph.p_offset = 0x1804;
	put_ph(&im, 1, &ph);
	assert_int_equal(elf_parse(im.bytes, im.size, LO, HI, 0, &out, &err), 0);
	assert_int_equal(out.nsegments, 2);
	assert_int_equal(out.segments[1].vaddr, 0x11804);
	assert_int_equal(elf_parse(im.bytes, im.size, LO, HI, ELF_TASK_LAYOUT, &out, &err), -1);

	ph.p_vaddr = HI - 0x10; /* runs past the window */
	put_ph(&im, 1, &ph);
	assert_int_equal(elf_parse(im.bytes, im.size, LO, HI, 0, &out, &err), -1);
	assert_non_null(strstr(err, "outside the address range"));
	ph.p_vaddr = 0x11804;
	ph.p_offset = im.size; /* file data past the end */
	put_ph(&im, 1, &ph);
	assert_int_equal(elf_parse(im.bytes, im.size, LO, HI, 0, &out, &err), -1);
	assert_non_null(strstr(err, "past the end of the file"));
}

static void test_entry_outside_text(void **state)
{
	(void)state;
	/* In the data segment, one past the end of text, before text, 0. */
	const uint64_t bad[] = { DATA_VADDR, TEXT_VADDR + TEXT_SIZE, TEXT_VADDR - 4, 0 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct img im;
		valid_image(&im);
		struct elf64_ehdr eh = get_eh(&im);
		eh.e_entry = bad[i];
		put_eh(&im, &eh);
		expect_reject(&im, "entry point");
	}
	/* The first and the last byte of text are inside. */
	const uint64_t good[] = { TEXT_VADDR, TEXT_VADDR + TEXT_SIZE - 1 };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct img im;
		struct elf_image out;
		valid_image(&im);
		struct elf64_ehdr eh = get_eh(&im);
		eh.e_entry = good[i];
		put_eh(&im, &eh);
		expect_accept(&im, &out);
		assert_int_equal(out.entry, good[i]);
	}
}

/* Every prefix of the valid image: rejected until the last byte of the data segment's
 * file contents is in (the trailing attributes are not loaded), accepted from there on. */
static void test_every_truncation(void **state)
{
	(void)state;
	struct img im;
	valid_image(&im);
	for (size_t n = 0; n <= im.size; n++) {
		struct elf_image out;
		const char *err;
		int r = parse_n(&im, n, LO, HI, &out, &err);
		if (n < DATA_OFFSET + DATA_FILESZ) {
			if (r != -1)
				fail_msg("prefix of %zu bytes accepted", n);
			assert_non_null(err);
			assert_zeroed(&out);
		} else if (r != 0) {
			fail_msg("prefix of %zu bytes rejected: %s", n, err);
		}
	}
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Whatever an accepted image says must meet every rule, however the headers were bent. */
static void check_invariants(const struct elf_image *out, size_t size)
{
	assert_true(out->nsegments >= 1 && out->nsegments <= ELF_MAX_SEGMENTS);
	bool entry_ok = false;
	for (unsigned i = 0; i < out->nsegments; i++) {
		const struct elf_segment *s = &out->segments[i];
		assert_true(s->memsz > 0 && s->filesz <= s->memsz);
		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->vaddr % 4096 == 0 && s->offset % 4096 == 0);
		assert_true(s->vaddr >= LO && s->memsz <= HI - s->vaddr);
		assert_false((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X));
		uint64_t end = (s->vaddr + s->memsz + 4095) & ~4095ull;
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *t = &out->segments[j];
			uint64_t tend = (t->vaddr + t->memsz + 4095) & ~4095ull;
			assert_false(s->vaddr < tend && t->vaddr < end);
		}
		if ((s->flags & ELF_PF_X) && out->entry >= s->vaddr &&
		    out->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	assert_true(entry_ok);
}

/* Random corruption of the ELF and program headers, biased towards the values that sit on
 * the edges of the checks. */
static void test_random_header_corruption(void **state)
{
	(void)state;
	static const uint8_t edges[] = { 0x00, 0x01, 0x02, 0x10, 0x7f, 0x80, 0xf0, 0xff };
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	size_t hdr_bytes = 64 + VALID_PHNUM * sizeof(struct elf64_phdr);
	unsigned accepted = 0;
	for (int iter = 0; iter < 20000; iter++) {
		struct img im;
		struct elf_image out;
		const char *err;
		valid_image(&im);
		int nflips = 1 + (int)(xorshift(&seed) % 4);
		for (int k = 0; k < nflips; k++) {
			size_t at = xorshift(&seed) % hdr_bytes;
			uint64_t v = xorshift(&seed);
			im.bytes[at] = (v & 1) ? (uint8_t)(v >> 8) : edges[(v >> 8) % sizeof(edges)];
		}
		if (parse(&im, &out, &err) == 0) {
			accepted++;
			check_invariants(&out, im.size);
		} else {
			assert_non_null(err);
			assert_memory_equal(err, "ELF: ", 5);
		}
	}
	/* Some corruptions land on bytes nothing checks (e_shoff, p_paddr, padding...). */
	assert_true(accepted > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_two_segments),
		cmocka_unit_test(test_err_may_be_null),
		cmocka_unit_test(test_null_and_too_small),
		cmocka_unit_test(test_bad_magic),
		cmocka_unit_test(test_32_bit_class),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_bad_version),
		cmocka_unit_test(test_not_exec),
		cmocka_unit_test(test_wrong_machine),
		cmocka_unit_test(test_bad_phentsize),
		cmocka_unit_test(test_pn_xnum),
		cmocka_unit_test(test_phdrs_outside_file),
		cmocka_unit_test(test_phdrs_at_end_of_file),
		cmocka_unit_test(test_no_load_segment),
		cmocka_unit_test(test_max_segments),
		cmocka_unit_test(test_empty_load_is_skipped),
		cmocka_unit_test(test_filesz_over_memsz),
		cmocka_unit_test(test_segment_data_outside_file),
		cmocka_unit_test(test_unaligned_segment),
		cmocka_unit_test(test_segment_outside_window),
		cmocka_unit_test(test_oversized_segment_wraps),
		cmocka_unit_test(test_write_and_execute),
		cmocka_unit_test(test_overlapping_segments),
		cmocka_unit_test(test_guest_layout_is_loose_but_bounded),
		cmocka_unit_test(test_entry_outside_text),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_random_header_corruption),
	};
	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
