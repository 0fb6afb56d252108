#include "commands.h"

#include <string.h>
#include <vireo/boot.h>

#include "events.h"
#include "vireo.h"

#define SYSTEM VIREO_SHELL_SYSTEM

struct command {
	const char *name, *args, *help;
	void (*run)(int argc, char **argv);
	/* It only prints, with nothing from another task to interleave: its lines can go to
	 * the console together (console_hold) rather than one message each. */
	bool output_only;
};

static const struct command commands[];

static void cmd_help(int argc, char **argv)
{
	(void)argc, (void)argv;
	for (const struct command *c = commands; c->name; c++) {
		char usage[32];
		snformat(usage, sizeof(usage), "%s %s", c->name, c->args);
		printf("  %-18s %s\n", usage, c->help);
	}
}

static const char *state_name(uint64_t s)
{
	static const char *const names[] = { "running", "ready", "blocked", "dead" };
	return s < 4 ? names[s] : "?";
}

static void cmd_ps(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct vireo_task_info info;
	struct vireo_thread_info th;
	printf("  ID  NAME             STATE    PAGES\n");
	for (long i = 0; vireo_syscall(SYS_TASK_LIST, SYSTEM, i, (long)&info, 0, 0, 0) == 1; i++) {
		printf("%4lu  %-16s %-8s %5lu\n", info.id, info.name, state_name(info.state),
		       info.pages);
		for (long k = 0; vireo_syscall(SYS_THREAD_LIST, SYSTEM, (long)info.id, k, (long)&th,
					       0, 0) == 1; k++)
			printf("        thread %-6lu %-8s hart %lu\n", th.id,
			       state_name(th.state), th.hart);
	}
}

static void cmd_mem(int argc, char **argv)
{
	(void)argc, (void)argv;
	struct vireo_mem_info m;
	int64_t err = vireo_syscall(SYS_MEM_INFO, SYSTEM, (long)&m, 0, 0, 0, 0);
	if (err) {
		printf("mem: %s\n", error_name(err));
		return;
	}
	uint64_t used = m.total_pages - m.free_pages;
	printf("pages: %lu total (%lu MiB), %lu free, %lu used (kernel %lu, tasks %lu)\n",
	       m.total_pages, m.total_pages >> 8, m.free_pages, used, m.kernel_pages,
	       used - m.kernel_pages);
	struct vireo_task_info info;
	for (long i = 0; vireo_syscall(SYS_TASK_LIST, SYSTEM, i, (long)&info, 0, 0, 0) == 1; i++)
		printf("  %-16s %5lu pages\n", info.name, info.pages);
}

static struct msg call_init(uint32_t label, const char *text, uint64_t w0)
{
	return ipc_call(VIREO_HANDLE_INIT, ipc_data(label, text, strlen(text)), w0, 0, 0, 0);
}

/* The status of an init request: the kernel's, or init's answer in w0. */
static int64_t status_of(const struct msg *r)
{
	return r->status < 0 ? r->status : (int64_t)r->w[0];
}

static void cmd_ls(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "/";
	if (share_path(path)) {
		share_ls(path);
		return;
	}
	for (uint64_t i = 0;; i++) {
		struct msg r = call_init(INIT_LIST, path, i);
		if (status_of(&r)) {
			printf("ls: %s: %s\n", path, error_name(status_of(&r)));
			return;
		}
		if (r.w[1] == 0)
			return;
		size_t n = vireo_ipc_len(r.info);
		char name[64];
		if (n >= sizeof(name))
			n = sizeof(name) - 1;
		memcpy(name, ipc_buffer()->data, n);
		name[n] = '\0';
		if (r.w[3])
			printf("  %s/\n", name);
		else
			printf("  %-24s %lu bytes\n", name, r.w[2]);
	}
}

static void cmd_cat(int argc, char **argv)
{
	if (argc < 2) {
		printf("cat: which file?\n");
		return;
	}
	if (share_path(argv[1])) {
		share_cat(argv[1]);
		return;
	}
	for (uint64_t off = 0;;) {
		struct msg r = call_init(INIT_READ, argv[1], off);
		if (status_of(&r)) {
			printf("cat: %s: %s\n", argv[1],
			       status_of(&r) == VIREO_E_INVAL ? "is a directory"
							      : error_name(status_of(&r)));
			return;
		}
		size_t n = vireo_ipc_len(r.info);
		if (n == 0)
			return;
		puts_ipc_data(n);
		off += n;
	}
}

static void cmd_echo(int argc, char **argv)
{
	if (share_echo(argc, argv))
		return;
	for (int i = 1; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	printf("\n");
}

static void cmd_uptime(int argc, char **argv)
{
	(void)argc, (void)argv;
	uint64_t us = clock_us();
	printf("up %lu.%03lu s\n", us / 1000000, us / 1000 % 1000);
}

static void cmd_log(int argc, char **argv)
{
	(void)argc, (void)argv;
	char buf[256];
	for (long pos = 0;;) {
		long n = vireo_syscall(SYS_LOG_READ, SYSTEM, pos, (long)buf, sizeof(buf), 0, 0);
		if (n <= 0)
			break;
		puts_raw(buf, (size_t)n);
		pos += n;
	}
}

static int parse_number(const char *s, uint64_t *v)
{
	*v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(*s - '0');
	}
	return 0;
}

static void cmd_kill(int argc, char **argv)
{
	uint64_t id;
	if (argc < 2 || parse_number(argv[1], &id)) {
		printf("kill: which task id? (see ps)\n");
		return;
	}
	int64_t err = vireo_syscall(SYS_TASK_KILL, SYSTEM, (long)id, 0, 0, 0, 0);
	if (err)
		printf("kill: %lu: %s\n", id, err == VIREO_E_INVAL ? "init cannot be killed"
								   : error_name(err));
	else
		printf("killed task %lu\n", id);
}

static void cmd_run(int argc, char **argv)
{
	if (argc < 2) {
		printf("run: which program?\n");
		return;
	}
	struct msg r = call_init(INIT_SPAWN, argv[1], 0);
	if (status_of(&r)) {
		printf("run: %s: %s\n", argv[1], error_name(status_of(&r)));
		return;
	}
	uint64_t id = r.w[1];
	console_flush();
	r = ipc_call(VIREO_HANDLE_INIT, vireo_ipc_info(INIT_WAIT, 0), id, 0, 0, 0);
	if (status_of(&r)) {
		printf("run: %s: %s\n", argv[1], error_name(status_of(&r)));
		return;
	}
	int64_t st = (int64_t)r.w[1];
	if (st & VIREO_EXIT_KILLED)
		printf("run: %s (task %lu) was killed%s\n", argv[1], id,
		       st & VIREO_EXIT_FAULT ? " after a fault" : "");
	else if (st)
		printf("run: %s (task %lu) exited with status %ld\n", argv[1], id, st);
}

static void cmd_sleep(int argc, char **argv)
{
	uint64_t s;
	if (argc < 2 || parse_number(argv[1], &s)) {
		printf("sleep: how many seconds?\n");
		return;
	}
	pause_us(s * 1000000);
}

static void reset(long how)
{
	console_flush();
	int64_t err = vireo_syscall(SYS_SYSTEM_RESET, SYSTEM, how, 0, 0, 0, 0);
	printf("reset failed: %s\n", error_name(err));
}

static void cmd_poweroff(int argc, char **argv)
{
	(void)argc, (void)argv;
	reset(VIREO_RESET_POWEROFF);
}

static void cmd_reboot(int argc, char **argv)
{
	(void)argc, (void)argv;
	reset(VIREO_RESET_REBOOT);
}

static const struct command commands[] = {
	{ "help", "", "this list", cmd_help, true },
	{ "ps", "", "tasks and their threads: state, pages, hart", cmd_ps, true },
	{ "mem", "", "free and used pages, per task", cmd_mem, true },
	{ "ls", "[path]", "list a directory (/boot: the boot file system; /share: the disk's)",
	  cmd_ls, true },
	{ "cat", "path", "print a file", cmd_cat, true },
	{ "echo", "text [>|>> f]", "print the text, or write (>) or add (>>) it to f in /share",
	  cmd_echo, true },
	{ "mkdir", "path", "make a directory in /share", cmd_mkdir, false },
	{ "rm", "path...", "remove files and empty directories from /share", cmd_rm, false },
	{ "mv", "from to", "rename or move within /share", cmd_mv, false },
	{ "cp", "from to", "copy a file from /boot or /share into /share", cmd_cp, false },
	{ "df", "", "space and files used and free in /share", cmd_df, false },
	{ "uptime", "", "time since the machine started", cmd_uptime, true },
	{ "log", "", "the kernel's messages", cmd_log, true },
	{ "run", "path", "run a program and wait for it to end", cmd_run, false },
	{ "kill", "id", "end a task", cmd_kill, false },
	{ "sleep", "seconds", "wait", cmd_sleep, false },
	{ "vm", "run|list|attach|kill|exec", "virtual machines (Ctrl-] detaches)", cmd_vm, false },
	{ "hvstat", "[-v]", "VM exits by cause, interrupts injected; -v: each vCPU's last exits",
	  cmd_hvstat, true },
	{ "linux", "[ram=MiB] [cpus=N] [disk=NAME] [cmdline]", "boot the Linux guest (Ctrl-] detaches); linux exec CMD runs CMD in it", cmd_linux, false },
	{ "disk", "list|create|delete", "volumes of the host disk for guests", cmd_disk, false },
	{ "poweroff", "", "turn the machine off", cmd_poweroff, false },
	{ "reboot", "", "restart the machine", cmd_reboot, false },
	{ 0 },
};

void run_command(int argc, char **argv)
{
	for (const struct command *c = commands; c->name; c++) {
		if (!strcmp(c->name, argv[0])) {
			console_hold(c->output_only);
			c->run(argc, argv);
			console_hold(false);
			return;
		}
	}
	printf("%s: unknown command (type 'help' for the list)\n", argv[0]);
}
