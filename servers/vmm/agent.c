/* `linux exec`, the monitor's side (docs/agent.md): the shell's VMM_EXEC requests become
 * frames to the guest agent on virtio-console port 1, and the agent's frames become the
 * command's output on the console and its exit status for the shell. Everything the agent
 * sends is untrusted: a malformed frame makes the channel ignored until the guest opens the
 * port again, and a running command ends without a status. */
#include <string.h>

#include "vmm.h"

#define STATE_RUNNING 0
#define STATE_EXITED 1
#define STATE_LOST 2

static void notify_shell(struct agent *a)
{
	if (!a->notify_ep)
		return;
	vireo_syscall(SYS_NOTIFY, (long)a->notify_ep, (long)a->notify_bits, 0, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, (long)a->notify_ep, 0, 0, 0, 0, 0);
	a->notify_ep = 0;
}

/* The running command is over: with its status, or lost. */
static void finish(struct agent *a, bool lost, int32_t status)
{
	if (!a->running)
		return;
	a->running = false;
	a->done = true;
	a->lost = lost;
	a->status = status;
	notify_shell(a);
}

void agent_port_open(struct guest *g, bool open)
{
	struct agent *a = &g->cons.agent;
	agent_reader_init(&a->reader, true);
	a->hello = false;
	if (!open)
		finish(a, true, 0);
}

void agent_guest_ended(struct guest *g)
{
	finish(&g->cons.agent, true, 0);
}

static void frame_from_guest(struct guest *g, const struct agent_frame *f)
{
	struct agent *a = &g->cons.agent;
	switch (f->type) {
	case AGENT_HELLO:
		a->hello = true;
		break;
	case AGENT_STDOUT:
	case AGENT_STDERR:
		if (a->running)
			console_write((const char *)f->payload, f->len);
		break;
	case AGENT_ERROR:
		if (a->running) {
			console_write("linux exec: ", 12);
			console_write((const char *)f->payload, f->len);
			console_write("\n", 1);
		}
		break;
	case AGENT_EXIT: {
		int32_t status;
		memcpy(&status, f->payload, 4);
		finish(a, false, status);
		break;
	}
	}
}

void agent_from_guest(struct guest *g, const uint8_t *s, size_t n)
{
	struct agent *a = &g->cons.agent;
	if (a->reader.broken)
		return; /* said once already */
	while (n) {
		struct agent_frame f;
		const char *why;
		size_t used;
		int got = agent_read(&a->reader, s, n, &used, &f, &why);
		if (got < 0) {
			guest_warn(g, "agent: %s; its port is ignored until opened again", why);
			finish(a, true, 0);
			return;
		}
		s += used;
		n -= used;
		if (got > 0)
			frame_from_guest(g, &f);
	}
}

/* One frame to the agent, whole or not at all. */
static bool to_agent(struct guest *g, uint8_t type, const void *payload, uint32_t len)
{
	static uint8_t frame[AGENT_HEADER + AGENT_PAYLOAD_MAX];
	size_t n = agent_frame_write(frame, type, payload, len);
	return virtio_console_send(g, VCONS_PORT_AGENT, frame, n, true) == n;
}

static void refuse(uint64_t caller, uint64_t handle, int64_t err, uint64_t no_agent,
		   const struct guest *g, const char *why)
{
	if (handle)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
	ipc_reply(caller, ipc_data(0, why, strlen(why)), (uint64_t)err, no_agent, g->id, 0);
}

static void start(struct guest *g, const struct msg *m, uint64_t caller, uint64_t handle)
{
	struct agent *a = &g->cons.agent;
	size_t n = vireo_ipc_len(m->info);
	if (!a->hello || a->reader.broken) {
		refuse(caller, handle, VIREO_E_NOENT, 1, g, "no agent in this guest");
		return;
	}
	if (a->running) {
		refuse(caller, handle, VIREO_E_BUSY, 0, g, "a command runs in this guest already");
		return;
	}
	if (n == 0 || n > VIREO_IPC_DATA_MAX || n > AGENT_PAYLOAD_MAX) {
		refuse(caller, handle, VIREO_E_INVAL, 0, g, "which command?");
		return;
	}
	if (!to_agent(g, AGENT_EXEC, ipc_buffer()->data, (uint32_t)n)) {
		refuse(caller, handle, VIREO_E_FULL, 0, g, "the agent is not reading its port");
		return;
	}
	a->running = true;
	a->done = a->lost = false;
	a->notify_ep = handle;
	a->notify_bits = m->w[1];
	ipc_reply(caller, 0, 0, 0, g->id, 0);
}

void agent_request(struct guest *g, const struct msg *m, uint64_t caller, uint64_t handle)
{
	struct agent *a = &g->cons.agent;
	uint32_t label = vireo_ipc_label(m->info);
	if (label == VMM_EXEC) {
		start(g, m, caller, handle);
		return;
	}
	if (handle)
		vireo_syscall(SYS_HANDLE_CLOSE, (long)handle, 0, 0, 0, 0, 0);
	uint64_t taken = 0, state = STATE_RUNNING, status = 0;
	int64_t err = 0;
	switch (label) {
	case VMM_EXEC_INPUT: {
		size_t n = vireo_ipc_len(m->info);
		if (!a->running)
			err = VIREO_E_NOENT;
		else if (n <= VIREO_IPC_DATA_MAX && n <= AGENT_PAYLOAD_MAX)
			taken = to_agent(g, AGENT_STDIN, ipc_buffer()->data, (uint32_t)n);
		else
			err = VIREO_E_INVAL;
		break;
	}
	case VMM_EXEC_SIGNAL: {
		uint32_t sig = (uint32_t)m->w[1];
		if (!a->running)
			err = VIREO_E_NOENT;
		else if (sig == 0 || sig > 64)
			err = VIREO_E_INVAL;
		else
			taken = to_agent(g, AGENT_SIGNAL, &sig, 4);
		break;
	}
	case VMM_EXEC_STATUS:
		if (a->done) {
			state = a->lost ? STATE_LOST : STATE_EXITED;
			status = (uint64_t)(int64_t)a->status;
		} else if (!a->running) {
			err = VIREO_E_NOENT;
		}
		break;
	}
	ipc_reply(caller, 0, (uint64_t)err, label == VMM_EXEC_STATUS ? state : taken, status, 0);
}
