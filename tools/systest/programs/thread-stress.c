/* The host-concurrency stress test (tools/systest/test_smp.py): rounds of several
 * thread-client tasks at once, each with its threads calling one server, the tasks spawned
 * and ended each round. Says how many came out wrong; the test checks that every page
 * came back. */
#include <string.h>

#include "threads.h"
#include "vireo.h"

#define ROUNDS 4
#define TASKS 3

static struct msg call_init(uint32_t label, const char *path, uint64_t w0)
{
	return ipc_call(VIREO_HANDLE_INIT, ipc_data(label, path, path ? strlen(path) : 0), w0,
			0, 0, 0);
}

static int64_t spawn(const char *path)
{
	struct msg r = call_init(INIT_SPAWN, path, 0);
	return r.status < 0 ? r.status : (int64_t)r.w[0] < 0 ? (int64_t)r.w[0] : (int64_t)r.w[1];
}

int main(void)
{
	console_open();
	int64_t err = spawn("/boot/test/thread-server");
	int64_t srv = err < 0 ? err : lookup("threadsrv");
	if (srv < 0) {
		printf("thread-stress: no server: %s\n", error_name(srv));
		return 1;
	}
	unsigned wrong = 0;
	uint64_t start = clock_us();
	for (unsigned round = 0; round < ROUNDS; round++) {
		int64_t ids[TASKS];
		for (unsigned i = 0; i < TASKS; i++)
			ids[i] = spawn("/boot/test/thread-client");
		for (unsigned i = 0; i < TASKS; i++) {
			struct msg w = ids[i] < 0 ? (struct msg){ .status = ids[i] }
						  : call_init(INIT_WAIT, NULL, (uint64_t)ids[i]);
			wrong += w.status != 0 || w.w[0] != 0 || w.w[1] != 0;
		}
	}
	uint64_t ms = (clock_us() - start) / 1000;
	struct msg r = ipc_call((uint64_t)srv, vireo_ipc_info(THREADSRV_COUNT, 0), 0, 0, 0, 0);
	uint64_t expect = (uint64_t)ROUNDS * TASKS * (VIREO_THREADS_MAX - 1) * THREAD_CLIENT_ROUNDS + 1;
	ipc_call((uint64_t)srv, vireo_ipc_info(THREADSRV_QUIT, 0), 0, 0, 0, 0);
	printf("thread-stress: %u rounds of %u tasks at once, %lu calls in %lu ms; %u tasks and "
	       "%lu server messages %s\n", ROUNDS, TASKS, r.w[0], ms, wrong, r.w[1],
	       wrong || r.w[1] || r.w[0] != expect ? "WRONG" : "wrong");
	return 0;
}
