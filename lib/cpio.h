/* Reading newc cpio archives, the format of Vireo's boot file system (docs/design.md 1) and of
 * Linux initramfs images. Pure logic, freestanding, shared by the kernel and user programs,
 * and unit-tested on the host. The format is the one in the Linux kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst, as `cpio -o -H newc` writes it:
 * a 110-byte ASCII header ("070701" and thirteen 8-digit hex fields), the NUL-terminated
 * name, the file data, each of the last two padded to a multiple of 4 bytes, and a final
 * entry named "TRAILER!!!". */
#ifndef VIREO_LIB_CPIO_H
#define VIREO_LIB_CPIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The file type bits of the mode field, as in st_mode (POSIX <sys/stat.h>). */
#define CPIO_MODE_TYPE_MASK 0170000u
#define CPIO_MODE_DIR 0040000u
#define CPIO_MODE_FILE 0100000u

/* Points into the archive; name is NUL-terminated there. */
struct cpio_entry {
	const char *name;
	size_t name_len; /* without the NUL */
	const void *data;
	size_t size;
	uint32_t mode;
};

/* Reads the entry at *offset (0 for the first) and advances *offset past it. Returns 1 with
 * *e filled, 0 at the TRAILER!!! entry, -1 on malformed input with *err set to a static
 * message saying what is wrong; on 0 and -1, *e is zeroed and *offset left as it was.
 * Reads nothing outside [archive, archive + size). */
int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_entry *e,
	      const char **err);

/* Finds path, given without a leading "./" or "/" (any there are ignored), as are those of
 * the archive's names, so "./x" in the archive matches "x". Returns 1 with *e filled, 0 if
 * the archive has no such entry, -1 if it is malformed before path is found (*err set). */
int cpio_find(const void *archive, size_t size, const char *path, struct cpio_entry *e,
	      const char **err);

static inline bool cpio_is_dir(const struct cpio_entry *e)
{
	return (e->mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_DIR;
}

static inline bool cpio_is_file(const struct cpio_entry *e)
{
	return (e->mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_FILE;
}

#endif
