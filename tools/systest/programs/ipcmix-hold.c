/* The IPC fallback test's caller that waits for ever: ipcmix-server holds its call until
 * the test kills it mid-call (tools/systest/test_ipc.py). */
#include "ipcmix.h"
#include "vireo.h"

int main(void)
{
	console_open();
	int64_t srv = lookup("ipcmix");
	if (srv < 0)
		return 1;
	struct msg r = ipc_call((uint64_t)srv, vireo_ipc_info(IPCMIX_HOLD, 0), 0, 0, 0, 0);
	printf("ipcmix-hold: answered with %ld, which is wrong\n", r.status);
	return 1;
}
