/* fsck: checks Vireo's file system in a disk image (the volume "share", found in the block
 * server's table at the image's start) or in a file holding one volume. Read-only unless
 * -w: a committed journal is then replayed for real; without -w the check sees the file
 * system as replay would leave it, and says what replay would write.
 *
 *   fsck [-w] [-v VOLUME] IMAGE
 *
 * Prints one line per problem; exits 0 when clean, 1 when not, 2 when there is nothing to
 * check (no such volume, no file system). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fs.h"
#include "volumes.h"

struct image {
	FILE *f;
	uint64_t first; /* byte offset of the volume */
};

static int image_read(void *ctx, uint64_t block, uint32_t count, void *buf)
{
	struct image *im = ctx;
	if (fseeko(im->f, (off_t)(im->first + block * FS_BLOCK), SEEK_SET))
		return FS_EIO;
	size_t n = fread(buf, FS_BLOCK, count, im->f);
	if (n < count) /* past the end of a sparse image file: zeros */
		memset((uint8_t *)buf + n * FS_BLOCK, 0, (size_t)(count - n) * FS_BLOCK);
	return 0;
}

static int image_write(void *ctx, uint64_t block, uint32_t count, const void *buf)
{
	struct image *im = ctx;
	if (fseeko(im->f, (off_t)(im->first + block * FS_BLOCK), SEEK_SET) ||
	    fwrite(buf, FS_BLOCK, count, im->f) != count)
		return FS_EIO;
	return 0;
}

static int image_flush(void *ctx)
{
	struct image *im = ctx;
	return fflush(im->f) || fsync(fileno(im->f)) ? FS_EIO : 0;
}

static void print_line(void *ctx, const char *line)
{
	(void)ctx;
	printf("%s\n", line);
}

/* Where the volume lies: after a block-server table, or the whole file. */
static int find_volume(FILE *f, const char *name, uint64_t size, uint64_t *first,
		       uint64_t *bytes)
{
	static uint8_t head[VOL_TABLE_SECTORS * VOL_SECTOR];
	struct vol_table t;
	if (fread(head, 1, sizeof(head), f) != sizeof(head) || memcmp(head, VOL_MAGIC, 8)) {
		*first = 0;
		*bytes = size;
		printf("fsck: no volume table: checking the whole file as one volume\n");
		return 0;
	}
	enum vol_error e = vol_load(&t, head, size / VOL_SECTOR);
	if (e != VOL_OK) {
		printf("fsck: the volume table: %s\n", vol_error_text(e));
		return -1;
	}
	int i = vol_find(&t, name);
	if (i < 0) {
		printf("fsck: no volume %s on this disk\n", name);
		return -1;
	}
	*first = t.e[i].start * VOL_SECTOR;
	*bytes = t.e[i].sectors * VOL_SECTOR;
	printf("fsck: volume %s: sectors %lu to %lu (%lu MiB)\n", name,
	       (unsigned long)t.e[i].start, (unsigned long)(t.e[i].start + t.e[i].sectors - 1),
	       (unsigned long)(t.e[i].sectors >> 11));
	return 0;
}

/* What mount's replay would do: the last committed transaction is always in the journal
 * (it is never cleared), so what counts is which of its blocks are not home yet. */
static void describe_journal(const struct fs_dev *dev, const struct fs_super *sb, bool write)
{
	static uint8_t buf[FS_BLOCK], copy[FS_BLOCK], home[FS_BLOCK];
	struct fs_journal_header h;
	int err = fs_journal_read(dev, sb, buf);
	if (err == FS_ENOENT) {
		printf("journal: no committed transaction\n");
		return;
	}
	memcpy(&h, buf, sizeof(h));
	unsigned differ = 0;
	for (uint32_t i = 0; !err && i < h.count; i++) {
		err = dev->read(dev->ctx, sb->journal_start + 1 + i, 1, copy) ||
		      dev->read(dev->ctx, h.target[i], 1, home);
		differ += !err && memcmp(copy, home, FS_BLOCK) != 0;
	}
	if (err) {
		printf("journal: cannot read it\n");
		return;
	}
	if (!differ) {
		printf("journal: transaction %lu is home (nothing to replay)\n",
		       (unsigned long)h.sequence);
		return;
	}
	printf("journal: transaction %lu committed but not all home; replay %s %u of its %u "
	       "blocks:", (unsigned long)h.sequence, write ? "writes" : "would write", differ,
	       h.count);
	for (uint32_t i = 0; i < h.count; i++)
		printf(" %u", h.target[i]);
	printf("\n");
}

static void summary(struct fs *fs)
{
	unsigned files = 0, dirs = 0;
	for (uint32_t ino = 1; ino < fs->sb.inodes; ino++) {
		const struct fs_inode *ip;
		if (fs_inode_get(fs, ino, &ip))
			continue;
		files += (ip->mode & FS_S_IFMT) == FS_S_IFREG && !fs_is_orphan(ip);
		dirs += (ip->mode & FS_S_IFMT) == FS_S_IFDIR;
	}
	uint32_t total = fs->sb.blocks - fs->sb.data_start;
	printf("clean: %u files, %u directories, %u of %u blocks in use", files, dirs,
	       total - fs->free_blocks, total);
	if (fs->orphans) /* read-only: counted, not freed */
		printf(", %u orphans (unlinked while open; the next mount frees them)", fs->orphans);
	printf("\n");
}

static uint64_t no_clock(void)
{
	return 0;
}

int main(int argc, char **argv)
{
	bool write = false;
	const char *volume = "share";
	int opt;
	while ((opt = getopt(argc, argv, "wv:")) != -1) {
		if (opt == 'w')
			write = true;
		else if (opt == 'v')
			volume = optarg;
		else
			break;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: fsck [-w] [-v VOLUME] IMAGE\n");
		return 2;
	}
	const char *path = argv[optind];
	struct image im = { fopen(path, write ? "r+b" : "rb"), 0 };
	if (!im.f) {
		fprintf(stderr, "fsck: %s: %s\n", path, strerror(errno));
		return 2;
	}
	fseeko(im.f, 0, SEEK_END);
	uint64_t size = (uint64_t)ftello(im.f), bytes;
	rewind(im.f);
	if (find_volume(im.f, volume, size, &im.first, &bytes))
		return 2;
	struct fs_dev dev = { &im, bytes / FS_BLOCK, image_read, image_write, image_flush };
	static struct fs fs;
	static uint8_t sb_block[FS_BLOCK];
	struct fs_super sb;
	const char *why;
	if (image_read(&im, 0, 1, sb_block))
		return 2;
	memcpy(&sb, sb_block, sizeof(sb));
	if (fs_super_check(&sb, dev.blocks, &why)) {
		printf("superblock: %s\n", why);
		return memcmp(sb.magic, FS_MAGIC, 8) ? 2 : 1;
	}
	describe_journal(&dev, &sb, write);
	if (fs_mount(&fs, &dev, !write, no_clock, &why)) {
		printf("mount: %s\n", why);
		return 1;
	}
	unsigned problems = fs_check(&fs, print_line, NULL);
	if (problems) {
		printf("%u problems\n", problems);
		return 1;
	}
	summary(&fs);
	return 0;
}
