#include <string.h>

#include "vireo.h"

long vireo_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	return vireo_ipc(n, (uint64_t)a0, (uint64_t)a1, (uint64_t)a2, (uint64_t)a3, (uint64_t)a4,
			 (uint64_t)a5, 0).status;
}

uint64_t ipc_data(uint32_t label, const void *data, size_t len)
{
	if (len > VIREO_IPC_DATA_MAX)
		len = VIREO_IPC_DATA_MAX;
	memcpy(ipc_buffer()->data, data, len);
	return vireo_ipc_info(label, len);
}

void exit(int code)
{
	console_flush();
	vireo_syscall(SYS_EXIT, code, 0, 0, 0, 0, 0);
	for (;;)
		;
}

uint64_t clock_us(void)
{
	return (uint64_t)vireo_syscall(SYS_CLOCK, 0, 0, 0, 0, 0, 0);
}

const char *error_name(int64_t err)
{
	static const char *const names[] = {
		[-VIREO_E_INVAL] = "invalid argument",
		[-VIREO_E_BADHANDLE] = "bad handle",
		[-VIREO_E_RIGHTS] = "not permitted",
		[-VIREO_E_NOMEM] = "out of memory",
		[-VIREO_E_FAULT] = "bad address",
		[-VIREO_E_DEAD] = "the other side is gone",
		[-VIREO_E_BUSY] = "busy",
		[-VIREO_E_NOSYS] = "no such call",
		[-VIREO_E_NOENT] = "not found",
		[-VIREO_E_BADELF] = "not a RISC-V executable",
		[-VIREO_E_NOENTROPY] = "no entropy (the machine passed no seed)",
		[-VIREO_E_LIMIT] = "over the memory quota",
		[-VIREO_E_FULL] = "the table is full",
	};
	if (err >= 0)
		return "ok";
	if (-err < (int64_t)(sizeof(names) / sizeof(*names)) && names[-err])
		return names[-err];
	return "unknown error";
}

int64_t lookup(const char *name)
{
	struct msg r = ipc_call(VIREO_HANDLE_INIT, ipc_data(INIT_LOOKUP, name, strlen(name)), 0,
				0, 0, 0);
	if (r.status < 0)
		return r.status;
	if ((int64_t)r.w[0] < 0)
		return (int64_t)r.w[0];
	return (r.info & VIREO_IPC_HANDLE) ? (int64_t)ipc_buffer()->handle : VIREO_E_NOENT;
}

int64_t boot_file(const char *path, uint64_t va, const uint8_t **data, uint64_t *size)
{
	static uint64_t mapped_bytes; /* of the bootfs, at the first caller's va */
	static uint64_t mapped_va;
	struct msg r = ipc_call(VIREO_HANDLE_INIT, ipc_data(INIT_OPEN, path, strlen(path)), 0, 0,
				0, 0);
	int64_t st = r.status < 0 ? r.status : (int64_t)r.w[0];
	if (st)
		return st;
	uint64_t bootfs = ipc_buffer()->handle;
	if (!mapped_bytes) {
		st = vireo_syscall(SYS_MEMORY_MAP, (long)bootfs, (long)va, VIREO_PROT_READ, 0, 0, 0);
		mapped_bytes = st > 0 ? (uint64_t)st << 12 : 0;
		mapped_va = va;
	}
	vireo_syscall(SYS_HANDLE_CLOSE, (long)bootfs, 0, 0, 0, 0, 0);
	if (st < 0)
		return st;
	if (r.w[1] > mapped_bytes || r.w[2] > mapped_bytes - r.w[1])
		return VIREO_E_INVAL;
	*data = (const uint8_t *)mapped_va + r.w[1];
	*size = r.w[2];
	return 0;
}

/* A request to init about a name that sends an endpoint along. */
static int64_t name_call(uint32_t label, const char *name, uint64_t ep, uint64_t w0)
{
	ipc_buffer()->handle = ep;
	uint64_t info = ipc_data(label, name, strlen(name)) | VIREO_IPC_HANDLE;
	struct msg r = ipc_call(VIREO_HANDLE_INIT, info, w0, 0, 0, 0);
	return r.status < 0 ? r.status : (int64_t)r.w[0];
}

int64_t register_service(const char *name, uint64_t ep)
{
	return name_call(INIT_REGISTER, name, ep, 0);
}

int64_t watch_service(const char *name, uint64_t ep, uint64_t bits)
{
	return name_call(INIT_WATCH, name, ep, bits);
}

bool caller_is_service(uint64_t task, const char *path)
{
	struct msg r = ipc_call(VIREO_HANDLE_INIT, vireo_ipc_info(INIT_WHOIS, 0), task, 0, 0, 0);
	size_t n = vireo_ipc_len(r.info);
	return r.status == 0 && r.w[0] == 0 && n == strlen(path) &&
	       !memcmp(ipc_buffer()->data, path, n);
}
