/* Trap entry and dispatch. */
#ifndef VIREO_TRAP_H
#define VIREO_TRAP_H

#include <stdint.h>

/* Saved by trapvec.S; regs[0] is unused (x0), regs[2] is the interrupted sp. */
struct trapframe {
	uint64_t regs[32];
	uint64_t sepc, sstatus, scause, stval;
};

void trap_init(void);
void trap_kernel(struct trapframe *tf);
const char *trap_cause_name(uint64_t scause);

#endif
