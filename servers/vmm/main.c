/* The VM monitor's loop: requests from the shell, and the guests' exits, on one thread,
 * which also runs lane 0 of every guest; runners hand it the exits of the other lanes
 * (lanes.c). While a guest runs, SYS_VM_RUN comes back whenever a request or a runner's
 * exit waits on our endpoint. */
#include <stdarg.h>
#include <string.h>

#include "vmm.h"

static uint64_t ep;
static struct guest guests[MAX_GUESTS];
static uint64_t next_id = 1;
static unsigned turn; /* round robin between running guests */
#define FLUSH_BIT 1 /* the timer's notification: UART output is waiting (uart.c) */
static bool flush_armed;

static struct guest *find(uint64_t id)
{
	for (unsigned i = 0; i < MAX_GUESTS; i++)
		if (id && guests[i].id == id)
			return &guests[i];
	return NULL;
}

/* Guest output: to the console while attached, kept (the most recent part) otherwise. */
void guest_output(struct guest *g, const char *s, size_t n)
{
	if (g->attached) {
		console_write(s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (g->kept_len == OUTPUT_KEEP) {
			memmove(g->kept, g->kept + OUTPUT_KEEP / 2, OUTPUT_KEEP / 2);
			g->kept_len = OUTPUT_KEEP / 2;
		}
		g->kept[g->kept_len++] = s[i];
	}
}

static void report(struct guest *g, const char *what)
{
	char line[192];
	size_t n = snformat(line, sizeof(line), "\n[vm %lu (%s): %s]\n", g->id, g->name, what);
	guest_output(g, line, n < sizeof(line) ? n : sizeof(line) - 1);
}

void guest_warn(struct guest *g, const char *fmt, ...)
{
	char what[144];
	va_list ap;
	if (g->warnings >= GUEST_WARNINGS_MAX)
		return;
	va_start(ap, fmt);
	vsnformat(what, sizeof(what), fmt, ap);
	va_end(ap);
	report(g, what);
	if (++g->warnings == GUEST_WARNINGS_MAX)
		report(g, "further device warnings dropped");
}

uint64_t monitor_endpoint(void)
{
	return ep;
}

void monitor_flush_later(void)
{
	if (!flush_armed)
		flush_armed = vireo_syscall(SYS_TIMER_SET, (long)ep, FLUSH_BIT, UART_FLUSH_US, 0, 0,
					    0) == 0;
}

/* An MMIO exit: the access falls in one of the windows given to SYS_VM_CREATE. */
static uint64_t device_access(struct guest *g, const struct vireo_vm_exit *e)
{
	if (e->mmio.gpa - UART_BASE < UART_SIZE)
		return uart_access(g, e->mmio.gpa - UART_BASE, e->mmio.width, e->mmio.is_write,
				   e->mmio.value);
	for (unsigned i = 0; i < g->nvirtio; i++) {
		struct virtio_mmio *d = &g->virtio[i];
		if (e->mmio.gpa - d->base < VIRTIO_MMIO_SIZE)
			return virtio_mmio_access(d, e->mmio.gpa - d->base, e->mmio.width,
						  e->mmio.is_write, e->mmio.value);
	}
	return testdev_access(g, e->mmio.gpa - TESTDEV_BASE, e->mmio.width, e->mmio.is_write,
			      e->mmio.value);
}

void guest_end(struct guest *g, const char *what)
{
	lanes_stop(g); /* before the news: the shell may count free pages on it */
	uart_flush(g);
	agent_guest_ended(g);
	report(g, what);
	if (g->notify_ep)
		vireo_syscall(SYS_NOTIFY, (long)g->notify_ep, (long)g->notify_bits, 0, 0, 0, 0);
	guest_free(g);
}

void guest_handle_exit(struct guest *g, struct vireo_vm_exit *e)
{
	char what[96], why[96];
	/* What the guest wrote to its UART came before what comes with this exit; a guest
	 * that leaves the UART alone for now is done writing to it. */
	if (e->console_len || e->reason != VIREO_VM_EXIT_MMIO)
		uart_flush(g);
	if (e->console_len) {
		guest_output(g, e->console, e->console_len);
		e->console_len = 0;
	}
	switch (e->reason) {
	case VIREO_VM_EXIT_MMIO:
		e->mmio.value = device_access(g, e);
		break;
	case VIREO_VM_EXIT_SHUTDOWN:
		snformat(what, sizeof(what), "powered off, reason %lu%s", e->code,
			 e->code == 0 ? "" : " (failure)");
		guest_end(g, what);
		break;
	case VIREO_VM_EXIT_REBOOT:
		report(g, "rebooting");
		if (guest_restart(g, why, sizeof(why))) {
			snformat(what, sizeof(what), "cannot reboot: %s", why);
			guest_end(g, what);
		}
		break;
	case VIREO_VM_EXIT_FAULT:
		snformat(what, sizeof(what), "stopped: vCPU %lu stuck on exception %lu at pc %lx",
			 e->vcpu, e->code, e->pc);
		guest_end(g, what);
		break;
	case VIREO_VM_EXIT_HALTED:
		snformat(what, sizeof(what), "stopped: vCPU %lu waits in WFI at pc %lx with every "
			 "interrupt disabled", e->vcpu, e->pc);
		guest_end(g, what);
		break;
	default: /* VIREO_VM_EXIT_MONITOR: the loop will receive; VIREO_VM_EXIT_SLICE: next VM */
		break;
	}
}

static void reply_status(uint64_t caller, int64_t status)
{
	ipc_reply(caller, 0, (uint64_t)status, 0, 0, 0);
}

static void close_handle(uint64_t h)
{
	if (h)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)h, 0, 0, 0, 0, 0);
}

static void attach(struct guest *g, uint64_t notify_ep, uint64_t bits)
{
	close_handle(g->notify_ep);
	g->notify_ep = notify_ep;
	g->notify_bits = bits;
	g->attached = true;
	console_write(g->kept, g->kept_len);
	g->kept_len = 0;
}

/* A VMM_START refused: the caller's notification handle goes back, the reason goes along. */
static void refuse_start(uint64_t caller, uint64_t handle, int64_t status, const char *why)
{
	close_handle(handle);
	ipc_reply(caller, ipc_data(0, why, strlen(why)), (uint64_t)status, 0, 0, 0);
}

/* hvstat's lines: what each guest's virtio devices did, counted by the transport and the
 * devices (virtio_mmio.h struct virtio_stats). Truncated at a line's end when full. */
static size_t device_stats(char *text, size_t size)
{
	size_t len = 0;
	for (unsigned i = 0; i < MAX_GUESTS; i++) {
		struct guest *g = &guests[i];
		for (unsigned k = 0; g->id && k < g->nvirtio; k++) {
			const struct virtio_mmio *d = &g->virtio[k];
			const struct virtio_stats *s = &d->stats;
			char line[192];
			size_t n = snformat(line, sizeof(line),
					    "vm %lu (%s) %s: %lu requests, %lu bytes, %lu notifications, "
					    "%lu interrupts, %lu errors\n", g->id, g->name,
					    d->ops->name, s->requests, s->bytes, s->notifications,
					    s->interrupts, s->errors);
			if (n >= sizeof(line) || n > size - len)
				return len;
			memcpy(text + len, line, n);
			len += n;
		}
	}
	return len;
}

/* The guest `linux exec` without an id goes to: the first whose agent is up, else the first
 * Linux guest (its agent perhaps still starting). */
static struct guest *exec_target(void)
{
	for (unsigned i = 0; i < MAX_GUESTS; i++)
		if (guests[i].id && guests[i].cons.agent.hello)
			return &guests[i];
	for (unsigned i = 0; i < MAX_GUESTS; i++)
		if (guests[i].id && guests[i].linux_only)
			return &guests[i];
	return NULL;
}

static void request(struct msg *m)
{
	uint64_t caller = (uint64_t)m->status;
	/* Taken now: any IPC below (to init, to the console) reuses the IPC buffer. */
	uint64_t handle = m->info & VIREO_IPC_HANDLE ? ipc_buffer()->handle : 0;
	struct guest *g = find(m->w[0]);
	char text[512], why[96];
	size_t n = vireo_ipc_len(m->info);

	switch (vireo_ipc_label(m->info)) {
	case VMM_START: {
		g = NULL;
		for (unsigned i = 0; i < MAX_GUESTS && !g; i++)
			if (!guests[i].id)
				g = &guests[i];
		if (!g) {
			_Static_assert(MAX_GUESTS == 8, "the message below names the limit");
			refuse_start(caller, handle, VIREO_E_FULL, "the VM table is full (8 VMs)");
			return;
		}
		if (n >= sizeof(text)) {
			refuse_start(caller, handle, VIREO_E_INVAL,
				     "the arguments are too long (at most 511 characters)");
			return;
		}
		memcpy(text, ipc_buffer()->data, n);
		text[n] = '\0';
		memset(g, 0, sizeof(*g));
		g->id = next_id++;
		g->slot = (unsigned)(g - guests);
		int64_t err = guest_start(g, text, why, sizeof(why));
		if (err) {
			memset(g, 0, sizeof(*g));
			refuse_start(caller, handle, err, why);
			return;
		}
		if (handle)
			attach(g, handle, m->w[1]);
		ipc_reply(caller, ipc_data(0, g->name, strlen(g->name)), 0, g->id, 0, 0);
		return;
	}
	case VMM_ATTACH:
		if (!g)
			break;
		attach(g, handle, m->w[1]);
		ipc_reply(caller, ipc_data(0, g->name, strlen(g->name)), 0, 0, 0, 0);
		return;
	case VMM_DETACH:
		if (!g)
			break;
		uart_flush(g); /* what it wrote before the detach key shows before the prompt */
		/* Detached, it no longer tells the shell it ended: a stale bit would end the
		 * next attach at once. */
		g->attached = false;
		close_handle(g->notify_ep);
		g->notify_ep = 0;
		reply_status(caller, 0);
		return;
	case VMM_INPUT: {
		if (!g)
			break;
		/* The kernel takes so much a call, and only what the guest's queue has room for:
		 * the caller learns how far it got and sends the rest again. */
		const char *keys = (const char *)ipc_buffer()->data;
		size_t queued = 0;
		int64_t got = 1;
		if (n > VIREO_IPC_DATA_MAX)
			n = VIREO_IPC_DATA_MAX;
		if (uart_is_console(g)) {
			ipc_reply(caller, 0, 0, uart_input(g, keys, n), 0, 0);
			return;
		}
		if (virtio_console_is_console(g)) {
			ipc_reply(caller, 0, 0,
				  virtio_console_send(g, VCONS_PORT_CONSOLE, keys, n, false), 0, 0);
			return;
		}
		while (queued < n && got > 0) {
			got = vireo_syscall(SYS_VM_INPUT, (long)g->vm, (long)(keys + queued),
					    (long)(n - queued), 0, 0, 0);
			if (got > 0)
				queued += (size_t)got;
		}
		ipc_reply(caller, 0, (uint64_t)(queued || got >= 0 ? 0 : got), queued, 0, 0);
		return;
	}
	case VMM_EXEC:
		if (!g && m->w[0] == 0)
			g = exec_target();
		/* fall through */
	case VMM_EXEC_INPUT:
	case VMM_EXEC_SIGNAL:
	case VMM_EXEC_STATUS:
		if (!g)
			break;
		agent_request(g, m, caller, handle);
		return;
	case VMM_KILL:
		if (!g)
			break;
		reply_status(caller, 0);
		guest_end(g, "killed");
		return;
	case VMM_LIST: {
		size_t len = snformat(text, sizeof(text), "  ID  NAME             CPUS  RAM     STATE\n");
		for (unsigned i = 0; i < MAX_GUESTS; i++) {
			struct guest *x = &guests[i];
			if (x->id && len < sizeof(text))
				len += snformat(text + len, sizeof(text) - len,
						"%4lu  %-16s %4lu  %4lu MiB %s\n", x->id, x->name,
						x->ncpus, x->ram_size >> 20,
						x->attached ? "attached" : "running");
		}
		ipc_reply(caller, ipc_data(0, text, len < sizeof(text) ? len : sizeof(text) - 1), 0, 0,
			  0, 0);
		return;
	}
	case VMM_DEVSTAT: {
		char table[VIREO_IPC_DATA_MAX];
		size_t len = device_stats(table, sizeof(table));
		ipc_reply(caller, ipc_data(0, table, len), 0, 0, 0, 0);
		return;
	}
	default:
		close_handle(handle);
		reply_status(caller, VIREO_E_NOSYS);
		return;
	}
	close_handle(handle); /* no such VM */
	reply_status(caller, VIREO_E_NOENT);
}

static struct guest *next_running(void)
{
	for (unsigned i = 0; i < MAX_GUESTS; i++) {
		struct guest *g = &guests[(turn + i) % MAX_GUESTS];
		if (g->id && g->vm) {
			turn = (turn + i + 1) % MAX_GUESTS;
			return g;
		}
	}
	return NULL;
}

int main(void)
{
	console_open();
	ep = (uint64_t)vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (register_service("vmm", ep)) {
		printf("vmm: cannot register\n");
		return 1;
	}
	for (;;) {
		struct guest *g = next_running();
		if (g) {
			int64_t err = vireo_syscall(SYS_VM_RUN, (long)g->vm, (long)&g->exit, (long)ep,
						    0, 0, 0);
			if (err) {
				guest_end(g, error_name(err));
				continue;
			}
			guest_handle_exit(g, &g->exit);
			if (g->exit.reason != VIREO_VM_EXIT_MONITOR)
				continue;
		}
		struct msg m = ipc_recv(ep);
		if (m.status > 0) {
			request(&m);
		} else if (m.status == 0 && vireo_ipc_label(m.info) == VIREO_LABEL_NOTIFY) {
			virtio_mmio_wake(m.w[0]);
			if (m.w[0] & LANE_BIT)
				lanes_serve();
			if (m.w[0] & NET_NOTIFY_BIT)
				for (unsigned i = 0; i < MAX_GUESTS; i++)
					if (guests[i].id)
						virtio_net_receive(&guests[i]);
			if (m.w[0] & FLUSH_BIT) {
				flush_armed = false;
				for (unsigned i = 0; i < MAX_GUESTS; i++)
					if (guests[i].id)
						uart_flush(&guests[i]);
			}
		}
	}
}
