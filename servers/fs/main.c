/* The file-system server ("fs"): Vireo's own file system (docs/fs.md) on the block server's
 * volume "share", served by node (include/vireo/fs_protocol.h) to the VM monitor, which
 * serves guests over virtio-fs, and to the shell's /share. Nobody else is served.
 *
 * The volume is opened at the first request, not at start, so that a machine that never
 * uses /share keeps its disk to itself; it is made then if missing, and given a file
 * system if it holds none. One whose superblock is ours but damaged is not served (nor
 * overwritten): tools/fsck says what is wrong. */
#include <string.h>

#include "fs.h"
#include "vireo.h"
#include "volume.h"

#define SESSION_VA (VIREO_USER_HEAP + 0x41000000ul)
#define SESSION_STRIDE 0x100000ul
#define SESSION_PAGES (FS_BUFFER_BYTES / 4096)
_Static_assert(FS_BUFFER_BYTES % 4096 == 0 && FS_BUFFER_BYTES <= SESSION_STRIDE,
	       "each session's buffer fits its window");

struct session {
	uint64_t id;     /* 0: free */
	uint64_t owner;  /* the task that opened it */
	uint64_t memory; /* the buffer's handle */
	uint8_t *buffer;
};

static struct fs fs;
static enum { UNMOUNTED, MOUNTED, BROKEN } state;
static struct session sessions[FS_MAX_SESSIONS];
static uint64_t next_session = 1;
static uint64_t vmm_task, shell_task; /* vouched for by init */
static uint64_t clock_base_ns;

/* No wall clock: times count on from the newest one the file system held at mount. */
static uint64_t now_ns(void)
{
	return clock_base_ns + clock_us() * 1000;
}

static void mount_share(void)
{
	struct fs_dev dev;
	uint64_t created;
	const char *why;
	state = BROKEN;
	int64_t err = volume_open(&dev, &created);
	if (err) { /* tried again at the next request: the block server may be restarting */
		printf("fs: cannot open the volume %s: %s\n", VOLUME_NAME, error_name(err));
		state = UNMOUNTED;
		return;
	}
	if (created)
		printf("fs: made the volume %s (%lu MiB)\n", VOLUME_NAME, created);
	int e = fs_mount(&fs, &dev, false, now_ns, &why);
	bool made = e == FS_EINVAL && memcmp(fs.sb.magic, FS_MAGIC, 8);
	if (made) {
		printf("fs: no file system on the volume %s: making one\n", VOLUME_NAME);
		why = NULL;
		e = fs_mkfs(&fs, &dev, now_ns);
		if (!e)
			e = fs_mount(&fs, &dev, false, now_ns, &why);
	}
	if (e) {
		printf("fs: the volume %s is not served: %s (tools/fsck tells more)\n", VOLUME_NAME,
		       why ? why : "cannot write to it");
		return;
	}
	clock_base_ns = fs.newest_ns;
	if (fs.orphans_freed) /* files unlinked while open when the server last stopped */
		printf("fs: freed %u orphaned files\n", fs.orphans_freed);
	if (made) /* otherwise a mount says nothing: it happens at every first use */
		printf("fs: %s mounted: %u of %u blocks free\n", VOLUME_NAME, fs.free_blocks,
		       fs.sb.blocks - fs.sb.data_start);
	state = MOUNTED;
}

static bool allowed(uint64_t task)
{
	if (task && (task == vmm_task || task == shell_task))
		return true;
	if (caller_is_service(task, "/boot/bin/vmm"))
		return (vmm_task = task), true;
	if (caller_is_service(task, "/boot/bin/shell"))
		return (shell_task = task), true;
	return false;
}

/* A holder names a session and the number its client picked (the guest, for the monitor). */
static uint64_t holder_of(const struct session *s, uint64_t client_holder)
{
	return s->id << 32 | (uint32_t)client_holder;
}
#define SESSION_MASK (~0ull << 32)

static void end_session(struct session *s)
{
	if (state == MOUNTED) /* the files it held open go with it; orphans among them too */
		fs_op_release_all(&fs, holder_of(s, 0), SESSION_MASK);
	vireo_syscall(SYS_MEM_FREE, (long)s->buffer, SESSION_PAGES, 0, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, (long)s->memory, 0, 0, 0, 0, 0);
	*s = (struct session){ 0 };
}

/* Sessions of tasks that have ended go: a restarted monitor or shell is another task. */
static void sweep_sessions(void)
{
	for (unsigned i = 0; i < FS_MAX_SESSIONS; i++) {
		struct session *s = &sessions[i];
		if (s->id && !caller_is_service(s->owner, "/boot/bin/vmm") &&
		    !caller_is_service(s->owner, "/boot/bin/shell"))
			end_session(s);
	}
}

static int64_t new_session(uint64_t task, struct session **out)
{
	sweep_sessions();
	for (unsigned i = 0; i < FS_MAX_SESSIONS; i++) {
		struct session *s = &sessions[i];
		if (s->id)
			continue;
		int64_t h = vireo_syscall(SYS_MEMORY_CREATE, SESSION_PAGES, 0, 0, 0, 0, 0);
		if (h < 0)
			return FS_ENOMEM;
		uint8_t *va = (uint8_t *)(SESSION_VA + i * SESSION_STRIDE);
		if (vireo_syscall(SYS_MEMORY_MAP, h, (long)va, VIREO_PROT_READ | VIREO_PROT_WRITE, 0,
				  0, 0) < 0) {
			vireo_syscall(SYS_HANDLE_CLOSE, h, 0, 0, 0, 0, 0);
			return FS_ENOMEM;
		}
		*s = (struct session){ next_session++, task, (uint64_t)h, va };
		*out = s;
		return 0;
	}
	return FS_EMFILE;
}

static struct session *session_of(const struct msg *m)
{
	for (unsigned i = 0; i < FS_MAX_SESSIONS; i++)
		if (sessions[i].id && sessions[i].id == m->w[0] && sessions[i].owner == m->task)
			return &sessions[i];
	return NULL;
}

/* What a request's reply carries. */
struct answer {
	int64_t status;
	uint64_t w1, w2;
	const void *data;
	size_t len;
};

static void attr_answer(struct answer *a, int err, const struct fs_attr *attr)
{
	a->status = err;
	if (!err) {
		a->w1 = attr->ino;
		a->w2 = attr->generation;
		a->data = attr;
		a->len = sizeof(*attr);
	}
}

/* One request of session s; data (n bytes) is the request's, copied out of the IPC buffer. */
static void serve(const struct msg *m, struct session *s, const char *data, size_t n,
		  struct answer *a)
{
	static struct fs_attr attr;
	static struct fs_statfs st;
	uint64_t node = m->w[1];
	uint32_t done = 0;
	const char *second;
	switch (vireo_ipc_label(m->info)) {
	case FS_LOOKUP:
		attr_answer(a, fs_op_lookup(&fs, node, data, n, &attr), &attr);
		return;
	case FS_FORGET:
		return;
	case FS_GETATTR:
		attr_answer(a, fs_op_getattr(&fs, node, &attr), &attr);
		return;
	case FS_SETATTR: {
		struct fs_setattr set;
		if (n != sizeof(set)) {
			a->status = FS_EINVAL;
			return;
		}
		memcpy(&set, data, sizeof(set));
		attr_answer(a, fs_op_setattr(&fs, node, &set, &attr), &attr);
		return;
	}
	case FS_OPEN:
		if (m->w[2] & ~(uint64_t)(FS_OPEN_DIR | FS_OPEN_HOLD) || m->w[3] > UINT32_MAX)
			a->status = FS_EINVAL;
		else if (m->w[2] == FS_OPEN_HOLD)
			a->status = fs_op_hold(&fs, node, holder_of(s, m->w[3]), &done);
		else
			a->status = fs_op_open(&fs, node, m->w[2] & FS_OPEN_DIR);
		a->w1 = done;
		return;
	case FS_RELEASE:
		a->status = m->w[2] > UINT32_MAX || m->w[3] > UINT32_MAX ? FS_EBADF
			: fs_op_release(&fs, (uint32_t)m->w[2], node, holder_of(s, m->w[3]));
		return;
	case FS_RELEASE_ALL:
		a->status = node > UINT32_MAX ? FS_EINVAL
			: fs_op_release_all(&fs, holder_of(s, node), ~0ull);
		return;
	case FS_READ:
		a->status = m->w[3] > FS_IO_MAX ? FS_EINVAL
			: fs_op_read(&fs, node, m->w[2], s->buffer, (uint32_t)m->w[3], &done);
		a->w1 = done;
		return;
	case FS_WRITE: {
		uint64_t len = (uint32_t)m->w[3], at = m->w[3] >> 32;
		a->status = len > FS_IO_MAX || at > FS_BUFFER_BYTES - len ? FS_EINVAL
			: fs_op_write(&fs, node, m->w[2], s->buffer + at, (uint32_t)len, &attr);
		if (!a->status)
			a->w1 = len, a->data = &attr, a->len = sizeof(attr);
		return;
	}
	case FS_READDIR:
		a->status = m->w[3] > FS_BUFFER_BYTES ? FS_EINVAL
			: fs_op_readdir(&fs, node, m->w[2], s->buffer, (uint32_t)m->w[3], &done);
		a->w1 = done;
		return;
	case FS_CREATE:
	case FS_MKDIR:
		attr_answer(a, fs_op_create(&fs, node, data, n, (uint32_t)m->w[2],
					    vireo_ipc_label(m->info) == FS_MKDIR, &attr), &attr);
		return;
	case FS_UNLINK:
	case FS_RMDIR:
		a->status = fs_op_remove(&fs, node, data, n, vireo_ipc_label(m->info) == FS_RMDIR);
		return;
	case FS_RENAME:
		second = memchr(data, '\0', n);
		a->status = !second || m->w[3] > UINT32_MAX ? FS_EINVAL
			: fs_op_rename(&fs, node, data, (size_t)(second - data), m->w[2], second + 1,
				       n - (size_t)(second - data) - 1, (uint32_t)m->w[3]);
		return;
	case FS_FSYNC:
	case FS_FLUSH:
		a->status = fs_op_sync(&fs);
		return;
	case FS_STATFS:
		fs_op_statfs(&fs, &st);
		a->data = &st;
		a->len = sizeof(st);
		return;
	default:
		a->status = FS_ENOSYS;
	}
}

static void request(const struct msg *m)
{
	static char data[VIREO_IPC_DATA_MAX];
	uint64_t caller = (uint64_t)m->status;
	uint32_t label = vireo_ipc_label(m->info);
	size_t n = vireo_ipc_len(m->info);
	struct answer a = { 0 };
	struct session *s;
	/* Copied before anything else: asking init or the block server reuses the buffer. */
	memcpy(data, ipc_buffer()->data, n);
	if (m->info & VIREO_IPC_HANDLE) /* nothing here takes a handle */
		vireo_syscall(SYS_HANDLE_CLOSE, (long)ipc_buffer()->handle, 0, 0, 0, 0, 0);
	if (!allowed(m->task)) {
		a.status = FS_EACCES;
	} else if (label == FS_SESSION) {
		a.status = new_session(m->task, &s);
		if (!a.status) {
			ipc_buffer()->handle = s->memory;
			ipc_reply(caller, VIREO_IPC_HANDLE, 0, s->id, FS_BUFFER_BYTES, 0);
			return;
		}
	} else if (!(s = session_of(m))) {
		a.status = FS_EBADF;
	} else if (label == FS_SESSION_END) {
		end_session(s);
	} else {
		if (state == UNMOUNTED)
			mount_share();
		if (state == MOUNTED)
			serve(m, s, data, n, &a);
		else
			a.status = FS_EIO;
	}
	uint64_t info = a.len ? ipc_data(0, a.data, a.len) : 0;
	ipc_reply(caller, info, (uint64_t)a.status, a.w1, a.w2, 0);
}

int main(void)
{
	uint64_t ep = (uint64_t)vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	int64_t err = register_service("fs", ep);
	if (err) {
		printf("fs: cannot register: %s\n", error_name(err));
		return 1;
	}
	for (;;) {
		struct msg m = ipc_recv(ep);
		if (m.status > 0)
			request(&m);
	}
}
