/* init: the first task. It starts the console driver, the VM monitor and the shell
 * (restarting them if they die), serves names, starts programs from the boot file system
 * and reports to each parent how its children ended, and lets the shell browse the bootfs.
 * It knows every caller's task id (SYS_RECV's a6), and that is what its answers rest on: a
 * service's name is its own, a task's exit status its parent's. */
#include <stdbool.h>
#include <string.h>
#include <vireo/boot.h>

#include "bootfs.h"
#include "vireo.h"

#define MAX_SERVICES 12
#define PROBE_VA (VIREO_USER_DEVICES + 0x100000) /* where init looks at the virtio slots */
#define MAX_CHILDREN 24
#define MAX_PENDING 8
#define MAX_WATCHES 8
#define CHILD_EXITED 1 /* notification bits */
#define RESTART_DUE 2

/* A service that ends within STABLE_US of its start ended quickly. The first quick end is
 * restarted at once, the next ones after BACKOFF_FIRST_US, doubling up to BACKOFF_MAX_US;
 * after GIVE_UP_AFTER quick ends in a row init stops trying. One that stayed up for
 * STABLE_US starts the count anew, and each service has its own. */
#define STABLE_US 10000000ul
#define BACKOFF_FIRST_US 100000ul
#define BACKOFF_MAX_US 2000000ul
#define GIVE_UP_AFTER 10

/* The services init starts and restarts, the name each alone may register, what each gets
 * besides init's endpoint (protocol.h) and its memory quota (plan_services). */
struct essential {
	const char *path;
	const char *name;     /* reserved for the task init started from path; NULL: none */
	uint64_t handles[2];
	uint64_t quota;
	unsigned quick_ends;  /* in a row */
	uint64_t started_us;
	uint64_t restart_at;  /* clock_us() when a restart is due; 0: none waits */
	bool given_up;
};

static struct essential essentials[] = {
	{ .path = "/boot/bin/uart", .name = "console" },
	{ .path = "/boot/bin/vmm", .name = "vmm" },
	{ .path = "/boot/bin/shell" },
	/* Started only when QEMU gives the machine a disk (probe_disk); given up otherwise, so
	 * that looking their names up says so at once. */
	{ .path = "/boot/bin/virtio-blk", .name = "blkdev" },
	{ .path = "/boot/bin/block", .name = "block" },
	{ .path = "/boot/bin/fs", .name = "fs" },
	/* Likewise with a NIC (plan_net). */
	{ .path = "/boot/bin/virtio-net", .name = "netdev" },
	{ .path = "/boot/bin/net", .name = "net" },
};
#define NESSENTIALS (sizeof(essentials) / sizeof(*essentials))

struct service {
	char name[16];
	uint64_t ep;    /* our handle to its endpoint; 0 while nobody has registered it */
	uint64_t owner; /* the registrant's task id; a slot with neither is free */
	const struct essential *reserved_for; /* set for good: the slot keeps its name */
};

struct child {
	uint64_t handle, id; /* handle 0: a free slot */
	const char *path;
	bool essential;      /* restarted when it ends */
	bool ended;
	int64_t status;
	uint64_t parent;     /* the task id that asked for it, the only one that may wait */
	uint64_t waiter;     /* the parent's INIT_WAIT call, replied to when it ends */
};

/* INIT_WATCH: who is told when the task holding a service's name ends. */
struct watch {
	uint64_t task; /* the watcher's id; 0: a free slot */
	struct service *service;
	uint64_t ep, bits;
};

struct pending_lookup {
	uint64_t caller;
	char name[16];
};

static uint64_t ep;
static uint64_t programs_quota; /* shared by every program started for the shell */
static struct service services[MAX_SERVICES];
static struct child children[MAX_CHILDREN];
static struct pending_lookup lookups[MAX_PENDING];
static struct watch watches[MAX_WATCHES];

static struct service *find_service(const char *name)
{
	for (unsigned i = 0; i < MAX_SERVICES; i++)
		if ((services[i].owner || services[i].reserved_for) &&
		    !strcmp(services[i].name, name))
			return &services[i];
	return NULL;
}

static struct essential *find_essential(const char *path)
{
	for (unsigned i = 0; i < NESSENTIALS; i++)
		if (!strcmp(essentials[i].path, path))
			return &essentials[i];
	return NULL;
}

/* The running child with this task id, or NULL: a task init did not start, or one gone. */
static struct child *find_running(uint64_t id)
{
	for (unsigned i = 0; i < MAX_CHILDREN; i++)
		if (children[i].handle && children[i].id == id)
			return &children[i];
	return NULL;
}

static void close_handle(uint64_t h)
{
	if (h)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)h, 0, 0, 0, 0, 0);
}

/* The reserved names' slots exist from the start, so that no other name can crowd them out. */
static void reserve_names(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < NESSENTIALS; i++) {
		if (!essentials[i].name)
			continue;
		strncpy(services[n].name, essentials[i].name, sizeof(services[n].name) - 1);
		services[n++].reserved_for = &essentials[i];
	}
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

static bool start_essential(struct essential *e)
{
	e->started_us = clock_us(); /* a start that fails counts as a quick end too */
	unsigned n = 0;
	while (n < 2 && e->handles[n])
		n++;
	int64_t err;
	if (!spawn(e->path, e->handles, n, e->quota, true, &err)) {
		printf("init: cannot start %s: %s\n", e->path, error_name(err));
		return false;
	}
	return true;
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

/* One program's fault or greed must not take the others or the kernel down with it: the
 * quotas leave an eighth of RAM to the kernel, init and anything over their estimates. */
static void plan_services(void)
{
	struct vireo_mem_info m = { 0 };
	vireo_syscall(SYS_MEM_INFO, VIREO_INIT_SYSTEM, (long)&m, 0, 0, 0, 0);
	struct essential *uart = find_essential("/boot/bin/uart");
	struct essential *vmm = find_essential("/boot/bin/vmm");
	struct essential *shell = find_essential("/boot/bin/shell");
	uart->handles[0] = VIREO_INIT_UART;
	uart->handles[1] = copy_system(VIREO_RIGHT_LOG);
	uart->quota = make_quota(2ul << 20 >> 12);
	vmm->handles[0] = copy_system(VIREO_RIGHT_VM);
	vmm->quota = make_quota(m.total_pages / 8 * 5);
	shell->handles[0] = copy_system(VIREO_RIGHT_CONTROL | VIREO_RIGHT_LOG);
	shell->quota = make_quota(8ul << 20 >> 12);
	programs_quota = make_quota(m.total_pages / 4);
}

/* The first virtio-mmio slot holding a device of type id (virtio 1.2 4.2.2: MagicValue
 * "virt", Version 2, DeviceID 2 for a block device), or 0. Its driver then needs no other
 * slot's handle. */
static uint64_t probe_virtio(uint64_t nvirtio, uint32_t id)
{
	static uint64_t mapped; /* a bit per slot: each is mapped once, for every probe */
	for (uint64_t i = 0; i < nvirtio && i < 64; i++) {
		uint64_t h = VIREO_INIT_FIRST_VIRTIO + i;
		volatile uint32_t *regs = (volatile uint32_t *)(PROBE_VA + i * 0x1000);
		if (!(mapped & (1ull << i)) &&
		    vireo_syscall(SYS_DEVICE_MAP, (long)h, (long)regs, 0, 0, 0, 0))
			continue;
		mapped |= 1ull << i;
		if (regs[0] == 0x74726976u && regs[1] == 2 && regs[2] == id)
			return h;
	}
	return 0;
}

static void plan_disk(uint64_t nvirtio)
{
	struct essential *driver = find_essential("/boot/bin/virtio-blk");
	struct essential *block = find_essential("/boot/bin/block");
	driver->handles[0] = probe_virtio(nvirtio, 2);
	driver->given_up = block->given_up = !driver->handles[0];
	driver->quota = make_quota(2ul << 20 >> 12);
	block->quota = make_quota(2ul << 20 >> 12);
	struct essential *fs = find_essential("/boot/bin/fs");
	fs->given_up = block->given_up;
	fs->quota = make_quota(4ul << 20 >> 12);
}

static void plan_net(uint64_t nvirtio)
{
	struct essential *driver = find_essential("/boot/bin/virtio-net");
	struct essential *net = find_essential("/boot/bin/net");
	driver->handles[0] = probe_virtio(nvirtio, 1);
	driver->given_up = net->given_up = !driver->handles[0];
	driver->quota = make_quota(2ul << 20 >> 12);
	net->quota = make_quota(4ul << 20 >> 12); /* its ports' queues: 1.7 MiB */
}

static void describe_status(int64_t status, char *buf, size_t len)
{
	if (status & VIREO_EXIT_FAULT)
		snformat(buf, len, "ended (killed after a fault)");
	else if (status & VIREO_EXIT_KILLED)
		snformat(buf, len, "ended (killed)");
	else
		snformat(buf, len, "ended (exit status %ld)", status);
}

static void answer_lookups(const char *name, uint64_t handle, int64_t err)
{
	for (unsigned i = 0; i < MAX_PENDING; i++) {
		if (lookups[i].caller && !strcmp(lookups[i].name, name)) {
			if (err)
				reply_status(lookups[i].caller, err);
			else
				reply_with_handle(lookups[i].caller, handle);
			lookups[i].caller = 0;
		}
	}
}

/* Its holder ended: the name's watchers are told, and a name nobody reserved is free. */
static void release_service(struct service *s)
{
	close_handle(s->ep);
	s->ep = s->owner = 0;
	for (unsigned i = 0; i < MAX_WATCHES; i++) {
		struct watch *w = &watches[i];
		if (w->task && w->service == s) {
			vireo_syscall(SYS_NOTIFY, (long)w->ep, (long)w->bits, 0, 0, 0, 0);
			close_handle(w->ep);
			*w = (struct watch){ 0 };
		}
	}
	if (!s->reserved_for)
		s->name[0] = '\0';
}

/* A task ended: what it held goes, and its children have nobody left to wait for them. */
static void forget_task(uint64_t id)
{
	for (unsigned i = 0; i < MAX_SERVICES; i++)
		if (services[i].owner == id)
			release_service(&services[i]);
	for (unsigned i = 0; i < MAX_WATCHES; i++) {
		if (watches[i].task == id) {
			close_handle(watches[i].ep);
			watches[i] = (struct watch){ 0 };
		}
	}
	for (unsigned i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &children[i];
		if (c->parent != id)
			continue;
		c->parent = 0;
		if (c->ended)
			*c = (struct child){ 0 };
	}
}

static uint64_t backoff_us(unsigned quick_ends)
{
	if (quick_ends <= 1)
		return 0;
	uint64_t us = BACKOFF_FIRST_US;
	for (unsigned i = 2; i < quick_ends && us < BACKOFF_MAX_US; i++)
		us *= 2;
	return us < BACKOFF_MAX_US ? us : BACKOFF_MAX_US;
}

/* One timer on init's endpoint serves every service: it is set for the earliest restart. */
static void arm_restart_timer(void)
{
	uint64_t first = 0;
	for (unsigned i = 0; i < NESSENTIALS; i++)
		if (essentials[i].restart_at && (!first || essentials[i].restart_at < first))
			first = essentials[i].restart_at;
	if (!first)
		return;
	uint64_t now = clock_us();
	vireo_syscall(SYS_TIMER_SET, (long)ep, RESTART_DUE, (long)(first > now ? first - now : 0),
		      0, 0, 0);
}

static void service_ended(struct essential *e, const char *what);

static void restart(struct essential *e)
{
	e->restart_at = 0;
	if (!start_essential(e))
		service_ended(e, "could not be started");
}

/* A service ended, or could not be started again: it is restarted now, after its backoff,
 * or, after too many quick ends in a row, never; lookups waiting for its name then fail. */
static void service_ended(struct essential *e, const char *what)
{
	uint64_t now = clock_us();
	if (now - e->started_us >= STABLE_US)
		e->quick_ends = 0;
	if (++e->quick_ends >= GIVE_UP_AFTER) {
		printf("init: %s %s, %u times in a row within %lu s of its start; "
		       "not restarting it again\n",
		       e->path, what, e->quick_ends, STABLE_US / 1000000);
		e->given_up = true;
		if (e->name)
			answer_lookups(e->name, 0, VIREO_E_DEAD);
		return;
	}
	uint64_t delay = backoff_us(e->quick_ends);
	if (!delay) {
		printf("init: %s %s; restarting it\n", e->path, what);
		restart(e);
		return;
	}
	printf("init: %s %s; restarting it in %lu ms\n", e->path, what, delay / 1000);
	e->restart_at = now + delay;
	arm_restart_timer();
}

/* Called on RESTART_DUE. */
static void restart_due(void)
{
	uint64_t now = clock_us();
	for (unsigned i = 0; i < NESSENTIALS; i++)
		if (essentials[i].restart_at && essentials[i].restart_at <= now)
			restart(&essentials[i]);
	arm_restart_timer();
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
		close_handle(c->handle);
		c->handle = 0;
		forget_task(c->id);
		if (c->essential) {
			char what[48];
			describe_status(st, what, sizeof(what));
			struct essential *e = find_essential(c->path);
			*c = (struct child){ 0 };
			if (e)
				service_ended(e, what);
			continue;
		}
		if (c->waiter) {
			ipc_reply(c->waiter, 0, 0, (uint64_t)st, 0, 0);
			*c = (struct child){ 0 };
		} else if (!c->parent) { /* nobody may wait for it */
			*c = (struct child){ 0 };
		} else {
			c->ended = true;
			c->status = st;
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

/* A service name from a request: false when there is none, or it is too long to keep
 * whole (cut short, it could pass for another). */
static bool take_name(char *name, size_t size, const struct msg *m)
{
	copy_name(name, size, m);
	return name[0] && vireo_ipc_len(m->info) < size;
}

/* A reserved name is only for the task init started for its service; any other name is the
 * first registrant's while it lives. Either way the registrant must be a task init started,
 * so that init sees it end and frees the name. */
static int64_t may_register(const struct service *s, uint64_t task)
{
	const struct child *c = find_running(task);
	if (!c)
		return VIREO_E_RIGHTS;
	if (s && s->reserved_for)
		return c->essential && !strcmp(c->path, s->reserved_for->path) ? 0 : VIREO_E_RIGHTS;
	return !s || s->owner == task ? 0 : VIREO_E_RIGHTS;
}

static void handle_register(const struct msg *m)
{
	char name[16];
	uint64_t handle = m->info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	int64_t err = take_name(name, sizeof(name), m) && handle ? 0 : VIREO_E_INVAL;
	struct service *s = err ? NULL : find_service(name);
	if (!err)
		err = may_register(s, m->task);
	for (unsigned i = 0; !err && !s && i < MAX_SERVICES; i++)
		if (!services[i].owner && !services[i].reserved_for)
			s = &services[i];
	if (!err && !s)
		err = VIREO_E_NOMEM;
	if (err) {
		close_handle(handle);
		reply_status(m->status, err);
		return;
	}
	close_handle(s->ep); /* its owner registering it again replaces its endpoint */
	memcpy(s->name, name, sizeof(name));
	s->ep = handle;
	s->owner = m->task;
	reply_status(m->status, 0);
	answer_lookups(name, handle, 0);
}

static void handle_lookup(const struct msg *m)
{
	char name[16];
	if (!take_name(name, sizeof(name), m)) {
		reply_status(m->status, VIREO_E_INVAL);
		return;
	}
	struct service *s = find_service(name);
	if (s && s->ep) {
		reply_with_handle(m->status, s->ep);
		return;
	}
	if (s && s->reserved_for && s->reserved_for->given_up) {
		reply_status(m->status, VIREO_E_DEAD);
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
	/* A caller init did not start would never be seen to end: nobody waits for its child. */
	c->parent = find_running(m->task) ? m->task : 0;
	ipc_reply((uint64_t)m->status, 0, 0, c->id, 0, 0);
}

/* Only its parent may wait for a task: its status is the parent's to take. */
static void handle_wait(const struct msg *m)
{
	for (unsigned i = 0; i < MAX_CHILDREN; i++) {
		struct child *c = &children[i];
		if (c->id != m->w[0] || (!c->handle && !c->ended))
			continue;
		if (c->parent != m->task) { /* 0 for the services, waited for by nobody */
			reply_status(m->status, VIREO_E_RIGHTS);
			return;
		}
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

/* INIT_WATCH: the endpoint is notified when the task holding the name ends (for a reserved
 * name nobody holds now, the next one to hold it), once. One watch per task and name. */
static void handle_watch(const struct msg *m)
{
	char name[16];
	uint64_t handle = m->info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	int64_t err = take_name(name, sizeof(name), m) && handle ? 0 : VIREO_E_INVAL;
	struct service *s = err ? NULL : find_service(name);
	if (!err && !s)
		err = VIREO_E_NOENT;
	if (!err && !find_running(m->task)) /* its watch would never be dropped */
		err = VIREO_E_RIGHTS;
	struct watch *w = NULL;
	for (unsigned i = 0; !err && i < MAX_WATCHES; i++) {
		if (watches[i].task == m->task && watches[i].service == s) {
			w = &watches[i];
			break;
		}
		if (!w && !watches[i].task)
			w = &watches[i];
	}
	if (!err && !w)
		err = VIREO_E_NOMEM;
	if (err) {
		close_handle(handle);
		reply_status(m->status, err);
		return;
	}
	close_handle(w->ep);
	*w = (struct watch){ .task = m->task, .service = s, .ep = handle, .bits = m->w[0] };
	reply_status(m->status, 0);
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

/* INIT_WHOIS: which of init's services a task is, for servers that serve only some. */
static void handle_whois(const struct msg *m)
{
	const struct child *c = find_running(m->w[0]);
	if (!c || !c->essential) {
		reply_status(m->status, VIREO_E_NOENT);
		return;
	}
	ipc_reply(m->status, ipc_data(0, c->path, strlen(c->path)), 0, 0, 0, 0);
}

int main(uint64_t bootfs_size, uint64_t nvirtio)
{
	bootfs_init((const void *)VIREO_USER_BOOTFS, bootfs_size);
	ep = (uint64_t)vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	console_log_right(VIREO_INIT_SYSTEM);
	reserve_names();
	plan_services();
	plan_disk(nvirtio);
	plan_net(nvirtio);
	for (unsigned i = 0; i < NESSENTIALS; i++)
		if (!essentials[i].given_up)
			start_essential(&essentials[i]);

	for (;;) {
		struct msg m = ipc_recv(ep);
		if (m.status < 0)
			continue;
		if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY) {
			if (m.w[0] & CHILD_EXITED)
				reap();
			if (m.w[0] & RESTART_DUE)
				restart_due();
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
		case INIT_WATCH: handle_watch(&m); break;
		case INIT_WHOIS: handle_whois(&m); break;
		default: reply_status(m.status, VIREO_E_NOSYS); break;
		}
	}
}
