/* `linux exec CMD...` and `vm exec ID CMD...`: CMD runs in a Linux guest under its agent
 * (docs/agent.md), its stdout and stderr printed here as they come (the monitor writes
 * them to the console), its exit status the command's result. Lines typed meanwhile are its
 * stdin, echoed and edited here; Ctrl-C interrupts it (SIGINT to its process group), Ctrl-D
 * ends its stdin. With no guest running, `linux exec` boots one first and waits for its agent. */
#include <stdbool.h>
#include <string.h>

#include "commands.h"
#include "events.h"
#include "line.h"
#include "vireo.h"

#define EVENT_EXEC_DONE (1ull << 40) /* above the bits of the VMs followed (vm.c) */
#define CTRL_C 0x03
#define CTRL_D 0x04
#define SIGINT 2
#define AGENT_WAIT_US 60000000ull /* a guest just booted has its agent up well within this */
#define RETRY_US 100000
#define INPUT_PATIENCE_US 5000000 /* a command reading no stdin for this long loses input */

static bool following, done, monitor_news;

bool exec_news(uint64_t bits)
{
	if (!following)
		return false;
	done |= (bits & EVENT_EXEC_DONE) != 0;
	/* The monitor may have ended, and the command with it: follow() asks. */
	monitor_news |= (bits & EVENT_VMM_ENDED) != 0;
	return (bits & (EVENT_EXEC_DONE | EVENT_VMM_ENDED)) != 0;
}

static int64_t status_of(const struct msg *r)
{
	return r->status < 0 ? r->status : (int64_t)r->w[0];
}

/* Why the monitor refused, about VM id (0: none named). */
static void print_why(const struct msg *r, uint64_t id)
{
	char why[128];
	size_t n = vireo_ipc_len(r->info) < sizeof(why) ? vireo_ipc_len(r->info) : 0;
	memcpy(why, ipc_buffer()->data, n);
	why[n] = '\0';
	if (n || !id)
		printf("linux exec: %s\n", n ? why : error_name(status_of(r)));
	else
		printf("linux exec: vm %lu: %s\n", id, error_name(status_of(r)));
}

/* stdin for the command, sent again while its channel is full. */
static void send_stdin(uint64_t id, const char *s, size_t n)
{
	uint64_t since = clock_us();
	for (;;) {
		struct msg r = vm_request(ipc_data(VMM_EXEC_INPUT, s, n), id, 0);
		if (status_of(&r) || r.w[1] || done)
			return;
		if (clock_us() - since > INPUT_PATIENCE_US) {
			printf("\n[linux exec: the command reads no input: %lu bytes dropped]\n", n);
			return;
		}
		pause_us(RETRY_US);
	}
}

/* Typed input is edited a line at a time, as a terminal in canonical mode does: the
 * command's stdin is a pipe, so nobody else echoes or erases. */
static char pending[LINE_KEYS];
static size_t pending_len;

static void echo(const char *s, size_t n)
{
	console_write(s, n); /* at once, not at the line's end as printf would */
}

static void send_pending(uint64_t id)
{
	if (pending_len)
		send_stdin(id, pending, pending_len);
	pending_len = 0;
}

/* Keys while the command runs: Ctrl-C interrupts it, Ctrl-D sends the line so far or, on
 * an empty line, ends its stdin; Enter sends the line, backspace erases. */
static void keys_for(uint64_t id, const char *keys, size_t n)
{
	for (size_t i = 0; i < n && !done; i++) {
		char k = keys[i];
		if (k == CTRL_C) {
			pending_len = 0;
			echo("^C\n", 3);
			vm_request(vireo_ipc_info(VMM_EXEC_SIGNAL, 0), id, SIGINT);
		} else if (k == CTRL_D) {
			if (pending_len)
				send_pending(id);
			else
				send_stdin(id, "", 0);
		} else if (k == 0x7f || k == '\b') {
			if (pending_len) {
				pending_len--;
				echo("\b \b", 3);
			}
		} else if (k == '\r' || k == '\n') {
			pending[pending_len++] = '\n';
			echo("\n", 1);
			send_pending(id);
		} else if ((k >= ' ' && k < 0x7f) || k == '\t') {
			pending[pending_len++] = k;
			echo(&k, 1);
			if (pending_len == sizeof(pending) - 1)
				send_pending(id);
		}
	}
}

static struct msg request_exec(uint64_t id, const char *line)
{
	ipc_buffer()->handle = events_endpoint();
	return vm_request(ipc_data(VMM_EXEC, line, strlen(line)) | VIREO_IPC_HANDLE, id,
			  EVENT_EXEC_DONE);
}

/* The command started in VM id: pass it the keyboard until it ends, then its status. */
static void follow(uint64_t id)
{
	char keys[LINE_KEYS];
	size_t n = line_take_typeahead(keys, sizeof(keys));
	pending_len = 0;
	monitor_news = false;
	following = true;
	struct msg r;
	while (!done) {
		if (n)
			keys_for(id, keys, n);
		if (!done)
			n = wait_for_keys(keys, sizeof(keys));
		if (monitor_news) {
			monitor_news = false;
			r = vm_request(vireo_ipc_info(VMM_EXEC_STATUS, 0), id, 0);
			done |= status_of(&r) != 0;
		}
	}
	following = false;
	r = vm_request(vireo_ipc_info(VMM_EXEC_STATUS, 0), id, 0);
	if (status_of(&r))
		printf("linux exec: vm %lu ended before the command did\n", id);
	else if (r.w[1] == 2)
		printf("linux exec: the agent went away before the command ended\n");
	else if (r.w[2])
		printf("exit status %ld\n", (int64_t)(int32_t)r.w[2]);
}

/* Runs line in VM id; booted: the guest was just started, so an agent not up yet is
 * waited for. */
static void run(uint64_t id, const char *line, bool booted)
{
	uint64_t since = clock_us();
	struct msg r;
	done = false;
	while ((r = request_exec(id, line)), status_of(&r)) {
		if (r.w[1] != 1 || !booted || clock_us() - since > AGENT_WAIT_US) {
			print_why(&r, id);
			return;
		}
		pause_us(RETRY_US);
	}
	follow(id);
}

static bool join(char *line, size_t size, int argc, char **argv)
{
	size_t len = 0;
	line[0] = '\0';
	for (int i = 0; i < argc; i++) {
		len += snformat(line + len, size - len, "%s%s", i ? " " : "", argv[i]);
		if (len >= size) {
			printf("linux exec: the command is too long (at most %lu characters)\n",
			       size - 1);
			return false;
		}
	}
	return true;
}

void exec_in_vm(uint64_t id, int argc, char **argv)
{
	char line[1024];
	if (argc < 1) {
		printf("usage: vm exec ID CMD...\n");
		return;
	}
	if (join(line, sizeof(line), argc, argv) && vm_monitor())
		run(id, line, false);
}

void exec_in_linux(int argc, char **argv)
{
	char line[1024], args[512];
	if (argc < 1) {
		printf("usage: linux exec CMD...\n");
		return;
	}
	if (!join(line, sizeof(line), argc, argv) || !vm_monitor())
		return;
	/* A guest running: the monitor picks it (r.w[2] names it, even when it failed). */
	done = false;
	struct msg r = request_exec(0, line);
	if (!status_of(&r)) {
		follow(r.w[2]);
		return;
	}
	if (r.w[2]) {
		print_why(&r, 0);
		return;
	}
	linux_args(args, sizeof(args), 1, (char *[]){ "linux" });
	r = vm_request(ipc_data(VMM_START, args, strlen(args)), 0, 0);
	if (status_of(&r)) {
		print_why(&r, 0);
		return;
	}
	printf("[linux exec: booted vm %lu]\n", r.w[1]);
	run(r.w[1], line, true);
}
