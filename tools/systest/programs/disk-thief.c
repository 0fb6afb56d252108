/* Tries what only the VM monitor, the shell and the block server may do with disks: list,
 * open and read volumes at the block server, read the raw disk and get its DMA buffers from
 * the driver, and pin memory for a device it has no handle to. Each must be refused; exits 0
 * if all were. */
#include <string.h>

#include "vireo.h"

#define PROGRAM "disk-thief"
#include "refusals.h"

int main(void)
{
	int64_t block = lookup("block"), blkdev = lookup("blkdev");
	if (block < 0 || blkdev < 0) {
		printf("disk-thief: no disk services\n");
		return 1;
	}
	expect("list volumes", status(ipc_call((uint64_t)block, vireo_ipc_info(BLOCK_LIST, 0), 0,
					       0, 0, 0)), VIREO_E_RIGHTS);
	expect("open a volume", status(ipc_call((uint64_t)block, ipc_data(BLOCK_OPEN, "secret", 6),
						8, 0, 0, 0)), VIREO_E_RIGHTS);
	expect("read session 1", status(ipc_call((uint64_t)block, vireo_ipc_info(BLOCK_READ, 0), 1,
						 0, 1, 0)), VIREO_E_RIGHTS);
	expect("read the raw disk", status(ipc_call((uint64_t)blkdev,
						    vireo_ipc_info(BLKDEV_READ, 0), BLKDEV_BUF_DATA,
						    0, 1, 0)), VIREO_E_RIGHTS);
	struct msg r = ipc_call((uint64_t)blkdev, vireo_ipc_info(BLKDEV_BUFFER, 0), BLKDEV_BUF_DATA,
				0, 0, 0);
	expect("take the DMA buffer", status(r), VIREO_E_RIGHTS);
	expect("no handle came along", (r.info & VIREO_IPC_HANDLE) ? 1 : 0, 0);
	int64_t mem = vireo_syscall(SYS_MEMORY_CREATE, 1, 0, 0, 0, 0, 0);
	expect("pin memory through an endpoint handle",
	       vireo_syscall(SYS_DMA_PIN, block, mem, 0, 0, 0, 0), VIREO_E_BADHANDLE);
	expect("reset a device through init's handle",
	       vireo_syscall(SYS_DMA_RESET, VIREO_HANDLE_INIT, 0, 0, 0, 0, 0), VIREO_E_BADHANDLE);
	return refusals_end();
}
