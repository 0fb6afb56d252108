/* The IPC fallback test's server (tools/systest/test_ipc.py): answers ipcmix's calls (see
 * ipcmix.h), counting anything that arrives wrong, then starts ipcmix-hold (so that it is
 * the one init lets wait for it), holds its call until that task is killed and checks
 * that late replies to it go nowhere. */
#include <string.h>

#include "ipcmix.h"
#include "vireo.h"

static uint64_t ep;

static void spin_us(uint64_t us)
{
	uint64_t end = clock_us() + us;
	while (clock_us() < end)
		;
}

/* Holds the call of task `task` until that task ends (the test kills it), then replies to
 * it twice, once with SYS_REPLY and once with SYS_REPLY_RECV: both must go nowhere. */
static void hold(uint64_t caller, uint64_t task)
{
	printf("ipcmix-server: holding a call from task %lu\n", task);
	struct msg r = ipc_call(VIREO_HANDLE_INIT, vireo_ipc_info(INIT_WAIT, 0), task, 0, 0, 0);
	int64_t status = r.status ? r.status : (int64_t)r.w[1];
	int64_t late = ipc_reply(caller, vireo_ipc_info(IPCMIX_PING, 0), 1, 2, 3, 4);
	/* The endpoint's timer ends the wait, since nobody else calls any more. */
	vireo_syscall(SYS_TIMER_SET, (long)ep, IPCMIX_BIT_LATE, 1000, 0, 0, 0);
	struct msg m = ipc_reply_recv(ep, caller, vireo_ipc_info(IPCMIX_PING, 0), 1, 2, 3, 4);
	if ((status & VIREO_EXIT_KILLED) && late == VIREO_E_NOENT && m.status == 0 &&
	    m.info == VIREO_LABEL_NOTIFY && m.w[0] == IPCMIX_BIT_LATE)
		printf("ipcmix-server: held caller killed, late replies went nowhere\n");
	else
		printf("ipcmix-server: WRONG: status %ld, reply %ld, then %ld/%lx/%lu\n",
		       status, late, m.status, m.info, m.w[0]);
}

int main(void)
{
	console_open();
	int64_t h = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (h < 0 || register_service("ipcmix", (uint64_t)h)) {
		printf("ipcmix-server: cannot register\n");
		return 1;
	}
	ep = (uint64_t)h;
	uint64_t wrong = 0, busy = 0, expect = 0, notified = 0;
	struct msg m = ipc_recv(ep);
	for (;;) {
		if (m.status == 0) { /* a notification */
			if (m.info != VIREO_LABEL_NOTIFY)
				wrong++;
			notified |= m.w[0];
			m = ipc_recv(ep);
			continue;
		}
		if (m.status < 0) {
			wrong++;
			m = ipc_recv(ep);
			continue;
		}
		/* The bits a BUSY call left come before the next call. */
		if (notified != expect)
			wrong++;
		expect = notified = 0;
		uint64_t caller = (uint64_t)m.status, *w = m.w;
		uint8_t *buf = ipc_buffer()->data;
		switch (vireo_ipc_label(m.info)) {
		case IPCMIX_PING:
			m = ipc_reply_recv(ep, caller, m.info, w[0] + 1, w[1] * 2, ~w[2], w[3]);
			break;
		case IPCMIX_DATA: {
			uint64_t len = vireo_ipc_len(m.info), sum = 0;
			for (uint64_t k = 0; k < len; k++)
				sum += buf[k];
			for (uint64_t k = 0; k < len / 2; k++) {
				uint8_t b = buf[k];
				buf[k] = buf[len - 1 - k];
				buf[len - 1 - k] = b;
			}
			m = ipc_reply_recv(ep, caller, m.info, sum, len, 0, 0);
			break;
		}
		case IPCMIX_HANDLE: {
			uint64_t got = (m.info & VIREO_IPC_HANDLE) ? ipc_buffer()->handle : 0;
			if (got)
				vireo_syscall(SYS_HANDLE_CLOSE, (long)got, 0, 0, 0, 0, 0);
			ipc_buffer()->handle = ep;
			m = ipc_reply_recv(ep, caller, vireo_ipc_info(IPCMIX_HANDLE, 0) |
					   VIREO_IPC_HANDLE, got != 0, 0, 0, 0);
			break;
		}
		case IPCMIX_BUSY:
			/* Bits arrive while the server is not waiting: its reply_recv must take
			 * them before any call. Every other time a timer adds its bit while the
			 * server spins; timers fire on a tick, 10 ms apart. */
			busy++;
			vireo_syscall(SYS_NOTIFY, (long)ep, IPCMIX_BIT_SELF, 0, 0, 0, 0);
			expect = IPCMIX_BIT_SELF;
			if (busy % 2 == 0) {
				vireo_syscall(SYS_TIMER_SET, (long)ep, IPCMIX_BIT_TIMER, 1000,
					      0, 0, 0);
				spin_us(25000);
				expect |= IPCMIX_BIT_TIMER;
			}
			m = ipc_reply_recv(ep, caller, m.info, w[0] + 1, 0, 0, 0);
			break;
		case IPCMIX_CHECK: {
			ipc_reply(caller, m.info, wrong, busy, 0, 0);
			const char *hold = "/boot/test/ipcmix-hold";
			uint64_t info = ipc_data(INIT_SPAWN, hold, strlen(hold));
			struct msg r = ipc_call(VIREO_HANDLE_INIT, info, 0, 0, 0, 0);
			if (r.status || r.w[0])
				printf("ipcmix-server: cannot start ipcmix-hold: %s\n",
				       error_name(r.status ? r.status : (int64_t)r.w[0]));
			m = ipc_recv(ep);
			break;
		}
		case IPCMIX_HOLD:
			hold(caller, m.task);
			return 0;
		default:
			wrong++;
			m = ipc_reply_recv(ep, caller, m.info, 0, 0, 0, 0);
			break;
		}
	}
}
