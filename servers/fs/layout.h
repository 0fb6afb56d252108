/* Vireo's file system on disk (docs/fs.md): 4 KiB blocks, little-endian as RISC-V is.
 *
 *   block 0                    superblock (written by mkfs only, never again)
 *   1 .. FS_JOURNAL_BLOCKS     the journal: a header, then copies of metadata blocks
 *   bitmap_start ..            block bitmap, one bit per block of the volume, 1 = in use
 *   inode_start ..             inode table, FS_INODES_PER_BLOCK inodes per block
 *   data_start .. blocks-1     file data, directory blocks, indirect blocks
 *
 * Inode 0 is never used; inode 1 is the root directory. A free inode has mode 0. A
 * directory is a file of fixed-size entries; a free entry has ino 0. Pure definitions, for
 * the server, the host checker and the unit tests alike. */
#ifndef FS_LAYOUT_H
#define FS_LAYOUT_H

#include <stdint.h>

#define FS_BLOCK 4096u
#define FS_MAGIC "VIREOFS1"
#define FS_VERSION 1
#define FS_JOURNAL_MAX 64 /* metadata blocks one transaction may change */
#define FS_JOURNAL_BLOCKS (1 + FS_JOURNAL_MAX)
#define FS_JOURNAL_MAGIC 0x4c4e524a4f455256ull /* "VREOJRNL" */
#define FS_INODE_SIZE 128u
#define FS_INODES_PER_BLOCK (FS_BLOCK / FS_INODE_SIZE)
#define FS_ROOT_INO 1u
#define FS_DIRECT 10
#define FS_PTRS_PER_BLOCK (FS_BLOCK / 4)
#define FS_BITS_PER_BLOCK (FS_BLOCK * 8)
/* Limits of a volume: the bitmap of the largest fits one transaction with room to spare. */
#define FS_MIN_BLOCKS 256u
#define FS_MAX_BLOCKS (16u * FS_BITS_PER_BLOCK) /* 2 GiB */

struct fs_super {
	char magic[8];
	uint32_t version, block_size;
	uint32_t blocks;        /* of the volume the file system fills */
	uint32_t journal_start, journal_blocks;
	uint32_t bitmap_start, bitmap_blocks;
	uint32_t inode_start, inode_blocks, inodes;
	uint32_t data_start;
	uint32_t reserved;
	uint64_t checksum;      /* fs_checksum of the bytes before it */
};

struct fs_inode {
	uint32_t mode;          /* 0: free; else FS_S_IFDIR or FS_S_IFREG | permissions */
	uint32_t nlink;
	uint32_t uid, gid;
	uint64_t size;
	uint64_t atime_ns, mtime_ns, ctime_ns;
	uint32_t generation;    /* bumped each time the inode is handed out */
	uint32_t nblocks;       /* blocks it holds, data and indirect */
	uint32_t parent;        /* a directory's parent (the root's is itself); 0 for files */
	uint32_t direct[FS_DIRECT];
	uint32_t indirect;      /* a block of FS_PTRS_PER_BLOCK block numbers */
	uint32_t dindirect;     /* a block of numbers of indirect blocks */
	uint8_t reserved[20];
};
_Static_assert(sizeof(struct fs_inode) == FS_INODE_SIZE, "inodes are 128 bytes");

#define FS_DIRENT_NAME 255
struct fs_dirent_disk {
	uint32_t ino;           /* 0: a free slot */
	uint8_t name_len;
	uint8_t reserved[3];
	char name[264];         /* name_len bytes, the rest zero */
};
#define FS_DIRENT_SIZE 272u
#define FS_DIRENTS_PER_BLOCK (FS_BLOCK / FS_DIRENT_SIZE)
_Static_assert(sizeof(struct fs_dirent_disk) == FS_DIRENT_SIZE, "entries are 272 bytes");

/* Block 1: what the last committed transaction changed. Valid when magic matches and the
 * checksum covers the header and its count blocks; otherwise there is nothing to replay. */
struct fs_journal_header {
	uint64_t magic;
	uint64_t sequence;
	uint32_t count;         /* copies that follow, in blocks 2 .. count+1 */
	uint32_t reserved;
	uint64_t checksum;      /* fs_checksum of the header (this field 0) and the copies */
	uint32_t target[FS_JOURNAL_MAX]; /* where each copy belongs */
};
_Static_assert(sizeof(struct fs_journal_header) <= FS_BLOCK, "the header is one block");

/* FNV-1a, 64 bits: torn and stale journals are what it must catch, not adversaries. */
static inline uint64_t fs_checksum(uint64_t h, const void *bytes, uint64_t n)
{
	const uint8_t *p = bytes;
	for (uint64_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}
#define FS_CHECKSUM_SEED 0xcbf29ce484222325ull

#endif
