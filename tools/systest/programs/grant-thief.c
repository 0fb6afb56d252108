/* Misuses grants (include/vireo/syscall.h, "Grants") as a task with no device: grants of
 * memory that is not its own, past its mapping's end, wrapping, empty, too many; maps a
 * grant; pins one with no device handle that has the DMA right; revokes what is not a
 * grant; hands a grant to the disk driver and the block server, which serve only the block
 * server and the VM monitor. Each must be refused; exits 0 if all were. Its own pages come
 * back when it ends, grant or no grant. */
#include <string.h>

#include "vireo.h"

#define OWN_VA (VIREO_USER_HEAP + 0x4000000)
#define OBJECT_VA (VIREO_USER_HEAP + 0x5000000)
#define OWN_PAGES 4

static int failures;

static void expect(const char *what, int64_t got, int64_t want)
{
	bool ok = got == want;
	printf("grant-thief: %s: %s%s\n", what, got < 0 ? error_name(got) : "ok", ok ? "" : ", WRONG");
	failures += !ok;
}

static int64_t grant(uint64_t va, uint64_t len)
{
	struct vireo_grant_seg seg = { va, len };
	return vireo_syscall(SYS_MEMORY_GRANT, (long)&seg, 1, 0, 0, 0, 0);
}

static int64_t status(struct msg r)
{
	return r.status < 0 ? r.status : (int64_t)r.w[0];
}

int main(void)
{
	if (vireo_syscall(SYS_MEM_ALLOC, OWN_VA, OWN_PAGES, VIREO_PROT_READ | VIREO_PROT_WRITE, 0,
			  0, 0)) {
		printf("grant-thief: no memory\n");
		return 1;
	}
	int64_t object = vireo_syscall(SYS_MEMORY_CREATE, 1, 0, 0, 0, 0, 0);
	vireo_syscall(SYS_MEMORY_MAP, object, OBJECT_VA, VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	expect("grant memory it has not mapped", grant(OWN_VA + 0x100000, 512), VIREO_E_FAULT);
	expect("grant past its mapping's end", grant(OWN_VA + OWN_PAGES * 4096 - 512, 1024),
	       VIREO_E_FAULT);
	expect("grant a range that wraps", grant(~0ul - 511, 1024), VIREO_E_FAULT);
	expect("grant an empty range", grant(OWN_VA, 0), VIREO_E_FAULT);
	expect("grant a shared memory object's pages", grant(OBJECT_VA, 512), VIREO_E_FAULT);
	expect("grant the kernel's memory", grant(0x80200000ul, 4096), VIREO_E_FAULT);
	struct vireo_grant_seg segs[2] = { { OWN_VA, 512 }, { OBJECT_VA, 512 } };
	expect("grant ranges of two mappings", vireo_syscall(SYS_MEMORY_GRANT, (long)segs, 2, 0,
							      0, 0, 0), VIREO_E_FAULT);
	expect("grant no range", vireo_syscall(SYS_MEMORY_GRANT, (long)segs, 0, 0, 0, 0, 0),
	       VIREO_E_INVAL);
	expect("grant 257 ranges", vireo_syscall(SYS_MEMORY_GRANT, (long)segs, VIREO_GRANT_SEGS + 1,
						  0, 0, 0, 0), VIREO_E_INVAL);
	expect("grant from a list in the kernel", vireo_syscall(SYS_MEMORY_GRANT, 0x80200000l, 1,
								 0, 0, 0, 0), VIREO_E_FAULT);

	int64_t g = grant(OWN_VA + 100, 3 * 4096);
	expect("grant its own pages", g > 0 ? 0 : g, 0);
	expect("map a grant", vireo_syscall(SYS_MEMORY_MAP, g, OBJECT_VA + 0x100000,
					    VIREO_PROT_READ, 0, 0, 0), VIREO_E_INVAL);
	struct vireo_dma_run runs[4];
	expect("pin a grant through init's endpoint",
	       vireo_syscall(SYS_DMA_PIN_RUNS, VIREO_HANDLE_INIT, g, (long)runs, 4, 0, 0),
	       VIREO_E_BADHANDLE);
	expect("pin a grant through the grant",
	       vireo_syscall(SYS_DMA_PIN_RUNS, g, g, (long)runs, 4, 0, 0), VIREO_E_BADHANDLE);
	expect("unpin through init's endpoint",
	       vireo_syscall(SYS_DMA_UNPIN, VIREO_HANDLE_INIT, g, 0, 0, 0, 0), VIREO_E_BADHANDLE);
	expect("revoke a memory object that is no grant",
	       vireo_syscall(SYS_MEMORY_REVOKE, object, 0, 0, 0, 0, 0), VIREO_E_INVAL);

	int64_t blkdev = lookup("blkdev"), block = lookup("block");
	if (blkdev < 0 || block < 0) {
		printf("grant-thief: no disk services\n");
		return 1;
	}
	struct block_iov iov = { 0, 8, 1 };
	memcpy(ipc_buffer()->data, &iov, sizeof(iov));
	ipc_buffer()->handle = (uint64_t)g;
	expect("write the raw disk from a grant",
	       status(ipc_call((uint64_t)blkdev, vireo_ipc_info(BLKDEV_IOV, sizeof(iov)) |
							 VIREO_IPC_HANDLE, 1, 0, 0, 0)),
	       VIREO_E_RIGHTS);
	memcpy(ipc_buffer()->data, &iov, sizeof(iov));
	ipc_buffer()->handle = (uint64_t)g;
	expect("write session 1 from a grant",
	       status(ipc_call((uint64_t)block, vireo_ipc_info(BLOCK_IOV, sizeof(iov)) |
							VIREO_IPC_HANDLE, 1, 1, 0, 0)),
	       VIREO_E_RIGHTS);
	expect("revoke its own grant", vireo_syscall(SYS_MEMORY_REVOKE, g, 0, 0, 0, 0, 0), 0);
	printf("grant-thief: %s\n", failures ? "FAILED" : "all refused");
	return failures ? 1 : 0;
}
