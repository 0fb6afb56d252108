/* The IPC fallback test's client (tools/systest/test_ipc.py): starts ipcmix-server, then
 * makes calls that alternate between the IPC fast path (register-only words, both ways)
 * and the generic path (data bytes or a handle, either way, and replies that come after
 * notification bits), and checks every answer. Its last call has the server start
 * ipcmix-hold, whose call the server holds until the test kills that task. */
#include <stdbool.h>
#include <string.h>

#include "ipcmix.h"
#include "vireo.h"

#define ROUNDS 200

static int64_t spawn(const char *path)
{
	struct msg r = ipc_call(VIREO_HANDLE_INIT, ipc_data(INIT_SPAWN, path, strlen(path)), 0,
				0, 0, 0);
	return r.status < 0 ? r.status : (int64_t)r.w[0];
}

static bool ping(uint64_t srv, uint64_t i)
{
	struct msg r = ipc_call(srv, vireo_ipc_info(IPCMIX_PING, 0), i, i + 1, i + 2, i + 3);
	return r.status == 0 && r.info == vireo_ipc_info(IPCMIX_PING, 0) && r.w[0] == i + 1 &&
	       r.w[1] == 2 * (i + 1) && r.w[2] == ~(i + 2) && r.w[3] == i + 3;
}

static bool data(uint64_t srv, uint64_t i)
{
	uint8_t *buf = ipc_buffer()->data;
	uint64_t len = 1 + i % 300, sum = 0;
	for (uint64_t k = 0; k < len; k++) {
		buf[k] = (uint8_t)(i + k);
		sum += buf[k];
	}
	struct msg r = ipc_call(srv, vireo_ipc_info(IPCMIX_DATA, len), 0, 0, 0, 0);
	if (r.status != 0 || r.info != vireo_ipc_info(IPCMIX_DATA, len) || r.w[0] != sum ||
	    r.w[1] != len)
		return false;
	for (uint64_t k = 0; k < len; k++)
		if (buf[k] != (uint8_t)(i + len - 1 - k))
			return false;
	return true;
}

static bool handle(uint64_t srv, uint64_t mine)
{
	ipc_buffer()->handle = mine;
	uint64_t info = vireo_ipc_info(IPCMIX_HANDLE, 0) | VIREO_IPC_HANDLE;
	struct msg r = ipc_call(srv, info, 0, 0, 0, 0);
	uint64_t got = ipc_buffer()->handle;
	bool ok = r.status == 0 && r.w[0] == 1 && (r.info & VIREO_IPC_HANDLE) && got;
	if (ok)
		ok = vireo_syscall(SYS_HANDLE_CLOSE, (long)got, 0, 0, 0, 0, 0) == 0;
	return ok;
}

static bool busy(uint64_t srv, uint64_t i)
{
	struct msg r = ipc_call(srv, vireo_ipc_info(IPCMIX_BUSY, 0), i, 0, 0, 0);
	return r.status == 0 && r.w[0] == i + 1;
}

int main(void)
{
	console_open();
	int64_t err = spawn("/boot/test/ipcmix-server");
	int64_t srv = err < 0 ? err : lookup("ipcmix");
	int64_t mine = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (srv < 0 || mine < 0) {
		printf("ipcmix: cannot start: %s\n", error_name(srv < 0 ? srv : mine));
		return 1;
	}
	unsigned wrong = 0;
	for (uint64_t i = 0; i < ROUNDS; i++) {
		bool ok;
		switch (i % 5) {
		case 1: ok = data((uint64_t)srv, i); break;
		case 2: ok = handle((uint64_t)srv, (uint64_t)mine); break;
		case 4: ok = busy((uint64_t)srv, i); break;
		default: ok = ping((uint64_t)srv, i); break;
		}
		if (!ok) {
			printf("ipcmix: call %lu (kind %lu) answered wrongly\n", i, i % 5);
			wrong++;
		}
	}
	struct msg r = ipc_call((uint64_t)srv, vireo_ipc_info(IPCMIX_CHECK, 0), 0, 0, 0, 0);
	printf("ipcmix: %u calls, %u wrong; server: %ld wrong, %lu busy\n", ROUNDS, wrong,
	       r.status ? r.status : (int64_t)r.w[0], r.w[1]);
	return 0;
}
