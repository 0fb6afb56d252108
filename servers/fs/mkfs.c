/* Making a file system and mounting one: the superblock and the counts kept in memory. */
#include <string.h>

#include "fs.h"

static uint64_t super_checksum(const struct fs_super *sb)
{
	return fs_checksum(FS_CHECKSUM_SEED, sb, offsetof(struct fs_super, checksum));
}

/* The layout for a volume of blocks: one inode per 16 KiB, a whole number of blocks. */
static void layout(struct fs_super *sb, uint32_t blocks)
{
	memset(sb, 0, sizeof(*sb));
	memcpy(sb->magic, FS_MAGIC, 8);
	sb->version = FS_VERSION;
	sb->block_size = FS_BLOCK;
	sb->blocks = blocks;
	sb->journal_start = 1;
	sb->journal_blocks = FS_JOURNAL_BLOCKS;
	sb->bitmap_start = sb->journal_start + sb->journal_blocks;
	sb->bitmap_blocks = (blocks + FS_BITS_PER_BLOCK - 1) / FS_BITS_PER_BLOCK;
	sb->inode_start = sb->bitmap_start + sb->bitmap_blocks;
	sb->inode_blocks = (blocks / 4 + FS_INODES_PER_BLOCK - 1) / FS_INODES_PER_BLOCK;
	sb->inodes = sb->inode_blocks * FS_INODES_PER_BLOCK;
	sb->data_start = sb->inode_start + sb->inode_blocks;
	sb->checksum = super_checksum(sb);
}

int fs_super_check(const struct fs_super *sb, uint64_t dev_blocks, const char **why)
{
	struct fs_super expect;
	*why = NULL;
	if (memcmp(sb->magic, FS_MAGIC, 8))
		*why = "no Vireo file system (bad magic)";
	else if (sb->version != FS_VERSION || sb->block_size != FS_BLOCK)
		*why = "an unknown version or block size";
	else if (sb->checksum != super_checksum(sb))
		*why = "the superblock's checksum is wrong";
	else if (sb->blocks < FS_MIN_BLOCKS || sb->blocks > FS_MAX_BLOCKS || sb->blocks > dev_blocks)
		*why = "the superblock's size does not fit the volume";
	if (*why)
		return FS_EINVAL;
	/* Every region follows from the size: anything else is damage. */
	layout(&expect, sb->blocks);
	if (memcmp(&expect, sb, sizeof(expect))) {
		*why = "the superblock's regions are not where its size puts them";
		return FS_EINVAL;
	}
	return 0;
}

static int write_zeroed(const struct fs_dev *dev, uint8_t *buf, uint32_t first, uint32_t count)
{
	memset(buf, 0, FS_BLOCK);
	for (uint32_t i = 0; i < count; i++)
		if (dev->write(dev->ctx, first + i, 1, buf))
			return FS_EIO;
	return 0;
}

/* Bitmap block i: the metadata blocks and the bits past the volume's end are in use. */
static void bitmap_block(const struct fs_super *sb, uint32_t i, uint8_t *buf)
{
	memset(buf, 0, FS_BLOCK);
	for (uint32_t bit = 0; bit < FS_BITS_PER_BLOCK; bit++) {
		uint64_t block = (uint64_t)i * FS_BITS_PER_BLOCK + bit;
		if (block < sb->data_start || block >= sb->blocks)
			buf[bit / 8] |= (uint8_t)(1u << (bit % 8));
	}
}

int fs_mkfs(struct fs *fs, const struct fs_dev *dev, uint64_t (*now_ns)(void))
{
	if (dev->blocks < FS_MIN_BLOCKS)
		return FS_ENOSPC;
	uint32_t blocks = dev->blocks > FS_MAX_BLOCKS ? FS_MAX_BLOCKS : (uint32_t)dev->blocks;
	struct fs_super sb;
	layout(&sb, blocks);
	uint8_t *buf = fs->io;
	/* The superblock goes last: a mkfs cut short leaves no file system, not half of one. */
	int err = write_zeroed(dev, buf, 0, 1);
	if (!err)
		err = write_zeroed(dev, buf, sb.journal_start, 1);
	if (!err)
		err = write_zeroed(dev, buf, sb.inode_start, sb.inode_blocks);
	for (uint32_t i = 0; !err && i < sb.bitmap_blocks; i++) {
		bitmap_block(&sb, i, buf);
		err = dev->write(dev->ctx, sb.bitmap_start + i, 1, buf) ? FS_EIO : 0;
	}
	if (!err) {
		uint64_t now = now_ns();
		struct fs_inode root = { .mode = FS_S_IFDIR | 0755, .nlink = 2, .parent = FS_ROOT_INO,
					 .atime_ns = now, .mtime_ns = now, .ctime_ns = now };
		memset(buf, 0, FS_BLOCK);
		memcpy(buf + FS_ROOT_INO * FS_INODE_SIZE, &root, sizeof(root));
		err = dev->write(dev->ctx, sb.inode_start, 1, buf) ? FS_EIO : 0;
	}
	if (!err)
		err = dev->flush(dev->ctx) ? FS_EIO : 0;
	if (!err) {
		memset(buf, 0, FS_BLOCK);
		memcpy(buf, &sb, sizeof(sb));
		err = dev->write(dev->ctx, 0, 1, buf) || dev->flush(dev->ctx) ? FS_EIO : 0;
	}
	return err;
}

static unsigned ones(uint8_t b)
{
	unsigned n = 0;
	for (; b; b &= (uint8_t)(b - 1))
		n++;
	return n;
}

static int count_free(struct fs *fs)
{
	const uint8_t *data;
	uint64_t used = 0;
	for (uint32_t i = 0; i < fs->sb.bitmap_blocks; i++) {
		int err = fs_read_block(fs, fs->sb.bitmap_start + i, &data);
		if (err)
			return err;
		for (unsigned j = 0; j < FS_BLOCK; j++)
			used += ones(data[j]);
	}
	uint64_t bits = (uint64_t)fs->sb.bitmap_blocks * FS_BITS_PER_BLOCK;
	fs->free_blocks = used > bits ? 0 : (uint32_t)(bits - used);
	fs->free_inodes = 0;
	for (uint32_t ino = 1; ino < fs->sb.inodes; ino++) {
		const struct fs_inode *ip;
		int err = fs_inode_get(fs, ino, &ip);
		if (err)
			return err;
		fs->free_inodes += ip->mode == 0;
		fs->orphans += fs_is_orphan(ip);
		uint64_t t[3] = { ip->atime_ns, ip->mtime_ns, ip->ctime_ns };
		for (int i = 0; i < 3; i++)
			fs->newest_ns = t[i] > fs->newest_ns ? t[i] : fs->newest_ns;
	}
	return 0;
}

int fs_mount(struct fs *fs, const struct fs_dev *dev, bool read_only, uint64_t (*now_ns)(void),
	     const char **why)
{
	memset(fs, 0, offsetof(struct fs, cache));
	for (unsigned i = 0; i < FS_CACHE_BLOCKS; i++) { /* its data need not be cleared */
		struct fs_cached *c = &fs->cache[i];
		c->block = 0;
		c->dirty = false;
		c->used = 0;
		c->orig = NULL;
	}
	fs->dev = *dev;
	fs->now_ns = now_ns;
	fs->read_only = read_only;
	*why = "cannot read the volume";
	if (dev->read(dev->ctx, 0, 1, fs->io))
		return FS_EIO;
	memcpy(&fs->sb, fs->io, sizeof(fs->sb));
	int err = fs_super_check(&fs->sb, dev->blocks, why);
	if (err)
		return err;
	*why = "cannot replay the journal";
	err = fs_journal_read(dev, &fs->sb, fs->io);
	if (err && err != FS_ENOENT)
		return err;
	const struct fs_journal_header *h = (const struct fs_journal_header *)fs->io;
	if (!err) {
		fs->sequence = h->sequence;
		if (read_only) {
			fs->overlay_count = h->count;
			memcpy(fs->overlay, h->target, h->count * sizeof(h->target[0]));
		} else if (fs_journal_replay(dev, &fs->sb, fs->io)) {
			return FS_EIO;
		}
	}
	*why = "cannot read the bitmap and inodes";
	err = count_free(fs);
	if (!err && !read_only) {
		*why = "cannot free the orphans"; /* files unlinked while open, then a crash */
		err = fs_free_orphans(fs);
	}
	if (!err)
		*why = NULL;
	return err;
}
