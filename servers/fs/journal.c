/* The block cache and the write-ahead journal of whole metadata blocks (docs/fs.md).
 *
 * A transaction's changed blocks stay in the cache until fs_commit(), which (1) flushes
 * the previous transaction's home writes and this one's file data, (2) writes the copies
 * to the journal, then its header with a checksum over all of it, flushes, (3) writes each
 * block to its home, left for the next (1) or FS_FSYNC to flush. A crash before the header
 * is complete leaves a journal whose checksum fails: nothing happened. A crash after it
 * leaves a journal that mount replays (idempotent: the same blocks written again). As (2)
 * overwrites the journal only after the last (3) is on the disk, a header always describes
 * blocks that are either all home already or all in the journal. */
#include <string.h>

#include "fs.h"

/* Scans walk one block many times in a row (an inode table, a directory): that block is
 * looked at first. */
static struct fs_cached *find(struct fs *fs, uint32_t block)
{
	if (fs->cache[fs->last].block == block)
		return &fs->cache[fs->last];
	for (unsigned i = 0; i < FS_CACHE_BLOCKS; i++) {
		if (fs->cache[i].block == block) {
			fs->last = i;
			return &fs->cache[i];
		}
	}
	return NULL;
}

/* The least recently used clean slot (dirty ones stay until the commit). */
static struct fs_cached *victim(struct fs *fs)
{
	struct fs_cached *v = NULL;
	for (unsigned i = 0; i < FS_CACHE_BLOCKS; i++) {
		struct fs_cached *c = &fs->cache[i];
		if (!c->dirty && (!v || c->used < v->used))
			v = c;
	}
	return v;
}

/* Where a block's contents are read from: its home, or in a read-only mount of a file
 * system with a committed journal, the journal's copy. */
static uint64_t source_of(const struct fs *fs, uint32_t block)
{
	for (unsigned i = 0; i < fs->overlay_count; i++)
		if (fs->overlay[i] == block)
			return fs->sb.journal_start + 1 + i;
	return block;
}

static bool valid_block(const struct fs *fs, uint32_t block)
{
	return block > 0 && block < fs->sb.blocks;
}

static int lookup(struct fs *fs, uint32_t block, bool read, struct fs_cached **out)
{
	if (!valid_block(fs, block))
		return FS_EIO; /* a damaged pointer: never read or write outside the volume */
	struct fs_cached *c = find(fs, block);
	if (!c) {
		c = victim(fs);
		if (!c)
			return FS_EIO;
		c->block = 0;
		if (read && fs->dev.read(fs->dev.ctx, source_of(fs, block), 1, c->data))
			return FS_EIO;
		if (!read)
			memset(c->data, 0, FS_BLOCK);
		c->block = block;
	}
	c->used = ++fs->clock;
	*out = c;
	return 0;
}

int fs_read_block(struct fs *fs, uint32_t block, const uint8_t **data)
{
	struct fs_cached *c;
	int err = lookup(fs, block, true, &c);
	if (!err)
		*data = c->data;
	return err;
}

/* Joins the transaction, keeping its committed contents for fs_was_free. */
static int make_dirty(struct fs *fs, struct fs_cached *c)
{
	if (c->dirty)
		return 0;
	if (fs->read_only)
		return FS_EROFS;
	if (fs->ndirty == FS_JOURNAL_MAX)
		return FS_EIO; /* no operation needs this many: a damaged file system */
	unsigned i = 0;
	while (fs->orig_used[i])
		i++;
	fs->orig_used[i] = true;
	c->orig = fs->orig_pool[i];
	memcpy(c->orig, c->data, FS_BLOCK);
	c->dirty = true;
	fs->ndirty++;
	return 0;
}

int fs_modify_block(struct fs *fs, uint32_t block, uint8_t **data)
{
	struct fs_cached *c;
	int err = lookup(fs, block, true, &c);
	if (!err)
		err = make_dirty(fs, c);
	if (!err)
		*data = c->data;
	return err;
}

int fs_new_block(struct fs *fs, uint32_t block, uint8_t **data)
{
	struct fs_cached *c = find(fs, block);
	int err = c ? 0 : lookup(fs, block, false, &c);
	if (!err)
		err = make_dirty(fs, c);
	if (!err) {
		memset(c->data, 0, FS_BLOCK);
		*data = c->data;
	}
	return err;
}

int fs_write_data(struct fs *fs, uint32_t block, uint32_t count, const void *data)
{
	if (block < fs->sb.data_start || block >= fs->sb.blocks || count > fs->sb.blocks - block)
		return FS_EIO;
	if (fs->read_only)
		return FS_EROFS;
	for (uint32_t i = 0; i < count; i++) {
		struct fs_cached *c = find(fs, block + i); /* a block once metadata, freed since */
		if (c && !c->dirty)
			c->block = 0;
	}
	fs->data_written = true;
	return fs->dev.write(fs->dev.ctx, block, count, data) ? FS_EIO : 0;
}

bool fs_was_free(struct fs *fs, uint32_t block, bool free_now)
{
	uint32_t bitmap = fs->sb.bitmap_start + block / FS_BITS_PER_BLOCK;
	struct fs_cached *c = find(fs, bitmap);
	if (!free_now || !c || !c->dirty)
		return free_now;
	uint32_t bit = block % FS_BITS_PER_BLOCK;
	return !(c->orig[bit / 8] & (1u << (bit % 8)));
}

void fs_begin(struct fs *fs)
{
	fs->saved_free_blocks = fs->free_blocks;
	fs->saved_free_inodes = fs->free_inodes;
	fs->data_written = false;
}

/* The transaction's blocks become clean: kept as they are after a commit, forgotten after
 * an abort (the disk has their committed contents; a block made by fs_new_block has
 * none worth keeping). */
static void end(struct fs *fs, bool keep)
{
	for (unsigned i = 0; i < FS_CACHE_BLOCKS; i++) {
		struct fs_cached *c = &fs->cache[i];
		if (!c->dirty)
			continue;
		if (!keep)
			c->block = 0;
		fs->orig_used[(c->orig - fs->orig_pool[0]) / FS_BLOCK] = false;
		c->orig = NULL;
		c->dirty = false;
	}
	fs->ndirty = 0;
}

void fs_abort(struct fs *fs)
{
	end(fs, false);
	fs->free_blocks = fs->saved_free_blocks;
	fs->free_inodes = fs->saved_free_inodes;
}

static uint64_t header_checksum(struct fs_journal_header *h)
{
	uint64_t saved = h->checksum;
	h->checksum = 0;
	uint64_t sum = fs_checksum(FS_CHECKSUM_SEED, h, sizeof(*h));
	h->checksum = saved;
	return sum;
}

int fs_commit(struct fs *fs)
{
	if (!fs->ndirty) {
		fs->data_written = false;
		return 0;
	}
	/* The last transaction is home and the data the new metadata points at is on the
	 * disk before the journal changes (the copies are covered by the checksum). */
	int err = fs->home_unflushed || fs->data_written ? fs_flush(fs) : 0;
	struct fs_journal_header *h = (struct fs_journal_header *)fs->io;
	memset(fs->io, 0, FS_BLOCK);
	h->magic = FS_JOURNAL_MAGIC;
	h->sequence = fs->sequence + 1;
	for (unsigned i = 0; i < FS_CACHE_BLOCKS && !err; i++) {
		struct fs_cached *c = &fs->cache[i];
		if (!c->dirty)
			continue;
		h->target[h->count] = c->block;
		err = fs->dev.write(fs->dev.ctx, fs->sb.journal_start + 1 + h->count, 1, c->data);
		h->count++;
	}
	uint64_t sum = header_checksum(h);
	for (unsigned i = 0; i < FS_CACHE_BLOCKS; i++)
		if (fs->cache[i].dirty)
			sum = fs_checksum(sum, fs->cache[i].data, FS_BLOCK);
	h->checksum = sum;
	if (!err)
		err = fs->dev.write(fs->dev.ctx, fs->sb.journal_start, 1, h);
	if (!err)
		err = fs->dev.flush(fs->dev.ctx);
	if (err) {
		fs_abort(fs);
		return FS_EIO;
	}
	/* Committed: from here on a failure is repaired by replay at the next mount. */
	fs->sequence = h->sequence;
	for (unsigned i = 0; i < FS_CACHE_BLOCKS && !err; i++)
		if (fs->cache[i].dirty)
			err = fs->dev.write(fs->dev.ctx, fs->cache[i].block, 1, fs->cache[i].data);
	fs->home_unflushed = true;
	end(fs, true);
	fs->data_written = false;
	if (err)
		fs->read_only = true; /* the journal must not be overwritten before it is home */
	return err ? FS_EIO : 0;
}

int fs_flush(struct fs *fs)
{
	if (fs->dev.flush(fs->dev.ctx))
		return FS_EIO;
	fs->home_unflushed = false;
	return 0;
}

int fs_journal_read(const struct fs_dev *dev, const struct fs_super *sb, void *buf)
{
	struct fs_journal_header h;
	if (dev->read(dev->ctx, sb->journal_start, 1, buf))
		return FS_EIO;
	memcpy(&h, buf, sizeof(h));
	if (h.magic != FS_JOURNAL_MAGIC || h.count == 0 || h.count > FS_JOURNAL_MAX ||
	    h.count + 1 > sb->journal_blocks)
		return FS_ENOENT;
	uint64_t sum = header_checksum(&h);
	for (uint32_t i = 0; i < h.count; i++) {
		if (dev->read(dev->ctx, sb->journal_start + 1 + i, 1, buf))
			return FS_EIO;
		sum = fs_checksum(sum, buf, FS_BLOCK);
	}
	if (sum != h.checksum)
		return FS_ENOENT;
	for (uint32_t i = 0; i < h.count; i++)
		if (h.target[i] < sb->bitmap_start || h.target[i] >= sb->blocks)
			return FS_ENOENT; /* a checksum that matches by chance: replay nothing */
	memcpy(buf, &h, sizeof(h));
	return 0;
}

int fs_journal_replay(const struct fs_dev *dev, const struct fs_super *sb, void *buf)
{
	struct fs_journal_header h;
	int err = fs_journal_read(dev, sb, buf);
	if (err)
		return err == FS_ENOENT ? 0 : err;
	memcpy(&h, buf, sizeof(h));
	for (uint32_t i = 0; i < h.count; i++)
		if (dev->read(dev->ctx, sb->journal_start + 1 + i, 1, buf) ||
		    dev->write(dev->ctx, h.target[i], 1, buf))
			return FS_EIO;
	return dev->flush(dev->ctx) ? FS_EIO : 0;
}
