/* A client of the thread tests' server (threads.h): its threads call the server at once,
 * each through its own IPC buffer, and are joined with their values; every handle they
 * made comes back. Its exit status is how many things came out wrong (test_threads.py,
 * test_smp.py). */
#include "threads.h"
#include "vireo.h"

#define CLIENTS (VIREO_THREADS_MAX - 1) /* the main thread is one */

static uint64_t srv;

static bool ping(uint64_t i)
{
	struct msg r = ipc_call(srv, vireo_ipc_info(THREADSRV_PING, 0), i, i * 3, i + 7, 0);
	return r.status == 0 && r.w[0] == i + 1 && r.w[1] == (i * 3 ^ i) && r.w[2] == ~(i + 7);
}

/* Bytes that say which thread and round they are from: another thread's in this thread's
 * buffer would show. */
static bool data(uint64_t who, uint64_t i)
{
	uint8_t *buf = ipc_buffer()->data;
	uint64_t len = 1 + (who * 131 + i) % 1000, sum = 0;
	for (uint64_t k = 0; k < len; k++)
		sum += buf[k] = (uint8_t)(who * 37 + i + k);
	struct msg r = ipc_call(srv, vireo_ipc_info(THREADSRV_DATA, len), 0, 0, 0, 0);
	if (r.status || r.w[0] != sum || r.w[1] != len)
		return false;
	for (uint64_t k = 0; k < len; k++)
		if (buf[k] != (uint8_t)(who * 37 + i + len - 1 - k))
			return false;
	return true;
}

/* An endpoint of its own goes to the server, which closes it; the thread closes its own. */
static bool handle(void)
{
	int64_t ep = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (ep < 0)
		return false;
	ipc_buffer()->handle = (uint64_t)ep;
	struct msg r = ipc_call(srv, vireo_ipc_info(THREADSRV_HANDLE, 0) | VIREO_IPC_HANDLE, 0, 0,
				0, 0);
	return r.status == 0 && r.w[0] == 1 &&
	       vireo_syscall(SYS_HANDLE_CLOSE, ep, 0, 0, 0, 0, 0) == 0;
}

/* Thread who's calls, with a yield now and then so that the threads' calls interleave on
 * one hart too. Its value says who it was and how many answers were wrong. */
static int client(uint64_t who)
{
	unsigned wrong = 0;
	for (uint64_t i = 0; i < THREAD_CLIENT_ROUNDS; i++) {
		bool ok = i % 3 == 0 ? ping(who << 32 | i) : i % 3 == 1 ? data(who, i) : handle();
		wrong += !ok;
		if (i % 7 == who % 7)
			vireo_syscall(SYS_YIELD, 0, 0, 0, 0, 0, 0);
	}
	return (int)(100 + who + 1000 * wrong);
}

int main(void)
{
	console_open();
	int64_t h = lookup("threadsrv");
	if (h < 0) {
		printf("thread-client: no server: %s\n", error_name(h));
		return 100;
	}
	srv = (uint64_t)h;
	int64_t first_free = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, first_free, 0, 0, 0, 0, 0);
	struct thread th[CLIENTS];
	unsigned started = 0, joined = 0;
	for (unsigned i = 0; i < CLIENTS; i++)
		started += thread_create(&th[i], client, i) == 0;
	for (unsigned i = 0; i < started; i++)
		joined += thread_join(&th[i]) == 100 + i;
	int64_t again = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	printf("thread-client: %u threads x %u calls at once, %u joined with their values%s\n",
	       CLIENTS, THREAD_CLIENT_ROUNDS, joined, again == first_free ? "" : ", a handle LOST");
	return (int)(CLIENTS - joined) + (again != first_free);
}
