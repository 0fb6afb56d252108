/* The thread tests' server (threads.h): answers each call as its label says, whichever
 * thread of whichever task sends it, under the name "threadsrv", until told to quit. */
#include "threads.h"
#include "vireo.h"

int main(void)
{
	console_open();
	int64_t ep = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (ep < 0 || register_service("threadsrv", (uint64_t)ep)) {
		printf("thread-server: cannot register\n");
		return 1;
	}
	uint64_t served = 0, wrong = 0, caller = 0, info = 0, w[4] = { 0 };
	for (;;) {
		struct msg m = ipc_reply_recv((uint64_t)ep, caller, info, w[0], w[1], w[2], w[3]);
		caller = m.status > 0 ? (uint64_t)m.status : 0;
		info = vireo_ipc_info(0, 0);
		if (!caller) { /* a notification, or an error */
			wrong += m.status < 0;
			continue;
		}
		served++;
		uint8_t *buf = ipc_buffer()->data;
		switch (vireo_ipc_label(m.info)) {
		case THREADSRV_PING:
			info = m.info;
			w[0] = m.w[0] + 1, w[1] = m.w[1] ^ m.w[0], w[2] = ~m.w[2], w[3] = caller;
			break;
		case THREADSRV_DATA: {
			uint64_t len = vireo_ipc_len(m.info), sum = 0;
			for (uint64_t k = 0; k < len; k++)
				sum += buf[k];
			for (uint64_t k = 0; k < len / 2; k++) {
				uint8_t b = buf[k];
				buf[k] = buf[len - 1 - k];
				buf[len - 1 - k] = b;
			}
			info = m.info;
			w[0] = sum, w[1] = len;
			break;
		}
		case THREADSRV_HANDLE: {
			bool came = m.info & VIREO_IPC_HANDLE;
			if (came && vireo_syscall(SYS_HANDLE_CLOSE, (long)ipc_buffer()->handle, 0, 0,
						  0, 0, 0))
				wrong++;
			info = vireo_ipc_info(THREADSRV_HANDLE, 0);
			w[0] = came;
			break;
		}
		case THREADSRV_COUNT:
			w[0] = served, w[1] = wrong;
			break;
		case THREADSRV_QUIT:
			ipc_reply(caller, 0, 0, 0, 0, 0);
			return 0;
		case THREADSRV_HOLD:
			caller = 0;
			break;
		default:
			wrong++;
			break;
		}
	}
}
