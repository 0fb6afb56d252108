#include "trap.h"

#include <stddef.h>

#include "csr.h"
#include "panic.h"
#include "timer.h"

extern char trap_entry_kernel[];

static const char *const exception_names[] = {
	[EXC_INST_MISALIGNED] = "instruction address misaligned",
	[EXC_INST_ACCESS] = "instruction access fault",
	[EXC_ILLEGAL_INST] = "illegal instruction",
	[EXC_BREAKPOINT] = "breakpoint",
	[EXC_LOAD_MISALIGNED] = "load address misaligned",
	[EXC_LOAD_ACCESS] = "load access fault",
	[EXC_STORE_MISALIGNED] = "store address misaligned",
	[EXC_STORE_ACCESS] = "store access fault",
	[EXC_ECALL_U] = "environment call from U-mode",
	[EXC_ECALL_S] = "environment call from S-mode",
	[EXC_INST_PAGE_FAULT] = "instruction page fault",
	[EXC_LOAD_PAGE_FAULT] = "load page fault",
	[EXC_STORE_PAGE_FAULT] = "store page fault",
};

static const char *const interrupt_names[] = {
	[1] = "supervisor software interrupt",
	[IRQ_S_TIMER] = "supervisor timer interrupt",
	[9] = "supervisor external interrupt",
};

const char *trap_cause_name(uint64_t scause)
{
	uint64_t code = scause & ~SCAUSE_INTERRUPT;
	const char *const *names = scause & SCAUSE_INTERRUPT ? interrupt_names : exception_names;
	size_t n = scause & SCAUSE_INTERRUPT ? sizeof(interrupt_names) / sizeof(*names)
					     : sizeof(exception_names) / sizeof(*names);
	return code < n && names[code] ? names[code] : "unknown cause";
}

typedef void (*interrupt_handler)(struct trapframe *tf);

static void handle_timer(struct trapframe *tf)
{
	(void)tf;
	timer_tick();
}

static const interrupt_handler interrupt_handlers[] = {
	[IRQ_S_TIMER] = handle_timer,
};

void trap_init(void)
{
	csr_write(CSR_SSCRATCH, 0);
	csr_write(CSR_STVEC, (uint64_t)trap_entry_kernel); /* direct mode: all traps here */
}

/* Any exception taken in the kernel is a kernel bug: there is nothing to return to. */
void trap_kernel(struct trapframe *tf)
{
	uint64_t code = tf->scause & ~SCAUSE_INTERRUPT;
	if (tf->scause & SCAUSE_INTERRUPT) {
		if (code < sizeof(interrupt_handlers) / sizeof(*interrupt_handlers) &&
		    interrupt_handlers[code]) {
			interrupt_handlers[code](tf);
			return;
		}
	}
	panic_trap(tf);
}
