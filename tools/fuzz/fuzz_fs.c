/* The fuzz target of Vireo's file system (servers/fs): a small volume with directories,
 * files and indirect blocks, damaged a few bytes at a time where its structures are, then
 * mounted read-only and checked, mounted read-write (writes go to an overlay, so the seed
 * stays as it was) and worked on, and checked again. Nothing may crash or read or write
 * outside the volume; a damaged volume gives errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs.h"
#include "fuzz_fs.h"

#define BLOCKS 512
#define OVERLAY 256

#define MAX_DAMAGE 8

static bool seeded;
static struct fs fs;
static uint8_t mutated[BLOCKS * FS_BLOCK]; /* the seed, with this round's damage */
static struct {
	uint64_t at[MAX_DAMAGE];
	uint8_t was[MAX_DAMAGE];
	unsigned n;
	uint8_t journal[FS_BLOCK];
} undo;
static struct {
	uint64_t block[OVERLAY];
	uint8_t data[OVERLAY][FS_BLOCK];
	unsigned n;
} overlay;
static unsigned long mounted, checked_clean, ops_ok;

static int dev_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	(void)ctx;
	if (block >= BLOCKS || count > BLOCKS - block)
		return FS_EIO;
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *src = mutated + (block + i) * FS_BLOCK;
		for (unsigned j = 0; j < overlay.n; j++)
			if (overlay.block[j] == block + i)
				src = overlay.data[j];
		memcpy((uint8_t *)buf + (size_t)i * FS_BLOCK, src, FS_BLOCK);
	}
	return 0;
}

static int dev_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
	(void)ctx;
	if (block >= BLOCKS || count > BLOCKS - block)
		return FS_EIO;
	for (uint32_t i = 0; i < count; i++) {
		unsigned j = 0;
		while (j < overlay.n && overlay.block[j] != block + i)
			j++;
		if (j == OVERLAY)
			return FS_EIO;
		if (j == overlay.n)
			overlay.block[overlay.n++] = block + i;
		memcpy(overlay.data[j], (const uint8_t *)buf + (size_t)i * FS_BLOCK, FS_BLOCK);
	}
	return 0;
}

static int dev_flush(void *ctx)
{
	(void)ctx;
	return 0;
}

static uint64_t no_clock(void)
{
	return 1;
}

static const struct fs_dev dev = { NULL, BLOCKS, dev_read, dev_write, dev_flush };

static void quiet(void *ctx, const char *line)
{
	(void)ctx, (void)line;
}

static void must(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "fuzz: fs seed: %s: %d\n", what, err);
		exit(1);
	}
}

/* The seed: two directories, a file over three blocks, one through the indirect and the
 * double-indirect blocks, and enough names for a second directory block. */
static void make_seed(void)
{
	static uint8_t data[3 * FS_BLOCK];
	struct fs_attr a, d;
	char name[16];
	memset(data, 0x6b, sizeof(data));
	must(fs_mkfs(&fs, &dev, no_clock), "mkfs");
	const char *why;
	must(fs_mount(&fs, &dev, false, no_clock, &why), "mount");
	must(fs_op_create(&fs, FS_ROOT_NODE, "dir", 3, 0755, true, &d), "mkdir");
	must(fs_op_create(&fs, d.ino, "sub", 3, 0755, true, &a), "mkdir");
	must(fs_op_create(&fs, d.ino, "three", 5, 0644, false, &a), "create");
	must(fs_op_write(&fs, a.ino, 100, data, sizeof(data) - 200, &a), "write");
	must(fs_op_create(&fs, FS_ROOT_NODE, "sparse", 6, 0644, false, &a), "create");
	must(fs_op_write(&fs, a.ino, 5ull << 20, data, 10, &a), "write");
	must(fs_op_write(&fs, a.ino, 40000, data, 10, &a), "write");
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		must(fs_op_create(&fs, FS_ROOT_NODE, name, strlen(name), 0644, false, &a), "create");
	}
	if (fs_check(&fs, quiet, NULL))
		must(1, "the seed does not check clean");
	/* Its writes become the seed itself, and with its last commit home, no journal. */
	for (unsigned i = 0; i < overlay.n; i++)
		memcpy(mutated + overlay.block[i] * FS_BLOCK, overlay.data[i], FS_BLOCK);
	memset(mutated + fs.sb.journal_start * FS_BLOCK, 0, FS_BLOCK);
	overlay.n = 0;
	seeded = true;
}

/* Where damage does the most: the structures, not file data. */
static uint64_t target_byte(uint64_t (*rnd)(void))
{
	const struct fs_super *sb = &fs.sb;
	uint64_t block;
	switch (rnd() % 6) {
	case 0: block = 0; break;
	case 1: block = sb->journal_start + rnd() % 3; break;
	case 2: block = sb->bitmap_start; break;
	case 3: case 4: block = sb->inode_start + rnd() % sb->inode_blocks; break;
	default: block = sb->data_start + rnd() % 16; break;
	}
	if (block == sb->inode_start) /* the first inodes, where the seed's files are */
		return block * FS_BLOCK + rnd() % (8 * FS_INODE_SIZE);
	return block * FS_BLOCK + rnd() % FS_BLOCK;
}

/* A few bytes of the seed changed, remembered in undo. */
static void damage(uint64_t (*rnd)(void))
{
	static const uint8_t values[] = { 0, 1, 2, 0x7f, 0x80, 0xff };
	uint32_t journal = fs.sb.journal_start;
	memcpy(undo.journal, mutated + journal * FS_BLOCK, FS_BLOCK);
	undo.n = 1 + (unsigned)(rnd() % MAX_DAMAGE);
	for (unsigned i = 0; i < undo.n; i++) {
		uint64_t at = undo.at[i] = target_byte(rnd);
		undo.was[i] = mutated[at];
		uint8_t v = rnd() % 2 ? values[rnd() % sizeof(values)] : (uint8_t)rnd();
		mutated[at] = rnd() % 3 ? v : mutated[at] ^ (uint8_t)(1u << (rnd() % 8));
	}
	if (rnd() % 8 == 0) { /* a journal that claims a transaction of garbage */
		struct fs_journal_header h = { .magic = FS_JOURNAL_MAGIC, .count = (uint32_t)(rnd() % 70) };
		for (unsigned i = 0; i < FS_JOURNAL_MAX; i++)
			h.target[i] = (uint32_t)(rnd() % (BLOCKS + 4));
		memcpy(mutated + journal * FS_BLOCK, &h, sizeof(h));
	}
}

static void repair(void)
{
	for (unsigned i = undo.n; i-- > 0;)
		mutated[undo.at[i]] = undo.was[i];
	memcpy(mutated + fs.sb.journal_start * FS_BLOCK, undo.journal, FS_BLOCK);
	overlay.n = 0;
}

static void work(uint64_t (*rnd)(void))
{
	static uint8_t buf[FS_IO_MAX];
	struct fs_attr a;
	uint32_t done;
	uint64_t node = FS_ROOT_NODE, cookie = 0;
	for (int i = 0; i < 8; i++) {
		int err = 0;
		const char *names[] = { "dir", "sparse", "three", "sub", "n3", "new" };
		const char *name = names[rnd() % 6];
		switch (rnd() % 10) {
		case 8: /* held, then unlinked or renamed over by the cases above: an orphan */
			err = fs_op_hold(&fs, node, rnd() % 3, &done);
			break;
		case 9:
			err = rnd() % 2 ? fs_op_release(&fs, (uint32_t)(rnd() % 4), node, rnd() % 3)
					: fs_op_release_all(&fs, rnd() % 3, ~0ull);
			break;
		case 0:
			err = fs_op_lookup(&fs, node, name, strlen(name), &a);
			if (!err)
				node = a.ino;
			break;
		case 1:
			err = fs_op_readdir(&fs, node, cookie, buf, 1000, &done);
			cookie += done ? 1 : 0;
			break;
		case 2:
			err = fs_op_read(&fs, node, rnd() % 50000, buf, (uint32_t)(rnd() % FS_IO_MAX), &done);
			break;
		case 3:
			err = fs_op_write(&fs, node, rnd() % (6ull << 20), buf, (uint32_t)(rnd() % 9000), &a);
			break;
		case 4:
			err = fs_op_create(&fs, node, name, strlen(name), 0644, rnd() % 2, &a);
			break;
		case 5:
			err = fs_op_remove(&fs, node, name, strlen(name), rnd() % 2);
			break;
		case 6:
			err = fs_op_rename(&fs, node, name, strlen(name), FS_ROOT_NODE, "moved", 5, 0);
			break;
		default: {
			struct fs_setattr s = { .valid = FS_SET_SIZE, .size = rnd() % (6ull << 20) };
			err = fs_op_setattr(&fs, node, &s, &a);
		}
		}
		ops_ok += err == 0;
		if (err == FS_ESTALE || err == FS_ENOENT)
			node = FS_ROOT_NODE;
	}
}

void fuzz_fs(unsigned long round, uint64_t (*rnd)(void))
{
	(void)round;
	static struct fs_super sb;
	const char *why;
	if (!seeded) {
		make_seed();
		sb = fs.sb;
	}
	fs.sb = sb; /* where to damage: the seed's layout, whatever the last round mounted */
	damage(rnd);
	if (fs_mount(&fs, &dev, true, no_clock, &why) == 0) {
		mounted++;
		checked_clean += fs_check(&fs, quiet, NULL) == 0;
	}
	if (fs_mount(&fs, &dev, false, no_clock, &why) == 0) {
		work(rnd);
		fs_check(&fs, quiet, NULL);
	}
	fs.sb = sb;
	repair();
}

void fuzz_fs_report(void)
{
	printf("fuzz: fs: %lu damaged volumes mounted, %lu of them checked clean, %lu operations "
	       "done on them\n", mounted, checked_clean, ops_ok);
}
