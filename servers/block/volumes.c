#include "volumes.h"

#include <string.h>

bool vol_name_ok(const char *name)
{
	size_t n = 0;
	for (; name[n]; n++) {
		char c = name[n];
		if (n == VOL_NAME_MAX - 1 ||
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return n > 0;
}

static bool in_use(const struct vol_entry *v)
{
	return v->name[0] != '\0';
}

/* Whether [start, start + sectors) overlaps v; both are known not to wrap. */
static bool overlaps(const struct vol_entry *v, uint64_t start, uint64_t sectors)
{
	return start < v->start + v->sectors && v->start < start + sectors;
}

enum vol_error vol_load(struct vol_table *t, const void *bytes, uint64_t disk_sectors)
{
	memcpy(t, bytes, sizeof(*t));
	if (memcmp(t->magic, VOL_MAGIC, sizeof(t->magic)))
		return VOL_EMPTY;
	if (t->version != VOL_VERSION || t->max != VOL_MAX || t->disk_sectors > disk_sectors)
		return VOL_DAMAGED;
	for (unsigned i = 0; i < VOL_MAX; i++) {
		struct vol_entry *v = &t->e[i];
		if (!in_use(v)) {
			if (memchr(v->name, '\0', VOL_NAME_MAX) == NULL)
				return VOL_DAMAGED;
			continue;
		}
		if (memchr(v->name, '\0', VOL_NAME_MAX) == NULL || !vol_name_ok(v->name) ||
		    v->sectors == 0 || v->start < VOL_DATA_START || v->start > t->disk_sectors ||
		    v->sectors > t->disk_sectors - v->start)
			return VOL_DAMAGED;
		for (unsigned j = 0; j < i; j++)
			if (in_use(&t->e[j]) && (overlaps(&t->e[j], v->start, v->sectors) ||
						 !strcmp(t->e[j].name, v->name)))
				return VOL_DAMAGED;
	}
	/* A grown disk image keeps its table; the new room is usable from now on. */
	t->disk_sectors = disk_sectors;
	return VOL_OK;
}

void vol_format(struct vol_table *t, uint64_t disk_sectors)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->magic, VOL_MAGIC, sizeof(t->magic));
	t->version = VOL_VERSION;
	t->max = VOL_MAX;
	t->disk_sectors = disk_sectors;
}

int vol_find(const struct vol_table *t, const char *name)
{
	for (int i = 0; i < VOL_MAX; i++)
		if (in_use(&t->e[i]) && !strncmp(t->e[i].name, name, VOL_NAME_MAX))
			return i;
	return -1;
}

/* Whether [start, start + sectors) is free and on the disk. */
static bool gap_free(const struct vol_table *t, uint64_t start, uint64_t sectors)
{
	if (start > t->disk_sectors || sectors > t->disk_sectors - start)
		return false;
	for (unsigned i = 0; i < VOL_MAX; i++)
		if (in_use(&t->e[i]) && overlaps(&t->e[i], start, sectors))
			return false;
	return true;
}

enum vol_error vol_create(struct vol_table *t, const char *name, uint64_t sectors, int *index)
{
	if (!vol_name_ok(name))
		return VOL_BADNAME;
	if (vol_find(t, name) >= 0)
		return VOL_EXISTS;
	if (sectors == 0 || sectors > t->disk_sectors)
		return VOL_BADSIZE;
	int slot = -1;
	for (int i = 0; i < VOL_MAX && slot < 0; i++)
		if (!in_use(&t->e[i]))
			slot = i;
	if (slot < 0)
		return VOL_FULL;
	/* First fit: a gap starts at the data area or right after some volume. */
	uint64_t best = 0;
	bool found = gap_free(t, VOL_DATA_START, sectors);
	if (found)
		best = VOL_DATA_START;
	for (unsigned i = 0; i < VOL_MAX; i++) {
		const struct vol_entry *v = &t->e[i];
		uint64_t start = v->start + v->sectors;
		if (in_use(v) && (!found || start < best) && gap_free(t, start, sectors)) {
			best = start;
			found = true;
		}
	}
	if (!found)
		return VOL_NOSPACE;
	memset(&t->e[slot], 0, sizeof(t->e[slot]));
	strcpy(t->e[slot].name, name);
	t->e[slot].start = best;
	t->e[slot].sectors = sectors;
	*index = slot;
	return VOL_OK;
}

void vol_delete(struct vol_table *t, int index)
{
	memset(&t->e[index], 0, sizeof(t->e[index]));
}

bool vol_range_ok(const struct vol_entry *v, uint64_t sector, uint64_t count)
{
	return count > 0 && count <= v->sectors && sector <= v->sectors - count;
}

uint64_t vol_used(const struct vol_table *t)
{
	uint64_t used = 0;
	for (unsigned i = 0; i < VOL_MAX; i++)
		if (in_use(&t->e[i]))
			used += t->e[i].sectors;
	return used;
}

const char *vol_error_text(enum vol_error e)
{
	static const char *const text[] = {
		[VOL_OK] = "ok",
		[VOL_EMPTY] = "no volume table on the disk",
		[VOL_DAMAGED] = "the volume table is damaged",
		[VOL_BADNAME] = "a volume name is 1 to 15 of A-Z a-z 0-9 . _ -",
		[VOL_EXISTS] = "a volume of that name exists",
		[VOL_NOENT] = "no such volume",
		[VOL_FULL] = "the volume table is full (32 volumes)",
		[VOL_NOSPACE] = "not enough free space on the disk",
		[VOL_BADSIZE] = "the size must be at least 1 MiB and fit the disk",
	};
	return (unsigned)e < sizeof(text) / sizeof(*text) ? text[e] : "unknown error";
}
