/* Directories: files of fixed-size entries (layout.h), read and changed as metadata through
 * the journal. An entry's slot (its index from the directory's start) never moves while it
 * lives, which makes it the READDIR cookie. Directories grow a block at a time and keep
 * their blocks until they are removed. */
#include <string.h>

#include "fs.h"

int fs_name_check(const char *name, size_t len)
{
	if (len > FS_NAME_MAX)
		return FS_ENAMETOOLONG;
	if (len == 0 || (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return FS_EINVAL;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return FS_EINVAL;
	return 0;
}

static int dir_blocks(struct fs *fs, uint32_t dir, uint64_t *count)
{
	const struct fs_inode *ip;
	int err = fs_inode_get(fs, dir, &ip);
	if (err)
		return err;
	if ((ip->mode & FS_S_IFMT) != FS_S_IFDIR)
		return FS_ENOTDIR;
	if (ip->size % FS_BLOCK || ip->size > FS_FILE_MAX)
		return FS_EIO;
	*count = ip->size / FS_BLOCK;
	return 0;
}

/* The block holding slot, for reading or (modify) changing. */
static int slot_block(struct fs *fs, uint32_t dir, uint64_t slot, bool modify, uint8_t **data)
{
	const struct fs_inode *ip;
	uint32_t block;
	int err = fs_inode_get(fs, dir, &ip);
	if (!err)
		err = fs_bmap(fs, ip, slot / FS_DIRENTS_PER_BLOCK, &block);
	if (!err && !block)
		err = FS_EIO; /* directories have no holes */
	if (!err)
		err = modify ? fs_modify_block(fs, block, data)
			     : fs_read_block(fs, block, (const uint8_t **)data);
	if (!err)
		*data += (slot % FS_DIRENTS_PER_BLOCK) * FS_DIRENT_SIZE;
	return err;
}

int fs_dir_next(struct fs *fs, uint32_t dir, uint64_t *slot, const struct fs_dirent_disk **e)
{
	uint64_t blocks;
	int err = dir_blocks(fs, dir, &blocks);
	if (err)
		return err;
	for (; *slot < blocks * FS_DIRENTS_PER_BLOCK; ++*slot) {
		uint8_t *data;
		if ((err = slot_block(fs, dir, *slot, false, &data)))
			return err;
		*e = (const struct fs_dirent_disk *)data;
		if ((*e)->ino)
			return 0;
	}
	return FS_ENOENT;
}

int fs_dir_find(struct fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino,
		uint64_t *slot)
{
	const struct fs_dirent_disk *e;
	*ino = 0;
	for (*slot = 0;; ++*slot) {
		int err = fs_dir_next(fs, dir, slot, &e);
		if (err)
			return err;
		if (e->name_len == len && !memcmp(e->name, name, len)) {
			*ino = e->ino;
			return 0;
		}
	}
}

static void touch(struct fs *fs, struct fs_inode *w)
{
	w->mtime_ns = w->ctime_ns = fs_now(fs);
}

int fs_dir_add(struct fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino)
{
	uint64_t blocks, slot;
	const struct fs_dirent_disk *e;
	struct fs_inode *w;
	uint8_t *data;
	int err = dir_blocks(fs, dir, &blocks);
	if (err)
		return err;
	for (slot = 0; slot < blocks * FS_DIRENTS_PER_BLOCK; slot++) {
		if ((err = slot_block(fs, dir, slot, false, &data)))
			return err;
		e = (const struct fs_dirent_disk *)data;
		if (!e->ino)
			break;
	}
	if (slot == blocks * FS_DIRENTS_PER_BLOCK) { /* full: one block more */
		uint32_t block, old;
		if ((err = fs_block_alloc(fs, &block)) || (err = fs_new_block(fs, block, &data)) ||
		    (err = fs_bmap_set(fs, dir, blocks, block, &old)) ||
		    (err = fs_inode_modify(fs, dir, &w)))
			return err;
		w->nblocks++;
		w->size += FS_BLOCK;
	}
	if ((err = slot_block(fs, dir, slot, true, &data)) || (err = fs_inode_modify(fs, dir, &w)))
		return err;
	struct fs_dirent_disk *d = (struct fs_dirent_disk *)data;
	memset(d, 0, sizeof(*d));
	d->ino = ino;
	d->name_len = (uint8_t)len;
	memcpy(d->name, name, len);
	touch(fs, w);
	return 0;
}

int fs_dir_replace(struct fs *fs, uint32_t dir, uint64_t slot, uint32_t ino)
{
	uint8_t *data;
	struct fs_inode *w;
	int err = slot_block(fs, dir, slot, true, &data);
	if (!err)
		err = fs_inode_modify(fs, dir, &w);
	if (err)
		return err;
	((struct fs_dirent_disk *)data)->ino = ino;
	touch(fs, w);
	return 0;
}

int fs_dir_remove(struct fs *fs, uint32_t dir, uint64_t slot)
{
	uint8_t *data;
	struct fs_inode *w;
	int err = slot_block(fs, dir, slot, true, &data);
	if (!err)
		err = fs_inode_modify(fs, dir, &w);
	if (err)
		return err;
	memset(data, 0, FS_DIRENT_SIZE);
	touch(fs, w);
	return 0;
}

int fs_dir_empty(struct fs *fs, uint32_t dir, bool *empty)
{
	uint64_t slot = 0;
	const struct fs_dirent_disk *e;
	int err = fs_dir_next(fs, dir, &slot, &e);
	*empty = err == FS_ENOENT;
	return err == FS_ENOENT ? 0 : err;
}
