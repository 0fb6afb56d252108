#include "cpio.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* buffer-format.rst: the header is c_magic[6] then 13 fields of 8 hex digits, in this order. */
#define CPIO_HEADER_SIZE 110
#define CPIO_MAGIC_LEN 6
#define CPIO_NFIELDS 13
enum cpio_field {
	F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE,
	F_DEVMAJOR, F_DEVMINOR, F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK,
};

static const char trailer[] = "TRAILER!!!";

static int fail(struct cpio_entry *e, const char **err, const char *msg)
{
	memset(e, 0, sizeof(*e));
	if (err)
		*err = msg;
	return -1;
}

/* Exactly 8 hex digits, either case: no sign, no space, no "0x". */
static bool parse_hex8(const char *s, uint32_t *v)
{
	uint32_t n = 0;
	for (int i = 0; i < 8; i++) {
		char c = s[i];
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		n = n << 4 | d;
	}
	*v = n;
	return true;
}

/* The name and the data each end padded to a multiple of 4 from the start of the archive;
 * an archive may end inside that padding, since nothing follows it. */
static size_t pad4(size_t off, size_t size)
{
	size_t pad = (4 - off % 4) % 4;
	return pad > size - off ? size : off + pad;
}

static const char *check_magic(const char *magic)
{
	if (memcmp(magic, "070701", CPIO_MAGIC_LEN) == 0)
		return NULL;
	if (memcmp(magic, "070707", CPIO_MAGIC_LEN) == 0)
		return "cpio: old portable format (odc, 070707), not newc (070701)";
	if (memcmp(magic, "070702", CPIO_MAGIC_LEN) == 0)
		return "cpio: newc with checksums (crc, 070702) is not supported, only 070701";
	return "cpio: bad magic (not a newc archive)";
}

int cpio_next(const void *archive, size_t size, size_t *offset, struct cpio_entry *e,
	      const char **err)
{
	const char *ar = archive;
	size_t off = *offset;
	uint32_t f[CPIO_NFIELDS];

	memset(e, 0, sizeof(*e));
	if (!ar)
		return fail(e, err, "cpio: no archive");
	/* The end comes first: an archive that ends inside the last padding leaves *offset
	 * there, not on a multiple of 4. */
	if (off == size)
		return fail(e, err, "cpio: truncated (no TRAILER!!!)");
	if (off > size)
		return fail(e, err, "cpio: entry offset past the end of the archive");
	/* Every entry starts 4-aligned: each one ends padded to a multiple of 4. */
	if (off % 4 != 0)
		return fail(e, err, "cpio: entry offset not a multiple of 4");
	if (size - off < CPIO_HEADER_SIZE)
		return fail(e, err, "cpio: truncated header");

	const char *msg = check_magic(ar + off);
	if (msg)
		return fail(e, err, msg);
	for (int i = 0; i < CPIO_NFIELDS; i++) {
		if (!parse_hex8(ar + off + CPIO_MAGIC_LEN + 8 * i, &f[i]))
			return fail(e, err, "cpio: header field is not 8 hex digits");
	}
	/* c_check is ignored: it is defined only for the 070702 format, and zero here. */

	/* c_namesize counts the terminating NUL, so it is at least 1. */
	size_t namesize = f[F_NAMESIZE];
	size_t name_off = off + CPIO_HEADER_SIZE;
	if (namesize == 0)
		return fail(e, err, "cpio: name size is 0 (it counts the NUL)");
	if (namesize > size - name_off)
		return fail(e, err, "cpio: name extends past the end of the archive");
	const char *name = ar + name_off;
	if (name[namesize - 1] != '\0')
		return fail(e, err, "cpio: name not NUL-terminated at its size");
	for (size_t i = 0; i + 1 < namesize; i++) {
		if (name[i] == '\0')
			return fail(e, err, "cpio: name contains a NUL before its end");
	}

	size_t data_off = pad4(name_off + namesize, size);
	size_t filesize = f[F_FILESIZE];
	if (filesize > size - data_off)
		return fail(e, err, "cpio: file data extends past the end of the archive");

	if (namesize == sizeof(trailer) && memcmp(name, trailer, sizeof(trailer)) == 0)
		return 0;
	*e = (struct cpio_entry){
		.name = name,
		.name_len = namesize - 1,
		.data = ar + data_off,
		.size = filesize,
		.mode = f[F_MODE],
	};
	*offset = pad4(data_off + filesize, size);
	return 1;
}

/* Drops leading "/" and "./", so that "./etc/version", "/etc/version" and "etc/version"
 * name the same file: GNU cpio keeps whatever prefix find printed. */
static const char *strip_prefix(const char *s, size_t *len)
{
	for (;;) {
		if (*len >= 1 && s[0] == '/') {
			s += 1;
			*len -= 1;
		} else if (*len >= 2 && s[0] == '.' && s[1] == '/') {
			s += 2;
			*len -= 2;
		} else {
			return s;
		}
	}
}

int cpio_find(const void *archive, size_t size, const char *path, struct cpio_entry *e,
	      const char **err)
{
	size_t want_len = strlen(path);
	const char *want = strip_prefix(path, &want_len);
	size_t off = 0;
	int r;

	while ((r = cpio_next(archive, size, &off, e, err)) == 1) {
		size_t len = e->name_len;
		const char *name = strip_prefix(e->name, &len);
		/* An empty path names no file (it would match entries named "/" or "./"). */
		if (want_len > 0 && len == want_len && memcmp(name, want, len) == 0)
			return 1;
	}
	memset(e, 0, sizeof(*e));
	return r;
}
