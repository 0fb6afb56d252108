/* One thread of several overflows its stack into the guard page below it: the kernel must
 * kill the whole task (the others wait in IPC and in a join meanwhile) and give back every
 * page and handle (test_threads.py). */
#include "vireo.h"

static uint64_t ep;

static int receiver(uint64_t unused)
{
	(void)unused;
	ipc_recv(ep);
	return 1;
}

/* Each frame's bytes are used after the call, so the recursion is never a loop; its depth
 * is far past the 64 KiB stack. */
static unsigned deeper(uint64_t n)
{
	volatile uint8_t frame[512];
	frame[0] = (uint8_t)n;
	return (n ? deeper(n - 1) : 0) + frame[0];
}

static int overflow(uint64_t depth)
{
	return (int)deeper(depth);
}

int main(void)
{
	console_open();
	int64_t h = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	struct thread rx, crash;
	ep = (uint64_t)h;
	if (h < 0 || thread_create(&rx, receiver, 0)) {
		printf("thread-crash: cannot start its threads\n");
		return 1;
	}
	printf("thread-crash: a thread about to overflow its stack\n");
	console_flush();
	if (thread_create(&crash, overflow, 1000000) == 0)
		thread_join(&rx);
	printf("thread-crash: still alive, which is wrong\n");
	return 1;
}
