#include <stdbool.h>
#include <string.h>

#include "format.h"
#include "vireo.h"

static char out[512];
static size_t out_len;
static bool held; /* console_hold(): lines wait for a full buffer */
static int64_t console = -1; /* the console service's endpoint, once looked up */
static uint64_t log_right;   /* a system handle with VIREO_RIGHT_LOG, if the task has one */

void console_log_right(uint64_t system)
{
	log_right = system;
}

/* Init and the console driver cannot look the console up (one serves names, the other is
 * the console), so output goes to the kernel log until console_open() succeeds. */
int64_t console_open(void)
{
	console = lookup("console");
	return console;
}

static struct msg console_send(uint32_t label, const char *data, size_t len, uint64_t handle,
				uint64_t w0, uint64_t w1)
{
	uint64_t info = ipc_data(label, data, len);
	if (handle) {
		ipc_buffer()->handle = handle;
		info |= VIREO_IPC_HANDLE;
	}
	return ipc_call((uint64_t)console, info, w0, w1, 0, 0);
}

/* A console driver that was restarted has a new endpoint: look it up again, once, and send
 * the message anew (the look-up went through the same IPC buffer). */
static struct msg console_call(uint32_t label, const char *data, size_t len, uint64_t handle,
			       uint64_t w0, uint64_t w1)
{
	struct msg r = console_send(label, data, len, handle, w0, w1);
	if (r.status == VIREO_E_DEAD && console_open() > 0)
		r = console_send(label, data, len, handle, w0, w1);
	return r;
}

void console_flush(void)
{
	size_t n = out_len;
	out_len = 0;
	if (n)
		console_write(out, n);
}

/* Sends bytes as they are, in as few messages as the IPC buffer allows: a caller that
 * relays a stream (the VM monitor) should not pay one round trip per line. */
void console_write(const char *s, size_t n)
{
	console_flush();
	while (n) {
		size_t chunk = n < VIREO_IPC_DATA_MAX ? n : VIREO_IPC_DATA_MAX;
		if (console > 0)
			console_call(CONSOLE_WRITE, s, chunk, 0, 0, 0);
		else
			vireo_syscall(SYS_LOG_WRITE, (long)s, (long)chunk, (long)log_right, 0, 0, 0);
		s += chunk;
		n -= chunk;
	}
}

void puts_raw(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[out_len++] = s[i];
		if (out_len == sizeof(out) || (s[i] == '\n' && !held))
			console_flush();
	}
}

void console_hold(bool on)
{
	held = on;
	if (!on)
		console_flush();
}

void puts_ipc_data(size_t n)
{
	static char copy[VIREO_IPC_DATA_MAX];
	if (n > sizeof(copy))
		n = sizeof(copy);
	memcpy(copy, ipc_buffer()->data, n);
	puts_raw(copy, n);
}

static void sink(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	puts_raw(s, n);
}

int vprintf(const char *fmt, va_list ap)
{
	vformat(sink, NULL, fmt, ap);
	return 0;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	return 0;
}

static size_t read_input(char *buf, size_t len, uint64_t no_wait)
{
	console_flush();
	if (len == 0) /* w1 = 0 would ask for all there is */
		return 0;
	/* The console keeps what does not fit for the next read. */
	struct msg r = console_call(CONSOLE_READ, NULL, 0, 0, no_wait, len);
	if (r.status < 0)
		return 0;
	size_t n = vireo_ipc_len(r.info);
	if (n > len)
		n = len;
	memcpy(buf, ipc_buffer()->data, n);
	return n;
}

size_t console_read(char *buf, size_t len)
{
	return read_input(buf, len, 0);
}

size_t console_read_available(char *buf, size_t len)
{
	return read_input(buf, len, 1);
}

void console_subscribe(uint64_t ep, uint64_t bits)
{
	console_call(CONSOLE_SUBSCRIBE, NULL, 0, ep, bits, 0);
}
