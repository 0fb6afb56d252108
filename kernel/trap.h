/* Trap entry and dispatch. */
#ifndef VIREO_TRAP_H
#define VIREO_TRAP_H

#include <stdbool.h>
#include <stdint.h>

/* Saved by trapvec.S; regs[0] is unused (x0), regs[2] is the interrupted sp. */
struct trapframe {
	uint64_t regs[32];
	uint64_t sepc, sstatus, scause, stval;
};

struct user_frame;

void trap_init(void);
/* Handles a host interrupt (timer, PLIC) by its cause code; false when none is known. */
bool handle_host_interrupt(uint64_t code);
__attribute__((noreturn)) void user_trap(struct user_frame *f);
__attribute__((noreturn)) void user_trap_return(void);
__attribute__((noreturn)) void user_return(struct user_frame *f);
void trap_kernel(struct trapframe *tf);
const char *trap_cause_name(uint64_t scause);

#endif
