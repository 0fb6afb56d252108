/* Vireo's file system (layout.h, docs/fs.md) as pure code: no system calls, the disk is
 * reached through struct fs_dev, so that the server, the host checker (tools/fsck) and the
 * unit tests run the same code. Every function returns 0 or a negative FS_E* code
 * (include/vireo/fs_protocol.h).
 *
 * Each operation that changes anything is one transaction: its metadata blocks are changed
 * in the cache only, file data goes to newly allocated blocks, and fs_commit() makes it all
 * durable at once through the journal; on any error fs_abort() drops it, and nothing of it
 * ever reaches the disk. */
#ifndef FS_FS_H
#define FS_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vireo/fs_protocol.h>

#include "layout.h"

struct fs_dev {
	void *ctx;
	uint64_t blocks; /* FS_BLOCK-sized blocks the volume holds */
	/* count blocks between the volume and buf; 0 or FS_EIO. */
	int (*read)(void *ctx, uint64_t block, uint32_t count, void *buf);
	int (*write)(void *ctx, uint64_t block, uint32_t count, const void *buf);
	int (*flush)(void *ctx);
};

/* The cache holds every block the open transaction changed (with its committed contents,
 * for the allocator) and clean blocks read recently. A pointer from
 * fs_read_block() stays valid for the next FS_CACHE_BLOCKS - FS_JOURNAL_MAX - 1 cache calls,
 * and one from fs_modify_block() until the transaction ends. */
#define FS_CACHE_BLOCKS 128
struct fs_cached {
	uint32_t block;      /* 0: an empty slot (block 0 is the superblock, never cached) */
	bool dirty;
	uint64_t used;       /* when it was last asked for */
	uint8_t *orig;       /* dirty: the committed contents (one of fs.orig_pool) */
	uint8_t data[FS_BLOCK];
};

/* A file held open by a client (open.c): node 0 is a free slot. */
#define FS_OPEN_MAX 1024
#define FS_OPEN_PER_HOLDER 256
struct fs_open {
	uint64_t node;
	uint64_t holder; /* the server's name for who holds it (session and guest) */
};

struct fs {
	struct fs_dev dev;
	struct fs_super sb;
	bool read_only;
	uint64_t clock;      /* cache LRU counter */
	unsigned last;       /* the cache slot found last */
	uint64_t sequence;   /* of the last committed transaction */
	uint32_t free_blocks, free_inodes;
	uint64_t newest_ns;  /* the latest time any inode held at mount */
	uint32_t alloc_hint, inode_hint;
	/* Saved when a transaction starts, put back by fs_abort. */
	uint32_t saved_free_blocks, saved_free_inodes;
	unsigned ndirty;
	bool data_written;   /* this transaction wrote file data: flush it before the commit */
	bool home_unflushed; /* the last commit's home writes wait for a flush */
	uint64_t (*now_ns)(void);
	/* read_only: the committed journal's targets, read from journal block 2 + i. */
	unsigned overlay_count;
	uint32_t overlay[FS_JOURNAL_MAX];
	bool orig_used[FS_JOURNAL_MAX];
	uint32_t orphans;       /* inodes in use with no links, counted at mount */
	uint32_t orphans_freed; /* by this mount */
	struct fs_open opens[FS_OPEN_MAX];
	/* The large part, which fs_mount empties without clearing every byte. */
	struct fs_cached cache[FS_CACHE_BLOCKS];
	uint8_t orig_pool[FS_JOURNAL_MAX][FS_BLOCK];
	uint8_t io[FS_BLOCK]; /* scratch for the journal's header and file data */
};

/* mkfs.c */
/* Writes an empty file system over the whole device (dev->blocks, FS_MIN_BLOCKS to
 * FS_MAX_BLOCKS; more are left unused). */
int fs_mkfs(struct fs *fs, const struct fs_dev *dev, uint64_t (*now_ns)(void));
/* Checks the superblock against the device; 0, or FS_EINVAL with *why saying what. */
int fs_super_check(const struct fs_super *sb, uint64_t dev_blocks, const char **why);
/* Reads and checks the superblock, replays the journal, counts free blocks and inodes,
 * and frees the orphans a crash left (open.c). read_only leaves the disk untouched (and the
 * orphans counted, not freed) and reads a committed transaction's blocks from the
 * journal instead of their homes: the file system as replay would leave it, for the
 * checker. FS_EINVAL: no file system here. */
int fs_mount(struct fs *fs, const struct fs_dev *dev, bool read_only, uint64_t (*now_ns)(void),
	     const char **why);

/* journal.c */
int fs_read_block(struct fs *fs, uint32_t block, const uint8_t **data);
/* The block, to change in this transaction. */
int fs_modify_block(struct fs *fs, uint32_t block, uint8_t **data);
/* A block just allocated for metadata: zeroed, in this transaction, nothing read. */
int fs_new_block(struct fs *fs, uint32_t block, uint8_t **data);
/* File data straight to count blocks allocated in this transaction (nothing committed
 * points at them yet). */
int fs_write_data(struct fs *fs, uint32_t block, uint32_t count, const void *data);
/* Whether the block was free when the transaction began (the allocator's second check). */
bool fs_was_free(struct fs *fs, uint32_t block, bool free_now);
void fs_begin(struct fs *fs);
int fs_commit(struct fs *fs);
/* Everything written so far is on the disk. */
int fs_flush(struct fs *fs);
void fs_abort(struct fs *fs);
/* The journal's header if it holds a committed transaction (checksum and all), else
 * FS_ENOENT. buf is FS_BLOCK bytes and holds the header afterwards. */
int fs_journal_read(const struct fs_dev *dev, const struct fs_super *sb, void *buf);
/* Copies each committed journal block to its home and flushes. */
int fs_journal_replay(const struct fs_dev *dev, const struct fs_super *sb, void *buf);

/* inode.c */
int fs_inode_get(struct fs *fs, uint32_t ino, const struct fs_inode **ip);
int fs_inode_modify(struct fs *fs, uint32_t ino, struct fs_inode **ip);
/* The inode a node id names, if it is in use with that generation (FS_ESTALE if freed or
 * reused, FS_ENOENT for an inode number past the table). */
int fs_node_inode(struct fs *fs, uint64_t node, uint32_t *ino, const struct fs_inode **ip);
int fs_inode_alloc(struct fs *fs, uint32_t mode, uint32_t parent, uint32_t *ino);
/* Frees its blocks and the inode (bumping nothing: the next fs_inode_alloc bumps). */
int fs_inode_free(struct fs *fs, uint32_t ino);
int fs_block_alloc(struct fs *fs, uint32_t *block);
int fs_block_free(struct fs *fs, uint32_t block);
/* The block holding byte index*FS_BLOCK of the inode's contents, 0 for a hole. */
int fs_bmap(struct fs *fs, const struct fs_inode *ip, uint64_t index, uint32_t *block);
/* Points the index-th block of inode ino at block (0: a hole), allocating indirect blocks
 * on the way; *old gets what was there. */
int fs_bmap_set(struct fs *fs, uint32_t ino, uint64_t index, uint32_t block, uint32_t *old);
/* Frees every block from index on (and indirect blocks left empty). */
int fs_free_from(struct fs *fs, uint32_t ino, uint64_t index);
void fs_attr(const struct fs *fs, uint32_t ino, const struct fs_inode *ip, struct fs_attr *a);
uint64_t fs_now(struct fs *fs);

/* dir.c */
/* 0 for a name FS_LOOKUP and the rest accept, FS_ENAMETOOLONG or FS_EINVAL. */
int fs_name_check(const char *name, size_t len);
/* *ino 0 with FS_ENOENT when absent; *slot is the entry's index in the directory. */
int fs_dir_find(struct fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino,
		uint64_t *slot);
int fs_dir_add(struct fs *fs, uint32_t dir, const char *name, size_t len, uint32_t ino);
int fs_dir_remove(struct fs *fs, uint32_t dir, uint64_t slot);
/* Points an existing entry at another inode (rename over a name). */
int fs_dir_replace(struct fs *fs, uint32_t dir, uint64_t slot, uint32_t ino);
int fs_dir_empty(struct fs *fs, uint32_t dir, bool *empty);
/* The entry at slot or after it: *slot moves to it; FS_ENOENT past the end. */
int fs_dir_next(struct fs *fs, uint32_t dir, uint64_t *slot, const struct fs_dirent_disk **e);

/* file.c */
int fs_file_read(struct fs *fs, uint32_t ino, uint64_t off, void *buf, uint32_t len,
		 uint32_t *done);
int fs_file_write(struct fs *fs, uint32_t ino, uint64_t off, const void *buf, uint32_t len);
int fs_file_truncate(struct fs *fs, uint32_t ino, uint64_t size);

/* ops.c: the protocol's operations, each a whole transaction. */
int fs_op_lookup(struct fs *fs, uint64_t parent, const char *name, size_t len,
		 struct fs_attr *a);
int fs_op_getattr(struct fs *fs, uint64_t node, struct fs_attr *a);
int fs_op_setattr(struct fs *fs, uint64_t node, const struct fs_setattr *s, struct fs_attr *a);
int fs_op_open(struct fs *fs, uint64_t node, bool dir);
int fs_op_read(struct fs *fs, uint64_t node, uint64_t off, void *buf, uint32_t len,
	       uint32_t *done);
int fs_op_write(struct fs *fs, uint64_t node, uint64_t off, const void *buf, uint32_t len,
		struct fs_attr *a);
/* Packs entries from cookie on into buf (up to len bytes); *used bytes. */
int fs_op_readdir(struct fs *fs, uint64_t node, uint64_t cookie, void *buf, uint32_t len,
		  uint32_t *used);
int fs_op_create(struct fs *fs, uint64_t parent, const char *name, size_t len, uint32_t mode,
		 bool dir, struct fs_attr *a);
int fs_op_remove(struct fs *fs, uint64_t parent, const char *name, size_t len, bool dir);
int fs_op_rename(struct fs *fs, uint64_t oldparent, const char *oldname, size_t oldlen,
		 uint64_t newparent, const char *newname, size_t newlen, uint32_t flags);
int fs_op_sync(struct fs *fs);
void fs_op_statfs(struct fs *fs, struct fs_statfs *st);

/* open.c: files held open, and orphans. A holder is any number the server gives a
 * client; release_all lets go of every handle whose holder matches under mask. */
static inline bool fs_is_orphan(const struct fs_inode *ip)
{
	return ip->mode && !ip->nlink && (ip->mode & FS_S_IFMT) == FS_S_IFREG;
}
bool fs_is_held(const struct fs *fs, uint64_t node);
/* Holds file node open: *handle (1..FS_OPEN_MAX) names it for fs_op_release. FS_ENFILE
 * when the table, or the holder's share of it, is full. */
int fs_op_hold(struct fs *fs, uint64_t node, uint64_t holder, uint32_t *handle);
/* FS_EBADF unless handle is holder's, of node. Frees an orphan nobody holds any more. */
int fs_op_release(struct fs *fs, uint32_t handle, uint64_t node, uint64_t holder);
int fs_op_release_all(struct fs *fs, uint64_t holder, uint64_t mask);
/* Frees every orphan, each in a transaction of its own (fs->orphans of them). */
int fs_free_orphans(struct fs *fs);

/* check.c: the checker (tools/fsck), over a file system mounted read-only. */
typedef void (*fs_report)(void *ctx, const char *line);
/* Reports each inconsistency in one line; returns how many there were. */
unsigned fs_check(struct fs *fs, fs_report report, void *ctx);

#endif
