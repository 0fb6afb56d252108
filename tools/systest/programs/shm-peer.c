/* shm-owner's peer: maps the memory object it is handed read-only, sends back what it
 * reads there, twice, then writes to it, which must kill it. */
#include <string.h>

#include "vireo.h"

#define AT (VIREO_USER_HEAP + 0x200000000ul)

static void send_back(uint64_t owner, const char *text)
{
	ipc_call(owner, ipc_data(0, text, strlen(text) + 1), 0, 0, 0, 0);
}

int main(void)
{
	console_open();
	int64_t owner = lookup("shmtest");
	if (owner < 0)
		return 1;
	struct msg r = ipc_call((uint64_t)owner, 0, 0, 0, 0, 0);
	if (r.status || !(r.info & VIREO_IPC_HANDLE)) {
		printf("shm-peer: no memory object from the owner (%s)\n", error_name(r.status));
		return 1;
	}
	uint64_t h = ipc_buffer()->handle;
	int64_t n = vireo_syscall(SYS_MEMORY_MAP, (long)h, (long)AT,
				  VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
	printf("shm-peer: map writable: %s\n", error_name(n));
	n = vireo_syscall(SYS_MEMORY_MAP, (long)h, (long)AT, VIREO_PROT_READ, 0, 0, 0);
	printf("shm-peer: mapped %ld pages read-only\n", n);
	const char *shared = (const char *)AT;
	send_back((uint64_t)owner, shared);
	send_back((uint64_t)owner, shared);
	printf("shm-peer: writing to the read-only mapping\n");
	*(volatile char *)AT = 'x';
	printf("shm-peer: the write went through, which is wrong\n");
	return 0;
}
