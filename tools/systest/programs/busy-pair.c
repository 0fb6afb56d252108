/* Times one busy task alone, then two at once, three times over (tools/systest/test_smp.py):
 * on one hart the two take twice as long, on two about as long as one. */
#include <string.h>

#include "vireo.h"

static struct msg call_init(uint32_t label, const char *path, uint64_t w0)
{
	return ipc_call(VIREO_HANDLE_INIT, ipc_data(label, path, path ? strlen(path) : 0), w0,
			0, 0, 0);
}

/* Starts n busy tasks at once and waits for them all: the milliseconds it took, or 0 if
 * one did not run. */
static uint64_t run_busy(unsigned n)
{
	uint64_t start = clock_us();
	int64_t ids[2];
	for (unsigned i = 0; i < n; i++) {
		struct msg r = call_init(INIT_SPAWN, "/boot/test/busy", 0);
		ids[i] = r.status < 0 || (int64_t)r.w[0] < 0 ? -1 : (int64_t)r.w[1];
	}
	bool ok = true;
	for (unsigned i = 0; i < n; i++) {
		struct msg w = ids[i] < 0 ? (struct msg){ .status = -1 }
					  : call_init(INIT_WAIT, NULL, (uint64_t)ids[i]);
		ok &= w.status == 0 && w.w[0] == 0 && w.w[1] == 0;
	}
	return ok ? (clock_us() - start) / 1000 : 0;
}

int main(void)
{
	console_open();
	run_busy(1); /* the bootfs pages and the kernel's caches warm */
	for (int i = 0; i < 3; i++) {
		uint64_t one = run_busy(1), two = run_busy(2);
		printf("busy-pair: one task %lu ms, two at once %lu ms\n", one, two);
	}
	return 0;
}
