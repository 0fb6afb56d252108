/* Tries to use the file-system server, which serves only the VM monitor and the shell: a
 * session, then requests with session ids a real client might hold, and a volume of its
 * own at the block server. Each must be refused; exits 0 if all were. */
#include <string.h>
#include <vireo/fs_protocol.h>

#include "vireo.h"

#define PROGRAM "fs-thief"
#include "refusals.h"

int main(void)
{
	int64_t fs = lookup("fs"), block = lookup("block");
	if (fs < 0 || block < 0) {
		printf("fs-thief: no file-system services\n");
		return 1;
	}
	struct msg r = ipc_call((uint64_t)fs, vireo_ipc_info(FS_SESSION, 0), 0, 0, 0, 0);
	expect("open a session", status(r), FS_EACCES);
	expect("no buffer came along", (r.info & VIREO_IPC_HANDLE) ? 1 : 0, 0);
	for (uint64_t session = 1; session <= 4; session++)
		expect("look up in the root with a guessed session",
		       status(ipc_call((uint64_t)fs, ipc_data(FS_LOOKUP, "f", 1), session,
				       FS_ROOT_NODE, 0, 0)), FS_EACCES);
	expect("open the volume share at the block server",
	       status(ipc_call((uint64_t)block, ipc_data(BLOCK_OPEN, "share", 5), 0, 0, 0, 0)),
	       VIREO_E_RIGHTS);
	return refusals_end();
}
