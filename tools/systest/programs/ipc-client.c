/* The IPC benchmark's client: 10,000 call/reply round trips to ipc-bench, counted with
 * rdinstret (every instruction on the hart: user, kernel and server) and rdtime. */
#include "vireo.h"

#define ROUNDS 10000

static inline uint64_t instret(void)
{
	uint64_t v;
	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

static inline uint64_t ticks(void)
{
	uint64_t v;
	__asm__ volatile("rdtime %0" : "=r"(v));
	return v;
}

int main(void)
{
	int64_t server = lookup("ipcbench");
	if (server < 0)
		return 1;
	ipc_call((uint64_t)server, vireo_ipc_info(1, 0), 0, 0, 0, 0); /* warm up */
	uint64_t i0 = instret(), t0 = ticks();
	for (uint64_t i = 0; i < ROUNDS; i++)
		ipc_call((uint64_t)server, vireo_ipc_info(1, 0), i, 0, 0, 0);
	uint64_t i1 = instret(), t1 = ticks();
	ipc_call((uint64_t)server, vireo_ipc_info(2, 0), ROUNDS, i1 - i0, t1 - t0, 0);
	return 0;
}
