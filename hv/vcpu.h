/* A vCPU's state, entering it, and what the exit handlers share: injecting exceptions into
 * the guest, its pending interrupts, reading guest memory. */
#ifndef VIREO_HV_VCPU_H
#define VIREO_HV_VCPU_H

#include <stdbool.h>
#include <stdint.h>

#include "pmu.h"
#include "timer.h"

struct vm;

enum vcpu_state { VCPU_STOPPED, VCPU_RUNNABLE, VCPU_IDLE /* in WFI or an HSM suspend */ };

/* How an HSM suspend (SBI spec 9.4) ends: in place, or at the resume address. */
enum vcpu_suspend { VCPU_AWAKE, VCPU_SUSPEND_RETENTIVE, VCPU_SUSPEND_NON_RETENTIVE };

/* What other vCPUs ask of a vCPU (IPIs, remote fences): bits set with atomics, so that a
 * sender on another host hart may set them while the target runs, and taken by the hart
 * that next enters the target (vcpu_run_once), before its first instruction. */
#define VCPU_FENCE_I (1u << 0)    /* fence.i: its instruction fetches see earlier stores */
#define VCPU_FENCE_VVMA (1u << 1) /* hfence.vvma: its VS-stage TLB entries */

struct vcpu {
	/* Guest state, saved and loaded by hv/world_switch.S: keep regs first, then pc. */
	uint64_t regs[32];
	uint64_t pc;
	uint64_t host_sp, host_tp, host_ra, host_s[12]; /* the host side of the switch */
	/* VS-level CSRs while the vCPU is not loaded. */
	uint64_t vsstatus, vsie, vstvec, vsscratch, vsepc, vscause, vstval, vsatp, vstimecmp;
	/* HS-level CSRs with no VS copy that VS-mode reads and writes itself (they govern its
	 * VU-mode), so each vCPU has its own and the host's are put back for host code. */
	uint64_t scounteren, senvcfg;
	uint64_t hvip;
	uint64_t hstatus;
	/* What the last exit left in the hart's hvip and hstatus (vcpu_run_once); an hstatus of
	 * ~0 means unknown, to be written before the next entry. */
	uint64_t hvip_at_exit, hstatus_at_exit;
	/* Trap information of the last exit. */
	uint64_t scause, stval, htval, htinst;

	struct vm *vm;
	unsigned index;
	/* Its lane (struct vireo_vm_config): it runs only on host hart `lane`, so its lazily
	 * switched state (vcpu.c) is only ever in that hart's registers. */
	unsigned lane;
	/* The hart it runs on in guest mode, set before the big lock is released to enter it
	 * and cleared before it is taken again after the exit, so that another hart holding the
	 * lock knows whether an IPI is needed (vcpu_kick) and when the exit has happened. */
	struct hart *in_guest;
	/* hvip.VSEIP as the virtual PLIC has it (vm_update_external): kept apart from hvip,
	 * which only the hart running the vCPU writes, and put into hvip at each entry. */
	bool external;
	enum vcpu_state state;
	uint64_t timer_deadline; /* host time of the SBI timer without Sstc; 0 when unarmed */
	bool mmio_read_pending;  /* an MMIO load waits for the monitor's value */
	unsigned mmio_reg, mmio_width, mmio_len;
	bool mmio_sign;
	uint64_t fp[33];         /* f0-f31 and fcsr while another vCPU owns the FPU */
	uint64_t fault_pc;       /* repeated faults at one pc end the guest */
	unsigned fault_repeats;
	struct vcpu_pmu pmu;     /* the SBI PMU's counters (hv/sbi_pmu.c) */
	/* SBI HSM (hv/sbi_hsm.c) beyond the run state: started but not yet entered
	 * (START_PENDING), and a suspend's kind, resume address and opaque value. */
	bool start_pending;
	enum vcpu_suspend suspend;
	uint64_t resume_addr, resume_opaque;
	/* Requests of other vCPUs, set through vcpu_request_*: hvip bits to raise (VSSIP)
	 * and VCPU_FENCE_* bits. */
	uint64_t requested_hvip;
	unsigned requested_fences;
	uint64_t slice_start; /* host time it was last picked to run */
};

/* What other vCPUs and the hypervisor ask of v: the bits are set, and v is kicked: a hart
 * running it in guest mode gets an IPI, so it exits and takes them before its next entry;
 * its lane's thread, waiting, wakes. Fences wait until v is out of guest mode, so that the
 * SBI call that asked returns only once no hart still runs v on the old translations. */
void vcpu_request_interrupt(struct vcpu *v, uint64_t hvip_bits);
void vcpu_request_fences(struct vcpu *v, unsigned fences);
void vcpu_kick(struct vcpu *v);

/* What an exit handler tells the run loop. */
enum exit_action {
	EXIT_CONTINUE, /* run the guest again */
	EXIT_MONITOR,  /* the exit record is filled: return it from SYS_VM_RUN */
};

/* Runs v until it traps, with its state loaded around the world switch; first it ends an
 * HSM start or suspend (hsm_enter) and takes what other vCPUs asked of it. */
void vcpu_run_once(struct vcpu *v, bool again);
/* Delivers an exception to the guest's own trap handler (priv spec 8.6.4 trap entry into
 * VS-mode, done by hand): vsepc, vscause, vstval, vsstatus, then pc = vstvec. */
void vcpu_inject(struct vcpu *v, uint64_t cause, uint64_t tval);
/* Whether an interrupt the guest has enabled in vsie is pending (WFI ends on it). */
bool vcpu_interrupt_pending(struct vcpu *v);
/* Whether v, just back from an exit it handled, should let another vCPU of its VM run
 * first: one that was asked something (an IPI, a fence), started, or woken from WFI, or
 * any runnable one once v has run VCPU_SLICE_US. Switching on every exit would hand each of
 * a lock holder's console writes a whole slice of the vCPUs spinning on its lock; nothing
 * tells a spinning vCPU from a working one, so the slice between vCPUs is short (the host
 * timer fires at its end, guest_timers_check), which bounds what a spinner wastes. */
#define VCPU_SLICE_US 1000
bool vcpu_should_yield(struct vcpu *v);
static inline uint64_t vcpu_slice_ticks(void)
{
	return timer_timebase_hz() * VCPU_SLICE_US / 1000000;
}
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
