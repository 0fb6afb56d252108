/* The thread test (tools/systest/test_threads.py): threads of one task call one server at
 * once, each through its own IPC buffer, and are joined with their values; the thread
 * table's limit, bad entry and stack pointers and bad joins are refused; every handle comes
 * back. Last it starts thread-hold, whose threads wait until the test kills it. */
#include <string.h>

#include "threads.h"
#include "vireo.h"

#define CLIENTS (VIREO_THREADS_MAX - 1) /* the main thread is one */
#define ROUNDS 300

static uint64_t srv;
static unsigned failures;

static void check(bool ok, const char *what)
{
	printf("threads: %s: %s\n", what, ok ? "ok" : "WRONG");
	failures += !ok;
}

static int64_t spawn(const char *path)
{
	struct msg r = ipc_call(VIREO_HANDLE_INIT, ipc_data(INIT_SPAWN, path, strlen(path)), 0,
				0, 0, 0);
	return r.status < 0 ? r.status : (int64_t)r.w[0] ? (int64_t)r.w[0] : (int64_t)r.w[1];
}

static bool ping(uint64_t i)
{
	struct msg r = ipc_call(srv, vireo_ipc_info(THREADSRV_PING, 0), i, i * 3, i + 7, 0);
	return r.status == 0 && r.w[0] == i + 1 && r.w[1] == (i * 3 ^ i) && r.w[2] == ~(i + 7);
}

/* Bytes that say which thread and round they are from: another thread's in this thread's
 * buffer would show. */
static bool data(uint64_t who, uint64_t i)
{
	uint8_t *buf = ipc_buffer()->data;
	uint64_t len = 1 + (who * 131 + i) % 1000, sum = 0;
	for (uint64_t k = 0; k < len; k++)
		sum += buf[k] = (uint8_t)(who * 37 + i + k);
	struct msg r = ipc_call(srv, vireo_ipc_info(THREADSRV_DATA, len), 0, 0, 0, 0);
	if (r.status || r.w[0] != sum || r.w[1] != len)
		return false;
	for (uint64_t k = 0; k < len; k++)
		if (buf[k] != (uint8_t)(who * 37 + i + len - 1 - k))
			return false;
	return true;
}

/* An endpoint of its own goes to the server, which closes it; the thread closes its own. */
static bool handle(void)
{
	int64_t ep = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	if (ep < 0)
		return false;
	ipc_buffer()->handle = (uint64_t)ep;
	struct msg r = ipc_call(srv, vireo_ipc_info(THREADSRV_HANDLE, 0) | VIREO_IPC_HANDLE, 0, 0,
				0, 0);
	return r.status == 0 && r.w[0] == 1 &&
	       vireo_syscall(SYS_HANDLE_CLOSE, ep, 0, 0, 0, 0, 0) == 0;
}

/* Thread who's calls, a yield now and then so that the threads' calls interleave. Its value
 * says who it was and how many answers were wrong. */
static int client(uint64_t who)
{
	unsigned wrong = 0;
	for (uint64_t i = 0; i < ROUNDS; i++) {
		bool ok = i % 3 == 0 ? ping(who << 32 | i) : i % 3 == 1 ? data(who, i) : handle();
		wrong += !ok;
		if (i % 7 == who % 7)
			vireo_syscall(SYS_YIELD, 0, 0, 0, 0, 0, 0);
	}
	return (int)(100 + who + 1000 * wrong);
}

static volatile int release;

static int waiter(uint64_t value)
{
	while (!__atomic_load_n(&release, __ATOMIC_ACQUIRE))
		vireo_syscall(SYS_YIELD, 0, 0, 0, 0, 0, 0);
	return (int)value;
}

static int quick(uint64_t value)
{
	return (int)value;
}

static void concurrent_calls(void)
{
	struct thread th[CLIENTS];
	for (unsigned i = 0; i < CLIENTS; i++)
		if (thread_create(&th[i], client, i) < 0)
			check(false, "start a client thread");
	unsigned joined = 0;
	for (unsigned i = 0; i < CLIENTS; i++)
		joined += thread_join(&th[i]) == 100 + i;
	struct msg r = ipc_call(srv, vireo_ipc_info(THREADSRV_COUNT, 0), 0, 0, 0, 0);
	printf("threads: %u threads x %u calls at once, %u joined with their values; server: "
	       "%lu calls, %lu wrong\n", CLIENTS, ROUNDS, joined, r.w[0], r.w[1]);
	check(joined == CLIENTS && r.w[0] == CLIENTS * ROUNDS + 1 && r.w[1] == 0,
	      "concurrent calls");
}

static void limit(void)
{
	struct thread th[CLIENTS], extra;
	bool started = true;
	for (unsigned i = 0; i < CLIENTS; i++)
		started &= thread_create(&th[i], waiter, i) == 0;
	int64_t err = thread_create(&extra, quick, 0);
	printf("threads: thread %u of %u refused: %s\n", VIREO_THREADS_MAX + 1,
	       VIREO_THREADS_MAX, error_name(err));
	__atomic_store_n(&release, 1, __ATOMIC_RELEASE);
	unsigned joined = 0;
	for (unsigned i = 0; i < CLIENTS; i++)
		joined += thread_join(&th[i]) == i;
	release = 0;
	check(started && err == VIREO_E_FULL && joined == CLIENTS, "limit");
	/* A thread that ended before its join keeps its value until then. */
	bool late = thread_create(&extra, quick, 77) == 0;
	for (int i = 0; i < 5; i++)
		vireo_syscall(SYS_YIELD, 0, 0, 0, 0, 0, 0);
	check(late && thread_join(&extra) == 77, "join after the thread ended");
	check(vireo_syscall(SYS_THREAD_JOIN, (long)extra.id, 0, 0, 0, 0, 0) == VIREO_E_NOENT,
	      "a second join refused");
}

/* A thread started by SYS_THREAD_CREATE alone has nothing to return to. */
static void raw_entry(uint64_t value)
{
	thread_exit((int)value);
}

static int64_t raw_create(uint64_t entry, uint64_t stack)
{
	return vireo_syscall(SYS_THREAD_CREATE, (long)entry, (long)stack, 0, 0, 0, 0);
}

static uint8_t stack_area[4096];

static void bad_pointers(void)
{
	/* A stack of its own with nothing mapped below: the page under its base. */
	uint64_t stack = VIREO_USER_HEAP + 0x7f000000ul;
	int64_t err = vireo_syscall(SYS_MEM_ALLOC, (long)stack, 2, VIREO_PROT_READ |
				    VIREO_PROT_WRITE, 0, 0, 0);
	uint64_t good = stack + 2 * 4096, entry = (uint64_t)raw_entry;
	const struct { const char *what; uint64_t entry, stack; } bad[] = {
		{ "entry in the kernel", 0x80200000, good },
		{ "entry in writable data", (uint64_t)stack_area, good },
		{ "entry in the IPC buffer", (uint64_t)ipc_buffer(), good },
		{ "entry not aligned", entry + 1, good },
		{ "entry unmapped", VIREO_USER_HEAP + 0x7e000000ul, good },
		{ "stack not aligned", entry, good - 8 },
		{ "stack on its guard page", entry, stack },
		{ "stack in read-only code", entry, (entry & ~4095ul) + 4096 },
		{ "stack in the kernel", entry, 0x80400000 },
		{ "stack at 0", entry, 0 },
		{ "stack past the user half", entry, VIREO_USER_END + 4096 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int64_t e = raw_create(bad[i].entry, bad[i].stack);
		printf("threads: %s: %s\n", bad[i].what, e == VIREO_E_FAULT ? "refused" : "NOT REFUSED");
		failures += e != VIREO_E_FAULT;
	}
	int64_t id = err ? err : raw_create(entry, good);
	check(id > 0 && vireo_syscall(SYS_THREAD_JOIN, id, 0, 0, 0, 0, 0) == 0,
	      "a good stack of its own");
	vireo_syscall(SYS_MEM_FREE, (long)stack, 2, 0, 0, 0, 0);
}

static void bad_joins(void)
{
	struct msg self = ipc_call(srv, vireo_ipc_info(THREADSRV_PING, 0), 0, 0, 0, 0);
	check(vireo_syscall(SYS_THREAD_JOIN, (long)self.w[3], 0, 0, 0, 0, 0) == VIREO_E_INVAL,
	      "joining itself refused");
	check(vireo_syscall(SYS_THREAD_JOIN, 12345, 0, 0, 0, 0, 0) == VIREO_E_NOENT,
	      "joining no thread refused");
}

int main(void)
{
	console_open();
	int64_t err = spawn("/boot/test/thread-server");
	int64_t h = err < 0 ? err : lookup("threadsrv");
	if (h < 0) {
		printf("threads: no server: %s\n", error_name(h));
		return 1;
	}
	srv = (uint64_t)h;
	int64_t first_free = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	vireo_syscall(SYS_HANDLE_CLOSE, first_free, 0, 0, 0, 0, 0);

	concurrent_calls();
	limit();
	bad_pointers();
	bad_joins();

	int64_t again = vireo_syscall(SYS_ENDPOINT_CREATE, 0, 0, 0, 0, 0, 0);
	check(again == first_free, "every handle back");
	ipc_call(srv, vireo_ipc_info(THREADSRV_QUIT, 0), 0, 0, 0, 0);
	int64_t hold = spawn("/boot/test/thread-hold");
	printf("threads: %s; thread-hold is task %ld\n",
	       failures ? "SOME CHECKS WRONG" : "all checks passed", hold);
	return 0;
}
