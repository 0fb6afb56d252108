#include "bootfs.h"

#include <string.h>
#include <vireo/syscall.h>

#include "cpio.h"
#include "vireo.h"

static const void *archive;
static uint64_t archive_size;

void bootfs_init(const void *a, uint64_t size)
{
	archive = a;
	archive_size = size;
}

/* "/boot/x/y/" -> "x/y"; "/boot" -> "". Returns NULL for paths outside /boot. */
static const char *relative(const char *path, char *buf, size_t size)
{
	if (strncmp(path, "/boot", 5) || (path[5] && path[5] != '/'))
		return NULL;
	path += 5;
	while (*path == '/')
		path++;
	size_t n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		n--;
	if (n >= size)
		return NULL;
	memcpy(buf, path, n);
	buf[n] = '\0';
	return buf;
}

/* Archive names may start with "./". */
static void entry_name(const struct cpio_entry *e, const char **name, size_t *len)
{
	*name = e->name;
	*len = e->name_len;
	if (*len >= 2 && (*name)[0] == '.' && (*name)[1] == '/') {
		*name += 2;
		*len -= 2;
	}
}

static void fill(struct bootfs_file *f, const struct cpio_entry *e, const char *name, size_t len)
{
	const char *slash = NULL;
	for (size_t i = 0; i < len; i++)
		if (name[i] == '/')
			slash = &name[i];
	f->name = slash ? slash + 1 : name;
	f->name_len = len - (size_t)(f->name - name);
	f->data = e->data;
	f->size = e->size;
	f->is_dir = (e->mode & CPIO_MODE_TYPE_MASK) == CPIO_MODE_DIR;
}

int64_t bootfs_open(const char *path, struct bootfs_file *f)
{
	char buf[128];
	const char *rel = relative(path, buf, sizeof(buf));
	if (!rel)
		return VIREO_E_NOENT;
	if (!rel[0]) {
		*f = (struct bootfs_file){ .name = "boot", .name_len = 4, .is_dir = true };
		return 0;
	}
	struct cpio_entry e;
	const char *err;
	int r = cpio_find(archive, archive_size, rel, &e, &err);
	if (r < 0)
		return VIREO_E_INVAL;
	if (r == 0)
		return VIREO_E_NOENT;
	const char *name;
	size_t len;
	entry_name(&e, &name, &len);
	fill(f, &e, name, len);
	return 0;
}

int64_t bootfs_list(const char *path, uint64_t index, struct bootfs_file *f)
{
	char buf[128];
	if (!strcmp(path, "/") || !path[0]) {
		if (index > 0)
			return 0;
		*f = (struct bootfs_file){ .name = "boot", .name_len = 4, .is_dir = true };
		return 1;
	}
	const char *dir = relative(path, buf, sizeof(buf));
	if (!dir)
		return VIREO_E_NOENT;
	struct bootfs_file self;
	int64_t err = bootfs_open(path, &self);
	if (err)
		return err;
	if (!self.is_dir)
		return VIREO_E_INVAL;

	size_t dlen = strlen(dir), off = 0;
	struct cpio_entry e;
	const char *why;
	int r;
	while ((r = cpio_next(archive, archive_size, &off, &e, &why)) == 1) {
		const char *name;
		size_t len;
		entry_name(&e, &name, &len);
		/* Direct children of dir only: "dir/x", not "dir/x/y", nor "dir" or "." itself. */
		if (dlen && (len <= dlen + 1 || strncmp(name, dir, dlen) || name[dlen] != '/'))
			continue;
		const char *rest = dlen ? name + dlen + 1 : name;
		size_t rest_len = len - (size_t)(rest - name);
		if (!rest_len || memchr(rest, '/', rest_len) || (rest_len == 1 && rest[0] == '.'))
			continue;
		if (index-- == 0) {
			fill(f, &e, name, len);
			return 1;
		}
	}
	return r < 0 ? VIREO_E_INVAL : 0;
}
