/* The shell's side of virtual machines: vm run/list/attach/kill talk to the VM monitor
 * ("vmm"); while attached, the keyboard goes to the guest until Ctrl-] or the guest ends.
 * The shell follows the VMs it started or attached to, each with its own bit for the
 * monitor to notify when it ends, so that when the monitor itself ends (init tells, see
 * INIT_WATCH) it can say which VMs went with it. */
#include <stdbool.h>
#include <string.h>

#include "commands.h"
#include "events.h"
#include "exits.h"
#include "line.h"
#include "vireo.h"

#define DETACH_KEY 0x1d /* Ctrl-] */
#define SYSTEM VIREO_SHELL_SYSTEM
#define MAX_VMS 16 /* more than the monitor runs at once (8) */
#define VM_BIT(slot) ((uint64_t)EVENT_VM_FIRST << (slot))
#define INPUT_RETRY_US 10000
#define INPUT_PATIENCE_US 5000000 /* a guest reading no input for this long loses the rest */

struct followed_vm {
	uint64_t id; /* 0: a free slot */
	char name[VIREO_NAME_MAX];
};

static struct followed_vm vms[MAX_VMS];
static int attached = -1; /* the slot of the VM the keyboard goes to */
static int64_t vmm = -1;

/* Watch, then look up: the monitor found is the one watched. */
static void find_monitor(void)
{
	if (vmm > 0)
		vireo_syscall(SYS_HANDLE_CLOSE, vmm, 0, 0, 0, 0, 0);
	watch_service("vmm", events_endpoint(), EVENT_VMM_ENDED);
	vmm = lookup("vmm");
}

static bool connect(void)
{
	if (vmm < 0 && events_endpoint())
		find_monitor();
	if (vmm < 0 || !events_endpoint()) {
		printf("vm: the VM monitor is not available\n");
		return false;
	}
	return true;
}

static bool following_any(void)
{
	for (unsigned i = 0; i < MAX_VMS; i++)
		if (vms[i].id)
			return true;
	return false;
}

static void report_lost(void)
{
	for (unsigned i = 0; i < MAX_VMS; i++) {
		if (vms[i].id)
			printf("[vm %lu (%s): lost: the VM monitor ended]\n", vms[i].id,
			       vms[i].name);
		vms[i].id = 0;
	}
}

bool vm_news(uint64_t bits)
{
	bool woke = false;
	for (int i = 0; i < MAX_VMS; i++) {
		if (vms[i].id && (bits & VM_BIT(i))) {
			vms[i].id = 0;
			woke |= i == attached;
		}
	}
	woke |= exec_news(bits);
	/* A watch that was set on a monitor this shell has since found dead and replaced may
	 * still fire: only the monitor in use, gone, has lost the VMs followed. */
	if ((bits & EVENT_VMM_ENDED) && following_any() &&
	    ipc_call((uint64_t)vmm, vireo_ipc_info(VMM_LIST, 0), 0, 0, 0, 0).status ==
		    VIREO_E_DEAD) {
		printf("\n");
		report_lost();
		woke = true;
	}
	return woke;
}

/* A request to the monitor. One that ended took its VMs along: a request naming a VM then
 * fails, and any other goes, as it was, to the monitor init started in its place (the
 * look-up in between has overwritten the IPC buffer). */
static struct msg call_vmm(uint64_t info, uint64_t w0, uint64_t w1)
{
	static uint8_t request[VIREO_IPC_DATA_MAX];
	size_t n = vireo_ipc_len(info) < sizeof(request) ? vireo_ipc_len(info) : sizeof(request);
	uint64_t handle = ipc_buffer()->handle;
	memcpy(request, ipc_buffer()->data, n);
	struct msg r = ipc_call((uint64_t)vmm, info, w0, w1, 0, 0);
	if (r.status != VIREO_E_DEAD)
		return r;
	report_lost();
	find_monitor();
	uint32_t label = vireo_ipc_label(info);
	if (vmm < 0 || (label != VMM_START && label != VMM_LIST)) {
		r.status = vmm < 0 ? vmm : VIREO_E_NOENT;
		return r;
	}
	ipc_buffer()->handle = handle;
	memcpy(ipc_buffer()->data, request, n);
	return ipc_call((uint64_t)vmm, info, w0, w1, 0, 0);
}

static int64_t status_of(const struct msg *r)
{
	return r->status < 0 ? r->status : (int64_t)r->w[0];
}

static const char *vm_error(int64_t err)
{
	return err == VIREO_E_DEAD ? "the VM monitor is not available" : error_name(err);
}

static int slot_of(uint64_t id)
{
	for (int i = 0; i < MAX_VMS; i++)
		if (vms[i].id == id)
			return i;
	return -1;
}

/* Follows the VM in slot, named in the reply just received. */
static void follow(int slot, uint64_t id, const struct msg *r)
{
	size_t n = vireo_ipc_len(r->info);
	if (n >= sizeof(vms[slot].name))
		n = sizeof(vms[slot].name) - 1;
	memcpy(vms[slot].name, ipc_buffer()->data, n);
	vms[slot].name[n] = '\0';
	vms[slot].id = id;
}

/* The guest's console input holds a few hundred bytes: the rest goes again as the guest
 * reads, for as long as it keeps reading. False when the VM is gone. */
static bool send_input(uint64_t id, const char *keys, size_t n)
{
	uint64_t progress = clock_us();
	while (n) {
		struct msg r = call_vmm(ipc_data(VMM_INPUT, keys, n), id, 0);
		if (status_of(&r))
			return false;
		size_t took = r.w[1] < n ? (size_t)r.w[1] : n;
		keys += took;
		n -= took;
		if (took)
			progress = clock_us();
		if (n && clock_us() - progress > INPUT_PATIENCE_US) {
			printf("\n[vm %lu reads no input: %lu bytes of it dropped]\n", id, n);
			return true;
		}
		if (n)
			pause_us(INPUT_RETRY_US);
	}
	return true;
}

/* Sends keys to the guest up to Ctrl-]; false when that key came and the shell took the
 * keyboard back (what came after it is the shell's), or the VM is gone. */
static bool forward_keys(uint64_t id, const char *keys, size_t n)
{
	const char *stop = memchr(keys, DETACH_KEY, n);
	size_t send = stop ? (size_t)(stop - keys) : n;
	if (send && !send_input(id, keys, send))
		return false;
	if (!stop)
		return true;
	call_vmm(vireo_ipc_info(VMM_DETACH, 0), id, 0);
	printf("\n[detached from vm %lu; 'vm attach %lu' goes back]\n", id, id);
	line_put_back(stop + 1, n - send - 1);
	return false;
}

/* Passes the keyboard to the guest in slot until Ctrl-] (detach) or the guest ends. */
static void stay_attached(int slot)
{
	uint64_t id = vms[slot].id;
	char keys[LINE_KEYS];
	attached = slot;
	size_t n = line_take_typeahead(keys, sizeof(keys));
	bool on = !n || forward_keys(id, keys, n);
	while (on && vms[slot].id == id) {
		n = wait_for_keys(keys, sizeof(keys));
		if (n)
			on = forward_keys(id, keys, n);
	}
	attached = -1;
}

static void attach(uint64_t id)
{
	int slot = slot_of(id);
	if (slot < 0)
		slot = slot_of(0);
	if (slot < 0) {
		printf("vm: the shell follows %d VMs already\n", MAX_VMS);
		return;
	}
	ipc_buffer()->handle = events_endpoint();
	struct msg r = call_vmm(vireo_ipc_info(VMM_ATTACH, 0) | VIREO_IPC_HANDLE, id, VM_BIT(slot));
	if (status_of(&r)) {
		printf("vm: %lu: %s\n", id, vm_error(status_of(&r)));
		return;
	}
	follow(slot, id, &r);
	stay_attached(slot);
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
	int slot = slot_of(0);
	if (slot < 0) {
		printf("vm: the shell follows %d VMs already\n", MAX_VMS);
		return;
	}
	ipc_buffer()->handle = events_endpoint();
	struct msg r = call_vmm(ipc_data(VMM_START, args, strlen(args)) | VIREO_IPC_HANDLE, 0,
				VM_BIT(slot));
	if (status_of(&r)) {
		char why[128];
		size_t n = vireo_ipc_len(r.info) < sizeof(why) ? vireo_ipc_len(r.info) : 0;
		memcpy(why, ipc_buffer()->data, n);
		why[n] = '\0';
		printf("vm: %s\n", n ? why : vm_error(status_of(&r)));
		return;
	}
	follow(slot, r.w[1], &r);
	stay_attached(slot);
}

/* Joins words into "PATH [options] -- bootargs" form. */
static size_t join(char *buf, size_t size, size_t len, int argc, char **argv)
{
	for (int i = 0; i < argc && len < size; i++)
		len += snformat(buf + len, size - len, "%s%s", len ? " " : "", argv[i]);
	return len;
}

/* Words of the linux command that are the monitor's options, not kernel command line. */
static bool monitor_option(const char *word)
{
	return !strncmp(word, "ram=", 4) || !strncmp(word, "image=", 6) ||
	       !strncmp(word, "initrd=", 7) || !strncmp(word, "disk=", 5) ||
	       !strncmp(word, "size=", 5) || !strncmp(word, "cpus=", 5);
}

/* linux [ram=MiB] [cpus=N] [image=PATH] [initrd=PATH] [disk=NAME [size=MiB]] [cmdline...]: the
 * Linux guest from /boot/linux, 256 MiB and one vCPU by default, on hvc0 over SBI unless a
 * console= word says otherwise (console=ttyS0: the monitor's UART; console=virtio: port 0 of
 * the monitor's virtio-console, Linux's hvc1), and the volume NAME (made
 * with size MiB if missing) as /dev/vda; other words go on the kernel command line. */
size_t linux_args(char *args, size_t size, int argc, char **argv)
{
	const char *ram = "ram=256", *image = "/boot/linux/Image";
	const char *initrd = "initrd=/boot/linux/initramfs.cpio.gz", *console = "console=hvc0";
	for (int i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "ram=", 4))
			ram = argv[i];
		else if (!strncmp(argv[i], "image=", 6))
			image = argv[i] + 6;
		else if (!strncmp(argv[i], "initrd=", 7))
			initrd = argv[i];
		else if (!strncmp(argv[i], "console=", 8))
			console = NULL;
	}
	size_t len = snformat(args, size, "%s %s %s", image, ram, initrd);
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "disk=", 5) || !strncmp(argv[i], "size=", 5) ||
		    !strncmp(argv[i], "cpus=", 5))
			len = join(args, size, len, 1, &argv[i]);
	len = join(args, size, len, 1, (char *[]){ "linux -- earlycon=sbi" });
	if (console)
		len = join(args, size, len, 1, (char *[]){ (char *)console });
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "console=virtio"))
			len = join(args, size, len, 1, (char *[]){ "console=hvc1" });
		else if (!monitor_option(argv[i]))
			len = join(args, size, len, 1, &argv[i]);
	return len;
}

void cmd_linux(int argc, char **argv)
{
	char args[512];
	if (argc > 1 && !strcmp(argv[1], "exec")) {
		exec_in_linux(argc - 2, argv + 2);
		return;
	}
	if (!connect())
		return;
	linux_args(args, sizeof(args), argc, argv);
	start(args);
}

bool vm_monitor(void)
{
	return connect();
}

struct msg vm_request(uint64_t info, uint64_t w0, uint64_t w1)
{
	return call_vmm(info, w0, w1);
}

void cmd_vm(int argc, char **argv)
{
	if (argc < 2) {
		printf("usage: vm run PATH [ram=MiB] [cpus=N] [initrd=PATH] [-- bootargs...]\n"
		       "       vm list | vm attach ID | vm kill ID | vm exec ID CMD...\n");
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
		if (status_of(&r))
			printf("vm: %s\n", vm_error(status_of(&r)));
		else
			puts_ipc_data(vireo_ipc_len(r.info));
	} else if (!strcmp(argv[1], "exec") && argc > 3 && parse_id(argv[2], &id)) {
		exec_in_vm(id, argc - 3, argv + 3);
	} else if (!strcmp(argv[1], "attach") && argc > 2 && parse_id(argv[2], &id)) {
		attach(id);
	} else if (!strcmp(argv[1], "kill") && argc > 2 && parse_id(argv[2], &id)) {
		struct msg r = call_vmm(vireo_ipc_info(VMM_KILL, 0), id, 0);
		if (status_of(&r)) {
			printf("vm: %lu: %s\n", id, vm_error(status_of(&r)));
		} else {
			int slot = slot_of(id);
			if (slot >= 0)
				vms[slot].id = 0;
			printf("killed vm %lu\n", id);
		}
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
		"host external interrupt", "guest RAM first touch", "sbi pmu",
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
	if (i == 0) {
		printf("hvstat: no VMs are running\n");
		return;
	}
	/* The devices are the monitor's: their counts come from it, by its VM ids. */
	if (!connect())
		return;
	struct msg r = call_vmm(vireo_ipc_info(VMM_DEVSTAT, 0), 0, 0);
	if (!status_of(&r))
		puts_ipc_data(vireo_ipc_len(r.info));
}
