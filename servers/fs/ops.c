/* The protocol's operations (include/vireo/fs_protocol.h) on a mounted file system, each
 * one transaction: checked in full, applied in the cache, committed, or dropped whole. */
#include <string.h>

#include "fs.h"

static bool is_dir(const struct fs_inode *ip)
{
	return (ip->mode & FS_S_IFMT) == FS_S_IFDIR;
}

/* Commits what op did, or drops all of it. */
static int finish(struct fs *fs, int err)
{
	if (err) {
		fs_abort(fs);
		return err;
	}
	return fs_commit(fs);
}

static int dir_node(struct fs *fs, uint64_t node, uint32_t *ino)
{
	const struct fs_inode *ip;
	int err = fs_node_inode(fs, node, ino, &ip);
	return err ? err : is_dir(ip) ? 0 : FS_ENOTDIR;
}

static int attr_of(struct fs *fs, uint32_t ino, struct fs_attr *a)
{
	const struct fs_inode *ip;
	int err = fs_inode_get(fs, ino, &ip);
	if (!err && a)
		fs_attr(fs, ino, ip, a);
	return err;
}

/* The entry name in directory node parent: its inode and slot. */
static int find(struct fs *fs, uint64_t parent, const char *name, size_t len, uint32_t *dir,
		uint32_t *ino, uint64_t *slot)
{
	int err = fs_name_check(name, len);
	if (!err)
		err = dir_node(fs, parent, dir);
	if (!err)
		err = fs_dir_find(fs, *dir, name, len, ino, slot);
	return err;
}

int fs_op_lookup(struct fs *fs, uint64_t parent, const char *name, size_t len,
		 struct fs_attr *a)
{
	uint32_t dir, ino;
	uint64_t slot;
	int err = find(fs, parent, name, len, &dir, &ino, &slot);
	return err ? err : attr_of(fs, ino, a);
}

int fs_op_getattr(struct fs *fs, uint64_t node, struct fs_attr *a)
{
	uint32_t ino;
	const struct fs_inode *ip;
	int err = fs_node_inode(fs, node, &ino, &ip);
	if (!err)
		fs_attr(fs, ino, ip, a);
	return err;
}

static int setattr(struct fs *fs, uint64_t node, const struct fs_setattr *s)
{
	uint32_t ino;
	const struct fs_inode *ip;
	struct fs_inode *w;
	int err = fs_node_inode(fs, node, &ino, &ip);
	if (err)
		return err;
	if (s->valid & FS_SET_SIZE) {
		if (is_dir(ip))
			return FS_EISDIR;
		if ((err = fs_file_truncate(fs, ino, s->size)))
			return err;
	}
	if ((err = fs_inode_modify(fs, ino, &w)))
		return err;
	uint64_t now = fs_now(fs);
	if (s->valid & FS_SET_MODE)
		w->mode = (w->mode & FS_S_IFMT) | (s->mode & FS_S_PERM);
	if (s->valid & FS_SET_UID)
		w->uid = s->uid;
	if (s->valid & FS_SET_GID)
		w->gid = s->gid;
	if (s->valid & FS_SET_ATIME)
		w->atime_ns = s->valid & FS_SET_ATIME_NOW ? now : s->atime_ns;
	if (s->valid & FS_SET_MTIME)
		w->mtime_ns = s->valid & FS_SET_MTIME_NOW ? now : s->mtime_ns;
	w->ctime_ns = s->valid & FS_SET_CTIME ? s->ctime_ns : now;
	return 0;
}

int fs_op_setattr(struct fs *fs, uint64_t node, const struct fs_setattr *s, struct fs_attr *a)
{
	fs_begin(fs);
	int err = finish(fs, setattr(fs, node, s));
	return err ? err : fs_op_getattr(fs, node, a);
}

int fs_op_open(struct fs *fs, uint64_t node, bool dir)
{
	uint32_t ino;
	const struct fs_inode *ip;
	int err = fs_node_inode(fs, node, &ino, &ip);
	if (err)
		return err;
	if (is_dir(ip) != dir)
		return dir ? FS_ENOTDIR : FS_EISDIR;
	return 0;
}

int fs_op_read(struct fs *fs, uint64_t node, uint64_t off, void *buf, uint32_t len,
	       uint32_t *done)
{
	*done = 0;
	int err = fs_op_open(fs, node, false);
	if (!err && len > FS_IO_MAX)
		err = FS_EINVAL;
	if (!err)
		err = fs_file_read(fs, fs_node_ino(node), off, buf, len, done);
	return err;
}

int fs_op_write(struct fs *fs, uint64_t node, uint64_t off, const void *buf, uint32_t len,
		struct fs_attr *a)
{
	fs_begin(fs);
	int err = fs_op_open(fs, node, false);
	if (!err && len > FS_IO_MAX)
		err = FS_EINVAL;
	if (!err)
		err = fs_file_write(fs, fs_node_ino(node), off, buf, len);
	err = finish(fs, err);
	return err ? err : attr_of(fs, fs_node_ino(node), a);
}

/* Packs one entry at out + *used if it fits in len; false if not. */
static bool pack_dirent(uint8_t *out, uint32_t len, uint32_t *used, uint64_t node,
			uint64_t cookie, uint32_t type, const char *name, uint32_t name_len)
{
	size_t size = fs_dirent_size(name_len);
	if (size > len - *used)
		return false;
	struct fs_dirent d = { .node = node, .cookie = cookie, .type = type,
			       .name_len = name_len };
	memcpy(out + *used, &d, sizeof(d));
	memcpy(out + *used + sizeof(d), name, name_len);
	memset(out + *used + sizeof(d) + name_len, 0, size - sizeof(d) - name_len);
	*used += (uint32_t)size;
	return true;
}

/* The node id of inode ino as it is now. */
static int node_of(struct fs *fs, uint32_t ino, uint64_t *node, uint32_t *type)
{
	const struct fs_inode *ip;
	int err = fs_inode_get(fs, ino, &ip);
	if (err || ip->mode == 0)
		return FS_EIO; /* an entry or parent link to a free inode: damage */
	*node = fs_node_id(ino, ip->generation);
	*type = ip->mode & FS_S_IFMT;
	return 0;
}

/* Cookies are positions: 0 ".", 1 "..", then 2 + the slot of each entry (its slot never
 * moves, so a listing in pieces neither repeats nor skips what stays). */
int fs_op_readdir(struct fs *fs, uint64_t node, uint64_t cookie, void *buf, uint32_t len,
		  uint32_t *used)
{
	uint32_t dir, type;
	const struct fs_inode *ip;
	uint64_t entry_node;
	*used = 0;
	int err = dir_node(fs, node, &dir);
	if (!err)
		err = fs_inode_get(fs, dir, &ip);
	for (uint64_t pos = cookie; !err && pos < 2; pos++) {
		uint32_t ino = pos == 0 ? dir : ip->parent;
		if ((err = node_of(fs, ino, &entry_node, &type)))
			return err;
		if (!pack_dirent(buf, len, used, entry_node, pos + 1, type, "..", (uint32_t)pos + 1))
			return *used ? 0 : FS_EINVAL; /* not even one entry fits */
	}
	for (uint64_t slot = cookie < 2 ? 0 : cookie - 2; !err; slot++) {
		const struct fs_dirent_disk *e;
		if ((err = fs_dir_next(fs, dir, &slot, &e)))
			return err == FS_ENOENT ? 0 : err;
		char name[FS_DIRENT_NAME];
		uint32_t name_len = e->name_len;
		memcpy(name, e->name, name_len); /* e lives in the cache, which node_of may move */
		if ((err = node_of(fs, e->ino, &entry_node, &type)))
			return err;
		if (!pack_dirent(buf, len, used, entry_node, slot + 3, type, name, name_len))
			return *used ? 0 : FS_EINVAL;
	}
	return err;
}

static int create(struct fs *fs, uint64_t parent, const char *name, size_t len, uint32_t mode,
		  bool dir, uint32_t *ino)
{
	uint32_t pdir, existing;
	uint64_t slot;
	struct fs_inode *w;
	int err = find(fs, parent, name, len, &pdir, &existing, &slot);
	if (!err)
		return FS_EEXIST;
	if (err != FS_ENOENT)
		return err;
	uint32_t kind = dir ? FS_S_IFDIR : FS_S_IFREG;
	if ((err = fs_inode_alloc(fs, kind | (mode & FS_S_PERM), dir ? pdir : 0, ino)) ||
	    (err = fs_dir_add(fs, pdir, name, len, *ino)))
		return err;
	if (dir && !(err = fs_inode_modify(fs, pdir, &w)))
		w->nlink++;
	return err;
}

int fs_op_create(struct fs *fs, uint64_t parent, const char *name, size_t len, uint32_t mode,
		 bool dir, struct fs_attr *a)
{
	uint32_t ino = 0;
	fs_begin(fs);
	int err = finish(fs, create(fs, parent, name, len, mode, dir, &ino));
	return err ? err : attr_of(fs, ino, a);
}

/* Drops one name of inode ino found in directory pdir: the inode goes with its last. */
static int drop_link(struct fs *fs, uint32_t pdir, uint32_t ino)
{
	struct fs_inode *w, *p;
	int err = fs_inode_modify(fs, ino, &w);
	if (err)
		return err;
	if (is_dir(w)) {
		if ((err = fs_inode_modify(fs, pdir, &p)))
			return err;
		p->nlink = p->nlink > 2 ? p->nlink - 1 : 2;
		return fs_inode_free(fs, ino);
	}
	/* Still open: an orphan (nlink 0), freed when it is let go of (open.c). */
	if (w->nlink <= 1 && !fs_is_held(fs, fs_node_id(ino, w->generation)))
		return fs_inode_free(fs, ino);
	w->nlink = w->nlink ? w->nlink - 1 : 0;
	w->ctime_ns = fs_now(fs);
	return 0;
}

/* Whether inode ino may take the place of inode target (rename over it). */
static int may_replace(struct fs *fs, uint32_t ino, uint32_t target)
{
	const struct fs_inode *src, *dst;
	bool empty;
	int err = fs_inode_get(fs, ino, &src);
	if (err)
		return err;
	bool src_dir = is_dir(src);
	if ((err = fs_inode_get(fs, target, &dst)))
		return err;
	if (!src_dir && is_dir(dst))
		return FS_EISDIR;
	if (src_dir && !is_dir(dst))
		return FS_ENOTDIR;
	if (src_dir && ((err = fs_dir_empty(fs, target, &empty)) || !empty))
		return err ? err : FS_ENOTEMPTY;
	return 0;
}

static int remove_entry(struct fs *fs, uint64_t parent, const char *name, size_t len, bool dir)
{
	uint32_t pdir, ino;
	uint64_t slot;
	const struct fs_inode *ip;
	bool empty;
	int err = find(fs, parent, name, len, &pdir, &ino, &slot);
	if (!err)
		err = fs_inode_get(fs, ino, &ip);
	if (err)
		return err;
	if (dir && !is_dir(ip))
		return FS_ENOTDIR;
	if (!dir && is_dir(ip))
		return FS_EISDIR;
	if (dir && ((err = fs_dir_empty(fs, ino, &empty)) || !empty))
		return err ? err : FS_ENOTEMPTY;
	if ((err = fs_dir_remove(fs, pdir, slot)))
		return err;
	return drop_link(fs, pdir, ino);
}

int fs_op_remove(struct fs *fs, uint64_t parent, const char *name, size_t len, bool dir)
{
	fs_begin(fs);
	return finish(fs, remove_entry(fs, parent, name, len, dir));
}

/* Whether directory dir is ino or lies below it, by the parent links (bounded, so that a
 * damaged loop of them ends). */
static int below(struct fs *fs, uint32_t dir, uint32_t ino, bool *inside)
{
	*inside = false;
	for (uint32_t n = 0; n < fs->sb.inodes; n++) {
		const struct fs_inode *ip;
		if (dir == ino) {
			*inside = true;
			return 0;
		}
		if (dir == FS_ROOT_INO)
			return 0;
		int err = fs_inode_get(fs, dir, &ip);
		if (err)
			return err;
		dir = ip->parent;
	}
	return FS_EIO;
}

static int rename_entry(struct fs *fs, uint64_t oldparent, const char *oldname, size_t oldlen,
		  uint64_t newparent, const char *newname, size_t newlen, uint32_t flags)
{
	uint32_t odir, ndir, ino, target;
	uint64_t oslot, nslot;
	const struct fs_inode *ip;
	struct fs_inode *w;
	bool inside;
	if (flags & ~(uint32_t)FS_RENAME_NOREPLACE)
		return FS_EINVAL;
	int err = find(fs, oldparent, oldname, oldlen, &odir, &ino, &oslot);
	if (err)
		return err;
	err = find(fs, newparent, newname, newlen, &ndir, &target, &nslot);
	if (err && err != FS_ENOENT)
		return err;
	bool replace = !err;
	if (replace && target == ino)
		return 0; /* two names of one file: nothing to do (POSIX rename) */
	if (replace && (flags & FS_RENAME_NOREPLACE))
		return FS_EEXIST;
	if ((err = fs_inode_get(fs, ino, &ip)))
		return err;
	bool dir = is_dir(ip);
	if (dir && ((err = below(fs, ndir, ino, &inside)) || inside))
		return err ? err : FS_EINVAL;
	if (replace && (err = may_replace(fs, ino, target)))
		return err;
	if (replace)
		err = fs_dir_replace(fs, ndir, nslot, ino);
	else
		err = fs_dir_add(fs, ndir, newname, newlen, ino);
	if (!err)
		err = fs_dir_remove(fs, odir, oslot);
	if (!err && replace)
		err = drop_link(fs, ndir, target);
	if (!err && dir && odir != ndir) {
		if (!(err = fs_inode_modify(fs, odir, &w)))
			w->nlink = w->nlink > 2 ? w->nlink - 1 : 2;
		if (!err && !(err = fs_inode_modify(fs, ndir, &w)))
			w->nlink++;
	}
	if (!err && !(err = fs_inode_modify(fs, ino, &w))) {
		if (dir)
			w->parent = ndir;
		w->ctime_ns = fs_now(fs);
	}
	return err;
}

int fs_op_rename(struct fs *fs, uint64_t oldparent, const char *oldname, size_t oldlen,
		 uint64_t newparent, const char *newname, size_t newlen, uint32_t flags)
{
	fs_begin(fs);
	return finish(fs, rename_entry(fs, oldparent, oldname, oldlen, newparent, newname, newlen,
				       flags));
}

int fs_op_sync(struct fs *fs)
{
	return fs_flush(fs);
}

void fs_op_statfs(struct fs *fs, struct fs_statfs *st)
{
	*st = (struct fs_statfs){ .blocks = fs->sb.blocks - fs->sb.data_start,
				  .free_blocks = fs->free_blocks, .files = fs->sb.inodes - 1,
				  .free_files = fs->free_inodes, .bsize = FS_BLOCK,
				  .name_max = FS_NAME_MAX };
}
