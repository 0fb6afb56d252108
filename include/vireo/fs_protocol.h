/* The file-system server ("fs", servers/fs): Vireo's own file system on the block server's
 * volume "share", served by node to the VM monitor (which serves it to guests over
 * virtio-fs) and to the shell (/share). Node-based so that FUSE maps onto it one to one.
 *
 * Nodes. A node id names one inode for its whole life: (generation << 32) | inode number,
 * so that an id kept past an unlink never reaches a file made later in the same inode
 * (FS_ESTALE). The root is FS_ROOT_NODE (inode 1, generation 0) and never changes. FUSE's
 * nodeid can be the node id itself and its generation the high half. FS_FORGET is
 * accepted and ignored, and reads and writes go by node. What the server keeps is who
 * holds which file open (FS_OPEN with FS_OPEN_HOLD, until FS_RELEASE): a file unlinked or
 * renamed over while held stays readable and writable by node, with no links (an orphan),
 * until its last holder lets go; then its space is freed. A session's holds end with it,
 * and a crash ends them all: the next mount frees the orphans (docs/fs.md).
 *
 * Sessions and bulk data. A client first asks for a session (FS_SESSION) and gets a
 * memory object of FS_BUFFER_BYTES that both sides map: FS_READ puts file bytes at its
 * start, FS_WRITE takes them from there, FS_READDIR packs entries there. Up to
 * FS_IO_MAX bytes go in one request, so a FUSE read or write (up to 512 KiB) is one call. Names
 * and attributes travel in the IPC buffer (copied by the kernel, so the server checks
 * exactly what it uses). Every request but FS_SESSION has the session id in w0; a session
 * is its opener's task's alone, and ends with FS_SESSION_END or when that task ends.
 *
 * Requests: label, w0 = session, w1.. as below, data = names. Replies: w0 = 0 or a
 * negative FS_E* code (Linux errno values, so the FUSE side passes them on as they are),
 * w1.. results, data = a struct fs_attr where the operation says "-> attr". The IPC call's
 * own status (a VIREO_E_* code) is the kernel's and means the server was not reached.
 *
 * Names: 1 to FS_NAME_MAX bytes, no '/' and no NUL, not "." or ".." (FS_EINVAL; longer
 * ones FS_ENAMETOOLONG). They are sent without a terminating NUL; FS_RENAME sends
 * "old\0new".
 *
 * Every operation that changes the file system is committed to the disk (its journal)
 * before its reply: an operation that was answered survives a crash, and one cut short
 * leaves everything as it was before it (docs/fs.md). */
#ifndef VIREO_FS_PROTOCOL_H
#define VIREO_FS_PROTOCOL_H

#include <stdint.h>

#define FS_ROOT_NODE 1ull
#define FS_NAME_MAX 255
#define FS_IO_MAX (512u * 1024) /* FUSE's max_pages: fewer requests, fewer exits */
#define FS_BUFFER_BYTES (FS_IO_MAX + 4096u) /* room for the largest READDIR too */
#define FS_MAX_SESSIONS 8
#define fs_node_id(ino, gen) (((uint64_t)(uint32_t)(gen) << 32) | (uint32_t)(ino))
#define fs_node_ino(node) ((uint32_t)(node))
#define fs_node_gen(node) ((uint32_t)((node) >> 32))

enum fs_label {
	/* -> w1 = session id, w2 = the buffer's bytes (FS_BUFFER_BYTES), handle = the buffer
	 * (a memory object to map read-write). FS_EMFILE past FS_MAX_SESSIONS. */
	FS_SESSION = 1,
	FS_SESSION_END,
	/* w1 = parent node, data = name -> w1 = node, w2 = generation, attr. */
	FS_LOOKUP,
	/* w1 = node, w2 = how many lookups it stands for -> 0 (no state is kept). */
	FS_FORGET,
	/* w1 = node -> attr */
	FS_GETATTR,
	/* w1 = node, data = struct fs_setattr -> attr. Size changes truncate or extend (with
	 * zeros); FS_EISDIR for a directory's size. */
	FS_SETATTR,
	/* w1 = node, w2 = FS_OPEN_DIR to open a directory, 0 for a file, | FS_OPEN_HOLD to
	 * hold a file open (other bits: FS_EINVAL), w3 = the holder: any 32-bit number the
	 * client picks (the monitor's is the guest's id) -> w1 = handle (0 unless held), or
	 * FS_EISDIR / FS_ENOTDIR, FS_ENFILE when a holder holds FS_OPEN_PER_HOLDER files or
	 * all FS_OPEN_MAX are held. */
	FS_OPEN,
	/* w1 = node, w2 = handle, w3 = holder -> 0, or FS_EBADF if that holder does not hold
	 * that node by that handle. An orphan nobody holds any more is freed. */
	FS_RELEASE,
	/* w1 = node, w2 = offset, w3 = bytes (at most FS_IO_MAX) -> w1 = bytes put at the
	 * buffer's start: fewer at the end of the file, 0 past it. */
	FS_READ,
	/* w1 = node, w2 = offset, w3 = bytes (at most FS_IO_MAX) | where in the buffer they
	 * start << 32 (fs_write_span; 0: its start), within the buffer -> w1 = bytes written
	 * (all of them, or an error and none), attr. FS_EFBIG past FS_FILE_MAX. A client may
	 * so put the bytes where they fall, after a header of its own (the monitor gathers a
	 * FUSE WRITE into the buffer whole, its data page-aligned). */
	FS_WRITE,
	/* w1 = directory node, w2 = cookie (0: from the start), w3 = most bytes wanted (at
	 * most FS_BUFFER_BYTES) -> w1 = bytes of struct fs_dirent packed at the buffer's start
	 * (0: no more; FS_EINVAL if not even the next entry fits). Each entry's cookie
	 * continues after it. The first two are "." and ".." (the root's ".." is itself), as
	 * FUSE's READDIR passes on what the server gives. */
	FS_READDIR,
	/* w1 = parent, w2 = mode (permission bits; the kind is implied), data = name -> w1 =
	 * node, w2 = generation, attr. FS_EEXIST if the name is taken. */
	FS_CREATE,
	FS_MKDIR,
	/* w1 = parent, data = name. UNLINK: not a directory (FS_EISDIR); RMDIR: an empty
	 * directory (FS_ENOTDIR, FS_ENOTEMPTY). */
	FS_UNLINK,
	FS_RMDIR,
	/* w1 = old parent, w2 = new parent, w3 = FS_RENAME_* flags, data = "old\0new". A file
	 * or empty directory at the new name is replaced unless FS_RENAME_NOREPLACE
	 * (FS_EEXIST); a directory is never moved into itself or below (FS_EINVAL). */
	FS_RENAME,
	/* w1 = node (0: everything) -> 0 once everything answered so far is on the disk. As
	 * every change is committed before its reply, both only ask the disk to flush. */
	FS_FSYNC,
	FS_FLUSH,
	/* -> data = struct fs_statfs */
	FS_STATFS,
	/* w1 = holder -> 0: every handle of that holder is let go of (a guest that ends, or
	 * mounts the share again). */
	FS_RELEASE_ALL,
};

#define fs_write_span(bytes, at) ((uint64_t)(uint32_t)(bytes) | (uint64_t)(at) << 32)

#define FS_OPEN_DIR 1
#define FS_OPEN_HOLD 2
#define FS_RENAME_NOREPLACE 1 /* Linux RENAME_NOREPLACE; RENAME_EXCHANGE gets FS_EINVAL */

/* Errors: negated Linux errno values. */
enum fs_error {
	FS_OK = 0,
	FS_EPERM = -1,
	FS_ENOENT = -2,
	FS_EIO = -5,
	FS_EBADF = -9,        /* no such session */
	FS_ENOMEM = -12,
	FS_EACCES = -13,      /* a caller the server does not serve */
	FS_EEXIST = -17,
	FS_EXDEV = -18,
	FS_ENOTDIR = -20,
	FS_EISDIR = -21,
	FS_EINVAL = -22,
	FS_ENFILE = -23,      /* too many files held open */
	FS_EMFILE = -24,      /* too many sessions */
	FS_EFBIG = -27,
	FS_ENOSPC = -28,
	FS_EROFS = -30,       /* the volume is damaged: served read-only */
	FS_EMLINK = -31,
	FS_ENAMETOOLONG = -36,
	FS_ENOSYS = -38,
	FS_ENOTEMPTY = -39,
	FS_ESTALE = -116,     /* a node id whose inode was freed (and maybe reused) */
};

/* Kinds and permission bits of mode, as Linux's S_IF* and st_mode. */
#define FS_S_IFMT 0170000u
#define FS_S_IFDIR 0040000u
#define FS_S_IFREG 0100000u
#define FS_S_PERM 07777u

/* Times in nanoseconds since 1970. */
struct fs_attr {
	uint64_t ino;    /* the node id */
	uint64_t size;   /* bytes */
	uint64_t blocks; /* 512-byte units allocated, as st_blocks */
	uint64_t atime_ns, mtime_ns, ctime_ns;
	uint32_t mode;   /* FS_S_IFDIR or FS_S_IFREG | permission bits */
	uint32_t nlink;
	uint32_t uid, gid;
	uint32_t generation;
	uint32_t blksize; /* the file system's block size */
};

/* FS_SETATTR: valid says which fields apply; the bits are FUSE's FATTR_* ones, so that its
 * valid mask passes through (FATTR_FH and FATTR_LOCKOWNER are ignored). */
#define FS_SET_MODE (1u << 0)  /* permission bits only; the kind stays */
#define FS_SET_UID (1u << 1)
#define FS_SET_GID (1u << 2)
#define FS_SET_SIZE (1u << 3)
#define FS_SET_ATIME (1u << 4)
#define FS_SET_MTIME (1u << 5)
#define FS_SET_ATIME_NOW (1u << 7) /* the server's clock instead of atime_ns */
#define FS_SET_MTIME_NOW (1u << 8)
#define FS_SET_CTIME (1u << 10)
struct fs_setattr {
	uint32_t valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	uint64_t atime_ns, mtime_ns, ctime_ns;
};

/* FS_READDIR: entries one after another, each 8-byte aligned: 24 bytes, then name_len
 * bytes of name (no NUL), then padding to the next multiple of 8. */
struct fs_dirent {
	uint64_t node;
	uint64_t cookie; /* pass it back to continue after this entry */
	uint32_t type;   /* FS_S_IFDIR or FS_S_IFREG */
	uint32_t name_len;
	char name[];
};
#define fs_dirent_size(name_len) ((sizeof(struct fs_dirent) + (name_len) + 7) & ~7ul)

struct fs_statfs {
	uint64_t blocks, free_blocks; /* of bsize bytes each */
	uint64_t files, free_files;   /* inodes */
	uint32_t bsize, name_max;
};

#define FS_FILE_MAX (4ull << 30) /* the largest file the block map can hold (docs/fs.md) */

#endif
