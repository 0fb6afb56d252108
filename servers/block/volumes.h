/* The volume table the block server keeps at the start of the host disk: which sectors
 * each named volume owns. Pure code (no system calls), so that the host unit tests
 * (tools/unit/test_volumes.c) can feed it damaged tables and hostile ranges.
 *
 * On disk: VOL_TABLE_SECTORS sectors from sector 0, little-endian as RISC-V is; volumes
 * live from VOL_DATA_START on. Entries with an empty name are free. */
#ifndef BLOCK_VOLUMES_H
#define BLOCK_VOLUMES_H

#include <stdbool.h>
#include <stdint.h>

#define VOL_SECTOR 512
#define VOL_TABLE_SECTORS 8
#define VOL_DATA_START 2048 /* 1 MiB: room for the table to grow */
#define VOL_MAX 32
#define VOL_NAME_MAX 16     /* with the terminating NUL */
#define VOL_MAGIC "VIREOVOL"
#define VOL_VERSION 1

struct vol_entry {
	char name[VOL_NAME_MAX];
	uint64_t start, sectors;
};

struct vol_table {
	char magic[8];
	uint32_t version, max;
	uint64_t disk_sectors;
	uint64_t reserved;
	struct vol_entry e[VOL_MAX];
};
_Static_assert(sizeof(struct vol_table) <= VOL_TABLE_SECTORS * VOL_SECTOR,
	       "the table fits its sectors");

enum vol_error {
	VOL_OK,
	VOL_EMPTY,    /* no table on this disk yet */
	VOL_DAMAGED,  /* a table that does not hold together: overlaps, bad names, past the end */
	VOL_BADNAME,  /* 1 to 15 of A-Z a-z 0-9 . _ - */
	VOL_EXISTS,
	VOL_NOENT,
	VOL_FULL,     /* every entry is in use */
	VOL_NOSPACE,  /* no gap that large */
	VOL_BADSIZE,  /* zero, or larger than any disk */
};

/* Reads a table from the first bytes of the disk (disk_sectors long), checking all of it. */
enum vol_error vol_load(struct vol_table *t, const void *bytes, uint64_t disk_sectors);
/* An empty table for a disk of disk_sectors. */
void vol_format(struct vol_table *t, uint64_t disk_sectors);
bool vol_name_ok(const char *name);
/* The entry named name, or -1. */
int vol_find(const struct vol_table *t, const char *name);
/* A new volume of sectors in the first gap that holds it; *index is its entry. */
enum vol_error vol_create(struct vol_table *t, const char *name, uint64_t sectors, int *index);
void vol_delete(struct vol_table *t, int index);
/* Whether [sector, sector + count) lies inside the volume, overflow-safe; count 0 is not. */
bool vol_range_ok(const struct vol_entry *v, uint64_t sector, uint64_t count);
/* Sectors in use by volumes, for the listing. */
uint64_t vol_used(const struct vol_table *t);
const char *vol_error_text(enum vol_error e);

#endif
