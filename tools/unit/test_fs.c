/* Vireo's file system (servers/fs): mkfs and mount, the operations, full disks, a checker
 * that finds damage, and the journal cut after every block written, which must replay to
 * a file system that is whole and shows each operation done or not done, never half. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fs.h"

/* A volume in memory that can log every write, to cut the log anywhere afterwards. */
struct mem {
	uint8_t *bytes;
	uint64_t blocks;
	bool logging;
	size_t nlog;
	struct { uint64_t block; uint8_t data[FS_BLOCK]; } *log;
	size_t log_cap;
};

static int mem_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	struct mem *m = ctx;
	if (block + count > m->blocks)
		return FS_EIO;
	memcpy(buf, m->bytes + block * FS_BLOCK, (size_t)count * FS_BLOCK);
	return 0;
}

static int mem_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
	struct mem *m = ctx;
	if (block + count > m->blocks)
		return FS_EIO;
	for (uint32_t i = 0; m->logging && i < count; i++) {
		if (m->nlog == m->log_cap) {
			m->log_cap = m->log_cap ? m->log_cap * 2 : 64;
			m->log = realloc(m->log, m->log_cap * sizeof(*m->log));
		}
		m->log[m->nlog].block = block + i;
		memcpy(m->log[m->nlog++].data, (const uint8_t *)buf + (size_t)i * FS_BLOCK, FS_BLOCK);
	}
	memcpy(m->bytes + block * FS_BLOCK, buf, (size_t)count * FS_BLOCK);
	return 0;
}

static int mem_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

static uint64_t fake_clock;
static uint64_t now(void)
{
	return fake_clock += 1000;
}

static struct fs fs; /* big: the cache */

static struct fs_dev dev_of(struct mem *m)
{
	return (struct fs_dev){ m, m->blocks, mem_read, mem_write, mem_flush };
}

static void mem_init(struct mem *m, uint64_t blocks)
{
	memset(m, 0, sizeof(*m));
	m->blocks = blocks;
	m->bytes = calloc(blocks, FS_BLOCK);
	assert_non_null(m->bytes);
}

static void mem_free(struct mem *m)
{
	free(m->bytes);
	free(m->log);
}

static void mount(struct mem *m, bool read_only)
{
	const char *why;
	struct fs_dev d = dev_of(m);
	int err = fs_mount(&fs, &d, read_only, now, &why);
	if (err)
		fail_msg("mount: %s", why);
}

static void mkfs_mount(struct mem *m, uint64_t blocks)
{
	mem_init(m, blocks);
	struct fs_dev d = dev_of(m);
	assert_int_equal(fs_mkfs(&fs, &d, now), 0);
	mount(m, false);
}

static char reports[4096];
static void collect(void *ctx, const char *line)
{
	(void)ctx;
	strncat(reports, line, sizeof(reports) - strlen(reports) - 2);
	strcat(reports, "\n");
}

static unsigned check(void)
{
	reports[0] = '\0';
	return fs_check(&fs, collect, NULL);
}

static void assert_clean(void)
{
	if (check())
		fail_msg("the checker found:\n%s", reports);
}

static uint64_t make(uint64_t parent, const char *name, bool dir)
{
	struct fs_attr a;
	assert_int_equal(fs_op_create(&fs, parent, name, strlen(name), 0644, dir, &a), 0);
	return a.ino;
}

static uint64_t lookup(uint64_t parent, const char *name)
{
	struct fs_attr a;
	int err = fs_op_lookup(&fs, parent, name, strlen(name), &a);
	return err ? 0 : a.ino;
}

static void put(uint64_t node, uint64_t off, const void *data, uint32_t len)
{
	struct fs_attr a;
	assert_int_equal(fs_op_write(&fs, node, off, data, len, &a), 0);
}

static uint32_t get(uint64_t node, uint64_t off, void *buf, uint32_t len)
{
	uint32_t done;
	assert_int_equal(fs_op_read(&fs, node, off, buf, len, &done), 0);
	return done;
}

static void test_mkfs_mounts_clean_and_empty(void **state)
{
	(void)state;
	struct mem m;
	struct fs_statfs st;
	uint8_t buf[512];
	uint32_t used;
	mkfs_mount(&m, 1024);
	assert_clean();
	fs_op_statfs(&fs, &st);
	assert_int_equal(st.blocks + fs.sb.data_start, 1024);
	assert_int_equal(st.free_blocks, st.blocks);
	assert_int_equal(st.files, fs.sb.inodes - 1);
	assert_int_equal(st.free_files, st.files - 1);
	/* Only "." and "..", both the root. */
	assert_int_equal(fs_op_readdir(&fs, FS_ROOT_NODE, 0, buf, sizeof(buf), &used), 0);
	assert_int_equal(used, 2 * fs_dirent_size(1));
	struct fs_dirent e;
	memcpy(&e, buf, sizeof(e));
	assert_int_equal(e.node, FS_ROOT_NODE);
	assert_int_equal(e.name_len, 1);
	assert_memory_equal(buf + sizeof(e), ".", 1);
	memcpy(&e, buf + fs_dirent_size(1), sizeof(e));
	assert_int_equal(e.node, FS_ROOT_NODE);
	assert_int_equal(e.name_len, 2);
	assert_int_equal(e.type, FS_S_IFDIR);
	assert_int_equal(fs_op_readdir(&fs, FS_ROOT_NODE, e.cookie, buf, sizeof(buf), &used), 0);
	assert_int_equal(used, 0);
	/* Not a file system: a zeroed volume, or one too small. */
	struct mem z;
	const char *why;
	mem_init(&z, 1024);
	struct fs_dev d = dev_of(&z);
	assert_int_equal(fs_mount(&fs, &d, false, now, &why), FS_EINVAL);
	assert_non_null(strstr(why, "magic"));
	d.blocks = FS_MIN_BLOCKS - 1;
	assert_int_equal(fs_mkfs(&fs, &d, now), FS_ENOSPC);
	mem_free(&z);
	mem_free(&m);
}

static void test_files_and_directories(void **state)
{
	(void)state;
	struct mem m;
	struct fs_attr a;
	char buf[9000], big[9000];
	mkfs_mount(&m, 2048);
	uint64_t dir = make(FS_ROOT_NODE, "docs", true);
	uint64_t f = make(dir, "note", false);
	assert_int_equal(fs_op_create(&fs, dir, "note", 4, 0644, false, &a), FS_EEXIST);
	put(f, 0, "hello", 5);
	assert_int_equal(get(f, 0, buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "hello", 5);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	put(f, 3, big, sizeof(big)); /* across three blocks, not aligned */
	assert_int_equal(get(f, 0, buf, sizeof(buf)), sizeof(buf));
	assert_memory_equal(buf, "hel", 3);
	assert_memory_equal(buf + 3, big, sizeof(buf) - 3);
	assert_int_equal(fs_op_getattr(&fs, f, &a), 0);
	assert_int_equal(a.size, 3 + sizeof(big));
	assert_int_equal(a.blocks, 3 * 8);
	assert_int_equal(a.nlink, 1);
	assert_clean();

	/* Truncate down keeps the front and zeroes the rest of the last block; up adds zeros. */
	struct fs_setattr s = { .valid = FS_SET_SIZE, .size = 4097 };
	assert_int_equal(fs_op_setattr(&fs, f, &s, &a), 0);
	assert_int_equal(a.size, 4097);
	assert_int_equal(a.blocks, 2 * 8);
	s.size = 6000;
	assert_int_equal(fs_op_setattr(&fs, f, &s, &a), 0);
	assert_int_equal(get(f, 4090, buf, 100), 100);
	assert_memory_equal(buf, big + 4087, 7);
	for (int i = 7; i < 100; i++)
		assert_int_equal(buf[i], 0);
	s = (struct fs_setattr){ .valid = FS_SET_MODE | FS_SET_MTIME, .mode = 0600, .mtime_ns = 42 };
	assert_int_equal(fs_op_setattr(&fs, f, &s, &a), 0);
	assert_int_equal(a.mode, FS_S_IFREG | 0600);
	assert_int_equal(a.mtime_ns, 42);
	s = (struct fs_setattr){ .valid = FS_SET_SIZE };
	assert_int_equal(fs_op_setattr(&fs, dir, &s, &a), FS_EISDIR);
	assert_clean();

	/* Renames: within a directory, across, over a file, and refusals. */
	assert_int_equal(fs_op_rename(&fs, dir, "note", 4, FS_ROOT_NODE, "moved", 5, 0), 0);
	assert_int_equal(lookup(dir, "note"), 0);
	assert_int_equal(lookup(FS_ROOT_NODE, "moved"), f);
	uint64_t g = make(FS_ROOT_NODE, "other", false);
	assert_int_equal(fs_op_rename(&fs, FS_ROOT_NODE, "other", 5, FS_ROOT_NODE, "moved", 5,
				      FS_RENAME_NOREPLACE), FS_EEXIST);
	assert_int_equal(fs_op_rename(&fs, FS_ROOT_NODE, "other", 5, FS_ROOT_NODE, "moved", 5, 0), 0);
	assert_int_equal(lookup(FS_ROOT_NODE, "moved"), g);
	assert_int_equal(fs_op_getattr(&fs, f, &a), FS_ESTALE); /* replaced, so freed */
	uint64_t sub = make(dir, "sub", true);
	assert_int_equal(fs_op_rename(&fs, FS_ROOT_NODE, "docs", 4, sub, "loop", 4, 0), FS_EINVAL);
	assert_int_equal(fs_op_rename(&fs, FS_ROOT_NODE, "moved", 5, dir, "sub", 3, 0), FS_EISDIR);
	assert_int_equal(fs_op_rename(&fs, dir, "sub", 3, FS_ROOT_NODE, "moved", 5, 0), FS_ENOTDIR);
	assert_int_equal(fs_op_rename(&fs, dir, "sub", 3, FS_ROOT_NODE, "sub", 3, 0), 0);
	assert_int_equal(fs_op_getattr(&fs, FS_ROOT_NODE, &a), 0);
	assert_int_equal(a.nlink, 4); /* docs and sub */
	assert_clean();

	/* Removal. */
	make(dir, "inner", false);
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "docs", 4, true), FS_ENOTEMPTY);
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "docs", 4, false), FS_EISDIR);
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "moved", 5, true), FS_ENOTDIR);
	assert_int_equal(fs_op_remove(&fs, dir, "inner", 5, false), 0);
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "docs", 4, true), 0);
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "moved", 5, false), 0);
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "moved", 5, false), FS_ENOENT);
	assert_int_equal(fs_op_getattr(&fs, dir, &a), FS_ESTALE);
	assert_clean();

	/* Everything is on the disk: a new mount sees the same. */
	mount(&m, false);
	assert_int_equal(lookup(FS_ROOT_NODE, "sub"), sub);
	assert_int_equal(lookup(FS_ROOT_NODE, "docs"), 0);
	assert_clean();
	mem_free(&m);
}

static void test_names_and_nodes_are_checked(void **state)
{
	(void)state;
	struct mem m;
	struct fs_attr a;
	char name[300];
	mkfs_mount(&m, 512);
	memset(name, 'n', sizeof(name));
	assert_int_equal(fs_op_create(&fs, FS_ROOT_NODE, name, 256, 0644, false, &a),
			 FS_ENAMETOOLONG);
	assert_int_equal(fs_op_create(&fs, FS_ROOT_NODE, name, 255, 0644, false, &a), 0);
	assert_int_equal(fs_op_create(&fs, FS_ROOT_NODE, "a/b", 3, 0644, false, &a), FS_EINVAL);
	assert_int_equal(fs_op_create(&fs, FS_ROOT_NODE, "a\0b", 3, 0644, false, &a), FS_EINVAL);
	assert_int_equal(fs_op_create(&fs, FS_ROOT_NODE, ".", 1, 0644, false, &a), FS_EINVAL);
	assert_int_equal(fs_op_create(&fs, FS_ROOT_NODE, "..", 2, 0644, true, &a), FS_EINVAL);
	assert_int_equal(fs_op_create(&fs, FS_ROOT_NODE, "", 0, 0644, false, &a), FS_EINVAL);
	assert_int_equal(fs_op_lookup(&fs, FS_ROOT_NODE, "..", 2, &a), FS_EINVAL);
	uint64_t f = make(FS_ROOT_NODE, "f", false);
	assert_int_equal(fs_op_create(&fs, f, "x", 1, 0644, false, &a), FS_ENOTDIR);
	assert_int_equal(fs_op_getattr(&fs, fs_node_id(fs.sb.inodes, 0), &a), FS_ENOENT);
	assert_int_equal(fs_op_getattr(&fs, 0, &a), FS_ENOENT);
	assert_int_equal(fs_op_getattr(&fs, fs_node_id(fs.sb.inodes - 1, 0), &a), FS_ESTALE);
	assert_int_equal(fs_op_open(&fs, f, true), FS_ENOTDIR);
	assert_int_equal(fs_op_open(&fs, FS_ROOT_NODE, false), FS_EISDIR);
	/* An id kept past an unlink does not reach the file made in the same inode next. */
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "f", 1, false), 0);
	fs.inode_hint = fs_node_ino(f) - 1;
	uint64_t again = make(FS_ROOT_NODE, "g", false);
	assert_int_equal(fs_node_ino(again), fs_node_ino(f));
	assert_int_equal(fs_op_getattr(&fs, f, &a), FS_ESTALE);
	put(again, 0, "x", 1);
	assert_int_equal(fs_op_write(&fs, f, 0, "y", 1, &a), FS_ESTALE);
	/* Past the largest file. */
	assert_int_equal(fs_op_write(&fs, again, FS_FILE_MAX, "y", 1, &a), FS_EFBIG);
	assert_int_equal(fs_op_write(&fs, again, UINT64_MAX, "y", 1, &a), FS_EFBIG);
	struct fs_setattr s = { .valid = FS_SET_SIZE, .size = FS_FILE_MAX + 1 };
	assert_int_equal(fs_op_setattr(&fs, again, &s, &a), FS_EFBIG);
	assert_clean();
	mem_free(&m);
}

static void test_big_sparse_file_and_readdir(void **state)
{
	(void)state;
	struct mem m;
	uint8_t buf[FS_IO_MAX];
	struct fs_attr a;
	mkfs_mount(&m, 8192);
	uint64_t f = make(FS_ROOT_NODE, "sparse", false);
	memset(buf, 0x5a, sizeof(buf));
	put(f, 20ull << 20, buf, sizeof(buf)); /* through the double-indirect block */
	put(f, 2ull << 20, buf, 100);           /* and the indirect one */
	assert_int_equal(fs_op_getattr(&fs, f, &a), 0);
	assert_int_equal(a.size, (20ull << 20) + sizeof(buf));
	assert_int_equal(get(f, (20ull << 20) - 10, buf, 20), 20);
	for (int i = 0; i < 10; i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(buf[10], 0x5a);
	assert_clean();
	struct fs_setattr s = { .valid = FS_SET_SIZE, .size = (2ull << 20) + 50 };
	assert_int_equal(fs_op_setattr(&fs, f, &s, &a), 0);
	assert_int_equal(a.blocks, 2 * 8); /* one data block and the indirect one */
	assert_clean();
	s.size = 0;
	assert_int_equal(fs_op_setattr(&fs, f, &s, &a), 0);
	assert_int_equal(a.blocks, 0);
	assert_clean();

	/* 40 names: three directory blocks, listed in pieces by cookie. */
	char name[16];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "file%02d", i);
		make(FS_ROOT_NODE, name, false);
	}
	int seen = 0;
	uint64_t cookie = 0;
	for (;;) {
		uint32_t used;
		assert_int_equal(fs_op_readdir(&fs, FS_ROOT_NODE, cookie, buf, 200, &used), 0);
		if (!used)
			break;
		for (uint32_t off = 0; off < used;) {
			struct fs_dirent d;
			memcpy(&d, buf + off, sizeof(d));
			seen++;
			cookie = d.cookie;
			off += (uint32_t)fs_dirent_size(d.name_len);
		}
	}
	assert_int_equal(seen, 43); /* with "." and ".." */
	assert_clean();
	mem_free(&m);
}

/* A directory lists "." as itself and ".." as its parent, by node id, one entry at a time
 * when only one fits, and its entries after them. */
static void test_readdir_dot_and_dotdot(void **state)
{
	(void)state;
	struct mem m;
	uint8_t buf[32]; /* one short entry */
	mkfs_mount(&m, 1024);
	uint64_t a = make(FS_ROOT_NODE, "a", true);
	uint64_t b = make(a, "b", true);
	uint64_t f = make(b, "f", false);
	const uint64_t want[] = { b, a, f };
	const char *names[] = { ".", "..", "f" };
	uint64_t cookie = 0;
	for (int i = 0; i < 3; i++) {
		uint32_t used;
		struct fs_dirent d;
		assert_int_equal(fs_op_readdir(&fs, b, cookie, buf, sizeof(buf), &used), 0);
		assert_int_equal(used, fs_dirent_size(strlen(names[i])));
		memcpy(&d, buf, sizeof(d));
		assert_int_equal(d.node, want[i]);
		assert_int_equal(d.name_len, strlen(names[i]));
		assert_memory_equal(buf + sizeof(d), names[i], d.name_len);
		assert_int_equal(d.type, i < 2 ? FS_S_IFDIR : FS_S_IFREG);
		cookie = d.cookie;
	}
	uint32_t used;
	assert_int_equal(fs_op_readdir(&fs, b, cookie, buf, sizeof(buf), &used), 0);
	assert_int_equal(used, 0);
	/* Too small for even "." */
	assert_int_equal(fs_op_readdir(&fs, b, 0, buf, 8, &used), FS_EINVAL);
	/* Not a directory */
	assert_int_equal(fs_op_readdir(&fs, f, 0, buf, sizeof(buf), &used), FS_ENOTDIR);
	assert_clean();
	mem_free(&m);
}

static void test_a_full_disk_refuses_and_changes_nothing(void **state)
{
	(void)state;
	struct mem m;
	static uint8_t buf[FS_IO_MAX];
	struct fs_attr a;
	struct fs_statfs st;
	mkfs_mount(&m, FS_MIN_BLOCKS);
	uint64_t f = make(FS_ROOT_NODE, "fill", false);
	memset(buf, 1, sizeof(buf));
	uint64_t off = 0;
	int err;
	while ((err = fs_op_write(&fs, f, off, buf, sizeof(buf), &a)) == 0)
		off += sizeof(buf);
	assert_int_equal(err, FS_ENOSPC);
	assert_int_equal(fs_op_getattr(&fs, f, &a), 0);
	assert_int_equal(a.size, off); /* the write that failed left nothing behind */
	fs_op_statfs(&fs, &st);
	uint64_t free_before = st.free_blocks;
	assert_clean();
	/* Overwriting needs room too (copy-on-write): refused whole, the old bytes stay. */
	memset(buf, 2, sizeof(buf));
	assert_int_equal(fs_op_write(&fs, f, 0, buf, sizeof(buf), &a), FS_ENOSPC);
	uint32_t done;
	assert_int_equal(fs_op_read(&fs, f, 0, buf, sizeof(buf), &done), 0);
	for (uint32_t i = 0; i < done; i++)
		assert_int_equal(buf[i], 1);
	fs_op_statfs(&fs, &st);
	assert_int_equal(st.free_blocks, free_before);
	mount(&m, false);
	fs_op_statfs(&fs, &st);
	assert_int_equal(st.free_blocks, free_before);
	assert_clean();
	/* Removing the file gives the space back. */
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "fill", 4, false), 0);
	fs_op_statfs(&fs, &st);
	assert_int_equal(st.free_blocks, st.blocks - 1); /* the root's first block stays */
	/* Inodes run out too. */
	char name[16];
	for (int i = 0;; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		err = fs_op_create(&fs, FS_ROOT_NODE, name, strlen(name), 0644, false, &a);
		if (err)
			break;
	}
	assert_int_equal(err, FS_ENOSPC);
	assert_clean();
	mem_free(&m);
}

/* Damage of each kind is found. */
static void test_the_checker_finds_damage(void **state)
{
	(void)state;
	struct mem m;
	mkfs_mount(&m, 1024);
	uint64_t f = make(FS_ROOT_NODE, "f", false);
	make(FS_ROOT_NODE, "d", true);
	put(f, 0, "data", 4);
	uint8_t *saved = malloc(1024 * FS_BLOCK);
	/* The last commit is home: without its journal, the damage below is what mount sees. */
	memset(m.bytes + fs.sb.journal_start * FS_BLOCK, 0, FS_BLOCK);
	memcpy(saved, m.bytes, 1024 * FS_BLOCK);
	struct fs_inode *ip = (struct fs_inode *)(m.bytes + fs.sb.inode_start * FS_BLOCK +
						  fs_node_ino(f) * FS_INODE_SIZE);
	uint32_t bitmap = fs.sb.bitmap_start;

	ip->nlink = 3;
	mount(&m, true);
	assert_int_not_equal(check(), 0);
	assert_non_null(strstr(reports, "link count 3, should be 1"));

	memcpy(m.bytes, saved, 1024 * FS_BLOCK);
	m.bytes[bitmap * FS_BLOCK + 20] ^= 0x10; /* block 164, free */
	mount(&m, true);
	assert_int_not_equal(check(), 0);
	assert_non_null(strstr(reports, "marked in use but unused"));

	memcpy(m.bytes, saved, 1024 * FS_BLOCK);
	ip->direct[1] = ip->direct[0];
	ip->nblocks = 2;
	mount(&m, true);
	assert_int_not_equal(check(), 0);
	assert_non_null(strstr(reports, "used twice"));

	memcpy(m.bytes, saved, 1024 * FS_BLOCK);
	ip->direct[0] = 3; /* into the journal */
	mount(&m, true);
	assert_int_not_equal(check(), 0);
	assert_non_null(strstr(reports, "outside the data area"));
	uint32_t done;
	char buf[8];
	assert_int_equal(fs_op_read(&fs, f, 0, buf, 4, &done), FS_EIO); /* refused, not followed */

	memcpy(m.bytes, saved, 1024 * FS_BLOCK);
	ip->mode = 0; /* an entry naming a free inode */
	mount(&m, true);
	assert_int_not_equal(check(), 0);
	assert_non_null(strstr(reports, "free or missing inode"));

	memcpy(m.bytes, saved, 1024 * FS_BLOCK);
	ip->size = 1ull << 40;
	mount(&m, true);
	assert_int_not_equal(check(), 0);
	assert_non_null(strstr(reports, "past the largest file"));

	memcpy(m.bytes, saved, 1024 * FS_BLOCK);
	struct fs_dirent_disk *e = (struct fs_dirent_disk *)(m.bytes +
		(uint64_t)((struct fs_inode *)(m.bytes + fs.sb.inode_start * FS_BLOCK +
					       FS_ROOT_INO * FS_INODE_SIZE))->direct[0] * FS_BLOCK);
	e->name[0] = '/';
	mount(&m, true);
	assert_int_not_equal(check(), 0);
	assert_non_null(strstr(reports, "bad name"));

	memcpy(m.bytes, saved, 1024 * FS_BLOCK);
	e->ino = 0; /* f unnamed: in use, unreachable */
	mount(&m, true);
	assert_int_not_equal(check(), 0);
	assert_non_null(strstr(reports, "not reachable"));

	memcpy(m.bytes, saved, 1024 * FS_BLOCK);
	m.bytes[5] ^= 1; /* the superblock: no longer mounts */
	struct fs_dev d = dev_of(&m);
	const char *why;
	assert_int_equal(fs_mount(&fs, &d, true, now, &why), FS_EINVAL);
	assert_non_null(strstr(why, "magic"));
	memcpy(m.bytes, saved, 1024 * FS_BLOCK);
	mount(&m, true);
	assert_clean();
	free(saved);
	mem_free(&m);
}

/* What a file's contents are, for comparing states: its size and bytes, or absent. */
struct snapshot {
	bool present;
	uint64_t size;
	uint8_t bytes[3 * FS_BLOCK];
};

static void snap(const char *name, struct snapshot *s)
{
	struct fs_attr a;
	uint32_t done;
	memset(s, 0, sizeof(*s));
	if (fs_op_lookup(&fs, FS_ROOT_NODE, name, strlen(name), &a))
		return;
	s->present = true;
	s->size = a.size;
	if ((a.mode & FS_S_IFMT) == FS_S_IFREG)
		assert_int_equal(fs_op_read(&fs, a.ino, 0, s->bytes, sizeof(s->bytes), &done), 0);
}

static bool same(const struct snapshot *a, const struct snapshot *b)
{
	return a->present == b->present && a->size == b->size &&
	       !memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

static void op_create(void) { make(FS_ROOT_NODE, "a", false); }
static void op_write(void)
{
	static uint8_t data[2 * FS_BLOCK + 100];
	memset(data, 'w', sizeof(data));
	put(lookup(FS_ROOT_NODE, "a"), 0, data, sizeof(data));
}
static void op_overwrite(void)
{
	static uint8_t data[FS_BLOCK];
	memset(data, 'o', sizeof(data));
	put(lookup(FS_ROOT_NODE, "a"), 1000, data, sizeof(data));
}
static void op_make_b(void) { make(FS_ROOT_NODE, "b", false); }
static void op_rename(void)
{
	assert_int_equal(fs_op_rename(&fs, FS_ROOT_NODE, "a", 1, FS_ROOT_NODE, "b", 1, 0), 0);
}
static void op_truncate(void)
{
	struct fs_setattr s = { .valid = FS_SET_SIZE, .size = 1500 };
	struct fs_attr a;
	assert_int_equal(fs_op_setattr(&fs, lookup(FS_ROOT_NODE, "b"), &s, &a), 0);
}
static void op_mkdir(void) { make(FS_ROOT_NODE, "d", true); }
static void op_move(void)
{
	uint64_t d = lookup(FS_ROOT_NODE, "d");
	assert_int_equal(fs_op_rename(&fs, FS_ROOT_NODE, "b", 1, d, "b", 1, 0), 0);
}
static void op_unlink(void)
{
	assert_int_equal(fs_op_remove(&fs, lookup(FS_ROOT_NODE, "d"), "b", 1, false), 0);
}

/* Each operation is logged block by block; the volume as it was before it, plus any
 * prefix of its writes, mounts (replaying the journal), checks clean, and shows the files
 * either as before the operation or as after it. */
static void test_the_journal_cut_anywhere_replays_whole(void **state)
{
	(void)state;
	void (*const ops[])(void) = { op_create, op_write, op_overwrite, op_make_b, op_rename,
				      op_truncate, op_mkdir, op_move, op_unlink };
	const char *const names[] = { "a", "b", "d" };
	struct mem m, cut;
	mkfs_mount(&m, 1024);
	mem_init(&cut, 1024);
	uint8_t *before = malloc(1024 * FS_BLOCK);
	static struct snapshot old[3], now_[3], got[3];
	for (unsigned op = 0; op < sizeof(ops) / sizeof(*ops); op++) {
		mount(&m, false);
		for (int i = 0; i < 3; i++)
			snap(names[i], &old[i]);
		memcpy(before, m.bytes, 1024 * FS_BLOCK);
		m.nlog = 0;
		m.logging = true;
		ops[op]();
		m.logging = false;
		for (int i = 0; i < 3; i++)
			snap(names[i], &now_[i]);
		assert_true(m.nlog > 0);
		for (size_t k = 0; k <= m.nlog; k++) {
			memcpy(cut.bytes, before, 1024 * FS_BLOCK);
			for (size_t j = 0; j < k; j++)
				memcpy(cut.bytes + m.log[j].block * FS_BLOCK, m.log[j].data, FS_BLOCK);
			mount(&cut, false);
			if (check())
				fail_msg("op %u cut after %zu of %zu writes:\n%s", op, k, m.nlog, reports);
			bool all_old = true, all_new = true;
			for (int i = 0; i < 3; i++) {
				snap(names[i], &got[i]);
				all_old &= same(&got[i], &old[i]);
				all_new &= same(&got[i], &now_[i]);
			}
			if (!all_old && !all_new)
				fail_msg("op %u cut after %zu of %zu writes: neither before nor after",
					 op, k, m.nlog);
			if (k == m.nlog)
				assert_true(all_new);
		}
	}
	free(before);
	mem_free(&cut);
	mem_free(&m);
}

/* POSIX: a file unlinked or renamed over while held open stays readable and writable by
 * node, with no links, until its last holder lets go; then its space comes back. */
static void test_an_unlinked_file_lives_while_held(void **state)
{
	(void)state;
	struct mem m;
	struct fs_attr a;
	struct fs_statfs st0, st;
	static uint8_t data[3 * FS_BLOCK], back[3 * FS_BLOCK];
	uint32_t h1, h2, h3;
	mkfs_mount(&m, 1024);
	fs_op_statfs(&fs, &st0);
	uint64_t f = make(FS_ROOT_NODE, "f", false);
	memset(data, 'x', sizeof(data));
	put(f, 0, data, sizeof(data));
	assert_int_equal(fs_op_hold(&fs, f, 7, &h1), 0);
	assert_int_equal(fs_op_hold(&fs, f, 8, &h2), 0);
	assert_int_not_equal(h1, h2);
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "f", 1, false), 0);
	assert_int_equal(lookup(FS_ROOT_NODE, "f"), 0);
	assert_int_equal(fs_op_getattr(&fs, f, &a), 0);
	assert_int_equal(a.nlink, 0);
	assert_int_equal(get(f, 0, back, sizeof(back)), sizeof(back));
	assert_memory_equal(back, data, sizeof(data));
	put(f, sizeof(data), "more", 4); /* it grows, too */
	assert_int_equal(fs_op_getattr(&fs, f, &a), 0);
	assert_int_equal(a.size, sizeof(data) + 4);
	assert_clean(); /* an orphan is no damage */
	fs_op_statfs(&fs, &st);
	assert_int_equal(st.free_blocks, st0.free_blocks - 5); /* and the root's entry block */
	/* Only the holder of a handle lets go of it, and only of its own node. */
	assert_int_equal(fs_op_release(&fs, h1, f, 8), FS_EBADF);
	assert_int_equal(fs_op_release(&fs, h1, FS_ROOT_NODE, 7), FS_EBADF);
	assert_int_equal(fs_op_release(&fs, 0, f, 7), FS_EBADF);
	assert_int_equal(fs_op_release(&fs, FS_OPEN_MAX + 1, f, 7), FS_EBADF);
	assert_int_equal(fs_op_release(&fs, h1, f, 7), 0);
	assert_int_equal(fs_op_release(&fs, h1, f, 7), FS_EBADF); /* twice */
	assert_int_equal(fs_op_getattr(&fs, f, &a), 0);              /* 8 still holds it */
	assert_int_equal(fs_op_release(&fs, h2, f, 8), 0);
	assert_int_equal(fs_op_getattr(&fs, f, &a), FS_ESTALE);
	fs_op_statfs(&fs, &st);
	assert_int_equal(st.free_blocks, st0.free_blocks - 1);
	assert_int_equal(st.free_files, st0.free_files);
	assert_clean();

	/* Renamed over while held, let go of with all of its holder's handles. */
	uint64_t g = make(FS_ROOT_NODE, "g", false);
	put(g, 0, data, sizeof(data));
	make(FS_ROOT_NODE, "h", false);
	assert_int_equal(fs_op_hold(&fs, g, 0x100000009ull, &h1), 0);
	assert_int_equal(fs_op_hold(&fs, g, 0x100000009ull, &h2), 0);
	assert_int_equal(fs_op_hold(&fs, g, 0x200000009ull, &h3), 0);
	assert_int_equal(fs_op_rename(&fs, FS_ROOT_NODE, "h", 1, FS_ROOT_NODE, "g", 1, 0), 0);
	assert_int_equal(get(g, 0, back, sizeof(back)), sizeof(back));
	assert_int_equal(fs_op_release_all(&fs, 0x100000000ull, ~0ull << 32), 0);
	assert_int_equal(fs_op_getattr(&fs, g, &a), 0); /* the other session's hold stands */
	assert_int_equal(fs_op_release_all(&fs, 0x200000009ull, ~0ull), 0);
	assert_int_equal(fs_op_getattr(&fs, g, &a), FS_ESTALE);
	/* A file not held goes at once; directories are not held. */
	uint64_t k = make(FS_ROOT_NODE, "k", false);
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "k", 1, false), 0);
	assert_int_equal(fs_op_getattr(&fs, k, &a), FS_ESTALE);
	uint64_t d = make(FS_ROOT_NODE, "d", true);
	assert_int_equal(fs_op_hold(&fs, d, 7, &h1), FS_EISDIR);
	assert_int_equal(fs_op_hold(&fs, k, 7, &h1), FS_ESTALE);
	assert_clean();
	mem_free(&m);
}

/* One holder cannot take every slot; the table has an end. */
static void test_holds_are_bounded(void **state)
{
	(void)state;
	struct mem m;
	uint32_t h, last = 0;
	mkfs_mount(&m, 1024);
	uint64_t f = make(FS_ROOT_NODE, "f", false);
	for (unsigned i = 0; i < FS_OPEN_PER_HOLDER; i++)
		assert_int_equal(fs_op_hold(&fs, f, 1, &h), 0);
	assert_int_equal(fs_op_hold(&fs, f, 1, &h), FS_ENFILE);
	for (unsigned i = FS_OPEN_PER_HOLDER; i < FS_OPEN_MAX; i++)
		assert_int_equal(fs_op_hold(&fs, f, 2 + i / FS_OPEN_PER_HOLDER, &last), 0);
	assert_int_equal(fs_op_hold(&fs, f, 99, &h), FS_ENFILE);
	assert_int_equal(fs_op_release(&fs, last, f, 2 + (FS_OPEN_MAX - 1) / FS_OPEN_PER_HOLDER), 0);
	assert_int_equal(fs_op_hold(&fs, f, 99, &h), 0);
	mem_free(&m);
}

/* A crash while a file is held leaves an orphan: the checker accepts it, and the next
 * mount frees it, whichever block of the unlink or the let-go the crash came after. */
static void test_orphans_are_freed_after_a_crash(void **state)
{
	(void)state;
	struct mem m, cut;
	static uint8_t data[3 * FS_BLOCK];
	struct fs_statfs st0, st;
	uint32_t h;
	mkfs_mount(&m, 1024);
	mem_init(&cut, 1024);
	uint64_t f = make(FS_ROOT_NODE, "f", false);
	fs_op_statfs(&fs, &st0);
	uint8_t *before = malloc(1024 * FS_BLOCK);
	memcpy(before, m.bytes, 1024 * FS_BLOCK);
	m.logging = true;
	memset(data, 'o', sizeof(data));
	put(f, 0, data, sizeof(data));
	assert_int_equal(fs_op_hold(&fs, f, 1, &h), 0);
	size_t unlink_from = m.nlog;
	assert_int_equal(fs_op_remove(&fs, FS_ROOT_NODE, "f", 1, false), 0);
	size_t release_from = m.nlog;
	assert_int_equal(fs_op_release(&fs, h, f, 1), 0);
	m.logging = false;
	assert_true(release_from > unlink_from);
	assert_true(m.nlog > release_from);
	/* Read-only, as the checker sees it: one orphan, no problem. */
	memcpy(cut.bytes, before, 1024 * FS_BLOCK);
	for (size_t j = 0; j < release_from; j++)
		memcpy(cut.bytes + m.log[j].block * FS_BLOCK, m.log[j].data, FS_BLOCK);
	mount(&cut, true);
	assert_int_equal(fs.orphans, 1);
	assert_clean();
	for (size_t k = unlink_from; k <= m.nlog; k++) {
		memcpy(cut.bytes, before, 1024 * FS_BLOCK);
		for (size_t j = 0; j < k; j++)
			memcpy(cut.bytes + m.log[j].block * FS_BLOCK, m.log[j].data, FS_BLOCK);
		mount(&cut, false);
		if (check())
			fail_msg("cut after %zu of %zu writes:\n%s", k, m.nlog, reports);
		assert_int_equal(fs.orphans, 0);
		fs_op_statfs(&fs, &st);
		if (lookup(FS_ROOT_NODE, "f")) { /* the unlink had not committed */
			assert_true(k < release_from);
			assert_int_equal(st.free_blocks, st0.free_blocks - 3);
		} else {
			assert_int_equal(st.free_blocks, st0.free_blocks);
			assert_int_equal(st.free_files, st0.free_files + 1);
		}
	}
	free(before);
	mem_free(&cut);
	mem_free(&m);
}

/* A read-only mount shows the committed journal without writing anything. */
static void test_read_only_mount_reads_the_journal_and_writes_nothing(void **state)
{
	(void)state;
	struct mem m;
	mkfs_mount(&m, 1024);
	m.logging = true;
	make(FS_ROOT_NODE, "kept", false);
	m.logging = false;
	/* Undo the home writes of the commit: as if QEMU died right after the journal. */
	struct mem fresh;
	mem_init(&fresh, 1024);
	struct fs_dev d = dev_of(&fresh);
	assert_int_equal(fs_mkfs(&fs, &d, now), 0);
	size_t header = 0;
	for (size_t j = 0; j < m.nlog; j++)
		if (m.log[j].block == fs.sb.journal_start)
			header = j;
	for (size_t j = 0; j <= header; j++)
		memcpy(fresh.bytes + m.log[j].block * FS_BLOCK, m.log[j].data, FS_BLOCK);
	uint8_t *copy = malloc(1024 * FS_BLOCK);
	memcpy(copy, fresh.bytes, 1024 * FS_BLOCK);
	mount(&fresh, true);
	assert_int_equal(fs.overlay_count > 0, 1);
	assert_int_not_equal(lookup(FS_ROOT_NODE, "kept"), 0);
	assert_clean();
	struct fs_attr a;
	assert_int_equal(fs_op_create(&fs, FS_ROOT_NODE, "no", 2, 0644, false, &a), FS_EROFS);
	assert_memory_equal(copy, fresh.bytes, 1024 * FS_BLOCK);
	mount(&fresh, false);
	assert_int_not_equal(lookup(FS_ROOT_NODE, "kept"), 0);
	assert_clean();
	free(copy);
	mem_free(&fresh);
	mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mkfs_mounts_clean_and_empty),
		cmocka_unit_test(test_files_and_directories),
		cmocka_unit_test(test_names_and_nodes_are_checked),
		cmocka_unit_test(test_big_sparse_file_and_readdir),
		cmocka_unit_test(test_readdir_dot_and_dotdot),
		cmocka_unit_test(test_a_full_disk_refuses_and_changes_nothing),
		cmocka_unit_test(test_the_checker_finds_damage),
		cmocka_unit_test(test_the_journal_cut_anywhere_replays_whole),
		cmocka_unit_test(test_an_unlinked_file_lives_while_held),
		cmocka_unit_test(test_holds_are_bounded),
		cmocka_unit_test(test_orphans_are_freed_after_a_crash),
		cmocka_unit_test(test_read_only_mount_reads_the_journal_and_writes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
