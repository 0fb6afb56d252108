/* File contents. Writes are copy-on-write: each block a write touches is written whole to a
 * newly allocated block, and the block map switches to it in the write's transaction, so a
 * crash leaves either all of a write or none of it. Bytes past a file's size in its last
 * block are always zero, so that growing a file shows zeros. */
#include <string.h>

#include "fs.h"

/* Blocks of file data moved in one request: consecutive on the disk and in memory. */
struct run {
	uint32_t first, count;
	uint8_t *bytes;
};

static int read_data(struct fs *fs, uint32_t block, uint32_t count, void *buf)
{
	if (block < fs->sb.data_start || block >= fs->sb.blocks || count > fs->sb.blocks - block)
		return FS_EIO;
	return fs->dev.read(fs->dev.ctx, block, count, buf) ? FS_EIO : 0;
}

static int read_run(struct fs *fs, struct run *r)
{
	int err = r->count ? read_data(fs, r->first, r->count, r->bytes) : 0;
	r->count = 0;
	return err;
}

static int write_run(struct fs *fs, struct run *r)
{
	int err = r->count ? fs_write_data(fs, r->first, r->count, r->bytes) : 0;
	r->count = 0;
	return err;
}

/* Block at bytes joins the run if it follows on the disk and in memory; otherwise the run
 * so far is moved (by move) and a new one starts with it. */
static int extend(struct fs *fs, struct run *r, uint32_t block, uint8_t *bytes,
		  int (*move)(struct fs *, struct run *))
{
	uint8_t *next = r->bytes + (uint64_t)r->count * FS_BLOCK;
	if (r->count && block == r->first + r->count && bytes == next) {
		r->count++;
		return 0;
	}
	int err = move(fs, r);
	*r = (struct run){ block, 1, bytes };
	return err;
}

int fs_file_read(struct fs *fs, uint32_t ino, uint64_t off, void *buf, uint32_t len,
		 uint32_t *done)
{
	const struct fs_inode *ip;
	struct run r = { 0 };
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
		if ((err = fs_inode_get(fs, ino, &ip)) ||
		    (err = fs_bmap(fs, ip, pos / FS_BLOCK, &block)))
			return err;
		if (block && n == FS_BLOCK) {
			err = extend(fs, &r, block, out + *done, read_run);
		} else if (!(err = read_run(fs, &r))) {
			if (!block)
				memset(out + *done, 0, n);
			else if (!(err = read_data(fs, block, 1, fs->io)))
				memcpy(out + *done, fs->io + in, n);
		}
		if (err)
			return err;
		*done += n;
	}
	return read_run(fs, &r);
}

/* Points block index of inode ino at a newly allocated block, *fresh; the old one goes. */
static int remap(struct fs *fs, uint32_t ino, uint64_t index, uint32_t *fresh)
{
	uint32_t old;
	struct fs_inode *w;
	int err = fs_block_alloc(fs, fresh);
	if (!err)
		err = fs_bmap_set(fs, ino, index, *fresh, &old);
	if (!err)
		err = fs_inode_modify(fs, ino, &w);
	if (err)
		return err;
	if (old)
		return fs_block_free(fs, old);
	w->nblocks++;
	return 0;
}

/* Block index of inode ino gets new contents: the bytes of contents (a whole block). */
static int replace_block(struct fs *fs, uint32_t ino, uint64_t index, const uint8_t *contents)
{
	uint32_t fresh;
	int err = remap(fs, ino, index, &fresh);
	return err ? err : fs_write_data(fs, fresh, 1, contents);
}

int fs_file_write(struct fs *fs, uint32_t ino, uint64_t off, const void *buf, uint32_t len)
{
	const struct fs_inode *ip;
	struct fs_inode *w;
	struct run r = { 0 };
	uint8_t *in = (uint8_t *)buf; /* only read: runs of it go to the disk */
	if (off > FS_FILE_MAX || len > FS_FILE_MAX - off)
		return FS_EFBIG;
	for (uint32_t done = 0; done < len;) {
		uint64_t pos = off + done;
		uint32_t at = (uint32_t)(pos % FS_BLOCK), n = FS_BLOCK - at, block, fresh;
		if (n > len - done)
			n = len - done;
		int err;
		if (n == FS_BLOCK) { /* whole: its bytes go straight from the caller's buffer */
			if (!(err = remap(fs, ino, pos / FS_BLOCK, &fresh)))
				err = extend(fs, &r, fresh, in + done, write_run);
		} else { /* in part: merged with what the block held, in a copy */
			err = fs_inode_get(fs, ino, &ip);
			if (!err)
				err = fs_bmap(fs, ip, pos / FS_BLOCK, &block);
			if (!err && block)
				err = read_data(fs, block, 1, fs->io);
			if (!err && !block)
				memset(fs->io, 0, FS_BLOCK);
			if (!err) {
				memcpy(fs->io + at, in + done, n);
				err = replace_block(fs, ino, pos / FS_BLOCK, fs->io);
			}
		}
		if (err)
			return err;
		done += n;
	}
	int err = write_run(fs, &r);
	if (!err)
		err = fs_inode_modify(fs, ino, &w);
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
		    !(err = read_data(fs, block, 1, fs->io))) {
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
