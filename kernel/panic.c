#include "panic.h"

#include <stdarg.h>
#include <stdbool.h>

#include "console.h"
#include "csr.h"
#include "format.h"
#include "hart.h"
#include "ksyms.h"
#include "kstack.h"
#include "sbi.h"
#include "trap.h"

/* A return address is named by the byte before it: a call to a noreturn function can be
 * the last instruction of its caller, and its return address then starts the next one. */
static void print_address(const char *label, uint64_t addr, int is_return)
{
	uint64_t off;
	const char *name = ksyms_lookup(addr - is_return, &off);
	if (name)
		kprintf("  %s %016lx %s+0x%lx\n", label, addr, name, off + is_return);
	else
		kprintf("  %s %016lx ?\n", label, addr);
}

/* On the stack the hart is on (for a stack overflow: the stack that overflowed). */
static int on_stack(uint64_t addr)
{
	uint64_t base = this_hart()->stack_base;
	return addr >= base && addr <= base + KSTACK_SIZE;
}

/* With frame pointers (the RISC-V frame layout GCC emits), s0 points
 * just above the frame: the return address is at s0-8 and the caller's s0 at s0-16. The walk
 * stops at a zero or misaligned frame pointer or one that leaves the stack. */
void print_backtrace(uint64_t fp)
{
	kprintf("stack trace:\n");
	for (int depth = 0; depth < 32; depth++) {
		if (fp == 0 || (fp & 7) || !on_stack(fp - 16) || !on_stack(fp))
			break;
		uint64_t ra = ((const uint64_t *)fp)[-1];
		if (ra == 0)
			break;
		print_address("at", ra, 1);
		fp = ((const uint64_t *)fp)[-2];
	}
}

/* The frame of the function that called the trapped one. GCC saves only s0 in a leaf
 * function's frame, at s0-8 where a non-leaf keeps ra: a stack address there (ra is a
 * text address, never on the stack) marks a leaf, whose caller ra has already named. */
static uint64_t caller_frame(uint64_t fp)
{
	if (on_stack(fp) && !(fp & 7) && on_stack(((const uint64_t *)fp)[-1]))
		return ((const uint64_t *)fp)[-1];
	return fp;
}

static __attribute__((noreturn)) void halt(void)
{
	kprintf("vireo: system halted, powering off\n");
	sbi_system_reset(SBI_SRST_SHUTDOWN, SBI_SRST_REASON_FAILURE);
	for (;;) /* the SBI had no SRST: stop here, interrupts off */
		wfi();
}

void panic(const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	console_take_over();
	va_start(ap, fmt);
	vsnformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("\nKERNEL PANIC: %s\n", msg);
	print_backtrace((uint64_t)__builtin_frame_address(0));
	halt();
}

void panic_trap(const struct trapframe *tf)
{
	panic_trap_as(tf, "%s in the kernel", trap_cause_name(tf->scause));
}

void panic_trap_as(const struct trapframe *tf, const char *fmt, ...)
{
	static const char *const reg_names[32] = {
		"zero", "ra", "sp", "gp", "tp", "t0", "t1", "t2", "s0", "s1", "a0",
		"a1", "a2", "a3", "a4", "a5", "a6", "a7", "s2", "s3", "s4", "s5",
		"s6", "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6",
	};
	char msg[192];
	va_list ap;

	csr_clear(CSR_SSTATUS, SSTATUS_SIE);
	console_take_over();
	va_start(ap, fmt);
	vsnformat(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("\nKERNEL PANIC: %s\n", msg);
	kprintf("  scause %016lx stval %016lx sstatus %016lx\n", tf->scause, tf->stval, tf->sstatus);
	for (int i = 1; i < 32; i += 2)
		kprintf("  %-4s %016lx  %-4s %016lx\n", reg_names[i], tf->regs[i],
			i + 1 < 32 ? reg_names[i + 1] : "", i + 1 < 32 ? tf->regs[i + 1] : 0);
	print_address("pc", tf->sepc, 0);
	print_address("ra", tf->regs[1], 1);
	print_backtrace(caller_frame(tf->regs[8]));
	halt();
}
