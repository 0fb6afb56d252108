/* FUSE request parsing and validation; see fuse_request.h. */
#include "fuse_request.h"

#include <string.h>

/* The wire sizes fuse.h gives (a mismatch would misread every request). */
_Static_assert(sizeof(struct fuse_in_header) == 40, "fuse_in_header");
_Static_assert(sizeof(struct fuse_out_header) == 16, "fuse_out_header");
_Static_assert(sizeof(struct fuse_attr) == 88, "fuse_attr");
_Static_assert(sizeof(struct fuse_entry_out) == 128, "fuse_entry_out");
_Static_assert(sizeof(struct fuse_attr_out) == 104, "fuse_attr_out");
_Static_assert(sizeof(struct fuse_statfs_out) == 80, "fuse_statfs_out");
_Static_assert(sizeof(struct fuse_init_out) == 64, "fuse_init_out");
_Static_assert(sizeof(struct fuse_setattr_in) == 88, "fuse_setattr_in");
_Static_assert(sizeof(struct fuse_io_in) == 40, "fuse_read_in and fuse_write_in");
_Static_assert(sizeof(struct fuse_release_in) == 24, "fuse_release_in and fuse_flush_in");
_Static_assert(sizeof(struct fuse_dirent) == 24, "fuse_dirent");

#define INIT_IN_MAX 64 /* fuse_init_in with 7.36's flags2 and its reserved words */
#define NSEC_PER_SEC 1000000000u
#define S_IFMT 0170000u
#define S_IFREG 0100000u

enum names { NAMES_NONE, NAMES_ONE, NAMES_TWO };

/* What each served opcode carries: its fixed argument, names after it, data after that
 * (WRITE), and the fixed reply it needs room for. */
struct op {
	bool served;
	uint32_t arg, reply;
	enum names names;
	bool node;     /* nodeid names a node (not INIT, DESTROY, BATCH_FORGET) */
	bool no_reply; /* FORGET, BATCH_FORGET */
	bool variable; /* the argument's size is checked by the op's own code */
};

static const struct op ops[] = {
	[FUSE_LOOKUP] = { true, 0, sizeof(struct fuse_entry_out), NAMES_ONE, true, false, false },
	[FUSE_FORGET] = { true, 8, 0, NAMES_NONE, true, true, false },
	[FUSE_GETATTR] = { true, sizeof(struct fuse_getattr_in), sizeof(struct fuse_attr_out),
			   NAMES_NONE, true, false, false },
	[FUSE_SETATTR] = { true, sizeof(struct fuse_setattr_in), sizeof(struct fuse_attr_out),
			   NAMES_NONE, true, false, false },
	[FUSE_MKDIR] = { true, sizeof(struct fuse_mkdir_in), sizeof(struct fuse_entry_out), NAMES_ONE,
			 true, false, false },
	[FUSE_UNLINK] = { true, 0, 0, NAMES_ONE, true, false, false },
	[FUSE_RMDIR] = { true, 0, 0, NAMES_ONE, true, false, false },
	[FUSE_RENAME] = { true, 8, 0, NAMES_TWO, true, false, false },
	[FUSE_RENAME2] = { true, sizeof(struct fuse_rename2_in), 0, NAMES_TWO, true, false, false },
	[FUSE_OPEN] = { true, sizeof(struct fuse_open_in), sizeof(struct fuse_open_out), NAMES_NONE,
			true, false, false },
	[FUSE_OPENDIR] = { true, sizeof(struct fuse_open_in), sizeof(struct fuse_open_out),
			   NAMES_NONE, true, false, false },
	[FUSE_READ] = { true, sizeof(struct fuse_io_in), 0, NAMES_NONE, true, false, false },
	[FUSE_READDIR] = { true, sizeof(struct fuse_io_in), 0, NAMES_NONE, true, false, false },
	[FUSE_WRITE] = { true, sizeof(struct fuse_io_in), sizeof(struct fuse_write_out), NAMES_NONE,
			 true, false, true },
	[FUSE_STATFS] = { true, 0, sizeof(struct fuse_statfs_out), NAMES_NONE, true, false, false },
	[FUSE_RELEASE] = { true, sizeof(struct fuse_release_in), 0, NAMES_NONE, true, false, false },
	[FUSE_RELEASEDIR] = { true, sizeof(struct fuse_release_in), 0, NAMES_NONE, true, false, false },
	[FUSE_FLUSH] = { true, sizeof(struct fuse_release_in), 0, NAMES_NONE, true, false, false },
	[FUSE_FSYNC] = { true, sizeof(struct fuse_fsync_in), 0, NAMES_NONE, true, false, false },
	[FUSE_INIT] = { true, sizeof(struct fuse_init_in), sizeof(struct fuse_init_out), NAMES_NONE,
			false, false, true },
	[FUSE_CREATE] = { true, sizeof(struct fuse_create_in),
			  sizeof(struct fuse_entry_out) + sizeof(struct fuse_open_out), NAMES_ONE,
			  true, false, false },
	[FUSE_DESTROY] = { true, 0, 0, NAMES_NONE, false, false, false },
	[FUSE_BATCH_FORGET] = { true, 8, 0, NAMES_NONE, false, true, true },
};

static enum fuse_parse error(struct fuse_request *r, int32_t errno_value, const char *why)
{
	r->error = -errno_value;
	r->why = why;
	return FUSE_PARSE_ERROR;
}

/* One name of len bytes at s (its NUL not counted): the rules of a path component. */
static const char *bad_name(const char *s, size_t len)
{
	if (len == 0)
		return "an empty name";
	if (len > FUSE_NAME_MAX)
		return "a name longer than 255 bytes";
	if (memchr(s, '/', len))
		return "a name with '/'";
	if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
		return "the name '.' or '..'";
	return NULL;
}

/* The names filling [p, end): each ends at its first NUL, and the last NUL is the last byte
 * (so no name holds a NUL and nothing trails). */
static enum fuse_parse parse_names(struct fuse_request *r, const uint8_t *p, const uint8_t *end,
				   enum names names)
{
	const char *s[2] = { NULL, NULL };
	uint32_t len[2] = { 0, 0 };
	unsigned want = names == NAMES_TWO ? 2 : 1;
	for (unsigned i = 0; i < want; i++) {
		const uint8_t *nul = p < end ? memchr(p, '\0', (size_t)(end - p)) : NULL;
		if (!nul)
			return error(r, FUSE_EINVAL, "a name without its NUL");
		const char *why = bad_name((const char *)p, (size_t)(nul - p));
		if (why)
			return error(r, nul - p > FUSE_NAME_MAX ? FUSE_ENAMETOOLONG : FUSE_EINVAL,
				     why);
		s[i] = (const char *)p;
		len[i] = (uint32_t)(nul - p);
		p = nul + 1;
	}
	if (p != end)
		return error(r, FUSE_EINVAL, "bytes after the last name (a name with a NUL?)");
	r->name = s[0];
	r->name_len = len[0];
	r->name2 = s[1];
	r->name2_len = len[1];
	return FUSE_PARSE_OK;
}

static bool time_ok(uint32_t valid, uint32_t bit, uint32_t nsec)
{
	return !(valid & bit) || nsec < NSEC_PER_SEC;
}

/* Checks of the fixed argument (already copied into r->in) and what follows it (rest bytes
 * at p). */
static enum fuse_parse check_op(struct fuse_request *r, const struct fuse_limits *lim,
				const uint8_t *p, size_t rest)
{
	switch (r->h.opcode) {
	case FUSE_INIT:
		if (r->in.init.major < FUSE_MAJOR ||
		    (r->in.init.major == FUSE_MAJOR && r->in.init.minor < FUSE_MINOR_MIN))
			return error(r, FUSE_EPROTO, "a FUSE protocol older than 7.31");
		return FUSE_PARSE_OK;
	case FUSE_SETATTR: {
		const struct fuse_setattr_in *s = &r->in.setattr;
		if (s->valid & ~FATTR_KNOWN)
			return error(r, FUSE_EINVAL, "unknown SETATTR valid bits");
		if ((s->valid & FATTR_SIZE) && s->size > lim->max_file_size)
			return error(r, FUSE_EFBIG, "a size past the largest file");
		if (!time_ok(s->valid, FATTR_ATIME, s->atimensec) ||
		    !time_ok(s->valid, FATTR_MTIME, s->mtimensec) ||
		    !time_ok(s->valid, FATTR_CTIME, s->ctimensec))
			return error(r, FUSE_EINVAL, "nanoseconds of a second or more");
		return FUSE_PARSE_OK;
	}
	case FUSE_READ:
	case FUSE_READDIR:
		if (r->in.io.size > lim->max_io)
			return error(r, FUSE_EINVAL, "a read larger than max_write");
		if (r->in.io.size > r->reply_room)
			return error(r, FUSE_EINVAL, "a read larger than its reply buffers");
		/* A READDIR offset is the server's cookie; a READ's is a file position. */
		if (r->h.opcode == FUSE_READ && r->in.io.offset > lim->max_file_size)
			return error(r, FUSE_EINVAL, "a read offset past the largest file");
		return FUSE_PARSE_OK;
	case FUSE_WRITE:
		if (r->in.io.size > lim->max_io)
			return error(r, FUSE_EINVAL, "a write larger than max_write");
		if (rest != r->in.io.size)
			return error(r, FUSE_EINVAL, "write data not of the size its header says");
		if (r->in.io.offset > lim->max_file_size ||
		    r->in.io.size > lim->max_file_size - r->in.io.offset)
			return error(r, FUSE_EFBIG, "a write past the largest file");
		r->data = p;
		return FUSE_PARSE_OK;
	case FUSE_CREATE:
		if ((r->in.create.mode & S_IFMT) != S_IFREG)
			return error(r, FUSE_EINVAL, "CREATE of something other than a file");
		return FUSE_PARSE_OK;
	case FUSE_RENAME2:
		if (r->in.rename.flags & ~FUSE_RENAME_NOREPLACE)
			return error(r, FUSE_EINVAL, "RENAME2 flags other than NOREPLACE");
		return FUSE_PARSE_OK;
	case FUSE_BATCH_FORGET: {
		uint32_t count = r->in.batch_forget.count;
		if (rest % sizeof(struct fuse_forget_one) ||
		    rest / sizeof(struct fuse_forget_one) != count)
			return error(r, FUSE_EINVAL, "BATCH_FORGET count not its length");
		r->forgets = (const struct fuse_forget_one *)p;
		r->nforgets = count;
		return FUSE_PARSE_OK;
	}
	}
	return FUSE_PARSE_OK;
}

static bool served(uint32_t opcode)
{
	if (opcode >= sizeof(ops) / sizeof(*ops))
		return false;
	return ops[opcode].served;
}

/* The request past its header: OK, ERROR or BROKEN. */
static enum fuse_parse parse(const uint8_t *req, size_t readable, size_t writable,
			     const struct fuse_limits *lim, struct fuse_request *r)
{
	const struct op *op = served(r->h.opcode) ? &ops[r->h.opcode] : NULL;
	if (!(op && op->no_reply) && writable < sizeof(struct fuse_out_header)) {
		r->why = "no room for a reply header";
		return FUSE_PARSE_BROKEN;
	}
	if (!(op && op->no_reply)) {
		size_t room = writable - sizeof(struct fuse_out_header);
		r->reply_room = room > UINT32_MAX ? UINT32_MAX : (uint32_t)room;
	}
	if (r->h.len != readable)
		return error(r, FUSE_EINVAL, "header len is not the request's length");
	if (r->h.total_extlen)
		return error(r, FUSE_EINVAL, "request extensions, never negotiated");
	if (!op)
		return error(r, FUSE_ENOSYS, "an operation Vireo does not serve");
	const uint8_t *p = req + sizeof(r->h);
	size_t rest = readable - sizeof(r->h);
	bool exact = !op->names && !op->variable;
	if (rest < op->arg || (exact && rest != op->arg) ||
	    (r->h.opcode == FUSE_INIT && rest > INIT_IN_MAX))
		return error(r, FUSE_EINVAL, "arguments of the wrong length for the operation");
	if (op->node && r->h.nodeid == 0)
		return error(r, FUSE_EINVAL, "node id 0");
	if (r->reply_room < op->reply)
		return error(r, FUSE_EINVAL, "reply buffers too small for the reply");
	/* Copied out, since req may be unaligned; INIT copies only its first 16 bytes. */
	memcpy(&r->in, p, op->arg);
	p += op->arg;
	rest -= op->arg;
	if (op->names) {
		enum fuse_parse np = parse_names(r, p, p + rest, op->names);
		if (np != FUSE_PARSE_OK)
			return np;
		rest = 0;
	}
	if (r->h.opcode == FUSE_INIT)
		rest = 0;
	return check_op(r, lim, p, rest);
}

enum fuse_parse fuse_parse(const uint8_t *req, size_t readable, size_t writable,
			   const struct fuse_limits *lim, struct fuse_request *r)
{
	memset(r, 0, sizeof(*r));
	if (readable < sizeof(r->h)) {
		r->why = "a request shorter than its header";
		return FUSE_PARSE_BROKEN;
	}
	memcpy(&r->h, req, sizeof(r->h));
	enum fuse_parse p = parse(req, readable, writable, lim, r);
	/* A FORGET gets no reply, not even an error: a bad one is dropped (r->why says why). */
	if (served(r->h.opcode) && ops[r->h.opcode].no_reply && p != FUSE_PARSE_BROKEN)
		return FUSE_PARSE_NO_REPLY;
	return p;
}

void fuse_init_reply(const struct fuse_init_in *in, const struct fuse_limits *lim,
		     struct fuse_init_out *out)
{
	memset(out, 0, sizeof(*out));
	out->major = FUSE_MAJOR;
	/* A newer major is answered with ours, for the driver to come down to (fuse.h). */
	out->minor = in->major == FUSE_MAJOR && in->minor < FUSE_MINOR ? in->minor : FUSE_MINOR;
	out->max_readahead = in->max_readahead;
	out->flags = in->flags & FUSE_GRANTED_FLAGS;
	out->max_write = lim->max_io;
	out->time_gran = 1; /* nanoseconds */
	if (out->flags & FUSE_MAX_PAGES)
		out->max_pages = (uint16_t)(lim->max_io / 4096 ? lim->max_io / 4096 : 1);
	/* max_background 0: the driver keeps its defaults. No FUSE_MAP_ALIGNMENT and no shared
	 * memory region: no DAX window (5.11.5). */
}

bool fuse_add_dirent(uint8_t *buf, uint32_t room, uint32_t *used, uint64_t ino, uint64_t off,
		     uint32_t type, const char *name, uint32_t name_len)
{
	if (name_len == 0 || name_len > FUSE_NAME_MAX || *used > room)
		return false;
	uint32_t size = (uint32_t)((sizeof(struct fuse_dirent) + name_len + 7) & ~7ul);
	if (size > room - *used)
		return false;
	struct fuse_dirent d = { .ino = ino, .off = off, .namelen = name_len, .type = type };
	uint8_t *at = buf + *used;
	memcpy(at, &d, sizeof(d));
	memcpy(at + sizeof(d), name, name_len);
	memset(at + sizeof(d) + name_len, 0, size - sizeof(d) - name_len);
	*used += size;
	return true;
}
