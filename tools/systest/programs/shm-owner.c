/* Memory objects between two tasks: creates one, checks the calls that must fail, hands a
 * read-only handle to shm-peer (started through init) and talks with it through the shared
 * page: what one writes the other reads. The peer then writes to its read-only mapping and
 * must be killed. Prints one line per step; exits 0 if all held. */
#include <string.h>

#include "vireo.h"

#define PAGES 4
#define AT (VIREO_USER_HEAP + 0x100000000ul)

static int failures;

static void expect(const char *what, int64_t got, int64_t want)
{
	printf("shm-owner: %s: %s\n", what, got == want ? "ok" : "WRONG");
	if (got != want) {
		printf("shm-owner: got %ld, wanted %ld\n", got, want);
		failures++;
	}
}

static int64_t map(uint64_t h, uint64_t va, uint64_t prot)
{
	return vireo_syscall(SYS_MEMORY_MAP, (long)h, (long)va, (long)prot, 0, 0, 0);
}

int main(void)
{
	console_open();
	const uint64_t rw = VIREO_PROT_READ | VIREO_PROT_WRITE;
	expect("create with no pages", vireo_syscall(SYS_MEMORY_CREATE, 0, 0, 0, 0, 0, 0),
	       VIREO_E_INVAL);
	expect("create more pages than its quota allows",
	       vireo_syscall(SYS_MEMORY_CREATE, 1l << 20, 0, 0, 0, 0, 0), VIREO_E_LIMIT);
	int64_t h = vireo_syscall(SYS_MEMORY_CREATE, PAGES, 0, 0, 0, 0, 0);
	expect("create", h > 0, 1);
	expect("map", map((uint64_t)h, AT, rw), PAGES);
	char *shared = (char *)AT;
	expect("fresh pages are zero", shared[0] == 0 && shared[PAGES * 4096 - 1] == 0, 1);
	expect("map over itself", map((uint64_t)h, AT + 4096, rw), VIREO_E_BUSY);
	expect("map over the kernel", map((uint64_t)h, 0x80200000, rw), VIREO_E_INVAL);
	expect("map an endpoint", map(VIREO_HANDLE_INIT, AT + 0x100000, rw), VIREO_E_BADHANDLE);
	int64_t ro = vireo_syscall(SYS_HANDLE_COPY, h, VIREO_RIGHT_MAP | VIREO_RIGHT_TRANSFER, 0, 0,
				   0, 0);
	expect("copy read-only", ro > 0, 1);
	expect("map a read-only handle writable", map((uint64_t)ro, AT + 0x100000, rw),
	       VIREO_E_RIGHTS);
	strcpy(shared, "written by the owner");

	/* Registered before the peer starts: a name left by an earlier run must not catch it. */
	int64_t ep = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (ep < 0 || register_service("shmtest", (uint64_t)ep)) {
		printf("shm-owner: cannot register\n");
		return 1;
	}
	const char *peer = "/boot/test/shm-peer";
	struct msg r = ipc_call(VIREO_HANDLE_INIT, ipc_data(INIT_SPAWN, peer, strlen(peer)), 0, 0,
				0, 0);
	if (r.status || r.w[0]) {
		printf("shm-owner: cannot start the peer\n");
		return 1;
	}
	uint64_t peer_id = r.w[1];
	struct msg m = ipc_recv((uint64_t)ep); /* the peer asks for the memory */
	ipc_buffer()->handle = (uint64_t)ro;
	ipc_reply((uint64_t)m.status, VIREO_IPC_HANDLE, 0, 0, 0, 0);
	m = ipc_recv((uint64_t)ep); /* it read the page and sends back what it saw */
	expect("the peer read what the owner wrote",
	       !strncmp((const char *)ipc_buffer()->data, shared, vireo_ipc_len(m.info)), 1);
	strcpy(shared, "changed while both have it mapped");
	ipc_reply((uint64_t)m.status, 0, 0, 0, 0, 0);
	m = ipc_recv((uint64_t)ep);
	expect("the peer saw the change",
	       !strncmp((const char *)ipc_buffer()->data, shared, vireo_ipc_len(m.info)), 1);
	ipc_reply((uint64_t)m.status, 0, 0, 0, 0, 0);

	r = ipc_call(VIREO_HANDLE_INIT, vireo_ipc_info(INIT_WAIT, 0), peer_id, 0, 0, 0);
	expect("the peer was killed writing to its read-only mapping",
	       (int64_t)(r.w[1] & VIREO_EXIT_KILLED) != 0, 1);
	expect("unmap", vireo_syscall(SYS_MEM_FREE, AT, PAGES, 0, 0, 0, 0), 0);
	expect("close", vireo_syscall(SYS_HANDLE_CLOSE, h, 0, 0, 0, 0, 0), 0);
	expect("close the copy", vireo_syscall(SYS_HANDLE_CLOSE, ro, 0, 0, 0, 0, 0), 0);
	expect("map a closed handle", map((uint64_t)h, AT, rw), VIREO_E_BADHANDLE);
	printf("shm-owner: %s\n", failures ? "FAILED" : "all held");
	return failures;
}
