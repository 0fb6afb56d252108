/* The block server ("block"): carves volumes out of the host disk (the "blkdev" driver)
 * and serves them to the VM monitor, one session per open volume, so that each guest sees
 * its own volume and no other. The shell lists, creates and deletes volumes. Callers are
 * told apart by the task id the kernel reports, checked with init (INIT_WHOIS).
 *
 * A guest's data moves by DMA straight between the disk and its pages: the monitor sends a
 * grant of a batch of requests' buffers with BLOCK_IOV, passed on to the driver as it came,
 * and this server never sees the bytes. Batches are answered at once and their end comes
 * later, the driver's news passed on to the session's watcher, so that the monitor keeps
 * several in flight while its guest runs on. BLOCK_READ and BLOCK_WRITE move data
 * through the driver's data buffer instead, which the caller maps too. The table and the zeroing of new volumes use the
 * metadata buffer, which only this server and the driver see. The file-system server ("fs")
 * gets a buffer of its own instead of the monitor's, copied through the metadata buffer, so
 * that neither ever sees or overwrites the other's data in flight. */
#include <string.h>

#include "vireo.h"
#include "volumes.h"

#define META_VA (VIREO_USER_HEAP + 0x1000000)
#define DATA_VA (VIREO_USER_HEAP + 0x2000000)
#define FS_BUFFER_VA (VIREO_USER_HEAP + 0x3000000)
#define MAX_SESSIONS 8
#define VMM_GONE 1 /* notification bits: the monitor that held sessions ended */
#define FS_GONE 2  /* the file-system server did */
#define DRIVER_NEWS 4 /* batches are done */
#define DRIVER_GONE 8 /* the driver ended: its batches never will be */
#define SESSION_BATCHES 8 /* in flight or done and not yet collected, per session */

struct session {
	uint64_t id;    /* 0: free */
	uint64_t owner; /* the monitor's or the file-system server's task id */
	int volume;
	bool bounce;    /* the owner is the fs server: its data goes through fs_buffer */
	uint64_t watcher, watcher_bits; /* BLOCK_WATCH's endpoint, notified of its batches */
	unsigned in_flight, ndone;
	struct block_done done[SESSION_BATCHES];
	uint64_t drain_caller; /* BLOCK_DRAIN's, answered once nothing is in flight */
};

/* The batches at the driver, by the tag it knows them by (the index): whose they are. */
static struct {
	uint64_t session, tag; /* session 0: free; the caller's tag */
} batches[BLKDEV_BATCHES];

static uint64_t ep, blkdev, disk_sectors, buffer_bytes, data_handle;
static uint8_t *meta = (uint8_t *)META_VA;
static struct vol_table table;
static bool table_ok;
static enum vol_error table_state;
static struct session sessions[MAX_SESSIONS];
static uint64_t next_session = 1;
static uint64_t vmm_task, shell_task, fs_task; /* vouched for by init */
static uint64_t fs_buffer_handle;
static uint8_t *const fs_buffer = (uint8_t *)FS_BUFFER_VA;

static int64_t driver(uint32_t label, uint64_t w0, uint64_t w1, uint64_t w2)
{
	struct msg r = ipc_call(blkdev, vireo_ipc_info(label, 0), w0, w1, w2, 0);
	return r.status < 0 ? r.status : (int64_t)r.w[0];
}

static int64_t save_table(void)
{
	memset(meta, 0, VOL_TABLE_SECTORS * VOL_SECTOR);
	memcpy(meta, &table, sizeof(table));
	int64_t err = driver(BLKDEV_WRITE, BLKDEV_BUF_META, 0, VOL_TABLE_SECTORS);
	return err ? err : driver(BLKDEV_FLUSH, 0, 0, 0);
}

/* A volume handed out must not show what an earlier one left on its sectors. */
static int64_t zero_volume(const struct vol_entry *v)
{
	uint64_t chunk = buffer_bytes / VOL_SECTOR;
	memset(meta, 0, buffer_bytes);
	for (uint64_t done = 0; done < v->sectors;) {
		uint64_t n = v->sectors - done < chunk ? v->sectors - done : chunk;
		int64_t err = driver(BLKDEV_WRITE, BLKDEV_BUF_META, v->start + done, n);
		if (err)
			return err;
		done += n;
	}
	return 0;
}

static int64_t map_buffer(enum blkdev_buffer which, uint64_t va, uint64_t *handle)
{
	struct msg r = ipc_call(blkdev, vireo_ipc_info(BLKDEV_BUFFER, 0), which, 0, 0, 0);
	if (r.status < 0 || (int64_t)r.w[0] < 0)
		return r.status < 0 ? r.status : (int64_t)r.w[0];
	if (!(r.info & VIREO_IPC_HANDLE))
		return VIREO_E_INVAL;
	*handle = ipc_buffer()->handle;
	int64_t n = vireo_syscall(SYS_MEMORY_MAP, (long)*handle, (long)va,
				  VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	return n < 0 ? n : (uint64_t)n * 4096 < buffer_bytes ? VIREO_E_INVAL : 0;
}

/* The driver's news of batches done comes as DRIVER_NEWS on this server's endpoint. */
static int64_t subscribe(void)
{
	int64_t news = vireo_syscall(SYS_HANDLE_COPY, (long)ep, VIREO_RIGHT_SEND | VIREO_RIGHT_TRANSFER,
				     0, 0, 0, 0);
	if (news < 0)
		return news;
	ipc_buffer()->handle = (uint64_t)news;
	struct msg r = ipc_call(blkdev, vireo_ipc_info(BLKDEV_SUBSCRIBE, 0) | VIREO_IPC_HANDLE,
				DRIVER_NEWS, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, news, 0, 0, 0, 0, 0);
	return r.status < 0 ? r.status : (int64_t)r.w[0];
}

static int setup(void)
{
	watch_service("blkdev", ep, DRIVER_GONE); /* first, so the driver looked up is watched */
	int64_t h = lookup("blkdev");
	if (h < 0) {
		printf("block: no disk driver: %s\n", error_name(h));
		return 1;
	}
	blkdev = (uint64_t)h;
	struct msg r = ipc_call(blkdev, vireo_ipc_info(BLKDEV_INFO, 0), 0, 0, 0, 0);
	int64_t err = r.status < 0 ? r.status : (int64_t)r.w[0];
	disk_sectors = r.w[1];
	buffer_bytes = r.w[2];
	uint64_t meta_handle;
	if (!err && (buffer_bytes < VOL_TABLE_SECTORS * VOL_SECTOR || buffer_bytes % VOL_SECTOR))
		err = VIREO_E_INVAL;
	if (!err)
		err = map_buffer(BLKDEV_BUF_META, META_VA, &meta_handle);
	if (!err)
		err = map_buffer(BLKDEV_BUF_DATA, DATA_VA, &data_handle);
	if (!err)
		err = subscribe();

	if (!err)
		err = driver(BLKDEV_READ, BLKDEV_BUF_META, 0, VOL_TABLE_SECTORS);
	if (err) {
		printf("block: cannot use the disk: %s\n", error_name(err));
		return 1;
	}
	table_state = disk_sectors > VOL_DATA_START ? vol_load(&table, meta, disk_sectors)
						    : VOL_NOSPACE;
	if (table_state == VOL_EMPTY) {
		vol_format(&table, disk_sectors);
		err = save_table();
		if (err) {
			printf("block: cannot write a volume table: %s\n", error_name(err));
			return 1;
		}
		table_state = VOL_OK;
	}
	table_ok = table_state == VOL_OK;
	if (!table_ok) /* serve errors rather than write over what is there */
		printf("block: %s; no volumes served\n", vol_error_text(table_state));
	return 0;
}

static void reply_error(uint64_t caller, int64_t err, const char *why)
{
	ipc_reply(caller, why ? ipc_data(0, why, strlen(why)) : 0, (uint64_t)err, 0, 0, 0);
}

static int64_t vol_status(enum vol_error e)
{
	switch (e) {
	case VOL_OK: return 0;
	case VOL_EXISTS: return VIREO_E_BUSY;
	case VOL_NOENT: return VIREO_E_NOENT;
	case VOL_FULL: return VIREO_E_FULL;
	case VOL_NOSPACE: return VIREO_E_NOMEM;
	default: return VIREO_E_INVAL;
	}
}

static bool take_name(const struct msg *m, char *name)
{
	size_t n = vireo_ipc_len(m->info);
	if (n == 0 || n >= VOL_NAME_MAX)
		return false;
	memcpy(name, ipc_buffer()->data, n);
	name[n] = '\0';
	return vol_name_ok(name);
}

static struct session *session_of(const struct msg *m)
{
	for (unsigned i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i].id && sessions[i].id == m->w[0] && sessions[i].owner == m->task)
			return &sessions[i];
	return NULL;
}

static bool volume_open(int volume)
{
	for (unsigned i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i].id && sessions[i].volume == volume)
			return true;
	return false;
}

/* MiB to sectors, refusing what would overflow or could never fit. */
static bool mib_sectors(uint64_t mib, uint64_t *sectors)
{
	if (mib == 0 || mib > disk_sectors >> 11)
		return false;
	*sectors = mib << 11;
	return true;
}

static int64_t create(const char *name, uint64_t mib, int *index, const char **why)
{
	uint64_t sectors;
	enum vol_error e = mib_sectors(mib, &sectors) ? vol_create(&table, name, sectors, index)
						      : VOL_BADSIZE;
	if (e) {
		*why = vol_error_text(e);
		return vol_status(e);
	}
	int64_t err = zero_volume(&table.e[*index]);
	if (!err)
		err = save_table();
	if (err) {
		vol_delete(&table, *index);
		*why = "cannot write to the disk";
	}
	return err;
}

static void list(uint64_t caller)
{
	char text[VIREO_IPC_DATA_MAX];
	size_t len = snformat(text, sizeof(text), "  NAME             SIZE      STATE\n");
	for (unsigned i = 0; i < VOL_MAX; i++) {
		const struct vol_entry *v = &table.e[i];
		if (v->name[0] && len < sizeof(text))
			len += snformat(text + len, sizeof(text) - len, "  %-16s %5lu MiB %s\n",
					v->name, v->sectors >> 11,
					volume_open((int)i) ? "in use" : "free");
	}
	if (len < sizeof(text))
		len += snformat(text + len, sizeof(text) - len,
				"disk: %lu MiB, %lu MiB in volumes\n", disk_sectors >> 11,
				vol_used(&table) >> 11);
	ipc_reply(caller, ipc_data(0, text, len < sizeof(text) ? len : sizeof(text) - 1), 0, 0, 0,
		  0);
}

static void open_volume(const struct msg *m, const char *name)
{
	uint64_t caller = (uint64_t)m->status;
	const char *why = NULL;
	int index = vol_find(&table, name);
	int64_t err = 0;
	if (index < 0 && m->w[0] == 0) {
		reply_error(caller, VIREO_E_NOENT, vol_error_text(VOL_NOENT));
		return;
	}
	if (index < 0)
		err = create(name, m->w[0], &index, &why);
	else if (volume_open(index))
		err = VIREO_E_BUSY, why = "the volume is in use by another guest";
	struct session *s = NULL;
	for (unsigned i = 0; !err && i < MAX_SESSIONS && !s; i++)
		if (!sessions[i].id)
			s = &sessions[i];
	if (!err && !s)
		err = VIREO_E_FULL, why = "too many open volumes (8)";
	if (err) {
		reply_error(caller, err, why);
		return;
	}
	*s = (struct session){ .id = next_session++, .owner = m->task, .volume = index,
			       .bounce = m->task == fs_task };
	ipc_buffer()->handle = s->bounce ? fs_buffer_handle : data_handle;
	ipc_reply(caller, VIREO_IPC_HANDLE, 0, s->id, table.e[index].sectors, buffer_bytes);
}

static int64_t volume_io(const struct msg *m, struct session *s)
{
	const struct vol_entry *v = &table.e[s->volume];
	uint64_t sector = m->w[1], count = m->w[2];
	if (count > buffer_bytes / VOL_SECTOR || !vol_range_ok(v, sector, count))
		return VIREO_E_INVAL;
	bool read = vireo_ipc_label(m->info) == BLOCK_READ;
	if (!s->bounce)
		return driver(read ? BLKDEV_READ : BLKDEV_WRITE, BLKDEV_BUF_DATA, v->start + sector,
			      count);
	if (!read)
		memcpy(meta, fs_buffer, count * VOL_SECTOR);
	int64_t err = driver(read ? BLKDEV_READ : BLKDEV_WRITE, BLKDEV_BUF_META, v->start + sector,
			     count);
	if (!err && read)
		memcpy(fs_buffer, meta, count * VOL_SECTOR);
	return err;
}

/* BLOCK_IOV: each request's sectors checked against the volume and made the disk's here,
 * the grant's bytes and runs checked by the driver, which alone can see them. */
static int64_t batch_io(struct session *s, uint64_t tag, struct block_iov *iov, uint32_t len,
			uint64_t grant)
{
	const struct vol_entry *v = &table.e[s->volume];
	if (len == 0 || len % sizeof(*iov) || len > BLOCK_IOV_MAX * sizeof(*iov) || !s->watcher)
		return VIREO_E_INVAL;
	for (unsigned i = 0; i < len / sizeof(*iov); i++) {
		if (iov[i].sectors > BLKDEV_GRANT_MAX / VOL_SECTOR ||
		    !vol_range_ok(v, iov[i].sector, iov[i].sectors))
			return VIREO_E_INVAL;
		iov[i].sector += v->start; /* inside the volume, which is inside the disk */
	}
	/* Each session gets its share of the driver's batches, so that its news always fits
	 * its list of batches done. */
	if (s->in_flight + s->ndone >= SESSION_BATCHES)
		return VIREO_E_BUSY;
	unsigned at = 0;
	while (at < BLKDEV_BATCHES && batches[at].session)
		at++;
	if (at == BLKDEV_BATCHES)
		return VIREO_E_BUSY;
	memcpy(ipc_buffer()->data, iov, len);
	ipc_buffer()->handle = grant;
	struct msg r = ipc_call(blkdev, vireo_ipc_info(BLKDEV_IOV, len) | VIREO_IPC_HANDLE, at, 0,
				0, 0);
	int64_t err = r.status < 0 ? r.status : (int64_t)r.w[0];
	if (!err) {
		batches[at].session = s->id;
		batches[at].tag = tag;
		s->in_flight++;
	}
	return err;
}

static void reply_done(uint64_t caller, struct session *s)
{
	size_t bytes = s->ndone * sizeof(*s->done);
	memcpy(ipc_buffer()->data, s->done, bytes);
	ipc_reply(caller, vireo_ipc_info(0, bytes), 0, s->ndone, 0, 0);
	s->ndone = 0;
}

static struct session *session_by_id(uint64_t id)
{
	for (unsigned i = 0; id && i < MAX_SESSIONS; i++)
		if (sessions[i].id == id)
			return &sessions[i];
	return NULL;
}

/* Batches done: each goes to its session's list (dropped if the session closed
 * meanwhile), and its watcher hears of it. */
static void batches_done(const struct block_done *done, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t at = done[i].tag;
		if (at >= BLKDEV_BATCHES || !batches[at].session)
			continue;
		struct session *s = session_by_id(batches[at].session);
		batches[at].session = 0;
		if (!s)
			continue;
		s->in_flight--;
		s->done[s->ndone++] = (struct block_done){ batches[at].tag, done[i].failed };
		if (s->watcher)
			vireo_syscall(SYS_NOTIFY, (long)s->watcher, (long)s->watcher_bits, 0, 0, 0, 0);
		if (!s->in_flight && s->drain_caller) {
			ipc_reply(s->drain_caller, 0, 0, 0, 0, 0);
			s->drain_caller = 0;
		}
	}
}

static void driver_news(void)
{
	struct msg r = ipc_call(blkdev, vireo_ipc_info(BLKDEV_DONE, 0), 0, 0, 0, 0);
	unsigned n = r.status < 0 ? 0 : (unsigned)r.w[1];
	struct block_done done[BLKDEV_BATCHES];
	if (n > BLKDEV_BATCHES || vireo_ipc_len(r.info) != n * sizeof(*done))
		n = 0;
	memcpy(done, ipc_buffer()->data, n * sizeof(*done));
	batches_done(done, n);
}

/* The driver ended (its successor resets the device, dropping the pins): every batch it
 * had failed, so that no session waits for it for ever. */
static void driver_gone(void)
{
	struct block_done done[BLKDEV_BATCHES];
	unsigned n = 0;
	for (unsigned i = 0; i < BLKDEV_BATCHES; i++)
		if (batches[i].session)
			done[n++] = (struct block_done){ i, ~0ull };
	batches_done(done, n);
	printf("block: the disk driver ended; %u batches failed\n", n);
}

static void close_session(struct session *s)
{
	if (s->watcher)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)s->watcher, 0, 0, 0, 0, 0);
	if (s->drain_caller)
		ipc_reply(s->drain_caller, 0, (uint64_t)VIREO_E_DEAD, 0, 0, 0);
	*s = (struct session){ 0 };
}

/* The buffer the fs server's sessions use, made when it first opens a volume. */
static bool fs_buffer_ready(void)
{
	if (fs_buffer_handle)
		return true;
	int64_t h = vireo_syscall(SYS_MEMORY_CREATE, (long)(buffer_bytes / 4096), 0, 0, 0, 0, 0);
	if (h < 0)
		return false;
	if (vireo_syscall(SYS_MEMORY_MAP, h, (long)fs_buffer, VIREO_PROT_READ | VIREO_PROT_WRITE, 0,
			  0, 0) < 0) {
		vireo_syscall(SYS_HANDLE_CLOSE, h, 0, 0, 0, 0, 0);
		return false;
	}
	fs_buffer_handle = (uint64_t)h;
	return true;
}

/* The monitor may do everything, the shell manage volumes, the fs server list and use
 * them, nobody else anything. */
static bool allowed(const struct msg *m, uint32_t label)
{
	bool management = label == BLOCK_LIST || label == BLOCK_CREATE || label == BLOCK_DELETE;
	bool fs_use = label != BLOCK_CREATE && label != BLOCK_DELETE;
	if (m->task == vmm_task || (management && m->task == shell_task) ||
	    (fs_use && m->task == fs_task))
		return true;
	if (caller_is_service(m->task, "/boot/bin/vmm")) {
		vmm_task = m->task;
		watch_service("vmm", ep, VMM_GONE);
		return true;
	}
	if (management && caller_is_service(m->task, "/boot/bin/shell")) {
		shell_task = m->task;
		return true;
	}
	if (fs_use && caller_is_service(m->task, "/boot/bin/fs") && fs_buffer_ready()) {
		fs_task = m->task;
		watch_service("fs", ep, FS_GONE);
		return true;
	}
	return false;
}

static void request(const struct msg *m)
{
	uint64_t caller = (uint64_t)m->status;
	uint32_t label = vireo_ipc_label(m->info);
	char name[VOL_NAME_MAX];
	const char *why = NULL;
	struct session *s;
	int64_t err;
	int index;
	/* Only BLOCK_IOV takes a handle, a grant passed on to the driver, and BLOCK_WATCH. */
	uint64_t grant = m->info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	struct block_iov iov[BLOCK_IOV_MAX];
	uint32_t iov_len = vireo_ipc_len(m->info);
	if (label == BLOCK_IOV && iov_len <= sizeof(iov))
		memcpy(iov, ipc_buffer()->data, iov_len);
	if (grant && label != BLOCK_IOV && label != BLOCK_WATCH) {
		vireo_syscall(SYS_HANDLE_CLOSE, (long)grant, 0, 0, 0, 0, 0);
		grant = 0;
	}
	/* Taken before allowed() asks init, which reuses the IPC buffer. */
	bool named = label == BLOCK_CREATE || label == BLOCK_DELETE || label == BLOCK_OPEN;
	bool name_ok = named && take_name(m, name);
	if (grant && (!allowed(m, label) || !table_ok)) {
		vireo_syscall(SYS_HANDLE_CLOSE, (long)grant, 0, 0, 0, 0, 0);
		grant = 0;
	}
	if (!allowed(m, label)) {
		reply_error(caller, VIREO_E_RIGHTS, "only the VM monitor and the shell use volumes");
		return;
	}
	if (!table_ok) {
		reply_error(caller, VIREO_E_INVAL, vol_error_text(table_state));
		return;
	}
	if (named && !name_ok) {
		reply_error(caller, VIREO_E_INVAL, vol_error_text(VOL_BADNAME));
		return;
	}
	switch (label) {
	case BLOCK_LIST:
		list(caller);
		return;
	case BLOCK_CREATE:
		err = create(name, m->w[0], &index, &why);
		reply_error(caller, err, why);
		return;
	case BLOCK_DELETE:
		index = vol_find(&table, name);
		if (index < 0) {
			reply_error(caller, VIREO_E_NOENT, vol_error_text(VOL_NOENT));
		} else if (volume_open(index)) {
			reply_error(caller, VIREO_E_BUSY, "the volume is in use by a guest");
		} else {
			struct vol_entry gone = table.e[index];
			vol_delete(&table, index);
			err = save_table();
			if (err)
				table.e[index] = gone;
			reply_error(caller, err, err ? "cannot write to the disk" : NULL);
		}
		return;
	case BLOCK_OPEN:
		open_volume(m, name);
		return;
	}
	s = session_of(m);
	if (label == BLOCK_IOV) {
		err = !s ? VIREO_E_NOENT : !grant ? VIREO_E_INVAL
					 : batch_io(s, m->w[1], iov, iov_len, grant);
		if (grant)
			vireo_syscall(SYS_HANDLE_CLOSE, (long)grant, 0, 0, 0, 0, 0);
		reply_error(caller, err, NULL);
		return;
	}
	if (label == BLOCK_WATCH) {
		if (s && grant) {
			if (s->watcher)
				vireo_syscall(SYS_HANDLE_CLOSE, (long)s->watcher, 0, 0, 0, 0, 0);
			s->watcher = grant;
			s->watcher_bits = m->w[1];
		} else if (grant) {
			vireo_syscall(SYS_HANDLE_CLOSE, (long)grant, 0, 0, 0, 0, 0);
		}
		reply_error(caller, !s ? VIREO_E_NOENT : grant ? 0 : VIREO_E_INVAL, NULL);
		return;
	}
	if (!s) {
		reply_error(caller, label <= BLOCK_DRAIN ? VIREO_E_NOENT : VIREO_E_NOSYS, NULL);
		return;
	}
	switch (label) {
	case BLOCK_CLOSE:
		close_session(s);
		err = 0;
		break;
	case BLOCK_DONE:
		reply_done(caller, s);
		return;
	case BLOCK_DRAIN:
		if (s->in_flight && !s->drain_caller) {
			s->drain_caller = caller; /* answered by driver_news */
			return;
		}
		err = s->in_flight ? VIREO_E_BUSY : 0;
		break;
	case BLOCK_READ:
	case BLOCK_WRITE:
		err = volume_io(m, s);
		break;
	case BLOCK_FLUSH:
		err = driver(BLKDEV_FLUSH, 0, 0, 0);
		break;
	default:
		err = VIREO_E_NOSYS;
	}
	reply_error(caller, err, NULL);
}

/* The monitor or the fs server ended: its sessions go, so that its successor can open the
 * volumes again. */
static void owner_gone(uint64_t *task)
{
	for (unsigned i = 0; i < MAX_SESSIONS; i++)
		if (sessions[i].owner == *task)
			close_session(&sessions[i]);
	*task = 0;
}

int main(void)
{
	ep = (uint64_t)vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (setup())
		return 1;
	int64_t err = register_service("block", ep);
	if (err) {
		printf("block: cannot register: %s\n", error_name(err));
		return 1;
	}
	for (;;) {
		struct msg m = ipc_recv(ep);
		if (m.status > 0)
			request(&m);
		else if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY) {
			if (m.w[0] & VMM_GONE)
				owner_gone(&vmm_task);
			if (m.w[0] & FS_GONE)
				owner_gone(&fs_task);
			if (m.w[0] & DRIVER_NEWS)
				driver_news();
			if (m.w[0] & DRIVER_GONE)
				driver_gone();
		}
	}
}
