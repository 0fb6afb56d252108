/* The end of the line: a message, a symbolized stack trace, and the machine powered off
 * through SBI SRST so that nothing hangs and nothing resets silently. */
#ifndef VIREO_PANIC_H
#define VIREO_PANIC_H

#include <stdint.h>

struct trapframe;

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
/* An exception taken in the kernel: the cause, the registers, and the trace from there. */
__attribute__((noreturn)) void panic_trap(const struct trapframe *tf);
/* The same report under another headline. */
__attribute__((noreturn, format(printf, 2, 3))) void panic_trap_as(const struct trapframe *tf,
								  const char *fmt, ...);
void print_backtrace(uint64_t fp);

#endif
