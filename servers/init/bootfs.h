/* The boot file system as init serves it: the initrd's cpio archive, seen under /boot. */
#ifndef INIT_BOOTFS_H
#define INIT_BOOTFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bootfs_file {
	const char *name; /* the last path component */
	size_t name_len;
	const void *data;
	uint64_t size;
	bool is_dir;
};

void bootfs_init(const void *archive, uint64_t size);
/* 0, or VIREO_E_NOENT / VIREO_E_INVAL (a malformed archive). */
int64_t bootfs_open(const char *path, struct bootfs_file *f);
/* The index-th entry of directory path: 1, or 0 past the end, or a negative error. */
int64_t bootfs_list(const char *path, uint64_t index, struct bootfs_file *f);

#endif
