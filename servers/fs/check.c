/* The checker: walks a file system mounted read-only (so as replay would leave it) from
 * the root and holds every structure against every other: block pointers inside the data
 * area and used once, the bitmap against the blocks reached, link counts against entries,
 * names, sizes, parent links, and free inodes that hold nothing. */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "fs.h"

#define MAX_LINES_PER_KIND 20 /* a wrecked bitmap is one problem, not a million lines */

struct check {
	struct fs *fs;
	fs_report report;
	void *ctx;
	unsigned problems;
	unsigned bitmap_lines;
	uint8_t *seen;      /* a bit per block reached */
	uint32_t *refs;     /* entries naming each inode */
	uint32_t *subdirs;  /* directories in each directory */
	uint8_t *visited;   /* inodes reached from the root */
	uint32_t *queue;    /* directories still to walk */
	uint32_t queued;
};

__attribute__((format(printf, 2, 3))) static void problem(struct check *c, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	va_start(ap, fmt);
	vsnformat(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->problems++;
	c->report(c->ctx, line);
}

static bool bit(const uint8_t *map, uint64_t i)
{
	return map[i / 8] & (1u << (i % 8));
}

/* Block b belongs to inode ino: reports it if outside the data area or already taken. */
static bool claim(struct check *c, uint32_t ino, uint32_t b)
{
	const struct fs_super *sb = &c->fs->sb;
	if (b < sb->data_start || b >= sb->blocks) {
		problem(c, "inode %u: block pointer %u outside the data area", ino, b);
		return false;
	}
	if (bit(c->seen, b)) {
		problem(c, "inode %u: block %u is used twice", ino, b);
		return false;
	}
	c->seen[b / 8] |= (uint8_t)(1u << (b % 8));
	return true;
}

/* What walking one inode's block map found. */
struct walk {
	uint32_t ino;
	uint64_t end_index;    /* file blocks the size covers */
	uint64_t blocks, holes, past;
};

/* Walks one pointer mapping file blocks from first on: level 0 a data block, 1 an
 * indirect block, 2 a double-indirect one. */
static void walk(struct check *c, struct walk *w, uint32_t b, int level, uint64_t first)
{
	uint64_t span = level == 0 ? 1 : level == 1 ? FS_PTRS_PER_BLOCK
						    : (uint64_t)FS_PTRS_PER_BLOCK * FS_PTRS_PER_BLOCK;
	if (!b) {
		if (first < w->end_index)
			w->holes += (first + span < w->end_index ? first + span
								  : w->end_index) - first;
		return;
	}
	if (!claim(c, w->ino, b))
		return;
	w->blocks++;
	if (level == 0) {
		w->past += first >= w->end_index;
		return;
	}
	const uint8_t *data;
	if (fs_read_block(c->fs, b, &data)) {
		problem(c, "inode %u: cannot read block %u", w->ino, b);
		return;
	}
	uint32_t ptrs[FS_PTRS_PER_BLOCK];
	memcpy(ptrs, data, sizeof(ptrs)); /* the cache slot may go while we recurse */
	for (uint32_t s = 0; s < FS_PTRS_PER_BLOCK; s++)
		walk(c, w, ptrs[s], level - 1, first + s * (span / FS_PTRS_PER_BLOCK));
}

static void check_blocks(struct check *c, uint32_t ino, const struct fs_inode *ip, bool dir)
{
	struct walk w = { .ino = ino, .end_index = (ip->size + FS_BLOCK - 1) / FS_BLOCK };
	uint32_t direct[FS_DIRECT], indirect = ip->indirect, dindirect = ip->dindirect;
	uint32_t nblocks = ip->nblocks;
	memcpy(direct, ip->direct, sizeof(direct));
	for (uint32_t i = 0; i < FS_DIRECT; i++)
		walk(c, &w, direct[i], 0, i);
	walk(c, &w, indirect, 1, FS_DIRECT);
	walk(c, &w, dindirect, 2, FS_DIRECT + FS_PTRS_PER_BLOCK);
	if (w.blocks != nblocks)
		problem(c, "inode %u: counts %u blocks but holds %lu", ino, nblocks,
			(unsigned long)w.blocks);
	if (w.past)
		problem(c, "inode %u: %lu data blocks past its size", ino, (unsigned long)w.past);
	if (dir && w.holes)
		problem(c, "directory %u: %lu blocks missing", ino, (unsigned long)w.holes);
}

static void check_inode(struct check *c, uint32_t ino)
{
	const struct fs_inode *ip;
	if (fs_inode_get(c->fs, ino, &ip)) {
		problem(c, "inode %u: cannot read it", ino);
		return;
	}
	struct fs_inode copy = *ip;
	uint32_t kind = copy.mode & FS_S_IFMT;
	if (copy.mode == 0) {
		if (copy.nblocks || copy.size || copy.indirect || copy.dindirect || copy.direct[0])
			problem(c, "inode %u: free but holds blocks or bytes", ino);
		return;
	}
	if ((kind != FS_S_IFDIR && kind != FS_S_IFREG) || (copy.mode & ~(FS_S_IFMT | FS_S_PERM))) {
		problem(c, "inode %u: mode %o is neither a file nor a directory", ino, copy.mode);
		return;
	}
	if (copy.size > FS_FILE_MAX)
		problem(c, "inode %u: size %lu past the largest file", ino, (unsigned long)copy.size);
	if (kind == FS_S_IFDIR && copy.size % FS_BLOCK)
		problem(c, "directory %u: size %lu is not whole blocks", ino,
			(unsigned long)copy.size);
	check_blocks(c, ino, &copy, kind == FS_S_IFDIR);
}

/* A directory's entries: names, targets, and the directories below it queued. */
static void check_dir(struct check *c, uint32_t dir)
{
	const struct fs_super *sb = &c->fs->sb;
	const struct fs_dirent_disk *e;
	for (uint64_t slot = 0;; slot++) {
		int err = fs_dir_next(c->fs, dir, &slot, &e);
		if (err == FS_ENOENT)
			return;
		if (err) {
			problem(c, "directory %u: cannot read its entries", dir);
			return;
		}
		struct fs_dirent_disk entry = *e;
		const struct fs_inode *ip;
		if (fs_name_check(entry.name, entry.name_len))
			problem(c, "directory %u: entry %lu has a bad name", dir, (unsigned long)slot);
		if (entry.ino >= sb->inodes || fs_inode_get(c->fs, entry.ino, &ip) || ip->mode == 0) {
			problem(c, "directory %u: entry %lu names free or missing inode %u", dir,
				(unsigned long)slot, entry.ino);
			continue;
		}
		c->refs[entry.ino]++;
		bool sub = (ip->mode & FS_S_IFMT) == FS_S_IFDIR;
		if (sub) {
			c->subdirs[dir]++;
			if (ip->parent != dir)
				problem(c, "directory %u: its parent link says %u, its entry is in %u",
					entry.ino, ip->parent, dir);
		}
		if (!c->visited[entry.ino]) {
			c->visited[entry.ino] = 1;
			if (sub)
				c->queue[c->queued++] = entry.ino;
		}
	}
}

static void check_links(struct check *c, uint32_t ino)
{
	const struct fs_inode *ip;
	if (fs_inode_get(c->fs, ino, &ip) || ip->mode == 0)
		return;
	bool dir = (ip->mode & FS_S_IFMT) == FS_S_IFDIR;
	if (!c->visited[ino] && fs_is_orphan(ip))
		return; /* unlinked while open, then a crash: the next mount frees it (open.c) */
	if (!c->visited[ino]) {
		problem(c, "inode %u: in use but not reachable from the root", ino);
		return;
	}
	if (dir && c->refs[ino] != (ino != FS_ROOT_INO))
		problem(c, "directory %u: named by %u entries", ino, c->refs[ino]);
	uint32_t want = dir ? 2 + c->subdirs[ino] : c->refs[ino];
	if (ip->nlink != want)
		problem(c, "inode %u: link count %u, should be %u", ino, ip->nlink, want);
}

static void check_bitmap(struct check *c)
{
	const struct fs_super *sb = &c->fs->sb;
	unsigned extra = 0;
	for (uint32_t i = 0; i < sb->bitmap_blocks; i++) {
		const uint8_t *data;
		if (fs_read_block(c->fs, sb->bitmap_start + i, &data)) {
			problem(c, "bitmap block %u: cannot read it", i);
			continue;
		}
		for (uint32_t j = 0; j < FS_BITS_PER_BLOCK; j++) {
			uint64_t b = (uint64_t)i * FS_BITS_PER_BLOCK + j;
			bool inside = b >= sb->data_start && b < sb->blocks;
			/* A whole byte that agrees is passed over at once. */
			if (j % 8 == 0 && (b >= sb->blocks || b + 8 <= sb->data_start ||
					   (inside && b + 8 <= sb->blocks))) {
				uint8_t want = inside ? c->seen[b / 8] : 0xff;
				if (data[j / 8] == want) {
					j += 7;
					continue;
				}
			}
			bool want = !inside || bit(c->seen, b);
			if (bit(data, j) == want)
				continue;
			if (c->bitmap_lines++ < MAX_LINES_PER_KIND)
				problem(c, "block %lu: %s", (unsigned long)b,
					b >= sb->blocks ? "past the volume's end but marked free"
					: want ? "in use but marked free" : "marked in use but unused");
			else
				extra++, c->problems++;
		}
	}
	if (extra)
		problem(c, "and %u more blocks the bitmap has wrong", extra);
}

unsigned fs_check(struct fs *fs, fs_report report, void *ctx)
{
	struct check c = { .fs = fs, .report = report, .ctx = ctx };
	uint32_t n = fs->sb.inodes;
	c.seen = calloc(fs->sb.blocks / 8 + 1, 1);
	c.refs = calloc(n, sizeof(uint32_t));
	c.subdirs = calloc(n, sizeof(uint32_t));
	c.visited = calloc(n, 1);
	c.queue = calloc(n, sizeof(uint32_t));
	if (!c.seen || !c.refs || !c.subdirs || !c.visited || !c.queue) {
		problem(&c, "out of memory for the check");
	} else {
		const struct fs_inode *root;
		if (fs_inode_get(fs, FS_ROOT_INO, &root) || (root->mode & FS_S_IFMT) != FS_S_IFDIR ||
		    root->parent != FS_ROOT_INO)
			problem(&c, "the root (inode 1) is not a directory that is its own parent");
		for (uint32_t ino = 1; ino < n; ino++)
			check_inode(&c, ino);
		c.visited[FS_ROOT_INO] = 1;
		c.queue[c.queued++] = FS_ROOT_INO;
		for (uint32_t i = 0; i < c.queued; i++)
			check_dir(&c, c.queue[i]);
		for (uint32_t ino = 1; ino < n; ino++)
			check_links(&c, ino);
		check_bitmap(&c);
	}
	free(c.seen);
	free(c.refs);
	free(c.subdirs);
	free(c.visited);
	free(c.queue);
	return c.problems;
}
