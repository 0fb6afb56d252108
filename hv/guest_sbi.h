/* SBI emulation for guests (SBI spec 2.0). Each extension is one file exporting one
 * descriptor; sbi.c gathers them in one table and dispatches on the guest's a7.
 *
 * Return convention: a handler returns everything in its struct sbi_result: what the guest
 * gets (error and value in a0 and a1; legacy extensions return only a0, taken from value),
 * whether the pc stays on the ecall, and whether the monitor is needed. Errors of the kernel
 * never reach the guest; the guest sees SBI_ERR_* codes only. */
#ifndef VIREO_HV_GUEST_SBI_H
#define VIREO_HV_GUEST_SBI_H

#include <riscv/sbi.h>
#include <stdbool.h>
#include <stdint.h>

#include "vm.h"

struct sbi_result {
	long error, value;
	bool pc_stays;           /* the vCPU stopped on its ecall: the pc does not step past it */
	bool retry;              /* not done yet: the ecall runs again, its registers as they are */
	enum exit_action action; /* EXIT_MONITOR: the handler filled the exit record */
};

struct sbi_extension {
	unsigned long eid_min, eid_max;
	enum vireo_vm_exit_cause cause; /* for hvstat */
	bool legacy;                    /* SBI v0.1: the result is value alone, in a0 */
	struct sbi_result (*handle)(struct vcpu *v, unsigned long eid, unsigned long fid,
				    struct vireo_vm_exit *exit);
};

extern const struct sbi_extension sbi_base, sbi_legacy, sbi_time, sbi_ipi, sbi_rfence,
	sbi_hsm, sbi_srst, sbi_dbcn;
extern const struct sbi_extension sbi_pmu;

/* Handles the guest's ecall: sets a0/a1 and steps the pc as the result says. */
enum exit_action sbi_dispatch(struct vcpu *v, struct vireo_vm_exit *exit);
bool sbi_probe(unsigned long eid);
/* Guest console output: appended to the VM's buffer, and handed to the monitor (action
 * EXIT_MONITOR) when the buffer is full; value is how many bytes it took. The run loop also
 * hands it over when the guest goes idle and when the oldest byte is CONSOLE_DELAY old.
 * Each hand-over costs the monitor a round trip to the console driver: two address-space
 * switches, which QEMU 7.2 pays with a whole TLB flush each. 50 ms is below what a reader
 * notices; an idle guest's output (an echoed key) goes at once. */
#define CONSOLE_DELAY_US 50000
struct sbi_result console_put(struct vcpu *v, const char *s, unsigned long n,
			      struct vireo_vm_exit *exit);
/* Moves buffered console output into the exit record, as a console exit (flush) or along
 * with whatever other exit it is (take). */
void console_flush(struct vm *vm, struct vireo_vm_exit *exit);
void console_take(struct vm *vm, struct vireo_vm_exit *exit);

#define sbi_arg(v, n) ((v)->regs[10 + (n)])

/* A vCPU that HSM started or that wakes from an HSM suspend, as it is entered: it leaves
 * START_PENDING or RESUME_PENDING, at its resume address after a non-retentive suspend
 * (hv/sbi_hsm.c). */
void hsm_enter(struct vcpu *v);

/* The SBI PMU (hv/sbi_pmu.c), for the code that sees its firmware events and runs vCPUs.
 * pmu_count: one event (SBI_PMU_FW_*) on v. pmu_count_sent: sent_event on v and its
 * _RECEIVED twin (sent_event + 1) on each target vCPU, once per target. */
static inline void pmu_count(struct vcpu *v, unsigned event)
{
	v->pmu.fw_events[event]++;
}
void pmu_count_sent(struct vcpu *v, uint64_t targets, unsigned sent_event);
/* An exception Vireo injects into the guest: access faults and illegal instructions. */
void pmu_count_injected(struct vcpu *v, uint64_t cause);
/* A virtual-instruction exit that reads a configured hardware counter: answers it (rd, pc)
 * and returns true; false leaves the exit to its other handling. */
bool pmu_emulate_counter_read(struct vcpu *v, uint32_t insn);
/* Loading v on the hart: its hcounteren, which traps the reads of its configured counters. */
void pmu_load(const struct vcpu *v);

#endif
