/* File contents. Writes are copy-on-write: each block a write touches is written whole to a
 * newly allocated block, and the block map switches to it in the write's transaction, so a
 * crash leaves either all of a write or none of it. Bytes past a file's size in its last
 * block are always zero, so that growing a file shows zeros. */
#include <string.h>

#include "fs.h"

static int read_data(struct fs *fs, uint32_t block, void *buf)
{
	if (block < fs->sb.data_start || block >= fs->sb.blocks)
		return FS_EIO;
	return fs->dev.read(fs->dev.ctx, block, 1, buf) ? FS_EIO : 0;
}

int fs_file_read(struct fs *fs, uint32_t ino, uint64_t off, void *buf, uint32_t len,
		 uint32_t *done)
{
	const struct fs_inode *ip;
	int err = fs_inode_get(fs, ino, &ip);
	*done = 0;
	if (err)
		return err;
	uint64_t size = ip->size;
	if (off >= size)
		return 0;
	if (len > size - off)
		len = (uint32_t)(size - off);
	uint8_t *out = buf;
	while (*done < len) {
		uint64_t pos = off + *done;
		uint32_t in = (uint32_t)(pos % FS_BLOCK), n = FS_BLOCK - in, block;
		if (n > len - *done)
			n = len - *done;
		if ((err = fs_inode_get(fs, ino, &ip)) || (err = fs_bmap(fs, ip, pos / FS_BLOCK, &block)))
			return err;
		if (!block)
			memset(out + *done, 0, n);
		else if (in == 0 && n == FS_BLOCK)
			err = read_data(fs, block, out + *done);
		else if (!(err = read_data(fs, block, fs->io)))
			memcpy(out + *done, fs->io + in, n);
		if (err)
			return err;
		*done += n;
	}
	return 0;
}

/* Block index of inode ino gets new contents: the bytes of contents (a whole block). */
static int replace_block(struct fs *fs, uint32_t ino, uint64_t index, const uint8_t *contents)
{
	uint32_t fresh, old;
	struct fs_inode *w;
	int err = fs_block_alloc(fs, &fresh);
	if (!err)
		err = fs_write_data(fs, fresh, contents);
	if (!err)
		err = fs_bmap_set(fs, ino, index, fresh, &old);
	if (!err)
		err = fs_inode_modify(fs, ino, &w);
	if (err)
		return err;
	if (old)
		return fs_block_free(fs, old);
	w->nblocks++;
	return 0;
}

int fs_file_write(struct fs *fs, uint32_t ino, uint64_t off, const void *buf, uint32_t len)
{
	const struct fs_inode *ip;
	struct fs_inode *w;
	const uint8_t *in = buf;
	if (off > FS_FILE_MAX || len > FS_FILE_MAX - off)
		return FS_EFBIG;
	for (uint32_t done = 0; done < len;) {
		uint64_t pos = off + done;
		uint32_t at = (uint32_t)(pos % FS_BLOCK), n = FS_BLOCK - at, block;
		if (n > len - done)
			n = len - done;
		int err = fs_inode_get(fs, ino, &ip);
		if (!err)
			err = fs_bmap(fs, ip, pos / FS_BLOCK, &block);
		if (!err && n < FS_BLOCK && block)
			err = read_data(fs, block, fs->io);
		if (err)
			return err;
		if (n < FS_BLOCK && !block)
			memset(fs->io, 0, FS_BLOCK);
		memcpy(fs->io + at, in + done, n);
		if ((err = replace_block(fs, ino, pos / FS_BLOCK, fs->io)))
			return err;
		done += n;
	}
	int err = fs_inode_modify(fs, ino, &w);
	if (err)
		return err;
	if (off + len > w->size)
		w->size = off + len;
	w->mtime_ns = w->ctime_ns = fs_now(fs);
	return 0;
}

int fs_file_truncate(struct fs *fs, uint32_t ino, uint64_t size)
{
	const struct fs_inode *ip;
	struct fs_inode *w;
	if (size > FS_FILE_MAX)
		return FS_EFBIG;
	int err = fs_inode_get(fs, ino, &ip);
	if (err)
		return err;
	if (size < ip->size) {
		uint64_t keep = (size + FS_BLOCK - 1) / FS_BLOCK;
		uint32_t tail = (uint32_t)(size % FS_BLOCK), block;
		if ((err = fs_free_from(fs, ino, keep)))
			return err;
		/* The last block kept shows zeros past the new end, in a copy of its own. */
		if (tail && !(err = fs_inode_get(fs, ino, &ip)) &&
		    !(err = fs_bmap(fs, ip, size / FS_BLOCK, &block)) && block &&
		    !(err = read_data(fs, block, fs->io))) {
			memset(fs->io + tail, 0, FS_BLOCK - tail);
			err = replace_block(fs, ino, size / FS_BLOCK, fs->io);
		}
		if (err)
			return err;
	}
	if ((err = fs_inode_modify(fs, ino, &w)))
		return err;
	w->size = size;
	w->mtime_ns = w->ctime_ns = fs_now(fs);
	return 0;
}
