/* Inodes, the block bitmap and the block map (10 direct pointers, one indirect block, one
 * double-indirect block). Every pointer read from the disk is checked before it is used:
 * a damaged one gives FS_EIO, never an access outside the data region. */
#include <string.h>

#include "fs.h"

uint64_t fs_now(struct fs *fs)
{
	return fs->now_ns ? fs->now_ns() : 0;
}

static bool data_block(const struct fs *fs, uint32_t b)
{
	return b >= fs->sb.data_start && b < fs->sb.blocks;
}

static int inode_block(struct fs *fs, uint32_t ino, uint32_t *block, uint32_t *offset)
{
	if (ino == 0 || ino >= fs->sb.inodes)
		return FS_ENOENT;
	*block = fs->sb.inode_start + ino / FS_INODES_PER_BLOCK;
	*offset = (ino % FS_INODES_PER_BLOCK) * FS_INODE_SIZE;
	return 0;
}

int fs_inode_get(struct fs *fs, uint32_t ino, const struct fs_inode **ip)
{
	uint32_t block, offset;
	const uint8_t *data;
	int err = inode_block(fs, ino, &block, &offset);
	if (!err)
		err = fs_read_block(fs, block, &data);
	if (!err)
		*ip = (const struct fs_inode *)(data + offset);
	return err;
}

int fs_inode_modify(struct fs *fs, uint32_t ino, struct fs_inode **ip)
{
	uint32_t block, offset;
	uint8_t *data;
	int err = inode_block(fs, ino, &block, &offset);
	if (!err)
		err = fs_modify_block(fs, block, &data);
	if (!err)
		*ip = (struct fs_inode *)(data + offset);
	return err;
}

int fs_node_inode(struct fs *fs, uint64_t node, uint32_t *ino, const struct fs_inode **ip)
{
	*ino = fs_node_ino(node);
	int err = fs_inode_get(fs, *ino, ip);
	if (err)
		return err;
	if ((*ip)->mode == 0 || (*ip)->generation != fs_node_gen(node))
		return FS_ESTALE;
	return 0;
}

int fs_inode_alloc(struct fs *fs, uint32_t mode, uint32_t parent, uint32_t *ino)
{
	if (fs->free_inodes == 0)
		return FS_ENOSPC;
	for (uint32_t n = 0; n + 1 < fs->sb.inodes; n++) {
		uint32_t i = 1 + (fs->inode_hint + n) % (fs->sb.inodes - 1);
		const struct fs_inode *ip;
		int err = fs_inode_get(fs, i, &ip);
		if (err)
			return err;
		if (ip->mode)
			continue;
		struct fs_inode *w;
		err = fs_inode_modify(fs, i, &w);
		if (err)
			return err;
		uint32_t generation = w->generation + 1;
		uint64_t now = fs_now(fs);
		*w = (struct fs_inode){ .mode = mode, .nlink = (mode & FS_S_IFMT) == FS_S_IFDIR ? 2 : 1,
					.parent = parent, .generation = generation, .atime_ns = now,
					.mtime_ns = now, .ctime_ns = now };
		fs->free_inodes--;
		fs->inode_hint = i;
		*ino = i;
		return 0;
	}
	return FS_ENOSPC;
}

int fs_inode_free(struct fs *fs, uint32_t ino)
{
	struct fs_inode *w;
	int err = fs_free_from(fs, ino, 0);
	if (!err)
		err = fs_inode_modify(fs, ino, &w);
	if (err)
		return err;
	uint32_t generation = w->generation; /* kept, so that old node ids stay stale */
	memset(w, 0, sizeof(*w));
	w->generation = generation;
	fs->free_inodes++;
	return 0;
}

static int bitmap_bit(struct fs *fs, uint32_t block, bool modify, uint8_t **byte, uint8_t *mask)
{
	uint32_t bm = fs->sb.bitmap_start + block / FS_BITS_PER_BLOCK;
	uint32_t bit = block % FS_BITS_PER_BLOCK;
	uint8_t *data;
	int err = modify ? fs_modify_block(fs, bm, &data)
			 : fs_read_block(fs, bm, (const uint8_t **)&data);
	if (!err) {
		*byte = &data[bit / 8];
		*mask = (uint8_t)(1u << (bit % 8));
	}
	return err;
}

/* First fit from the last allocation on, skipping blocks this transaction freed: their
 * old contents must stay where a crash before the commit would look for them. */
int fs_block_alloc(struct fs *fs, uint32_t *block)
{
	uint32_t span = fs->sb.blocks - fs->sb.data_start;
	if (fs->free_blocks == 0)
		return FS_ENOSPC;
	for (uint32_t n = 0; n < span; n++) {
		uint32_t b = fs->sb.data_start + (fs->alloc_hint + n) % span;
		uint8_t *byte, mask;
		int err = bitmap_bit(fs, b, false, &byte, &mask);
		if (err)
			return err;
		if (*byte == 0xff) { /* on to the next byte's first block, or to the wrap */
			uint32_t to_byte_end = 7 - b % 8, to_wrap = fs->sb.blocks - 1 - b;
			n += to_byte_end < to_wrap ? to_byte_end : to_wrap;
			continue;
		}
		if ((*byte & mask) || !fs_was_free(fs, b, true))
			continue;
		err = bitmap_bit(fs, b, true, &byte, &mask);
		if (err)
			return err;
		*byte |= mask;
		fs->free_blocks--;
		fs->alloc_hint = b - fs->sb.data_start + 1;
		*block = b;
		return 0;
	}
	return FS_ENOSPC;
}

int fs_block_free(struct fs *fs, uint32_t block)
{
	uint8_t *byte, mask;
	if (!data_block(fs, block))
		return FS_EIO;
	int err = bitmap_bit(fs, block, true, &byte, &mask);
	if (err)
		return err;
	if (!(*byte & mask))
		return FS_EIO; /* freeing a free block: the map and the bitmap disagree */
	*byte &= (uint8_t)~mask;
	fs->free_blocks++;
	return 0;
}

/* Which pointer slots lead to block index: level 0 direct, 1 indirect, 2 double. */
struct path {
	int level;
	uint32_t slot[2];
};

static int path_of(uint64_t index, struct path *p)
{
	if (index < FS_DIRECT) {
		*p = (struct path){ 0, { (uint32_t)index, 0 } };
		return 0;
	}
	index -= FS_DIRECT;
	if (index < FS_PTRS_PER_BLOCK) {
		*p = (struct path){ 1, { (uint32_t)index, 0 } };
		return 0;
	}
	index -= FS_PTRS_PER_BLOCK;
	if (index < (uint64_t)FS_PTRS_PER_BLOCK * FS_PTRS_PER_BLOCK) {
		*p = (struct path){ 2, { (uint32_t)(index / FS_PTRS_PER_BLOCK),
					 (uint32_t)(index % FS_PTRS_PER_BLOCK) } };
		return 0;
	}
	return FS_EFBIG;
}

static int read_ptr(struct fs *fs, uint32_t block, uint32_t slot, uint32_t *out)
{
	const uint8_t *data;
	if (!data_block(fs, block))
		return FS_EIO;
	int err = fs_read_block(fs, block, &data);
	if (!err)
		memcpy(out, data + slot * 4, 4);
	if (!err && *out && !data_block(fs, *out))
		err = FS_EIO;
	return err;
}

int fs_bmap(struct fs *fs, const struct fs_inode *ip, uint64_t index, uint32_t *block)
{
	struct path p;
	int err = path_of(index, &p);
	if (err)
		return err;
	uint32_t b = p.level == 0 ? ip->direct[p.slot[0]] : p.level == 1 ? ip->indirect
									  : ip->dindirect;
	if (b && !data_block(fs, b))
		return FS_EIO;
	for (int i = 0; i < p.level && b && !err; i++)
		err = read_ptr(fs, b, p.slot[i], &b);
	*block = err ? 0 : b;
	return err;
}

/* The pointer slot at *where (in an inode or an indirect block) points at an indirect
 * block, made if missing when create; *next is it (0 if missing and not create). */
static int step(struct fs *fs, uint32_t ino, uint32_t *where_block, uint32_t *where_slot,
		bool create, uint32_t *next)
{
	int err;
	if (*where_block == 0) { /* the slot is the inode's indirect or dindirect field */
		struct fs_inode *w;
		if ((err = fs_inode_modify(fs, ino, &w)))
			return err;
		uint32_t *field = *where_slot ? &w->dindirect : &w->indirect;
		if (!*field && create) {
			uint8_t *data;
			if ((err = fs_block_alloc(fs, field)) ||
			    (err = fs_new_block(fs, *field, &data)))
				return err;
			if ((err = fs_inode_modify(fs, ino, &w)))
				return err;
			w->nblocks++;
		}
		*next = *field;
	} else {
		uint32_t nb = 0;
		if ((err = read_ptr(fs, *where_block, *where_slot, &nb)))
			return err;
		if (!nb && create) {
			uint8_t *data, *parent;
			struct fs_inode *w;
			if ((err = fs_block_alloc(fs, &nb)) || (err = fs_new_block(fs, nb, &data)) ||
			    (err = fs_modify_block(fs, *where_block, &parent)) ||
			    (err = fs_inode_modify(fs, ino, &w)))
				return err;
			memcpy(parent + *where_slot * 4, &nb, 4);
			w->nblocks++;
		}
		*next = nb;
	}
	if (*next && !data_block(fs, *next))
		return FS_EIO;
	return 0;
}

int fs_bmap_set(struct fs *fs, uint32_t ino, uint64_t index, uint32_t block, uint32_t *old)
{
	struct path p;
	struct fs_inode *w;
	int err = path_of(index, &p);
	if (err)
		return err;
	if (p.level == 0) {
		if ((err = fs_inode_modify(fs, ino, &w)))
			return err;
		*old = w->direct[p.slot[0]];
		w->direct[p.slot[0]] = block;
		return 0;
	}
	/* Walk down, making the indirect blocks a new pointer needs. */
	uint32_t where_block = 0, where_slot = p.level == 2, cur;
	if ((err = step(fs, ino, &where_block, &where_slot, block != 0, &cur)))
		return err;
	for (int i = 0; i < p.level - 1 && cur; i++) {
		where_block = cur;
		where_slot = p.slot[i];
		if ((err = step(fs, ino, &where_block, &where_slot, block != 0, &cur)))
			return err;
	}
	*old = 0;
	if (!cur)
		return 0; /* a hole stays a hole */
	uint8_t *data;
	uint32_t slot = p.slot[p.level - 1];
	if ((err = read_ptr(fs, cur, slot, old)) || (err = fs_modify_block(fs, cur, &data)))
		return err;
	memcpy(data + slot * 4, &block, 4);
	return 0;
}

static bool all_zero(const uint8_t *data)
{
	for (unsigned i = 0; i < FS_BLOCK; i++)
		if (data[i])
			return false;
	return true;
}

/* Frees what an indirect block maps from index from (counted inside its subtree) on: at
 * level 1 its slots are data blocks, at level 2 indirect blocks. The block itself goes too
 * when nothing is left in it (*gone). */
static int free_tree(struct fs *fs, uint32_t block, int level, uint64_t from, bool *gone,
		     uint32_t *freed)
{
	uint64_t child_span = level == 2 ? FS_PTRS_PER_BLOCK : 1;
	int err;
	*gone = false;
	for (uint32_t s = 0; s < FS_PTRS_PER_BLOCK; s++) {
		uint64_t start = s * child_span;
		uint32_t child;
		if (start + child_span <= from)
			continue; /* wholly before the cut: kept */
		if ((err = read_ptr(fs, block, s, &child)))
			return err;
		if (!child)
			continue;
		bool child_gone = true;
		if (level == 2)
			err = free_tree(fs, child, 1, from > start ? from - start : 0, &child_gone,
					freed);
		else
			err = fs_block_free(fs, child), ++*freed;
		if (err)
			return err;
		if (child_gone && from) { /* this block stays: clear its pointer */
			uint8_t *w;
			if ((err = fs_modify_block(fs, block, &w)))
				return err;
			memset(w + s * 4, 0, 4);
		}
	}
	if (from) {
		const uint8_t *data;
		if ((err = fs_read_block(fs, block, &data)))
			return err;
		if (!all_zero(data))
			return 0;
	}
	*gone = true;
	++*freed;
	return fs_block_free(fs, block);
}

int fs_free_from(struct fs *fs, uint32_t ino, uint64_t index)
{
	struct fs_inode *w; /* its block is in the transaction, so the pointer stays good */
	uint32_t freed = 0;
	bool gone;
	int err = fs_inode_modify(fs, ino, &w);
	for (uint64_t i = index; !err && i < FS_DIRECT; i++) {
		if (w->direct[i]) {
			err = fs_block_free(fs, w->direct[i]);
			w->direct[i] = 0;
			freed++;
		}
	}
	uint64_t from = index > FS_DIRECT ? index - FS_DIRECT : 0;
	if (!err && w->indirect && from < FS_PTRS_PER_BLOCK &&
	    !(err = free_tree(fs, w->indirect, 1, from, &gone, &freed)) && gone)
		w->indirect = 0;
	from = from > FS_PTRS_PER_BLOCK ? from - FS_PTRS_PER_BLOCK : 0;
	if (!err && w->dindirect && !(err = free_tree(fs, w->dindirect, 2, from, &gone, &freed)) &&
	    gone)
		w->dindirect = 0;
	if (!err)
		w->nblocks = w->nblocks >= freed ? w->nblocks - freed : 0;
	return err;
}

void fs_attr(const struct fs *fs, uint32_t ino, const struct fs_inode *ip, struct fs_attr *a)
{
	*a = (struct fs_attr){ .ino = fs_node_id(ino, ip->generation), .size = ip->size,
			       .blocks = (uint64_t)ip->nblocks * (FS_BLOCK / 512),
			       .atime_ns = ip->atime_ns, .mtime_ns = ip->mtime_ns,
			       .ctime_ns = ip->ctime_ns, .mode = ip->mode, .nlink = ip->nlink,
			       .uid = ip->uid, .gid = ip->gid, .generation = ip->generation,
			       .blksize = FS_BLOCK };
	(void)fs;
}
