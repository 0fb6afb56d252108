/* virtio-fs, the file-system device (virtio 1.2 section 5.11): tag "share", a hiprio queue
 * and one request queue, each request a FUSE request checked whole by fuse_request.c and
 * forwarded to the file-system server ("fs", include/vireo/fs_protocol.h) over IPC, its
 * answer written as the FUSE reply into the chain's device-writable buffers. The monitor
 * holds one session with the server for all its guests; bulk data goes through that
 * session's shared buffer. FUSE node ids are the server's node ids (the root is 1 in both).
 *
 * Attributes and names are given with cache timeouts of 0: what the Vireo shell or another
 * guest changes in the share is seen at the next access. No DAX window (5.11.5). */
#include <string.h>

#include "blk_request.h" /* blk_gather and blk_scatter: the two streams of a chain */
#include <vireo/fs_protocol.h>
#include "fuse_request.h"
#include "virtio_mmio.h"
#include "vmm.h"

#define FS_DEVICE_ID 26
#define FS_QUEUE_MAX 128
#define FS_CONFIG_SIZE 40 /* char tag[36], le32 num_request_queues */
#define FS_TAG "share"
#define SHARE_BUFFER_VA 0x2b80000000ul /* the fs session's buffer, past the block buffer */
#define NSEC 1000000000ull
#define NAMES_MAX (2 * (FUSE_NAME_MAX + 1))
/* The longest request: header, the largest fixed argument, two names, or a write's data. */
#define REQUEST_MAX (sizeof(struct fuse_in_header) + sizeof(struct fuse_setattr_in) + \
		     NAMES_MAX + FS_IO_MAX)
/* A WRITE is gathered into the server's buffer whole, so that its data, page-aligned at
 * WRITE_DATA_AT, is copied once: from the guest to where the server takes it. */
#define WRITE_HEAD (sizeof(struct fuse_in_header) + sizeof(struct fuse_io_in))
#define WRITE_DATA_AT 4096u
_Static_assert(WRITE_DATA_AT >= WRITE_HEAD && WRITE_DATA_AT + FS_IO_MAX <= FS_BUFFER_BYTES,
	       "a whole WRITE fits the buffer");

static const struct fuse_limits limits = { .max_io = FS_IO_MAX, .max_file_size = FS_FILE_MAX };

static struct {
	uint64_t ep, session;
	uint8_t *buffer; /* FS_BUFFER_BYTES, mapped at SHARE_BUFFER_VA */
} server;

/* Which guest (by id) has had FUSE_INIT, by slot: requests before it are refused. */
static uint64_t initialized[MAX_GUESTS];
/* Whether the guest in the slot may hold files open on the server (its holder number is its
 * id): let go of when it resets the device, mounts again, or ends. */
static bool holds[MAX_GUESTS];

/* A session with the server, made once (and again after the server restarted). */
static bool connect(void)
{
	if (server.session)
		return true;
	if (!server.ep) {
		int64_t ep = lookup("fs");
		if (ep < 0)
			return false;
		server.ep = (uint64_t)ep;
	}
	struct msg r = ipc_call(server.ep, vireo_ipc_info(FS_SESSION, 0), 0, 0, 0, 0);
	uint64_t handle = r.info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	bool ok = r.status >= 0 && r.w[0] == 0 && r.w[2] >= FS_BUFFER_BYTES && handle;
	if (ok && !server.buffer) {
		int64_t pages = vireo_syscall(SYS_MEMORY_MAP, (long)handle, (long)SHARE_BUFFER_VA,
					      VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
		ok = pages > 0 && (uint64_t)pages << 12 >= FS_BUFFER_BYTES;
		if (ok)
			server.buffer = (uint8_t *)SHARE_BUFFER_VA;
	}
	if (handle)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
	if (!ok) {
		if (r.status == VIREO_E_DEAD) {
			vireo_syscall(SYS_HANDLE_CLOSE, (long)server.ep, 0, 0, 0, 0, 0);
			server.ep = 0;
		}
		return false;
	}
	server.session = r.w[1];
	return true;
}

static bool fs_available(const struct guest *g)
{
	(void)g;
	return connect();
}

/* One request to the server: its FS_E* answer (a negative errno), r for the rest. A server
 * that cannot be reached is EIO, and the next request makes a new session. */
static int32_t call(uint32_t label, const void *data, size_t n, uint64_t w1, uint64_t w2,
		    uint64_t w3, struct msg *r)
{
	if (!connect())
		return -FUSE_EIO;
	*r = ipc_call(server.ep, ipc_data(label, data, n), server.session, w1, w2, w3);
	if (r->status < 0) {
		server.session = 0;
		if (r->status == VIREO_E_DEAD) {
			vireo_syscall(SYS_HANDLE_CLOSE, (long)server.ep, 0, 0, 0, 0, 0);
			server.ep = 0;
		}
		return -FUSE_EIO;
	}
	int64_t err = (int64_t)r->w[0];
	return err <= 0 && err >= -4095 ? (int32_t)err : -FUSE_EIO;
}

/* Holds file node open for guest g (POSIX: it outlives an unlink while open): its handle
 * is the FUSE fh that RELEASE brings back. */
static int32_t hold(struct guest *g, uint64_t node, uint64_t *fh)
{
	struct msg r;
	int32_t err = call(FS_OPEN, NULL, 0, node, FS_OPEN_HOLD, (uint32_t)g->id, &r);
	holds[g->slot] |= !err;
	*fh = err ? 0 : r.w[1];
	return err;
}

static void release_all(struct guest *g)
{
	struct msg r;
	if (holds[g->slot] && !call(FS_RELEASE_ALL, NULL, 0, (uint32_t)g->id, 0, 0, &r))
		holds[g->slot] = false;
}

static void fill_attr(struct fuse_attr *out, const struct fs_attr *a)
{
	*out = (struct fuse_attr){
		.ino = a->ino, .size = a->size, .blocks = a->blocks,
		.atime = a->atime_ns / NSEC, .mtime = a->mtime_ns / NSEC, .ctime = a->ctime_ns / NSEC,
		.atimensec = (uint32_t)(a->atime_ns % NSEC), .mtimensec = (uint32_t)(a->mtime_ns % NSEC),
		.ctimensec = (uint32_t)(a->ctime_ns % NSEC), .mode = a->mode, .nlink = a->nlink,
		.uid = a->uid, .gid = a->gid, .blksize = a->blksize,
	};
}

/* The struct fs_attr a reply carries as its data. */
static int32_t reply_attr(const struct msg *r, struct fuse_attr *out)
{
	struct fs_attr a;
	if (vireo_ipc_len(r->info) < sizeof(a))
		return -FUSE_EIO;
	memcpy(&a, ipc_buffer()->data, sizeof(a));
	fill_attr(out, &a);
	return 0;
}

/* LOOKUP, MKDIR, CREATE: a node and its attributes as fuse_entry_out. */
static int32_t entry(const struct msg *r, struct fuse_entry_out *e)
{
	memset(e, 0, sizeof(*e));
	e->nodeid = r->w[1];
	e->generation = r->w[2];
	return reply_attr(r, &e->attr);
}

static bool to_ns(uint64_t s, uint32_t ns, uint64_t *out)
{
	if (s > (UINT64_MAX - ns) / NSEC)
		return false;
	*out = s * NSEC + ns;
	return true;
}

static int32_t setattr(const struct fuse_request *q, struct msg *r)
{
	const struct fuse_setattr_in *in = &q->in.setattr;
	static const struct { uint32_t fuse, fs; } bits[] = {
		{ FATTR_MODE, FS_SET_MODE }, { FATTR_UID, FS_SET_UID }, { FATTR_GID, FS_SET_GID },
		{ FATTR_SIZE, FS_SET_SIZE }, { FATTR_ATIME, FS_SET_ATIME },
		{ FATTR_MTIME, FS_SET_MTIME }, { FATTR_ATIME_NOW, FS_SET_ATIME_NOW },
		{ FATTR_MTIME_NOW, FS_SET_MTIME_NOW }, { FATTR_CTIME, FS_SET_CTIME },
	};
	struct fs_setattr s = { .mode = in->mode & FS_S_PERM, .uid = in->uid, .gid = in->gid,
				.size = in->size };
	for (unsigned i = 0; i < sizeof(bits) / sizeof(*bits); i++)
		if (in->valid & bits[i].fuse)
			s.valid |= bits[i].fs;
	if (!to_ns(in->atime, in->atimensec, &s.atime_ns) ||
	    !to_ns(in->mtime, in->mtimensec, &s.mtime_ns) ||
	    !to_ns(in->ctime, in->ctimensec, &s.ctime_ns))
		return -FUSE_EOVERFLOW;
	/* FATTR_FH and FATTR_LOCKOWNER name no state: the server keeps none. */
	return call(FS_SETATTR, &s, sizeof(s), q->h.nodeid, 0, 0, r);
}

/* READDIR: the server's entries, each checked, as fuse_dirent records in out. */
static int32_t readdir(const struct fuse_request *q, uint8_t *out, uint32_t *len)
{
	struct msg r;
	uint32_t want = q->in.io.size < FS_BUFFER_BYTES ? q->in.io.size : FS_BUFFER_BYTES;
	int32_t err = call(FS_READDIR, NULL, 0, q->h.nodeid, q->in.io.offset, want, &r);
	if (err)
		return err;
	uint64_t got = r.w[1] < want ? r.w[1] : want;
	*len = 0;
	for (uint64_t at = 0; at + sizeof(struct fs_dirent) <= got;) {
		struct fs_dirent d;
		memcpy(&d, server.buffer + at, sizeof(d));
		uint64_t size = fs_dirent_size(d.name_len);
		if (d.name_len == 0 || d.name_len > FS_NAME_MAX || size > got - at)
			return *len ? 0 : -FUSE_EIO; /* a server bug: what came before stands */
		if (!fuse_add_dirent(out, want, len, d.node, d.cookie, d.type >> 12,
				     (const char *)server.buffer + at + sizeof(d), d.name_len))
			break;
		at += size;
	}
	return 0;
}

/* Serves a parsed request: the reply's body in out (at most FS_IO_MAX + a little), its
 * length in *len, or a negative errno. READ leaves its data in the server's buffer
 * (*from_buffer). */
static int32_t serve(struct guest *g, const struct fuse_request *q, uint8_t *out,
		     uint32_t *len, bool *from_buffer)
{
	struct msg r;
	int32_t err;
	*len = 0;
	*from_buffer = false;
	if (q->h.opcode != FUSE_INIT && initialized[g->slot] != g->id)
		return -FUSE_EIO; /* FUSE: nothing before INIT */
	switch (q->h.opcode) {
	case FUSE_INIT:
		release_all(g); /* a new mount: nothing of an old one is open */
		fuse_init_reply(&q->in.init, &limits, (struct fuse_init_out *)out);
		*len = sizeof(struct fuse_init_out);
		initialized[g->slot] = g->id;
		return 0;
	case FUSE_DESTROY:
		release_all(g);
		initialized[g->slot] = 0;
		return 0;
	case FUSE_LOOKUP:
		err = call(FS_LOOKUP, q->name, q->name_len, q->h.nodeid, 0, 0, &r);
		break;
	case FUSE_MKDIR:
		err = call(FS_MKDIR, q->name, q->name_len, q->h.nodeid, q->in.mkdir.mode & FS_S_PERM,
			   0, &r);
		break;
	case FUSE_CREATE: {
		struct fuse_entry_out e = { 0 };
		struct fuse_open_out o = { 0 };
		err = call(FS_CREATE, q->name, q->name_len, q->h.nodeid,
			   q->in.create.mode & FS_S_PERM, 0, &r);
		if (!err)
			err = entry(&r, &e);
		if (!err) /* and opened: held like FUSE_OPEN's */
			err = hold(g, e.nodeid, &o.fh);
		memcpy(out, &e, sizeof(e));
		memcpy(out + sizeof(e), &o, sizeof(o));
		*len = sizeof(e) + sizeof(o);
		return err;
	}
	case FUSE_GETATTR:
	case FUSE_SETATTR: {
		struct fuse_attr_out *a = (struct fuse_attr_out *)out;
		err = q->h.opcode == FUSE_GETATTR ? call(FS_GETATTR, NULL, 0, q->h.nodeid, 0, 0, &r)
						  : setattr(q, &r);
		memset(a, 0, sizeof(*a));
		*len = sizeof(*a);
		return err ? err : reply_attr(&r, &a->attr);
	}
	case FUSE_OPEN: {
		struct fuse_open_out o = { 0 };
		err = hold(g, q->h.nodeid, &o.fh);
		memcpy(out, &o, sizeof(o));
		*len = sizeof(o);
		return err;
	}
	case FUSE_OPENDIR:
		memset(out, 0, sizeof(struct fuse_open_out)); /* fh 0: directories are not held */
		*len = sizeof(struct fuse_open_out);
		return call(FS_OPEN, NULL, 0, q->h.nodeid, FS_OPEN_DIR, 0, &r);
	case FUSE_RELEASE:
		return call(FS_RELEASE, NULL, 0, q->h.nodeid, q->in.release.fh, (uint32_t)g->id, &r);
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
		return 0; /* directories are not held; every write is committed already */
	case FUSE_FSYNC:
		return call(FS_FSYNC, NULL, 0, q->h.nodeid, 0, 0, &r);
	case FUSE_READ:
		err = call(FS_READ, NULL, 0, q->h.nodeid, q->in.io.offset, q->in.io.size, &r);
		if (!err) {
			*len = r.w[1] < q->in.io.size ? (uint32_t)r.w[1] : q->in.io.size;
			*from_buffer = true;
		}
		return err;
	case FUSE_WRITE: {
		uint64_t at = WRITE_DATA_AT;
		if (q->data != server.buffer + at) { /* gathered elsewhere (see gather) */
			memcpy(server.buffer, q->data, q->in.io.size);
			at = 0;
		}
		err = call(FS_WRITE, NULL, 0, q->h.nodeid, q->in.io.offset,
			   fs_write_span(q->in.io.size, at), &r);
		struct fuse_write_out w = { .size = (uint32_t)(r.w[1] < q->in.io.size ? r.w[1]
										    : q->in.io.size) };
		memcpy(out, &w, sizeof(w));
		*len = sizeof(w);
		return err;
	}
	case FUSE_READDIR:
		return readdir(q, out, len);
	case FUSE_UNLINK:
	case FUSE_RMDIR:
		return call(q->h.opcode == FUSE_UNLINK ? FS_UNLINK : FS_RMDIR, q->name, q->name_len,
			    q->h.nodeid, 0, 0, &r);
	case FUSE_RENAME:
	case FUSE_RENAME2: {
		char names[NAMES_MAX];
		memcpy(names, q->name, q->name_len);
		names[q->name_len] = '\0';
		memcpy(names + q->name_len + 1, q->name2, q->name2_len);
		return call(FS_RENAME, names, q->name_len + 1 + q->name2_len, q->h.nodeid,
			    q->in.rename.newdir,
			    q->in.rename.flags & FUSE_RENAME_NOREPLACE ? FS_RENAME_NOREPLACE : 0, &r);
	}
	case FUSE_STATFS: {
		struct fs_statfs s;
		err = call(FS_STATFS, NULL, 0, 0, 0, 0, &r);
		if (!err && vireo_ipc_len(r.info) < sizeof(s))
			err = -FUSE_EIO;
		if (err)
			return err;
		memcpy(&s, ipc_buffer()->data, sizeof(s));
		struct fuse_statfs_out o = { .blocks = s.blocks, .bfree = s.free_blocks,
					     .bavail = s.free_blocks, .files = s.files,
					     .ffree = s.free_files, .bsize = s.bsize,
					     .namelen = s.name_max, .frsize = s.bsize };
		memcpy(out, &o, sizeof(o));
		*len = sizeof(o);
		return 0;
	}
	default:
		return -FUSE_ENOSYS; /* the parser lets no other opcode through */
	}
	/* LOOKUP, MKDIR */
	if (err)
		return err;
	*len = sizeof(struct fuse_entry_out);
	struct fuse_entry_out e;
	err = entry(&r, &e);
	memcpy(out, &e, sizeof(e));
	return err;
}

/* Copies the chain's readable bytes (up to a buffer's worth) where the request will be
 * parsed: a WRITE into the server's buffer, its data at WRITE_DATA_AT; the rest into req.
 * The opcode is looked at first, and the guest may change it before the whole is copied:
 * whatever is copied is what gets parsed, and serve copies a WRITE's data that did not
 * land at WRITE_DATA_AT. */
static size_t gather(const struct vq_chain *c, uint64_t readable, uint8_t *req, size_t room,
		     const uint8_t **at)
{
	struct fuse_in_header h;
	*at = req;
	if (server.buffer && blk_gather(c, 0, &h, sizeof(h)) == sizeof(h) &&
	    h.opcode == FUSE_WRITE) {
		*at = server.buffer + WRITE_DATA_AT - WRITE_HEAD;
		room = FS_BUFFER_BYTES - (WRITE_DATA_AT - WRITE_HEAD);
	}
	return blk_gather(c, 0, (uint8_t *)*at, readable < room ? readable : room);
}

/* One chain: parse, serve, reply; false if the device broke. */
static bool request(struct virtio_mmio *d, struct virtq *vq, const struct vq_chain *c)
{
	static uint8_t req[REQUEST_MAX], body[FS_IO_MAX + 4096];
	uint64_t readable = 0, writable = 0;
	const uint8_t *at;
	for (unsigned i = 0; i < c->n; i++)
		*(c->buf[i].writable ? &writable : &readable) += c->buf[i].len;
	size_t n = gather(c, readable, req, sizeof(req), &at);
	struct fuse_request q;
	enum fuse_parse p = fuse_parse(at, n, writable, &limits, &q);
	/* Longer than any served request: refused, whatever its header says. */
	if (readable > n && p != FUSE_PARSE_BROKEN) {
		q.error = -FUSE_EINVAL;
		q.why = "a request longer than any served";
		if (p == FUSE_PARSE_OK)
			p = FUSE_PARSE_ERROR;
	}
	if (p == FUSE_PARSE_BROKEN) {
		virtio_mmio_fail(d, "FUSE: %s", q.why);
		return false;
	}
	if (p == FUSE_PARSE_NO_REPLY) { /* FORGET: the server keeps no per-node state */
		vq_push(vq, &d->mem, c->head, 0);
		return true;
	}
	uint32_t len = 0;
	bool from_buffer = false;
	int32_t err = p == FUSE_PARSE_OK ? serve(d->g, &q, body, &len, &from_buffer) : q.error;
	d->stats.requests++;
	if (err)
		len = 0;
	d->stats.bytes += len;
	struct fuse_out_header h = { .len = (uint32_t)sizeof(h) + len, .error = err,
				     .unique = q.h.unique };
	blk_scatter(c, 0, &h, sizeof(h));
	blk_scatter(c, sizeof(h), from_buffer ? server.buffer : body, len);
	vq_push(vq, &d->mem, c->head, h.len);
	return true;
}

static void fs_notify(struct virtio_mmio *d, unsigned q)
{
	static struct vq_chain chain;
	struct virtq *vq = &d->queue[q].vq;
	struct vq_fault fault;
	bool used = false;
	int got;
	while ((got = vq_pop(vq, &d->mem, &chain, &fault)) > 0) {
		if (!request(d, vq, &chain))
			break;
		used = true;
	}
	if (got < 0) {
		char what[80];
		vq_describe(fault, what, sizeof(what));
		virtio_mmio_fail(d, "%s", what);
	}
	if (used)
		virtio_mmio_used(d, q);
}

/* 2.4: a reset, or the guest's end, lets go of what the guest held open. */
static void fs_reset(struct virtio_mmio *d)
{
	release_all(d->g);
	initialized[d->g->slot] = 0;
}

static uint64_t fs_config_read(struct virtio_mmio *d, uint32_t offset, unsigned width)
{
	(void)d;
	uint8_t config[FS_CONFIG_SIZE] = { 0 };
	uint32_t queues = 1;
	uint64_t value = 0;
	memcpy(config, FS_TAG, strlen(FS_TAG)); /* 5.11.4: NUL-padded, not NUL-terminated */
	memcpy(config + 36, &queues, 4);
	memcpy(&value, config + offset, width);
	return value;
}

const struct virtio_device_ops virtio_fs_ops = {
	.name = "virtio-fs",
	.device_id = FS_DEVICE_ID,
	.features = 0,
	.nqueues = 2, /* hiprio, then the one request queue (5.11.2) */
	.queue_max = FS_QUEUE_MAX,
	.config_size = FS_CONFIG_SIZE,
	.available = fs_available,
	.config_read = fs_config_read,
	.notify = fs_notify,
	.reset = fs_reset,
};
