/* Hands the kernel bad pointers and handles it was not given: every call must fail with
 * the right error and change nothing. Prints one line per check and exits 0 if all held. */
#include "vireo.h"

static int failures;

static void expect(const char *what, int64_t got, int64_t want)
{
	printf("badcalls: %s: %s\n", what, got == want ? "refused" : "NOT REFUSED");
	if (got != want)
		failures++;
}

int main(void)
{
	console_open();
	expect("log write from kernel memory",
	       vireo_syscall(SYS_LOG_WRITE, 0x80200000, 64, 0, 0, 0, 0), VIREO_E_FAULT);
	char buf[64];
	expect("log read without the log right",
	       vireo_syscall(SYS_LOG_READ, 0, 0, (long)buf, sizeof(buf), 0, 0), VIREO_E_BADHANDLE);
	expect("log read with an endpoint for the system handle",
	       vireo_syscall(SYS_LOG_READ, VIREO_HANDLE_INIT, 0, (long)buf, sizeof(buf), 0, 0),
	       VIREO_E_BADHANDLE);
	struct vireo_vm_config cfg = { .nvcpus = 1, .plic_ndev = 1 };
	expect("create a VM without the VM right",
	       vireo_syscall(SYS_VM_CREATE, 0, (long)&cfg, 0, 0, 0, 0), VIREO_E_BADHANDLE);
	expect("create a VM with an endpoint for the VM right",
	       vireo_syscall(SYS_VM_CREATE, VIREO_HANDLE_INIT, (long)&cfg, 0, 0, 0, 0),
	       VIREO_E_BADHANDLE);
	expect("make a quota without the system handle",
	       vireo_syscall(SYS_QUOTA_CREATE, 0, 1 << 20, 0, 0, 0, 0), VIREO_E_BADHANDLE);
	expect("call on a handle never given", ipc_call(9, 0, 0, 0, 0, 0).status,
	       VIREO_E_BADHANDLE);
	expect("system call without the system handle",
	       vireo_syscall(SYS_TASK_KILL, 1, 2, 0, 0, 0, 0), VIREO_E_BADHANDLE);
	expect("receive on init's endpoint", ipc_recv(VIREO_HANDLE_INIT).status, VIREO_E_RIGHTS);
	expect("map memory over the kernel",
	       vireo_syscall(SYS_MEM_ALLOC, 0x80000000, 1, VIREO_PROT_READ, 0, 0, 0),
	       VIREO_E_INVAL);
	expect("map memory over the stack guard",
	       vireo_syscall(SYS_MEM_ALLOC, VIREO_USER_STACK_TOP - VIREO_USER_STACK_SIZE - 4096, 1,
			     VIREO_PROT_READ, 0, 0, 0), VIREO_E_INVAL);
	expect("random bytes into kernel memory",
	       vireo_syscall(SYS_RANDOM, 0x80200000, 32, 0, 0, 0, 0), VIREO_E_FAULT);
	expect("random bytes into read-only text",
	       vireo_syscall(SYS_RANDOM, (long)VIREO_USER_BASE, 32, 0, 0, 0, 0), VIREO_E_FAULT);
	expect("more random bytes than one call gives",
	       vireo_syscall(SYS_RANDOM, (long)VIREO_USER_HEAP, VIREO_RANDOM_MAX + 1, 0, 0, 0, 0),
	       VIREO_E_INVAL);
	expect("unknown system call", vireo_syscall(999, 0, 0, 0, 0, 0, 0), VIREO_E_NOSYS);
	printf("badcalls: %s\n", failures ? "FAILED" : "all refused");
	return failures;
}
