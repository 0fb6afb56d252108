/* /share at the prompt: Vireo's own file system, served by the fs server over
 * include/vireo/fs_protocol.h. ls and cat reach it through a path-prefix test in
 * commands.c, echo through its redirection (> and >>); mkdir, rm, mv, cp and df are here.
 * cp copies from /boot (read where it lies, in the bootfs init maps for us) or /share. */
#include <string.h>
#include <vireo/fs_protocol.h>

#include "commands.h"
#include "vireo.h"

#define SHARE "/share"
#define BUFFER_VA (VIREO_USER_HEAP + 0x40000000ul)
#define BOOTFS_VA (VIREO_USER_HEAP + 0x80000000ul)
#define MAX_DEPTH 64
#define PATH_MAX_LEN 1024

static int64_t fs_ep;
static uint64_t session;
static uint8_t *const buffer = (uint8_t *)BUFFER_VA;

bool share_path(const char *path)
{
	return !strncmp(path, SHARE, 6) && (path[6] == '\0' || path[6] == '/');
}

static const char *fs_error(int64_t err)
{
	switch (err) {
	case FS_ENOENT: return "no such file or directory";
	case FS_EEXIST: return "already exists";
	case FS_ENOTDIR: return "not a directory";
	case FS_EISDIR: return "is a directory";
	case FS_ENOTEMPTY: return "directory not empty";
	case FS_ENAMETOOLONG: return "name too long (at most 255 bytes)";
	case FS_ENOSPC: return "no space left on /share";
	case FS_EINVAL: return "invalid name or argument";
	case FS_EFBIG: return "file too large";
	case FS_EROFS: return "/share is read-only (it could not be written: see log)";
	case FS_EIO: return "input/output error (see log)";
	case FS_ESTALE: return "changed meanwhile: try again";
	case FS_EMFILE: return "the file system serves too many sessions";
	default: return err > -64 ? "file system error" : error_name(err);
	}
}

/* A session with the fs server and its buffer, made at first use and again if the server
 * was restarted. 0 or an error. */
static int64_t connect(void)
{
	if (session)
		return 0;
	if (fs_ep <= 0)
		fs_ep = lookup("fs");
	if (fs_ep < 0)
		return fs_ep;
	struct msg r = ipc_call((uint64_t)fs_ep, vireo_ipc_info(FS_SESSION, 0), 0, 0, 0, 0);
	int64_t st = r.status < 0 ? r.status : (int64_t)r.w[0];
	if (st)
		return st;
	if (!(r.info & VIREO_IPC_HANDLE) || r.w[2] < FS_BUFFER_BYTES)
		return VIREO_E_INVAL;
	uint64_t memory = ipc_buffer()->handle;
	vireo_syscall(SYS_MEM_FREE, (long)BUFFER_VA, FS_BUFFER_BYTES / 4096, 0, 0, 0, 0);
	st = vireo_syscall(SYS_MEMORY_MAP, (long)memory, (long)BUFFER_VA,
			   VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, (long)memory, 0, 0, 0, 0, 0);
	if (st < 0)
		return st;
	session = r.w[1];
	return 0;
}

/* One request: w1..w3 and data (a name or two); the reply's status, words and data (up to
 * out_len bytes into out). A server that went away is asked again through a new session. */
static int64_t fs_call(uint32_t label, uint64_t w1, uint64_t w2, uint64_t w3, const void *data,
		       size_t len, void *out, size_t out_len, struct msg *reply)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		int64_t st = connect();
		if (st)
			return st;
		struct msg r = ipc_call((uint64_t)fs_ep, ipc_data(label, data, len), session, w1, w2,
					w3);
		st = r.status < 0 ? r.status : (int64_t)r.w[0];
		if (st == VIREO_E_DEAD || st == FS_EBADF) {
			session = 0;
			fs_ep = 0;
			continue;
		}
		size_t n = vireo_ipc_len(r.info);
		if (out)
			memcpy(out, ipc_buffer()->data, n < out_len ? n : out_len);
		if (reply)
			*reply = r;
		return st;
	}
	return VIREO_E_DEAD;
}

static void say(const char *cmd, const char *path, int64_t err)
{
	if (err == VIREO_E_DEAD)
		printf("%s: no /share: the machine has no disk, or its file server stopped (see log)\n",
		       cmd);
	else
		printf("%s: %s: %s\n", cmd, path, fs_error(err));
}

static int64_t lookup_name(uint64_t dir, const char *name, size_t len, struct fs_attr *a)
{
	return fs_call(FS_LOOKUP, dir, 0, 0, name, len, a, sizeof(*a), NULL);
}

/* The node of path under /share, following "." and ".." without leaving /share. With
 * parent, the node of the directory holding the last name instead, and that name. */
static int64_t resolve(const char *path, bool parent, uint64_t *node, const char **name,
		       size_t *name_len)
{
	uint64_t stack[MAX_DEPTH] = { FS_ROOT_NODE };
	unsigned depth = 0;
	const char *p = path + strlen(SHARE);
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		size_t n = strcspn(p, "/");
		const char *rest = p + n;
		while (*rest == '/')
			rest++;
		bool dot = n == 1 && *p == '.', dotdot = n == 2 && !strncmp(p, "..", 2);
		if (parent && !*rest) {
			*name = p;
			*name_len = n;
			*node = stack[depth];
			return dot || dotdot ? FS_EINVAL : 0;
		}
		if (dot) {
			/* stays */
		} else if (dotdot) {
			if (depth == 0)
				return FS_EINVAL; /* above /share */
			depth--;
		} else {
			struct fs_attr a;
			int64_t err = lookup_name(stack[depth], p, n, &a);
			if (err)
				return err;
			if (depth + 1 == MAX_DEPTH)
				return FS_ENAMETOOLONG;
			stack[++depth] = a.ino;
		}
		p += n;
	}
	if (parent)
		return FS_EINVAL; /* /share itself has no parent here */
	*node = stack[depth];
	return 0;
}

static int64_t node_of(const char *path, uint64_t *node, struct fs_attr *a)
{
	const char *name;
	size_t len;
	int64_t err = resolve(path, false, node, &name, &len);
	if (!err && a)
		err = fs_call(FS_GETATTR, *node, 0, 0, NULL, 0, a, sizeof(*a), NULL);
	return err;
}

static bool is_dir(const struct fs_attr *a)
{
	return (a->mode & FS_S_IFMT) == FS_S_IFDIR;
}

void share_ls(const char *path)
{
	uint64_t node;
	struct fs_attr a;
	int64_t err = node_of(path, &node, &a);
	if (!err && !is_dir(&a)) {
		printf("  %-24s %lu bytes\n", strrchr(path, '/') + 1, a.size);
		return;
	}
	static uint8_t entries[4096];
	for (uint64_t cookie = 0; !err;) {
		struct msg r;
		err = fs_call(FS_READDIR, node, cookie, sizeof(entries), NULL, 0, NULL, 0, &r);
		if (err || r.w[1] == 0 || r.w[1] > sizeof(entries))
			break;
		memcpy(entries, buffer, r.w[1]); /* kept while the sizes are asked for */
		for (uint64_t off = 0; off + sizeof(struct fs_dirent) <= r.w[1];) {
			struct fs_dirent d;
			memcpy(&d, entries + off, sizeof(d));
			char name[FS_NAME_MAX + 1];
			size_t n = d.name_len <= FS_NAME_MAX ? d.name_len : FS_NAME_MAX;
			memcpy(name, entries + off + sizeof(d), n);
			name[n] = '\0';
			cookie = d.cookie;
			off += fs_dirent_size(d.name_len);
			if (!strcmp(name, ".") || !strcmp(name, ".."))
				continue; /* every directory has them: ls says what it holds */
			if (d.type == FS_S_IFDIR)
				printf("  %s/\n", name);
			else if (!fs_call(FS_GETATTR, d.node, 0, 0, NULL, 0, &a, sizeof(a), NULL))
				printf("  %-24s %lu bytes\n", name, a.size);
		}
	}
	if (err)
		say("ls", path, err);
}

void share_cat(const char *path)
{
	uint64_t node;
	struct fs_attr a;
	int64_t err = node_of(path, &node, &a);
	if (!err && is_dir(&a))
		err = FS_EISDIR;
	for (uint64_t off = 0; !err;) {
		struct msg r;
		err = fs_call(FS_READ, node, off, FS_IO_MAX, NULL, 0, NULL, 0, &r);
		if (err || r.w[1] == 0 || r.w[1] > FS_IO_MAX)
			break;
		puts_raw((const char *)buffer, r.w[1]);
		off += r.w[1];
	}
	if (err)
		say("cat", path, err);
}

/* The file at path, made empty (truncate) or kept (append); *size is where to write. */
static int64_t open_for_writing(const char *path, bool append, uint64_t *node, uint64_t *size)
{
	uint64_t dir;
	const char *name;
	size_t len;
	struct fs_attr a;
	int64_t err = resolve(path, true, &dir, &name, &len);
	if (!err)
		err = lookup_name(dir, name, len, &a);
	if (err == FS_ENOENT)
		err = fs_call(FS_CREATE, dir, 0644, 0, name, len, &a, sizeof(a), NULL);
	if (err)
		return err;
	if (is_dir(&a))
		return FS_EISDIR;
	*node = a.ino;
	*size = append ? a.size : 0;
	if (!append && a.size) {
		struct fs_setattr s = { .valid = FS_SET_SIZE, .size = 0 };
		err = fs_call(FS_SETATTR, a.ino, 0, 0, &s, sizeof(s), NULL, 0, NULL);
	}
	return err;
}

/* bytes already in the buffer go to node at offset. */
static int64_t write_buffer(uint64_t node, uint64_t offset, uint64_t bytes)
{
	return fs_call(FS_WRITE, node, offset, bytes, NULL, 0, NULL, 0, NULL);
}

/* echo WORDS > PATH, echo WORDS >> PATH (also ">PATH"): true if the line had a redirection
 * (done or refused here), false for a plain echo. */
bool share_echo(int argc, char **argv)
{
	int at = 1;
	while (at < argc && argv[at][0] != '>')
		at++;
	if (at == argc)
		return false;
	bool append = argv[at][1] == '>';
	const char *path = argv[at] + (append ? 2 : 1);
	if (!*path && at + 1 < argc)
		path = argv[++at];
	if (!*path || at + 1 != argc) {
		printf("echo: one file after > or >>\n");
		return true;
	}
	if (!share_path(path)) {
		printf("echo: %s: only files in /share can be written\n", path);
		return true;
	}
	uint64_t node, offset, len = 0;
	int64_t err = connect();
	for (int i = 1; !err && argv[i][0] != '>'; i++) {
		size_t n = strlen(argv[i]);
		if (len + n + 1 > FS_IO_MAX)
			break;
		memcpy(buffer + len, argv[i], n);
		len += n;
		buffer[len++] = argv[i + 1][0] != '>' ? ' ' : '\n';
	}
	if (len == 0)
		buffer[len++] = '\n';
	/* The words are in the buffer before the lookups, which use only the IPC buffer. */
	if (!err)
		err = open_for_writing(path, append, &node, &offset);
	if (!err)
		err = write_buffer(node, offset, len);
	if (err)
		say("echo", path, err);
	return true;
}

void cmd_mkdir(int argc, char **argv)
{
	uint64_t dir;
	const char *name;
	size_t len;
	struct fs_attr a;
	if (argc != 2 || !share_path(argv[1])) {
		printf("mkdir: usage: mkdir /share/PATH\n");
		return;
	}
	int64_t err = resolve(argv[1], true, &dir, &name, &len);
	if (!err)
		err = fs_call(FS_MKDIR, dir, 0755, 0, name, len, &a, sizeof(a), NULL);
	if (err)
		say("mkdir", argv[1], err);
}

void cmd_rm(int argc, char **argv)
{
	uint64_t dir;
	const char *name;
	size_t len;
	if (argc < 2) {
		printf("rm: usage: rm /share/PATH... (a directory must be empty)\n");
		return;
	}
	for (int i = 1; i < argc; i++) {
		if (!share_path(argv[i])) {
			printf("rm: %s: only files in /share can be removed\n", argv[i]);
			continue;
		}
		int64_t err = resolve(argv[i], true, &dir, &name, &len);
		if (!err)
			err = fs_call(FS_UNLINK, dir, 0, 0, name, len, NULL, 0, NULL);
		if (err == FS_EISDIR)
			err = fs_call(FS_RMDIR, dir, 0, 0, name, len, NULL, 0, NULL);
		if (err)
			say("rm", argv[i], err);
	}
}

/* The destination of mv or cp: dest itself, or dest/BASENAME when dest is a directory. */
static int64_t destination(const char *src, const char *dest, char *out, size_t size)
{
	uint64_t node;
	struct fs_attr a;
	int64_t err = node_of(dest, &node, &a);
	const char *base = strrchr(src, '/') ? strrchr(src, '/') + 1 : src;
	if (!err && is_dir(&a))
		return snformat(out, size, "%s/%s", dest, base) < size ? 0 : FS_ENAMETOOLONG;
	if (err && err != FS_ENOENT)
		return err;
	return snformat(out, size, "%s", dest) < size ? 0 : FS_ENAMETOOLONG;
}

void cmd_mv(int argc, char **argv)
{
	static char dest[PATH_MAX_LEN], names[2 * FS_NAME_MAX + 2];
	uint64_t from, to;
	const char *a, *b;
	size_t alen, blen;
	if (argc != 3) {
		printf("mv: usage: mv /share/FROM /share/TO\n");
		return;
	}
	if (!share_path(argv[1]) || !share_path(argv[2])) {
		printf("mv: only within /share (/boot is read-only)\n");
		return;
	}
	int64_t err = destination(argv[1], argv[2], dest, sizeof(dest));
	if (!err)
		err = resolve(argv[1], true, &from, &a, &alen);
	if (err) {
		say("mv", argv[1], err);
		return;
	}
	if (!(err = resolve(dest, true, &to, &b, &blen)) && (alen > FS_NAME_MAX || blen > FS_NAME_MAX))
		err = FS_ENAMETOOLONG;
	if (!err) {
		memcpy(names, a, alen);
		names[alen] = '\0';
		memcpy(names + alen + 1, b, blen);
		err = fs_call(FS_RENAME, from, to, 0, names, alen + 1 + blen, NULL, 0, NULL);
	}
	if (err)
		say("mv", dest, err);
}

void cmd_cp(int argc, char **argv)
{
	static char dest[PATH_MAX_LEN];
	const uint8_t *boot = NULL;
	uint64_t size = 0, src = 0, node, offset, done = 0;
	struct fs_attr a;
	if (argc != 3) {
		printf("cp: usage: cp FROM /share/TO (FROM in /boot or /share)\n");
		return;
	}
	if (!share_path(argv[2])) {
		printf("cp: %s: only files in /share can be written\n", argv[2]);
		return;
	}
	int64_t err;
	if (share_path(argv[1])) {
		err = node_of(argv[1], &src, &a);
		if (!err && is_dir(&a))
			err = FS_EISDIR;
		size = a.size;
	} else {
		err = boot_file(argv[1], BOOTFS_VA, &boot, &size);
		if (err) {
			printf("cp: %s: %s\n", argv[1],
			       err == VIREO_E_INVAL ? "is a directory" : error_name(err));
			return;
		}
	}
	if (err) {
		say("cp", argv[1], err);
		return;
	}
	err = destination(argv[1], argv[2], dest, sizeof(dest));
	if (!err && src && !node_of(dest, &node, NULL) && node == src)
		err = FS_EINVAL; /* onto itself, which opening it for writing would empty */
	if (!err)
		err = open_for_writing(dest, false, &node, &offset);
	while (!err && done < size) {
		uint64_t n = size - done < FS_IO_MAX ? size - done : FS_IO_MAX;
		struct msg r;
		if (boot)
			memcpy(buffer, boot + done, n);
		else if (!(err = fs_call(FS_READ, src, done, n, NULL, 0, NULL, 0, &r)) && r.w[1] != n)
			err = FS_EIO; /* it shrank meanwhile */
		if (!err)
			err = write_buffer(node, done, n);
		if (!err)
			done += n;
	}
	if (err == FS_ENOSPC)
		printf("cp: %s: no space left on /share after %lu of %lu bytes\n", dest, done, size);
	else if (err)
		say("cp", dest, err);
}

void cmd_df(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct fs_statfs st;
	int64_t err = fs_call(FS_STATFS, 0, 0, 0, NULL, 0, &st, sizeof(st), NULL);
	if (err) {
		say("df", SHARE, err);
		return;
	}
	uint64_t kib = st.bsize / 1024, used = st.blocks - st.free_blocks;
	printf("  %-8s %10s %10s %10s %5s %8s\n", "", "KiB", "used", "free", "use", "files");
	printf("  %-8s %10lu %10lu %10lu %4lu%% %3lu/%lu\n", SHARE, st.blocks * kib, used * kib,
	       st.free_blocks * kib, st.blocks ? used * 100 / st.blocks : 0,
	       st.files - st.free_files, st.files);
}
