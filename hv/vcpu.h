/* Entering a vCPU and what the exit handlers share: injecting exceptions into the guest,
 * its pending interrupts, reading guest memory. */
#ifndef VIREO_HV_VCPU_H
#define VIREO_HV_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "vm.h"

/* What an exit handler tells the run loop. */
enum exit_action {
	EXIT_CONTINUE, /* run the guest again */
	EXIT_MONITOR,  /* the exit record is filled: return it from SYS_VM_RUN */
};

/* Runs v until it traps, with its state loaded around the world switch. */
void vcpu_run_once(struct vcpu *v, bool again);
/* Delivers an exception to the guest's own trap handler (priv spec 8.6.4 trap entry into
 * VS-mode, done by hand): vsepc, vscause, vstval, vsstatus, then pc = vstvec. */
void vcpu_inject(struct vcpu *v, uint64_t cause, uint64_t tval);
/* Whether an interrupt the guest has enabled in vsie is pending (WFI ends on it). */
bool vcpu_interrupt_pending(struct vcpu *v);
/* Brings v's VS-level CSRs (vsstatus, vsie, vstimecmp, ...) into struct vcpu, so that the
 * hypervisor may read and change them there; they are loaded again on the next entry. */
void vcpu_sync(struct vcpu *v);
/* The guest's pending interrupts from the virtual PLIC, as hvip.VSEIP. */
void vm_update_external(struct vm *vm);
/* The instruction at the guest's pc, from htinst when it holds one, else read with HLVX;
 * returns its bits or -1. */
int64_t guest_fetch_instruction(uint64_t pc);
uint64_t guest_time(const struct vm *vm);
/* Records the host's scounteren and senvcfg, which it sets once at boot, to put back
 * whenever host code runs after a guest (hv_restore_host_csrs). */
void vcpu_note_host_csrs(void);
/* A vCPU going away must not stay the owner of the hart's FPU or VS CSRs. */
void vcpu_forget(struct vcpu *v);

#endif
