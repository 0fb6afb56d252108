/* Where a guest's image, initrd and device tree go in its RAM. Pure code, no system calls:
 * it reads the image file and the sizes it is given, decides what is copied where, and checks
 * every placement without computing a sum that could wrap, so the host unit tests
 * (tools/unit/test_image.c) and the fuzzer drive it with hostile headers and sizes. Every
 * address it returns is an offset from the start of guest RAM.
 *
 * Guest RAM, low to high: the image (BSS included), free space, the initrd (page-aligned,
 * as high as it goes), the device tree in the last GUEST_FDT_MAX bytes. */
#ifndef VMM_IMAGE_H
#define VMM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf.h"

#define GUEST_RAM_MIN (4ull << 20)
#define GUEST_RAM_MAX (2048ull << 20)   /* the monitor maps each guest's RAM in 4 GiB of VA */
#define GUEST_IMAGE_OFFSET 0x200000ull  /* raw images go where OpenSBI would put them */
#define GUEST_FDT_MAX 0x10000ull

/* The RISC-V Linux boot image header (Linux Documentation/riscv/boot-image-header.rst),
 * little-endian, at the start of the file. */
struct linux_header {
	uint32_t code0, code1;
	uint64_t text_offset, image_size, flags;
	uint32_t version, res1;
	uint64_t res2, magic;
	uint32_t magic2, res3;
};
#define LINUX_MAGIC 0x5643534952ull /* "RISCV\0\0\0", deprecated since header version 0.2 */
#define LINUX_MAGIC2 0x05435352u    /* "RSC\x05", since 0.2 */
#define LINUX_FLAG_BE 1ull          /* flags bit 0: a big-endian kernel */

/* Copies *h out of the file and says whether it is a boot image header: the file holds all
 * of it and either magic matches. */
bool linux_header_read(const void *data, uint64_t size, struct linux_header *h);

/* filesz bytes from offset src of the file go to dst in guest RAM, then zeros up to memsz. */
struct image_piece {
	uint64_t dst, src, filesz, memsz;
};

struct guest_image {
	uint64_t entry; /* where vCPU 0 starts */
	uint64_t end;   /* just past the highest byte the image occupies, BSS included */
	unsigned npieces;
	struct image_piece pieces[ELF_MAX_SEGMENTS];
};

/* Decides how a file of size bytes loads into guest RAM of ram_size bytes that the guest sees
 * at physical address ram_base: a Linux Image (boot image header) at its text_offset with its
 * BSS zeroed up to image_size; else, unless linux_only, an ELF executable by its segments; else
 * a raw binary at GUEST_IMAGE_OFFSET, as QEMU's -kernel would put it. Everything lies below the
 * device tree, and every piece within the file. Returns 0, or -1 with a one-line reason in why;
 * reads nothing outside [data, data + size). */
int guest_image_plan(const void *data, uint64_t size, uint64_t ram_base, uint64_t ram_size,
		     bool linux_only, struct guest_image *out, char *why, size_t why_len);

struct guest_layout {
	uint64_t initrd; /* where the initrd starts (0 when there is none) */
	uint64_t fdt;    /* where the device tree starts; it has GUEST_FDT_MAX bytes */
};

/* Places an initrd of initrd_size bytes (0: none) and the device tree above an image that
 * ends at image_end. Returns 0, or -1 with a one-line reason in why. */
int guest_layout_plan(uint64_t ram_size, uint64_t image_end, uint64_t initrd_size,
		      struct guest_layout *out, char *why, size_t why_len);

#endif
