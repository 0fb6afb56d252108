/* Tries to take other tasks' exit statuses from init: INIT_WAIT for every task id up to a
 * little past its own child's, its own child excepted. Itself (the shell waits for it),
 * the services and every other task are not its children: each wait must be refused at
 * once ("not permitted") or find no such task, never wait nor return a status. Waiting
 * for its own child must work. Ends with status 3 for the shell's `run` to report. */
#include <string.h>

#include "vireo.h"

static struct msg wait_for(uint64_t id)
{
	return ipc_call(VIREO_HANDLE_INIT, vireo_ipc_info(INIT_WAIT, 0), id, 0, 0, 0);
}

int main(void)
{
	console_open();
	const char *path = "/boot/test/hello";
	struct msg r = ipc_call(VIREO_HANDLE_INIT, ipc_data(INIT_SPAWN, path, strlen(path)), 0, 0,
				0, 0);
	if (r.status || r.w[0]) {
		printf("waitthief: cannot start hello\n");
		return 1;
	}
	uint64_t child = r.w[1];
	unsigned wrong = 0;
	for (uint64_t id = 1; id < child + 4; id++) {
		if (id == child)
			continue;
		r = wait_for(id);
		int64_t err = r.status ? r.status : (int64_t)r.w[0];
		if (err == VIREO_E_RIGHTS)
			printf("waitthief: wait for task %lu: %s\n", id, error_name(err));
		else if (err != VIREO_E_NOENT) {
			printf("waitthief: wait for task %lu: %ld, status %ld, WRONG\n", id, err,
			       (int64_t)r.w[1]);
			wrong++;
		}
	}
	r = wait_for(child);
	if (r.status || r.w[0] || r.w[1]) {
		printf("waitthief: wait for its own child: WRONG\n");
		wrong++;
	}
	printf("waitthief: %s\n", wrong ? "WRONG" : "all refused, its own child waited for");
	return wrong ? 1 : 3;
}
