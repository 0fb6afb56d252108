/* The IPC benchmark's server: registers "ipcbench", has init start ipc-client, answers
 * its calls, and prints what the client measured (include/vireo/protocol.h for the
 * labels it uses with init). */
#include <string.h>

#include "vireo.h"

#define LABEL_PING 1
#define LABEL_RESULT 2

int main(void)
{
	console_open();
	int64_t ep = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (ep < 0 || register_service("ipcbench", (uint64_t)ep)) {
		printf("ipc-bench: cannot register\n");
		return 1;
	}
	const char *client = "/boot/test/ipc-client";
	struct msg r = ipc_call(VIREO_HANDLE_INIT, ipc_data(INIT_SPAWN, client, strlen(client)), 0,
				0, 0, 0);
	if (r.status < 0 || (int64_t)r.w[0] < 0) {
		printf("ipc-bench: cannot start the client\n");
		return 1;
	}
	struct msg m = ipc_recv((uint64_t)ep);
	for (;;) {
		if (m.status <= 0) {
			m = ipc_recv((uint64_t)ep);
			continue;
		}
		if (vireo_ipc_label(m.info) == LABEL_RESULT) {
			printf("ipc: %lu round trips, %lu instructions and %lu ticks each\n", m.w[0],
			       m.w[1] / m.w[0], m.w[2] / m.w[0]);
			ipc_reply((uint64_t)m.status, 0, 0, 0, 0, 0);
			return 0;
		}
		m = ipc_reply_recv((uint64_t)ep, (uint64_t)m.status, 0, m.w[0] + 1, 0, 0, 0);
	}
}
