/* The counters behind the SBI PMU extension (SBI spec 2.0 chapter 11), as pure logic that
 * the kernel embeds in each vCPU (hv/sbi_pmu.c drives it) and the host unit tests run: the
 * counter layout, what each counter can count, the counter sets guests name, matching an
 * event to a counter, and the arithmetic of starting, stopping and reading one.
 *
 * Every counter counts a source that only grows: the hart's cycle or instret CSR, one of
 * the vCPU's firmware event totals, or one of the VM's exit counts. A counter holds its
 * value while stopped; while started it is the value it started from plus what its source
 * grew by since, so stopping freezes it and starting goes on from the frozen value. */
#ifndef VIREO_HV_PMU_H
#define VIREO_HV_PMU_H

#include <riscv/sbi.h>
#include <stdbool.h>
#include <stdint.h>

/* Logical counters. Hardware counter i reads as the CSR cycle + i, the numbering KVM uses
 * and Linux relies on (0 is cycle, 2 instret); 1 would be time, which counts no events, so
 * index 1 is no counter at all (counter_get_info refuses it; Linux skips it). */
#define PMU_CTR_CYCLE 0
#define PMU_CTR_TIME 1
#define PMU_CTR_INSTRET 2
#define PMU_FW_FIRST 3
#define PMU_FW_COUNTERS 16
#define PMU_COUNTERS (PMU_FW_FIRST + PMU_FW_COUNTERS)

/* Vireo counts the firmware events from ACCESS_LOAD to SFENCE_VMA_ASID_RECEIVED: the
 * access faults and illegal instructions it injects (guest-page faults outside RAM and
 * devices, virtual instructions it does not emulate), set_timer, and the IPIs and remote
 * fences it passes on. Misaligned accesses go to the guest's own handler (hedeleg) and never
 * reach Vireo, and it offers no HFENCE calls: no counter counts those. Codes below this
 * have a total per vCPU. A platform event's event_data names one of the VM's exit causes
 * (enum vireo_vm_exit_cause, as hvstat counts them); exits are counted per VM, so such a
 * counter counts the exits of all the VM's vCPUs. */
#define SBI_PMU_FW_EVENTS (SBI_PMU_FW_SFENCE_VMA_ASID_RECEIVED + 1)
#define PMU_COUNTER_BITS 64

/* Results of the checks below, with the SBI spec's error values (3.2). */
enum pmu_result { PMU_OK = 0, PMU_NOT_SUPPORTED = -2, PMU_INVALID = -3 };

enum pmu_source { PMU_SRC_NONE, PMU_SRC_CYCLE, PMU_SRC_INSTRET, PMU_SRC_FW, PMU_SRC_EXITS };

struct pmu_event {
	enum pmu_source source; /* PMU_SRC_NONE: the counter is not configured */
	unsigned which;         /* the firmware event (PMU_SRC_FW) or exit cause (PMU_SRC_EXITS) */
};

struct pmu_counter {
	struct pmu_event event;
	bool started;
	/* Stopped: the value. Started: the value at the start, and the source then. */
	uint64_t value, source_at_start;
};

struct vcpu_pmu {
	struct pmu_counter ctr[PMU_COUNTERS];
	uint64_t fw_events[SBI_PMU_FW_EVENTS]; /* how often each happened on this vCPU */
};

/* counter_get_info's value for counter idx in *info; false when idx is not a counter. */
bool pmu_counter_info(unsigned long idx, uint64_t *info);
/* The counters that counter_idx_base and counter_idx_mask name, as a set of counter
 * indexes (bit i for counter i); false when the mask is empty or names an index that is no
 * counter: past the last, time's, or one that base + bit would wrap around to. */
bool pmu_counter_set(unsigned long base, unsigned long mask, uint64_t *set);
/* What config_matching's event_idx and event_data ask to count. PMU_INVALID for bits
 * beyond event_idx's 20 or event_data for an event that takes none (reserved, 11.1-11.4);
 * PMU_NOT_SUPPORTED for an event no counter here counts. A platform event's event_data is
 * an exit cause, which must be below exit_causes. */
enum pmu_result pmu_event_decode(unsigned long event_idx, uint64_t event_data,
				 unsigned exit_causes, struct pmu_event *out);
bool pmu_counter_can_count(unsigned idx, const struct pmu_event *e);
/* config_matching's choice in set (11.7): with skip_match the set's first counter, which
 * must be able to count e; otherwise the first unconfigured counter that can. -1 if none. */
int pmu_match(const struct vcpu_pmu *p, uint64_t set, bool skip_match,
	      const struct pmu_event *e);

/* source_now is what the counter's source reads at the time of the call. */
uint64_t pmu_counter_read(const struct pmu_counter *c, uint64_t source_now);
void pmu_counter_start(struct pmu_counter *c, uint64_t source_now);
void pmu_counter_stop(struct pmu_counter *c, uint64_t source_now);

/* Whether insn only reads cycle or instret (csrrs/csrrc rd, csr, x0; csrrsi/csrrci rd, csr,
 * 0: rdcycle and rdinstret are csrrs); if so, which counter and which register. A form
 * that writes (csrrw, or a nonzero rs1/uimm) is not a read: these CSRs are read-only. */
bool pmu_decode_counter_read(uint32_t insn, unsigned *counter, unsigned *rd);

/* The hardware counters the guest reads through a trap, as hcounteren bits (priv spec
 * 8.2.5): those that are configured. An unconfigured one the guest reads directly. */
static inline uint64_t pmu_trapped_counters(const struct vcpu_pmu *p)
{
	return (p->ctr[PMU_CTR_CYCLE].event.source != PMU_SRC_NONE ? 1ul << PMU_CTR_CYCLE : 0) |
	       (p->ctr[PMU_CTR_INSTRET].event.source != PMU_SRC_NONE ? 1ul << PMU_CTR_INSTRET : 0);
}

#endif
