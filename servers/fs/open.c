/* Files held open, and orphans: POSIX lets a file that is unlinked (or renamed over) while
 * open live on through its open handles. Such a file keeps its inode and blocks with a link
 * count of 0, an orphan, until its last holder lets go; then it is freed in a transaction
 * of its own. Who holds what is kept in memory only: a crash, or a server that restarts,
 * lets go of everything, so the next mount frees every orphan it finds (fs_mount). */
#include "fs.h"

bool fs_is_held(const struct fs *fs, uint64_t node)
{
	for (unsigned i = 0; i < FS_OPEN_MAX; i++)
		if (fs->opens[i].node == node)
			return true;
	return false;
}

int fs_op_hold(struct fs *fs, uint64_t node, uint64_t holder, uint32_t *handle)
{
	unsigned free_slot = FS_OPEN_MAX, mine = 0;
	*handle = 0;
	int err = fs_op_open(fs, node, false);
	if (err)
		return err;
	for (unsigned i = 0; i < FS_OPEN_MAX; i++) {
		if (!fs->opens[i].node)
			free_slot = free_slot < i ? free_slot : i;
		else
			mine += fs->opens[i].holder == holder;
	}
	/* One client (a guest) cannot take every slot from the others. */
	if (free_slot == FS_OPEN_MAX || mine >= FS_OPEN_PER_HOLDER)
		return FS_ENFILE;
	fs->opens[free_slot] = (struct fs_open){ node, holder };
	*handle = free_slot + 1;
	return 0;
}

/* Frees node's inode if it is an orphan that nobody holds any more. */
static int let_go(struct fs *fs, uint64_t node)
{
	uint32_t ino;
	const struct fs_inode *ip;
	if (fs_is_held(fs, node) || fs_node_inode(fs, node, &ino, &ip) || ip->nlink)
		return 0;
	fs_begin(fs);
	int err = fs_inode_free(fs, ino);
	if (err) {
		fs_abort(fs);
		return err; /* it stays an orphan, for the next mount to free */
	}
	return fs_commit(fs);
}

int fs_op_release(struct fs *fs, uint32_t handle, uint64_t node, uint64_t holder)
{
	if (handle == 0 || handle > FS_OPEN_MAX)
		return FS_EBADF;
	struct fs_open *o = &fs->opens[handle - 1];
	if (!o->node || o->node != node || o->holder != holder)
		return FS_EBADF; /* not this holder's handle of this node */
	*o = (struct fs_open){ 0 };
	return let_go(fs, node);
}

int fs_op_release_all(struct fs *fs, uint64_t holder, uint64_t mask)
{
	int first_err = 0;
	for (unsigned i = 0; i < FS_OPEN_MAX; i++) {
		struct fs_open *o = &fs->opens[i];
		if (!o->node || (o->holder & mask) != (holder & mask))
			continue;
		uint64_t node = o->node;
		*o = (struct fs_open){ 0 };
		int err = let_go(fs, node);
		first_err = first_err ? first_err : err;
	}
	return first_err;
}

int fs_free_orphans(struct fs *fs)
{
	for (uint32_t ino = FS_ROOT_INO + 1; fs->orphans && ino < fs->sb.inodes; ino++) {
		const struct fs_inode *ip;
		int err = fs_inode_get(fs, ino, &ip);
		if (err)
			return err;
		if (!fs_is_orphan(ip))
			continue;
		fs_begin(fs);
		if ((err = fs_inode_free(fs, ino))) {
			fs_abort(fs);
			return err;
		}
		if ((err = fs_commit(fs)))
			return err;
		fs->orphans--;
		fs->orphans_freed++;
	}
	return 0;
}
