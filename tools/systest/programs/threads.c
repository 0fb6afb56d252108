/* The thread test (tools/systest/test_threads.py): starts the server, and thread-client,
 * whose threads call it at once; then checks that the thread table's limit, bad entry and
 * stack pointers and bad joins are refused, and that every handle comes back. Last it
 * starts thread-hold, whose threads wait until the test kills it. */
#include <string.h>

#include "threads.h"
#include "vireo.h"

#define CLIENTS (VIREO_THREADS_MAX - 1) /* the main thread is one */

static uint64_t srv;
static unsigned failures;

static void check(bool ok, const char *what)
{
	printf("threads: %s: %s\n", what, ok ? "ok" : "WRONG");
	failures += !ok;
}

static struct msg call_init(uint32_t label, const char *path, uint64_t w0)
{
	return ipc_call(VIREO_HANDLE_INIT, ipc_data(label, path, path ? strlen(path) : 0), w0,
			0, 0, 0);
}

/* A program started through init, as its child: its id, or an error. */
static int64_t spawn(const char *path)
{
	struct msg r = call_init(INIT_SPAWN, path, 0);
	return r.status < 0 ? r.status : (int64_t)r.w[0] < 0 ? (int64_t)r.w[0] : (int64_t)r.w[1];
}

/* thread-client's threads call the server at once; it says how they did. */
static void concurrent_calls(void)
{
	int64_t id = spawn("/boot/test/thread-client");
	struct msg w = id < 0 ? (struct msg){ .status = id } : call_init(INIT_WAIT, NULL, (uint64_t)id);
	struct msg r = ipc_call(srv, vireo_ipc_info(THREADSRV_COUNT, 0), 0, 0, 0, 0);
	printf("threads: server: %lu calls, %lu wrong\n", r.w[0], r.w[1]);
	check(w.status == 0 && w.w[0] == 0 && w.w[1] == 0 && r.w[0] == CLIENTS * THREAD_CLIENT_ROUNDS + 1 &&
	      r.w[1] == 0,
	      "concurrent calls");
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

/* A call the server holds until it ends: the thread must get VIREO_E_DEAD then. */
static int held(uint64_t unused)
{
	(void)unused;
	struct msg r = ipc_call(srv, vireo_ipc_info(THREADSRV_HOLD, 0), 0, 0, 0, 0);
	return r.status == VIREO_E_DEAD ? 1 : 0;
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
	/* Two threads wait in calls the server holds while it quits. */
	struct thread waiting[2];
	bool started = thread_create(&waiting[0], held, 0) == 0 &&
		       thread_create(&waiting[1], held, 0) == 0;
	for (int i = 0; i < 20; i++) /* until both are in their calls */
		vireo_syscall(SYS_YIELD, 0, 0, 0, 0, 0, 0);
	ipc_call(srv, vireo_ipc_info(THREADSRV_QUIT, 0), 0, 0, 0, 0);
	check(started && thread_join(&waiting[0]) == 1 && thread_join(&waiting[1]) == 1,
	      "threads waiting on a server that ends woken with an error");
	int64_t hold = spawn("/boot/test/thread-hold");
	printf("threads: %s; thread-hold is task %ld\n",
	       failures ? "SOME CHECKS WRONG" : "all checks passed", hold);
	return 0;
}
