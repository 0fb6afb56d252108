/* The shell's side of virtual machines: vm run/list/attach/kill talk to the VM monitor
 * ("vmm"); while attached, the keyboard goes to the guest until Ctrl-] or the guest ends. */
#include <stdbool.h>
#include <string.h>

#include "commands.h"
#include "exits.h"
#include "line.h"
#include "vireo.h"

#define DETACH_KEY 0x1d /* Ctrl-] */
#define INPUT_BIT 1
#define ENDED_BIT 2
#define SYSTEM VIREO_SHELL_SYSTEM

static int64_t vmm = -1, events;

static bool connect(void)
{
	if (vmm < 0)
		vmm = lookup("vmm");
	if (!events)
		events = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (vmm < 0 || events <= 0) {
		printf("vm: the VM monitor is not available\n");
		return false;
	}
	return true;
}

static struct msg call_vmm(uint64_t info, uint64_t w0, uint64_t w1)
{
	struct msg r = ipc_call((uint64_t)vmm, info, w0, w1, 0, 0);
	if (r.status == VIREO_E_DEAD) { /* a restarted monitor: find it again */
		vmm = lookup("vmm");
		r = ipc_call((uint64_t)vmm, info, w0, w1, 0, 0);
	}
	return r;
}

static int64_t status_of(const struct msg *r)
{
	return r->status < 0 ? r->status : (int64_t)r->w[0];
}

/* Sends keys to the guest up to Ctrl-]; false when that key came and the shell took the
 * keyboard back. */
static bool forward_keys(uint64_t id, const char *keys, size_t n)
{
	const char *stop = memchr(keys, DETACH_KEY, n);
	size_t send = stop ? (size_t)(stop - keys) : n;
	if (send)
		call_vmm(ipc_data(VMM_INPUT, keys, send), id, 0);
	if (!stop)
		return true;
	call_vmm(vireo_ipc_info(VMM_DETACH, 0), id, 0);
	printf("\n[detached from vm %lu; 'vm attach %lu' goes back]\n", id, id);
	return false;
}

/* Passes the keyboard to guest id until Ctrl-] (detach) or the guest ends. */
static void stay_attached(uint64_t id)
{
	char keys[64];
	size_t n = line_take_typeahead(keys, sizeof(keys));
	bool attached = !n || forward_keys(id, keys, n);
	if (attached)
		console_subscribe((uint64_t)events, INPUT_BIT);
	while (attached) {
		struct msg m = ipc_recv((uint64_t)events);
		if (m.status != 0 || vireo_ipc_label(m.info) != VIREO_LABEL_NOTIFY)
			continue;
		if (m.w[0] & ENDED_BIT)
			break;
		/* All the input there is: one notification may announce several reads' worth, or
		 * none (read already with the one before). */
		size_t got;
		while (attached && (m.w[0] & INPUT_BIT) &&
		       (got = console_read_available(keys, sizeof(keys))) > 0)
			attached = forward_keys(id, keys, got);
	}
	console_subscribe(0, 0);
}

static void attach(uint64_t id)
{
	ipc_buffer()->handle = (uint64_t)events;
	struct msg r = call_vmm(vireo_ipc_info(VMM_ATTACH, 0) | VIREO_IPC_HANDLE, id, ENDED_BIT);
	if (status_of(&r))
		printf("vm: %lu: %s\n", id, error_name(status_of(&r)));
	else
		stay_attached(id);
}

static bool parse_id(const char *s, uint64_t *id)
{
	*id = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		*id = *id * 10 + (uint64_t)(*s - '0');
	return !*s && *id;
}

/* Starts a guest from a `vm run` argument string and stays attached to it. */
static void start(const char *args)
{
	ipc_buffer()->handle = (uint64_t)events;
	struct msg r = call_vmm(ipc_data(VMM_START, args, strlen(args)) | VIREO_IPC_HANDLE, 0,
				ENDED_BIT);
	if (status_of(&r)) {
		char why[128];
		size_t n = vireo_ipc_len(r.info) < sizeof(why) ? vireo_ipc_len(r.info) : 0;
		memcpy(why, ipc_buffer()->data, n);
		why[n] = '\0';
		printf("vm: %s\n", n ? why : error_name(status_of(&r)));
		return;
	}
	stay_attached(r.w[1]);
}

/* Joins words into "PATH [options] -- bootargs" form. */
static size_t join(char *buf, size_t size, size_t len, int argc, char **argv)
{
	for (int i = 0; i < argc && len < size; i++)
		len += snformat(buf + len, size - len, "%s%s", len ? " " : "", argv[i]);
	return len;
}

/* linux [ram=MiB] [image=PATH] [initrd=PATH] [cmdline...]: the Linux guest from /boot/linux,
 * 256 MiB by default, with its console on hvc0 over SBI; other words go on the kernel
 * command line. */
void cmd_linux(int argc, char **argv)
{
	char args[512];
	const char *ram = "ram=256", *image = "/boot/linux/Image";
	const char *initrd = "initrd=/boot/linux/initramfs.cpio.gz";
	if (!connect())
		return;
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "ram=", 4))
			ram = argv[i];
		else if (!strncmp(argv[i], "image=", 6))
			image = argv[i] + 6;
		else if (!strncmp(argv[i], "initrd=", 7))
			initrd = argv[i];
	}
	size_t len = snformat(args, sizeof(args), "%s %s %s linux -- console=hvc0 earlycon=sbi",
			      image, ram, initrd);
	for (int i = 1; i < argc; i++)
		if (strncmp(argv[i], "ram=", 4) && strncmp(argv[i], "image=", 6) &&
		    strncmp(argv[i], "initrd=", 7))
			len = join(args, sizeof(args), len, 1, &argv[i]);
	start(args);
}

void cmd_vm(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: vm run PATH [ram=MiB] [cpus=N] [initrd=PATH] [-- bootargs...]\n"
		       "       vm list | vm attach ID | vm kill ID\n");
		return;
	}
	if (!connect())
		return;
	uint64_t id;
	if (!strcmp(argv[1], "run") && argc > 2) {
		char args[512];
		join(args, sizeof(args), 0, argc - 2, argv + 2);
		start(args);
	} else if (!strcmp(argv[1], "list")) {
		struct msg r = call_vmm(vireo_ipc_info(VMM_LIST, 0), 0, 0);
		puts_ipc_data(vireo_ipc_len(r.info));
	} else if (!strcmp(argv[1], "attach") && argc > 2 && parse_id(argv[2], &id)) {
		attach(id);
	} else if (!strcmp(argv[1], "kill") && argc > 2 && parse_id(argv[2], &id)) {
		struct msg r = call_vmm(vireo_ipc_info(VMM_KILL, 0), id, 0);
		if (status_of(&r))
			printf("vm: %lu: %s\n", id, error_name(status_of(&r)));
		else
			printf("killed vm %lu\n", id);
	} else {
		printf("vm: unknown subcommand (type 'vm' for usage)\n");
	}
}

void cmd_hvstat(int argc, char **argv)
{
	bool verbose = argc > 1 && !strcmp(argv[1], "-v");
	if (argc > 2 || (argc == 2 && !verbose)) {
		printf("usage: hvstat [-v]\n");
		return;
	}
	static const char *const causes[VM_CAUSE_COUNT] = {
		"sbi base", "sbi legacy console", "sbi time", "sbi ipi", "sbi rfence", "sbi hsm",
		"sbi srst", "sbi dbcn", "sbi other", "mmio (kernel: plic)", "mmio (monitor)",
		"access fault injected", "virtual instruction", "wfi", "host timer interrupt",
		"host external interrupt", "guest RAM first touch",
	};
	struct vireo_vm_stat st;
	long i = 0;
	for (; vireo_syscall(SYS_VM_STAT, SYSTEM, i, (long)&st, 0, 0, 0) == 1; i++) {
		uint64_t total = 0;
		for (unsigned c = 0; c < VM_CAUSE_COUNT; c++)
			total += st.exits[c];
		printf("vm %lu (%s): %lu vCPUs, %lu MiB, %lu exits\n", st.id, st.name, st.nvcpus,
		       st.ram_pages >> 8, total);
		for (unsigned c = 0; c < VM_CAUSE_COUNT; c++)
			if (st.exits[c])
				printf("  %-26s %lu\n", causes[c], st.exits[c]);
		printf("  interrupts injected: timer %lu, external %lu\n", st.timer_injected,
		       st.external_injected);
		for (unsigned v = 0; verbose && v < st.nvcpus && v < VIREO_VM_MAX_VCPUS; v++)
			print_exit_ring(v, &st.ring[v]);
	}
	if (i == 0)
		printf("hvstat: no VMs are running\n");
}
