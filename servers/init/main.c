/* init: the first task. It starts the console driver and the shell (restarting them if
 * they die), serves name lookups, starts programs from the boot file system for the shell
 * and reports how they ended, and lets the shell browse the bootfs. */
#include <stdbool.h>
#include <string.h>
#include <vireo/boot.h>

#include "bootfs.h"
#include "vireo.h"

#define MAX_SERVICES 8
#define MAX_CHILDREN 24
#define MAX_PENDING 8
#define MAX_RESTARTS 5
#define CHILD_EXITED 1 /* notification bit */

struct service {
	char name[16];
	uint64_t ep; /* our handle to its endpoint; 0 when the slot is free */
};

struct child {
	uint64_t handle, id; /* handle 0: a free slot */
	const char *path;
	bool essential;      /* restarted when it ends */
	bool ended;
	int64_t status;
	uint64_t waiter;     /* a caller of INIT_WAIT, replied to when it ends */
};

struct pending_lookup {
	uint64_t caller;
	char name[16];
};

static uint64_t ep;
static uint64_t programs_quota; /* shared by every program started for the shell */

/* What each service gets besides init's endpoint (protocol.h), and its memory quota: one
 * program's fault or greed must not take the others or the kernel down with it. The
 * quotas leave an eighth of RAM to the kernel, init and anything over their estimates. */
struct essential {
	const char *path;
	uint64_t handles[2];
	uint64_t quota;
};
static struct essential essentials[3];
static struct service services[MAX_SERVICES];
static struct child children[MAX_CHILDREN];
static struct pending_lookup lookups[MAX_PENDING];
static unsigned restarts;

static struct service *find_service(const char *name)
{
	for (unsigned i = 0; i < MAX_SERVICES; i++)
		if (services[i].ep && !strcmp(services[i].name, name))
			return &services[i];
	return NULL;
}

static void reply_status(uint64_t caller, int64_t status)
{
	ipc_reply(caller, 0, (uint64_t)status, 0, 0, 0);
}

static void reply_with_handle(uint64_t caller, uint64_t handle)
{
	ipc_buffer()->handle = handle;
	ipc_reply(caller, VIREO_IPC_HANDLE, 0, 0, 0, 0);
}

/* Starts a program from the bootfs with init's endpoint in handle 1 and extra handles after
 * it; returns its child slot or NULL, having said why. */
static struct child *spawn(const char *path, const uint64_t *extra, unsigned nextra,
			   uint64_t quota, bool essential, int64_t *err)
{
	struct child *c = NULL;
	for (unsigned i = 0; i < MAX_CHILDREN && !c; i++)
		if (!children[i].handle && !children[i].waiter && !children[i].ended)
			c = &children[i];
	if (!c) {
		*err = VIREO_E_NOMEM;
		return NULL;
	}
	struct bootfs_file f;
	*err = bootfs_open(path, &f);
	if (*err)
		return NULL;
	if (f.is_dir) {
		*err = VIREO_E_INVAL;
		return NULL;
	}
	struct vireo_spawn sp = { .elf = f.data, .elf_size = f.size, .exit_ep = ep,
				  .exit_bits = CHILD_EXITED, .quota = quota };
	const char *base = strrchr(path, '/');
	strncpy(sp.name, base ? base + 1 : path, VIREO_NAME_MAX - 1);
	sp.handles[0] = ep;
	for (unsigned i = 0; i < nextra && i + 1 < VIREO_SPAWN_HANDLES; i++)
		sp.handles[i + 1] = extra[i];
	int64_t h = vireo_syscall(SYS_TASK_SPAWN, (long)&sp, 0, 0, 0, 0, 0);
	if (h < 0) {
		*err = h;
		return NULL;
	}
	*c = (struct child){ .handle = (uint64_t)h, .id = sp.id, .path = path,
			     .essential = essential };
	return c;
}

static void start_essential(const char *path)
{
	const struct essential *e = NULL;
	for (unsigned i = 0; i < sizeof(essentials) / sizeof(*essentials) && !e; i++)
		if (!strcmp(essentials[i].path, path))
			e = &essentials[i];
	unsigned n = 0;
	while (n < 2 && e->handles[n])
		n++;
	int64_t err;
	if (!spawn(path, e->handles, n, e->quota, true, &err))
		printf("init: cannot start %s: %s\n", path, error_name(err));
}

static uint64_t copy_system(uint32_t rights)
{
	return (uint64_t)vireo_syscall(SYS_HANDLE_COPY, VIREO_INIT_SYSTEM,
				       (long)(rights | VIREO_RIGHT_TRANSFER), 0, 0, 0, 0);
}

static uint64_t make_quota(uint64_t pages)
{
	int64_t q = vireo_syscall(SYS_QUOTA_CREATE, VIREO_INIT_SYSTEM, (long)pages, 0, 0, 0, 0);
	if (q < 0)
		printf("init: cannot make a memory quota: %s\n", error_name(q));
	return q < 0 ? 0 : (uint64_t)q;
}

static void plan_services(void)
{
	struct vireo_mem_info m = { 0 };
	vireo_syscall(SYS_MEM_INFO, VIREO_INIT_SYSTEM, (long)&m, 0, 0, 0, 0);
	uint64_t log = copy_system(VIREO_RIGHT_LOG);
	essentials[0] = (struct essential){ "/boot/bin/uart", { VIREO_INIT_UART, log },
					    make_quota(2ul << 20 >> 12) };
	essentials[1] = (struct essential){ "/boot/bin/vmm", { copy_system(VIREO_RIGHT_VM) },
					    make_quota(m.total_pages / 8 * 5) };
	essentials[2] = (struct essential){
		"/boot/bin/shell", { copy_system(VIREO_RIGHT_CONTROL | VIREO_RIGHT_LOG) },
		make_quota(8ul << 20 >> 12) };
	programs_quota = make_quota(m.total_pages / 4);
}

static void describe_status(int64_t status, char *buf, size_t len)
{
	if (status & VIREO_EXIT_FAULT)
		snformat(buf, len, "killed after a fault");
	else if (status & VIREO_EXIT_KILLED)
		snformat(buf, len, "killed");
	else
		snformat(buf, len, "exit status %ld", status);
}

/* Called on CHILD_EXITED: collects every child that ended. */
static void reap(void)
{
	for (unsigned i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &children[i];
		if (!c->handle)
			continue;
		int64_t st = vireo_syscall(SYS_TASK_STATUS, (long)c->handle, 0, 0, 0, 0, 0);
		if (st == VIREO_TASK_RUNNING)
			continue;
		vireo_syscall(SYS_HANDLE_CLOSE, (long)c->handle, 0, 0, 0, 0, 0);
		c->handle = 0;
		if (c->essential) {
			char why[32];
			describe_status(st, why, sizeof(why));
			const char *path = c->path;
			*c = (struct child){ 0 };
			if (restarts++ < MAX_RESTARTS) {
				printf("init: %s ended (%s); restarting it\n", path, why);
				start_essential(path);
			} else {
				printf("init: %s ended (%s); not restarting it again\n", path, why);
			}
			continue;
		}
		c->ended = true;
		c->status = st;
		if (c->waiter) {
			ipc_reply(c->waiter, 0, 0, (uint64_t)st, 0, 0);
			*c = (struct child){ 0 };
		}
	}
}

static void copy_name(char *dst, size_t size, const struct msg *m)
{
	size_t n = vireo_ipc_len(m->info);
	if (n >= size)
		n = size - 1;
	memcpy(dst, ipc_buffer()->data, n);
	dst[n] = '\0';
}

static void handle_register(const struct msg *m)
{
	char name[16];
	copy_name(name, sizeof(name), m);
	if (!(m->info & VIREO_IPC_HANDLE) || !name[0]) {
		reply_status(m->status, VIREO_E_INVAL);
		return;
	}
	uint64_t handle = ipc_buffer()->handle;
	struct service *s = find_service(name);
	for (unsigned i = 0; !s && i < MAX_SERVICES; i++)
		if (!services[i].ep)
			s = &services[i];
	if (!s) {
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
		reply_status(m->status, VIREO_E_NOMEM);
		return;
	}
	if (s->ep) /* a restarted service replaces its old endpoint */
		vireo_syscall(SYS_HANDLE_CLOSE, (long)s->ep, 0, 0, 0, 0, 0);
	memcpy(s->name, name, sizeof(name));
	s->ep = handle;
	reply_status(m->status, 0);
	for (unsigned i = 0; i < MAX_PENDING; i++) {
		if (lookups[i].caller && !strcmp(lookups[i].name, name)) {
			reply_with_handle(lookups[i].caller, handle);
			lookups[i].caller = 0;
		}
	}
}

static void handle_lookup(const struct msg *m)
{
	char name[16];
	copy_name(name, sizeof(name), m);
	struct service *s = find_service(name);
	if (s) {
		reply_with_handle(m->status, s->ep);
		return;
	}
	/* Not there yet: answer when it registers, so start-up order does not matter. */
	for (unsigned i = 0; i < MAX_PENDING; i++) {
		if (!lookups[i].caller) {
			lookups[i].caller = (uint64_t)m->status;
			memcpy(lookups[i].name, name, sizeof(name));
			return;
		}
	}
	reply_status(m->status, VIREO_E_BUSY);
}

static void handle_spawn(const struct msg *m)
{
	static char paths[MAX_CHILDREN][64];
	char path[64];
	copy_name(path, sizeof(path), m);
	int64_t err;
	struct child *c = spawn(path, NULL, 0, programs_quota, false, &err);
	if (!c) {
		reply_status(m->status, err);
		return;
	}
	/* The child keeps a pointer to its path: give it storage that outlives this call. */
	unsigned idx = (unsigned)(c - children);
	memcpy(paths[idx], path, sizeof(path));
	c->path = paths[idx];
	ipc_reply((uint64_t)m->status, 0, 0, c->id, 0, 0);
}

static void handle_wait(const struct msg *m)
{
	for (unsigned i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &children[i];
		if (c->id != m->w[0] || c->essential || (!c->handle && !c->ended))
			continue;
		if (c->ended) {
			ipc_reply((uint64_t)m->status, 0, 0, (uint64_t)c->status, 0, 0);
			*c = (struct child){ 0 };
		} else {
			c->waiter = (uint64_t)m->status;
		}
		return;
	}
	reply_status(m->status, VIREO_E_NOENT);
}

static void handle_list(const struct msg *m)
{
	char path[128];
	copy_name(path, sizeof(path), m);
	struct bootfs_file f;
	int64_t err = bootfs_list(path, m->w[0], &f);
	if (err < 0) {
		reply_status(m->status, err);
		return;
	}
	if (err == 0) {
		ipc_reply((uint64_t)m->status, 0, 0, 0, 0, 0);
		return;
	}
	ipc_reply((uint64_t)m->status, ipc_data(0, f.name, f.name_len), 0, 1, f.size, f.is_dir);
}

/* The file a request names; false, with the caller answered, when there is none. */
static bool open_file(const struct msg *m, struct bootfs_file *f)
{
	char path[128];
	copy_name(path, sizeof(path), m);
	int64_t err = bootfs_open(path, f);
	if (!err && f->is_dir)
		err = VIREO_E_INVAL;
	if (err)
		reply_status(m->status, err);
	return !err;
}

static void handle_read(const struct msg *m)
{
	struct bootfs_file f;
	if (!open_file(m, &f))
		return;
	uint64_t off = m->w[0] < f.size ? m->w[0] : f.size;
	uint64_t n = f.size - off < VIREO_IPC_DATA_MAX ? f.size - off : VIREO_IPC_DATA_MAX;
	ipc_reply((uint64_t)m->status, ipc_data(0, (const char *)f.data + off, n), 0, f.size, 0,
		  0);
}

/* No copying: the caller maps the bootfs itself and reads the file where it lies. */
static void handle_open(const struct msg *m)
{
	struct bootfs_file f;
	if (!open_file(m, &f))
		return;
	ipc_buffer()->handle = VIREO_INIT_BOOTFS;
	ipc_reply((uint64_t)m->status, VIREO_IPC_HANDLE, 0,
		  (uint64_t)((const char *)f.data - (const char *)VIREO_USER_BOOTFS), f.size, 0);
}

int main(uint64_t bootfs_size, uint64_t nvirtio)
{
	(void)nvirtio;
	bootfs_init((const void *)VIREO_USER_BOOTFS, bootfs_size);
	console_log_right(VIREO_INIT_SYSTEM);
	ep = (uint64_t)vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	plan_services();
	for (unsigned i = 0; i < sizeof(essentials) / sizeof(*essentials); i++)
		start_essential(essentials[i].path);

	for (;;) {
		struct msg m = ipc_recv(ep);
		if (m.status < 0)
			continue;
		if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY) {
			if (m.w[0] & CHILD_EXITED)
				reap();
			continue;
		}
		switch (vireo_ipc_label(m.info)) {
		case INIT_REGISTER: handle_register(&m); break;
		case INIT_LOOKUP: handle_lookup(&m); break;
		case INIT_SPAWN: handle_spawn(&m); break;
		case INIT_WAIT: handle_wait(&m); break;
		case INIT_LIST: handle_list(&m); break;
		case INIT_READ: handle_read(&m); break;
		case INIT_OPEN: handle_open(&m); break;
		default: reply_status(m.status, VIREO_E_NOSYS); break;
		}
	}
}
