/* FUSE requests as virtio-fs carries them (virtio 1.2 section 5.11.6: the device-readable
 * part holds fuse_in_header and the operation's arguments, the device-writable part takes
 * fuse_out_header and the reply). Pure code with no system calls, so that the host unit
 * tests (tools/unit/test_fuse_request.c) and the fuzzer drive it with hostile requests.
 *
 * The wire structures below are written from Linux's include/uapi/linux/fuse.h (protocol
 * 7.31, the first with virtio-fs; little-endian like RISC-V). Only what Vireo serves is
 * here: every other opcode is answered ENOSYS. Node ids are not checked here beyond 0
 * (never a node): the file-system server knows which exist and answers the rest. */
#ifndef VMM_FUSE_REQUEST_H
#define VMM_FUSE_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FUSE_MAJOR 7
#define FUSE_MINOR 31       /* what Vireo answers INIT with: virtio-fs came in 7.31 */
#define FUSE_MINOR_MIN 31   /* older drivers know no virtio-fs */
#define FUSE_ROOT_ID 1
#define FUSE_NAME_MAX 255   /* bytes of one name, without its NUL */

/* Opcodes (fuse.h enum fuse_opcode). */
enum {
	FUSE_LOOKUP = 1, FUSE_FORGET = 2, FUSE_GETATTR = 3, FUSE_SETATTR = 4, FUSE_MKNOD = 8,
	FUSE_MKDIR = 9, FUSE_UNLINK = 10, FUSE_RMDIR = 11, FUSE_RENAME = 12, FUSE_OPEN = 14,
	FUSE_READ = 15, FUSE_WRITE = 16, FUSE_STATFS = 17, FUSE_RELEASE = 18, FUSE_FSYNC = 20,
	FUSE_FLUSH = 25, FUSE_INIT = 26, FUSE_OPENDIR = 27, FUSE_READDIR = 28,
	FUSE_RELEASEDIR = 29, FUSE_CREATE = 35, FUSE_DESTROY = 38, FUSE_BATCH_FORGET = 42,
	FUSE_RENAME2 = 45,
};

/* INIT flags (fuse.h), the ones Vireo may grant. */
#define FUSE_BIG_WRITES (1u << 5)
#define FUSE_MAX_PAGES (1u << 22)
#define FUSE_GRANTED_FLAGS (FUSE_BIG_WRITES | FUSE_MAX_PAGES)

/* SETATTR valid bits (fuse.h FATTR_*). */
#define FATTR_MODE (1u << 0)
#define FATTR_UID (1u << 1)
#define FATTR_GID (1u << 2)
#define FATTR_SIZE (1u << 3)
#define FATTR_ATIME (1u << 4)
#define FATTR_MTIME (1u << 5)
#define FATTR_FH (1u << 6)
#define FATTR_ATIME_NOW (1u << 7)
#define FATTR_MTIME_NOW (1u << 8)
#define FATTR_LOCKOWNER (1u << 9)
#define FATTR_CTIME (1u << 10)
#define FATTR_KNOWN ((1u << 11) - 1)

#define FUSE_RENAME_NOREPLACE 1u /* RENAME2 flags: renameat2(2) RENAME_NOREPLACE */

/* Linux errno values, negated in fuse_out_header.error. */
enum {
	FUSE_EPERM = 1, FUSE_ENOENT = 2, FUSE_EIO = 5, FUSE_EBADF = 9, FUSE_ENOMEM = 12,
	FUSE_EACCES = 13, FUSE_EEXIST = 17, FUSE_EXDEV = 18, FUSE_ENOTDIR = 20, FUSE_EISDIR = 21,
	FUSE_EINVAL = 22, FUSE_EFBIG = 27, FUSE_ENOSPC = 28, FUSE_EROFS = 30,
	FUSE_ENAMETOOLONG = 36, FUSE_ENOSYS = 38, FUSE_ENOTEMPTY = 39, FUSE_EPROTO = 71,
	FUSE_EOVERFLOW = 75,
};

struct fuse_in_header {
	uint32_t len, opcode;
	uint64_t unique, nodeid;
	uint32_t uid, gid, pid;
	uint16_t total_extlen; /* 7.38 request extensions; never negotiated, so 0 */
	uint16_t padding;
};

struct fuse_out_header {
	uint32_t len;
	int32_t error;
	uint64_t unique;
};

struct fuse_attr {
	uint64_t ino, size, blocks, atime, mtime, ctime;
	uint32_t atimensec, mtimensec, ctimensec, mode, nlink, uid, gid, rdev, blksize, flags;
};

struct fuse_entry_out {
	uint64_t nodeid, generation, entry_valid, attr_valid;
	uint32_t entry_valid_nsec, attr_valid_nsec;
	struct fuse_attr attr;
};

struct fuse_attr_out {
	uint64_t attr_valid;
	uint32_t attr_valid_nsec, dummy;
	struct fuse_attr attr;
};

struct fuse_open_out {
	uint64_t fh;
	uint32_t open_flags, padding;
};

struct fuse_write_out {
	uint32_t size, padding;
};

struct fuse_statfs_out {
	uint64_t blocks, bfree, bavail, files, ffree;
	uint32_t bsize, namelen, frsize, padding, spare[6];
};

struct fuse_init_in {
	uint32_t major, minor, max_readahead, flags;
};

struct fuse_init_out {
	uint32_t major, minor, max_readahead, flags;
	uint16_t max_background, congestion_threshold;
	uint32_t max_write, time_gran;
	uint16_t max_pages, map_alignment;
	uint32_t flags2, unused[7];
};

struct fuse_setattr_in {
	uint32_t valid, padding;
	uint64_t fh, size, lock_owner, atime, mtime, ctime;
	uint32_t atimensec, mtimensec, ctimensec, mode, unused4, uid, gid, unused5;
};

/* READ and READDIR take fuse_read_in; WRITE takes fuse_write_in, the same layout. */
struct fuse_io_in {
	uint64_t fh, offset;
	uint32_t size, io_flags;
	uint64_t lock_owner;
	uint32_t flags, padding;
};

struct fuse_open_in {
	uint32_t flags, open_flags;
};

struct fuse_create_in {
	uint32_t flags, mode, umask, open_flags;
};

struct fuse_mkdir_in {
	uint32_t mode, umask;
};

/* RELEASE and RELEASEDIR take fuse_release_in; FLUSH takes fuse_flush_in, of its size. */
struct fuse_release_in {
	uint64_t fh;
	uint32_t flags, release_flags;
	uint64_t lock_owner;
};

struct fuse_fsync_in {
	uint64_t fh;
	uint32_t fsync_flags, padding;
};

struct fuse_getattr_in {
	uint32_t getattr_flags, dummy;
	uint64_t fh;
};

struct fuse_rename2_in {
	uint64_t newdir;
	uint32_t flags, padding; /* RENAME's fuse_rename_in is newdir alone */
};

struct fuse_forget_one {
	uint64_t nodeid, nlookup;
};

struct fuse_dirent {
	uint64_t ino, off;
	uint32_t namelen, type;
	/* then namelen bytes of name, padded with zeros to 8 bytes */
};

/* What a device serves: the most a WRITE carries and a READ or READDIR returns, and the
 * largest file. */
struct fuse_limits {
	uint32_t max_io;
	uint64_t max_file_size;
};

enum fuse_parse {
	FUSE_PARSE_OK,       /* serve it, then reply */
	FUSE_PARSE_ERROR,    /* reply with error alone, at once */
	FUSE_PARSE_NO_REPLY, /* FORGET, BATCH_FORGET: nothing goes back; served only if
				error is 0 (a bad one is dropped, why says why) */
	FUSE_PARSE_BROKEN,   /* not even a header to reply to: the device needs a reset */
};

struct fuse_request {
	struct fuse_in_header h;
	uint32_t reply_room;  /* bytes the driver left for the reply after fuse_out_header */
	int32_t error;        /* with FUSE_PARSE_ERROR: a negative errno */
	const char *why;      /* with FUSE_PARSE_ERROR and BROKEN: what was wrong */
	/* Names (LOOKUP, MKDIR, CREATE, UNLINK, RMDIR, RENAME's old and new), checked: 1 to
	 * FUSE_NAME_MAX bytes, no '/' or NUL, neither "." nor "..". Not NUL-terminated. */
	const char *name, *name2;
	uint32_t name_len, name2_len;
	const uint8_t *data; /* WRITE: io.size bytes */
	const struct fuse_forget_one *forgets; /* BATCH_FORGET (unaligned: copy each out) */
	uint32_t nforgets;
	union {
		struct fuse_init_in init;
		struct fuse_setattr_in setattr;
		struct fuse_io_in io;       /* READ, READDIR, WRITE */
		struct fuse_open_in open;   /* OPEN, OPENDIR */
		struct fuse_create_in create;
		struct fuse_mkdir_in mkdir;
		struct fuse_release_in release; /* RELEASE, RELEASEDIR, FLUSH */
		struct fuse_fsync_in fsync;
		struct fuse_getattr_in getattr;
		struct fuse_rename2_in rename;  /* RENAME (flags 0), RENAME2 */
		uint64_t nlookup;               /* FORGET */
		struct { uint32_t count, dummy; } batch_forget;
	} in;
};

/* Parses the request in req (readable bytes, as gathered from the chain) whose chain has
 * writable bytes for the reply. */
enum fuse_parse fuse_parse(const uint8_t *req, size_t readable, size_t writable,
			   const struct fuse_limits *lim, struct fuse_request *r);

/* The answer to a parsed INIT: the flags granted are those asked for that Vireo has, the
 * sizes are lim's. */
void fuse_init_reply(const struct fuse_init_in *in, const struct fuse_limits *lim,
		     struct fuse_init_out *out);

/* Appends one READDIR entry at buf + *used (room bytes in all): false, with nothing written,
 * when it does not fit. The name is at most FUSE_NAME_MAX bytes. */
bool fuse_add_dirent(uint8_t *buf, uint32_t room, uint32_t *used, uint64_t ino, uint64_t off,
		     uint32_t type, const char *name, uint32_t name_len);

#endif
