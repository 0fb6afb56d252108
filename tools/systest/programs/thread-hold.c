/* Threads that wait in every way a thread can, until the test (test_threads.py) kills their
 * task: one holds a call it received, one waits for that call's reply, one yields in a loop,
 * and the first thread waits to join it. */
#include "vireo.h"

static uint64_t ep;

static int holder(uint64_t unused)
{
	(void)unused;
	ipc_recv(ep); /* the caller's call, never answered */
	ipc_recv(ep);
	return 1;
}

static int caller(uint64_t unused)
{
	(void)unused;
	ipc_call(ep, vireo_ipc_info(1, 0), 0, 0, 0, 0);
	return 2;
}

static int spinner(uint64_t unused)
{
	(void)unused;
	while (vireo_syscall(SYS_YIELD, 0, 0, 0, 0, 0, 0) == 0)
		;
	return 3;
}

int main(void)
{
	console_open();
	int64_t h = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	struct thread th[3];
	ep = (uint64_t)h;
	if (h < 0 || thread_create(&th[0], holder, 0) || thread_create(&th[1], caller, 0) ||
	    thread_create(&th[2], spinner, 0)) {
		printf("thread-hold: cannot start its threads\n");
		return 1;
	}
	printf("thread-hold: 4 threads up\n");
	console_flush();
	thread_join(&th[2]);
	printf("thread-hold: the spinner ended, which is wrong\n");
	return 1;
}
