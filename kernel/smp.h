/* Every hart QEMU gives (docs/design.md 9): started through SBI HSM, each with its own
 * struct hart (tp), idle stack, trap vector and timer; IPIs wake an idle hart or make a
 * running one enter the kernel. */
#ifndef VIREO_SMP_H
#define VIREO_SMP_H

#include "hart.h"
#include "machine.h"

/* On the boot hart, holding nothing yet: takes the big kernel lock (released when this hart
 * first leaves the kernel) and starts the others, which set themselves up and wait for it. */
void smp_start(const struct machine *m);
/* A software interrupt to h (SBI spec 7): it wakes from WFI, or traps from U-mode or a guest
 * into the kernel, where the lock waits for it. */
void smp_kick(struct hart *h);

#endif
