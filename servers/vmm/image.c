#include "image.h"

#include <stdarg.h>
#include <string.h>

#include "format.h"

/* The header is copied out with memcpy, in host byte order; its fields are little-endian. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "image.c reads the header natively");
_Static_assert(sizeof(struct linux_header) == 64, "the RISC-V boot image header is 64 bytes");

#define PAGE_SIZE 4096ull

static int refuse(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int refuse(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnformat(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* [at, at + n) within [0, limit), without computing at + n (it may wrap). */
static bool fits(uint64_t at, uint64_t n, uint64_t limit)
{
	return at <= limit && n <= limit - at;
}

/* Whole pages (the unit the monitor allocates and maps them in), within the monitor's limits,
 * and not wrapping around the guest physical address space. */
static bool ram_ok(uint64_t ram_base, uint64_t ram_size)
{
	return ram_size >= GUEST_RAM_MIN && ram_size <= GUEST_RAM_MAX && ram_size % PAGE_SIZE == 0 &&
	       ram_size <= UINT64_MAX - ram_base;
}

static int refuse_ram(char *why, size_t len, uint64_t ram_size)
{
	return refuse(why, len, "guest RAM of 0x%lx bytes: it takes whole pages from 4 to 2048 MiB",
		      ram_size);
}

bool linux_header_read(const void *data, uint64_t size, struct linux_header *h)
{
	memset(h, 0, sizeof(*h));
	if (size < sizeof(*h))
		return false;
	memcpy(h, data, sizeof(*h));
	/* Header 0.1 has only magic; 0.2 added magic2 and deprecated magic (it may go). */
	return h->magic2 == LINUX_MAGIC2 || h->magic == LINUX_MAGIC;
}

/* The boot protocol's rules, and nothing more: the file holds code and data, image_size is the
 * memory the kernel occupies, the rest of it BSS that the loader zeroes. A file cut short still
 * loads; its kernel then fails in the guest, where the monitor stops it. */
static int plan_linux(const struct linux_header *h, uint64_t size, uint64_t limit,
		      struct guest_image *out, char *why, size_t len)
{
	if (h->flags & LINUX_FLAG_BE)
		return refuse(why, len, "the Linux Image is big-endian (header flags bit 0); "
					"guests run little-endian");
	/* boot-image-header.rst: "Image size is mandatory for boot loader to load kernel image." */
	if (h->image_size == 0)
		return refuse(why, len, "not a valid Linux Image: image_size is 0, which the boot "
					"protocol forbids");
	/* Its first byte is its entry point; an odd address holds no instruction (the ISA spec's
	 * IALIGN is 16 bits at least). */
	if (h->text_offset % 2)
		return refuse(why, len, "not a valid Linux Image: text_offset 0x%lx is odd",
			      h->text_offset);
	/* A file longer than image_size is loaded whole: no byte of it is dropped. */
	uint64_t span = h->image_size > size ? h->image_size : size;
	if (!fits(h->text_offset, span, limit))
		return refuse(why, len, "the Linux Image does not fit in guest RAM: 0x%lx bytes at 0x%lx",
			      span, h->text_offset);
	out->entry = h->text_offset;
	out->end = h->text_offset + span;
	out->npieces = 1;
	out->pieces[0] = (struct image_piece){ h->text_offset, 0, size, span };
	return 0;
}

static int plan_elf(const void *data, uint64_t size, uint64_t ram_base, uint64_t limit,
		    struct guest_image *out, char *why, size_t len)
{
	struct elf_image elf;
	const char *err;
	/* elf_parse keeps every segment within [ram_base, ram_base + limit) and the file. */
	if (elf_parse(data, size, ram_base, ram_base + limit, 0, &elf, &err))
		return refuse(why, len, "not a loadable guest: %s", err);
	out->entry = elf.entry - ram_base;
	for (unsigned i = 0; i < elf.nsegments; i++) {
		const struct elf_segment *s = &elf.segments[i];
		struct image_piece p = { s->vaddr - ram_base, s->offset, s->filesz, s->memsz };
		if (p.dst + p.memsz > out->end)
			out->end = p.dst + p.memsz;
		out->pieces[out->npieces++] = p;
	}
	return 0;
}

int guest_image_plan(const void *data, uint64_t size, uint64_t ram_base, uint64_t ram_size,
		     bool linux_only, struct guest_image *out, char *why, size_t why_len)
{
	struct linux_header h;
	int r;
	memset(out, 0, sizeof(*out));
	if (!ram_ok(ram_base, ram_size))
		return refuse_ram(why, why_len, ram_size);
	uint64_t limit = ram_size - GUEST_FDT_MAX; /* the device tree's place */
	if (linux_header_read(data, size, &h))
		r = plan_linux(&h, size, limit, out, why, why_len);
	else if (linux_only)
		r = refuse(why, why_len, "not a Linux Image: no RISC-V boot image header");
	else if (size >= 4 && !memcmp(data, "\x7f" "ELF", 4))
		r = plan_elf(data, size, ram_base, limit, out, why, why_len);
	else if (size == 0)
		r = refuse(why, why_len, "the image is empty");
	else if (!fits(GUEST_IMAGE_OFFSET, size, limit))
		r = refuse(why, why_len, "the image does not fit in guest RAM: %lu bytes at 0x%llx",
			   size, GUEST_IMAGE_OFFSET);
	else {
		*out = (struct guest_image){ .entry = GUEST_IMAGE_OFFSET,
					     .end = GUEST_IMAGE_OFFSET + size,
					     .npieces = 1,
					     .pieces = { { GUEST_IMAGE_OFFSET, 0, size, size } } };
		r = 0;
	}
	if (r)
		memset(out, 0, sizeof(*out));
	return r;
}

int guest_layout_plan(uint64_t ram_size, uint64_t image_end, uint64_t initrd_size,
		      struct guest_layout *out, char *why, size_t why_len)
{
	memset(out, 0, sizeof(*out));
	if (!ram_ok(0, ram_size))
		return refuse_ram(why, why_len, ram_size);
	uint64_t fdt = ram_size - GUEST_FDT_MAX;
	if (image_end > fdt)
		return refuse(why, why_len, "the image reaches the device tree's place at 0x%lx", fdt);
	if (initrd_size) {
		uint64_t room = fdt - image_end;
		/* As high as it goes, page-aligned, and above all of the image. */
		if (initrd_size > room || ((fdt - initrd_size) & ~(PAGE_SIZE - 1)) < image_end)
			return refuse(why, why_len, "the initrd does not fit in guest RAM: %lu bytes, "
						    "%lu free", initrd_size, room);
		out->initrd = (fdt - initrd_size) & ~(PAGE_SIZE - 1);
	}
	out->fdt = fdt;
	return 0;
}
