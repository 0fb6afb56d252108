#include "trap.h"

#include <stdbool.h>
#include <stddef.h>

#include "console.h"
#include "biglock.h"
#include "csr.h"
#include "hart.h"
#include "hv.h"
#include "ipc.h"
#include "irq.h"
#include "panic.h"
#include "sched.h"
#include "syscall.h"
#include "task.h"
#include "testhooks.h"
#include "timer.h"

extern char trap_entry[];

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
	[EXC_ECALL_VS] = "environment call from VS-mode",
	[EXC_INST_GUEST_PAGE_FAULT] = "instruction guest-page fault",
	[EXC_LOAD_GUEST_PAGE_FAULT] = "load guest-page fault",
	[EXC_VIRTUAL_INST] = "virtual instruction",
	[EXC_STORE_GUEST_PAGE_FAULT] = "store guest-page fault",
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

typedef void (*interrupt_handler)(void);

/* Endpoint timers are the boot hart's to fire; every hart ticks its own scheduler. */
static void handle_timer(void)
{
	timer_tick();
	if (this_hart()->index == 0)
		ipc_timer_tick(timer_uptime_us());
	sched_tick();
	timer_serve_clients();
}

/* An IPI (smp_kick) has done its work by bringing the hart into the kernel. */
static void handle_ipi(void)
{
	csr_clear(CSR_SIP, SIP_SSIP);
}

static const interrupt_handler interrupt_handlers[] = {
	[IRQ_S_SOFT] = handle_ipi,
	[IRQ_S_TIMER] = handle_timer,
	[IRQ_S_EXTERNAL] = irq_handle,
};

/* Runs the handler of an interrupt; false when there is none. */
bool handle_host_interrupt(uint64_t code)
{
	if (code >= sizeof(interrupt_handlers) / sizeof(*interrupt_handlers) ||
	    !interrupt_handlers[code])
		return false;
	interrupt_handlers[code]();
	return true;
}

void trap_init(void)
{
	csr_write(CSR_SSCRATCH, 0);
	csr_write(CSR_STVEC, (uint64_t)trap_entry); /* direct mode: all traps here */
}

/* Any exception taken in the kernel is a kernel bug: there is nothing to return to. */
void trap_kernel(struct trapframe *tf)
{
	if ((tf->scause & SCAUSE_INTERRUPT) && handle_host_interrupt(tf->scause & ~SCAUSE_INTERRUPT))
		return;
	struct hart *h = this_hart();
	if (!(tf->scause & SCAUSE_INTERRUPT) && h->fixup) {
		tf->sepc = h->fixup; /* a guest-memory access faulted: it reports failure */
		h->fixup = 0;
		return;
	}
	panic_trap(tf);
}

/* A task that faults is reported and ended; the rest of the system carries on. */
static void user_fault(struct thread *t, uint64_t scause, uint64_t stval)
{
	kprintf("vireo: task %s (id %lu) killed: %s at pc %lx, address %lx\n", t->task->name,
		t->task->id, trap_cause_name(scause), t->frame->sepc, stval);
	task_exit(t->task, VIREO_EXIT_KILLED | VIREO_EXIT_FAULT | (int64_t)scause);
}

void user_trap(struct user_frame *f)
{
	struct thread *t = current_thread();
	uint64_t scause = csr_read(CSR_SCAUSE), stval = csr_read(CSR_STVAL);
	uint64_t code = scause & ~SCAUSE_INTERRUPT;

	testhook_user_trap();
	if (scause & SCAUSE_INTERRUPT) {
		if (!handle_host_interrupt(code))
			kprintf("vireo: unexpected interrupt %lu\n", code);
	} else if (t->task->dead) {
		/* Killed by another hart while it ran here: it ends on the way out. */
	} else if (code == EXC_ECALL_U) {
		f->sepc += 4;
		syscall_dispatch(t, f);
	} else if (!task_fault_in(t->task, stval, code)) {
		user_fault(t, scause, stval);
	}
	user_trap_return();
}

void user_trap_return(void)
{
	struct hart *h = this_hart();
	struct thread *t = h->current;
	if (t->state != THREAD_DEAD && t->task->dead)
		task_exit(t->task, t->task->exit_status); /* its end was left to it (task.c) */
	if (t->state == THREAD_DEAD)
		sched_switch(); /* does not come back */
	if (h->need_resched)
		sched_yield();
	h = this_hart(); /* it may resume on another hart */
	t->frame->kernel_sp = (uint64_t)t->frame;
	t->frame->kernel_tp = (uint64_t)h;
	/* sret to U-mode with interrupts on (priv spec 4.1.1: SPP and SPIE), not into a guest
	 * (8.2.1: SPV, left set by the last guest exit), and with no FPU: tasks can neither use
	 * nor disturb a guest's floating-point registers (hv/vcpu.c switches them lazily).
	 * A trap from U-mode left them so; only a guest run here since changes them, and QEMU
	 * makes every CSR access cost a lookup of translated code. */
	if (!h->user_return_ready) {
		csr_clear(CSR_SSTATUS, SSTATUS_SPP | SSTATUS_FS);
		csr_set(CSR_SSTATUS, SSTATUS_SPIE);
		csr_clear(CSR_HSTATUS, HSTATUS_SPV);
		hv_restore_host_csrs();
		h->user_return_ready = true;
	}
	kernel_unlock(h);
	user_return(t->frame);
}
