/* The performance monitoring unit extension (SBI spec 2.0 chapter 11): counters per vCPU,
 * two hardware ones (cycle, instret) and firmware ones for the events Vireo handles. The
 * counters themselves are in hv/pmu.c.
 *
 * How a guest reads a hardware counter. hcounteren lets VS-mode read cycle and instret
 * itself, so a guest that leaves the PMU alone reads the hart's CSRs at no cost. Once it
 * configures one of them, that counter's hcounteren bit is 0 for its vCPU: reads of the
 * CSR (rdcycle; Linux's perf driver reads the CSR counter_get_info names) trap as virtual
 * instructions (priv spec 8.2.5, 8.6.1) and are answered from the counter, frozen while it
 * is stopped and counting on from its start value while it runs, as KVM does. Released
 * (counter_stop with RESET), it is the hart's CSR again. A running hardware counter counts
 * all the hart's cycles or instructions, those spent in the hypervisor and in other tasks
 * too: Vireo cannot filter by privilege mode (config_flags 3-7 are hints the spec lets it
 * ignore), and a configured counter starts from the CSR's value, so the guest's view goes
 * on without a jump.
 *
 * Firmware counters count this vCPU's events (pmu_count, called where Vireo sees them), or
 * with SBI_PMU_FW_PLATFORM the VM's exits of the cause event_data names, as hvstat shows
 * them. The snapshot shared memory is optional in 2.0 and not offered. */
#include "guest_sbi.h"

#include "csr.h"

/* cycle, time and instret (priv spec 8.2.5). */
#define HCOUNTEREN_DEFAULT 7ul

_Static_assert(PMU_INVALID == SBI_ERR_INVALID_PARAM &&
		       PMU_NOT_SUPPORTED == SBI_ERR_NOT_SUPPORTED,
	       "pmu_result values are SBI error codes");
_Static_assert(SBI_PMU_FW_IPI_RECEIVED == SBI_PMU_FW_IPI_SENT + 1 &&
		       SBI_PMU_FW_FENCE_I_RECEIVED == SBI_PMU_FW_FENCE_I_SENT + 1 &&
		       SBI_PMU_FW_SFENCE_VMA_RECEIVED == SBI_PMU_FW_SFENCE_VMA_SENT + 1 &&
		       SBI_PMU_FW_SFENCE_VMA_ASID_RECEIVED == SBI_PMU_FW_SFENCE_VMA_ASID_SENT + 1,
	       "each _RECEIVED event follows its _SENT event (pmu_count_sent)");

static struct sbi_result error(long e)
{
	return (struct sbi_result){ .error = e };
}

static uint64_t source_now(const struct vcpu *v, const struct pmu_event *e)
{
	switch (e->source) {
	case PMU_SRC_CYCLE: return csr_read(CSR_CYCLE);
	case PMU_SRC_INSTRET: return csr_read(CSR_INSTRET);
	case PMU_SRC_FW: return v->pmu.fw_events[e->which];
	case PMU_SRC_EXITS: return v->vm->stat.exits[e->which];
	case PMU_SRC_NONE: break;
	}
	return 0;
}

static uint64_t read_counter(const struct vcpu *v, unsigned idx)
{
	const struct pmu_counter *c = &v->pmu.ctr[idx];
	return pmu_counter_read(c, source_now(v, &c->event));
}

void pmu_load(const struct vcpu *v)
{
	csr_write(CSR_HCOUNTEREN, HCOUNTEREN_DEFAULT & ~pmu_trapped_counters(&v->pmu));
}

static bool configured(const struct vcpu *v, unsigned idx)
{
	return v->pmu.ctr[idx].event.source != PMU_SRC_NONE;
}

/* counter_config_matching(counter_idx_base, counter_idx_mask, config_flags, event_idx,
 * event_data) */
static struct sbi_result config_matching(struct vcpu *v)
{
	unsigned long flags = sbi_arg(v, 2);
	uint64_t set;
	struct pmu_event e;
	if ((flags & ~SBI_PMU_CFG_FLAGS) || !pmu_counter_set(sbi_arg(v, 0), sbi_arg(v, 1), &set))
		return error(SBI_ERR_INVALID_PARAM);
	enum pmu_result r = pmu_event_decode(sbi_arg(v, 3), sbi_arg(v, 4), VM_CAUSE_COUNT, &e);
	if (r != PMU_OK)
		return error(r);
	int idx = pmu_match(&v->pmu, set, flags & SBI_PMU_CFG_SKIP_MATCH, &e);
	if (idx < 0)
		return error(SBI_ERR_NOT_SUPPORTED);
	/* A counter keeps its value unless told to clear it: a configured one what it reads, a
	 * hardware one what the guest read directly until now, a firmware one zero. */
	uint64_t value = 0;
	if (configured(v, (unsigned)idx))
		value = read_counter(v, (unsigned)idx);
	else if (idx < PMU_FW_FIRST)
		value = source_now(v, &e);
	if (flags & SBI_PMU_CFG_CLEAR_VALUE)
		value = 0;
	struct pmu_counter *c = &v->pmu.ctr[idx];
	*c = (struct pmu_counter){ .event = e, .value = value };
	if (flags & SBI_PMU_CFG_AUTO_START)
		pmu_counter_start(c, source_now(v, &e));
	pmu_load(v);
	return (struct sbi_result){ .value = idx };
}

/* counter_start(counter_idx_base, counter_idx_mask, start_flags, initial_value) */
static struct sbi_result start(struct vcpu *v)
{
	unsigned long flags = sbi_arg(v, 2);
	uint64_t set;
	if ((flags & ~SBI_PMU_START_STOP_FLAGS) ||
	    !pmu_counter_set(sbi_arg(v, 0), sbi_arg(v, 1), &set))
		return error(SBI_ERR_INVALID_PARAM);
	if (flags & SBI_PMU_START_INIT_SNAPSHOT)
		return error(SBI_ERR_NO_SHMEM);
	for (unsigned i = 0; i < PMU_COUNTERS; i++)
		if ((set & (1ul << i)) && !configured(v, i))
			return error(SBI_ERR_INVALID_PARAM); /* nothing to count: changes nothing */
	long err = SBI_SUCCESS;
	for (unsigned i = 0; i < PMU_COUNTERS; i++) {
		struct pmu_counter *c = &v->pmu.ctr[i];
		if (!(set & (1ul << i)))
			continue;
		if (c->started) { /* the others still start, as KVM and OpenSBI do */
			err = SBI_ERR_ALREADY_STARTED;
			continue;
		}
		if (flags & SBI_PMU_START_SET_INIT_VALUE)
			c->value = sbi_arg(v, 3);
		pmu_counter_start(c, source_now(v, &c->event));
	}
	return error(err);
}

/* counter_stop(counter_idx_base, counter_idx_mask, stop_flags). An unconfigured counter
 * counts as stopped; RESET releases every counter named, stopped or not. */
static struct sbi_result stop(struct vcpu *v)
{
	unsigned long flags = sbi_arg(v, 2);
	uint64_t set;
	if ((flags & ~SBI_PMU_START_STOP_FLAGS) ||
	    !pmu_counter_set(sbi_arg(v, 0), sbi_arg(v, 1), &set))
		return error(SBI_ERR_INVALID_PARAM);
	if (flags & SBI_PMU_STOP_TAKE_SNAPSHOT)
		return error(SBI_ERR_NO_SHMEM);
	long err = SBI_SUCCESS;
	for (unsigned i = 0; i < PMU_COUNTERS; i++) {
		struct pmu_counter *c = &v->pmu.ctr[i];
		if (!(set & (1ul << i)))
			continue;
		if (c->started)
			pmu_counter_stop(c, source_now(v, &c->event));
		else
			err = SBI_ERR_ALREADY_STOPPED;
		if (flags & SBI_PMU_STOP_RESET)
			c->event = (struct pmu_event){ PMU_SRC_NONE, 0 };
	}
	pmu_load(v);
	return error(err);
}

static bool is_configured_fw(const struct vcpu *v, unsigned long idx)
{
	return idx >= PMU_FW_FIRST && idx < PMU_COUNTERS && configured(v, (unsigned)idx);
}

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid, (void)exit;
	unsigned long idx = sbi_arg(v, 0);
	switch (fid) {
	case SBI_PMU_NUM_COUNTERS: return (struct sbi_result){ .value = PMU_COUNTERS };
	case SBI_PMU_COUNTER_GET_INFO: {
		uint64_t info;
		if (!pmu_counter_info(idx, &info))
			return error(SBI_ERR_INVALID_PARAM);
		return (struct sbi_result){ .value = (long)info };
	}
	case SBI_PMU_COUNTER_CONFIG_MATCHING: return config_matching(v);
	case SBI_PMU_COUNTER_START: return start(v);
	case SBI_PMU_COUNTER_STOP: return stop(v);
	case SBI_PMU_COUNTER_FW_READ:
		if (!is_configured_fw(v, idx))
			return error(SBI_ERR_INVALID_PARAM);
		return (struct sbi_result){ .value = (long)read_counter(v, (unsigned)idx) };
	case SBI_PMU_COUNTER_FW_READ_HI: /* the high half is for RV32: zero on RV64 (11.11) */
		if (!is_configured_fw(v, idx))
			return error(SBI_ERR_INVALID_PARAM);
		return (struct sbi_result){ .value = 0 };
	case SBI_PMU_SNAPSHOT_SET_SHMEM: /* optional (11.12) */
		return error(SBI_ERR_NOT_SUPPORTED);
	}
	/* Past 7 come SBI 3.0's functions (event_get_info); Vireo implements 2.0. */
	return error(SBI_ERR_NOT_SUPPORTED);
}

bool pmu_emulate_counter_read(struct vcpu *v, uint32_t insn)
{
	unsigned idx, rd;
	if (!pmu_decode_counter_read(insn, &idx, &rd) ||
	    !(pmu_trapped_counters(&v->pmu) & (1ul << idx)))
		return false;
	/* From VU-mode, the guest's own scounteren decides (priv spec 8.6.1): it is in the hart
	 * while the guest's exit is handled (hv/vcpu.c, env_take). */
	if (!(v->hstatus & HSTATUS_SPVP) && !(csr_read(CSR_SCOUNTEREN) & (1ul << idx)))
		return false;
	if (rd != 0)
		v->regs[rd] = read_counter(v, idx);
	v->pc += 4;
	return true;
}

void pmu_count_sent(struct vcpu *v, uint64_t targets, unsigned sent_event)
{
	for (unsigned i = 0; i < v->vm->nvcpus; i++) {
		if (!(targets & (1ul << i)))
			continue;
		pmu_count(v, sent_event);
		pmu_count(&v->vm->vcpus[i], sent_event + 1);
	}
}

void pmu_count_injected(struct vcpu *v, uint64_t cause)
{
	if (cause == EXC_LOAD_ACCESS)
		pmu_count(v, SBI_PMU_FW_ACCESS_LOAD);
	else if (cause == EXC_STORE_ACCESS)
		pmu_count(v, SBI_PMU_FW_ACCESS_STORE);
	else if (cause == EXC_ILLEGAL_INST)
		pmu_count(v, SBI_PMU_FW_ILLEGAL_INSN);
}

const struct sbi_extension sbi_pmu = { 0x504d55, 0x504d55, VM_CAUSE_SBI_PMU, false, handle };
