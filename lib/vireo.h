/* The Vireo user library: system calls, IPC, console output, a heap, names. */
#ifndef VIREO_LIB_H
#define VIREO_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <vireo/protocol.h>
#include <vireo/syscall.h>

#include "format.h"

long vireo_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5);

/* One IPC exchange: status (or, from ipc_recv, the caller id), info, words, caller task. */
struct msg {
	int64_t status;
	uint64_t info;
	uint64_t w[4];
	uint64_t task;
};

/* Every IPC call goes through here: it takes and returns up to seven registers (a0..a6),
 * more than C passes back. Inline, so that a message goes from the caller's registers to
 * the kernel and back without a function call or a struct in memory on the way. */
static inline struct msg vireo_ipc(long n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
				   uint64_t a4, uint64_t a5, uint64_t a6)
{
	register uint64_t r0 __asm__("a0") = a0;
	register uint64_t r1 __asm__("a1") = a1;
	register uint64_t r2 __asm__("a2") = a2;
	register uint64_t r3 __asm__("a3") = a3;
	register uint64_t r4 __asm__("a4") = a4;
	register uint64_t r5 __asm__("a5") = a5;
	register uint64_t r6 __asm__("a6") = a6;
	register long r7 __asm__("a7") = n;
	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)
			 : "r"(r7)
			 : "memory");
	return (struct msg){ (int64_t)r0, r1, { r2, r3, r4, r5 }, r6 };
}

static inline struct msg ipc_call(uint64_t ep, uint64_t info, uint64_t w0, uint64_t w1,
				  uint64_t w2, uint64_t w3)
{
	return vireo_ipc(SYS_CALL, ep, info, w0, w1, w2, w3, 0);
}

static inline struct msg ipc_recv(uint64_t ep)
{
	return vireo_ipc(SYS_RECV, ep, 0, 0, 0, 0, 0, 0);
}

static inline int64_t ipc_reply(uint64_t caller, uint64_t info, uint64_t w0, uint64_t w1,
				uint64_t w2, uint64_t w3)
{
	return vireo_ipc(SYS_REPLY, caller, info, w0, w1, w2, w3, 0).status;
}

/* Replies to caller (0: nobody) and waits for the next message, in one system call. */
static inline struct msg ipc_reply_recv(uint64_t ep, uint64_t caller, uint64_t info,
					uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3)
{
	return vireo_ipc(SYS_REPLY_RECV, ep, caller, info, w0, w1, w2, w3);
}

/* The calling thread's IPC buffer: each thread starts with tp pointing at its own
 * (include/vireo/syscall.h, threads). */
static inline struct vireo_ipc_buffer *ipc_buffer(void)
{
	struct vireo_ipc_buffer *b;
	__asm__("mv %0, tp" : "=r"(b));
	return b;
}
/* Copies data into the IPC buffer and returns the info word for label with it. */
uint64_t ipc_data(uint32_t label, const void *data, size_t len);

__attribute__((noreturn)) void exit(int code);
uint64_t clock_us(void);
const char *error_name(int64_t err);

/* Console output: through the console service once console_open() has found it, else to
 * the kernel log. */
int64_t console_open(void);
/* Kernel-log output is marked with the task's name unless it holds the log right
 * (syscall.h): a task that does passes its system handle here. */
void console_log_right(uint64_t system);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
void puts_raw(const char *s, size_t n);
/* While held, output goes to the console a full buffer at a time instead of a line at a
 * time; releasing sends what is left. For output that nothing else interleaves with: each
 * message to the console costs two address-space switches, which QEMU 7.2 pays dearly. */
void console_hold(bool on);
/* Prints the first n data bytes of the message just received. They are copied out first:
 * the console's own messages go through the same IPC buffer. */
void puts_ipc_data(size_t n);
/* Writes n bytes now, unbuffered, after anything puts_raw() still holds. */
void console_write(const char *s, size_t n);
void console_flush(void);
/* Blocks until the console has input; returns how many bytes were put in buf. */
size_t console_read(char *buf, size_t len);
/* What input there is now, without waiting; 0 when none. */
size_t console_read_available(char *buf, size_t len);
/* Asks the console to notify bits on ep whenever input arrives; ep 0 ends that. */
void console_subscribe(uint64_t ep, uint64_t bits);

void *malloc(size_t size);
void free(void *p);

/* Threads (include/vireo/syscall.h): thread_create() starts fn(arg) on a stack of its own,
 * with a guard page below; its return value (0 and up) is thread_join()'s, which frees the
 * stack. malloc, printf and the console are not safe from two threads at once; IPC is (each
 * thread has its own IPC buffer). */
struct thread {
	uint64_t id;
	unsigned slot; /* its stack's */
};
int64_t thread_create(struct thread *th, int (*fn)(uint64_t arg), uint64_t arg);
int64_t thread_join(struct thread *th);
__attribute__((noreturn)) void thread_exit(int value);

/* Name service (init): an endpoint handle for a service, or a negative error. */
int64_t lookup(const char *name);
int64_t register_service(const char *name, uint64_t ep);
/* A bootfs file where it lies (INIT_OPEN): the whole bootfs is mapped read-only at va the
 * first time, and stays; later calls' va is not used. Copying a Linux Image through IPC
 * messages cost a thousand round trips, each switching address spaces twice. */
int64_t boot_file(const char *path, uint64_t va, const uint8_t **data, uint64_t *size);
/* Bits notified on ep once, when the task holding the name ends (protocol.h INIT_WATCH). */
int64_t watch_service(const char *name, uint64_t ep, uint64_t bits);
/* Whether task is the service init started from path ("/boot/bin/vmm"): INIT_WHOIS. */
bool caller_is_service(uint64_t task, const char *path);

#endif
