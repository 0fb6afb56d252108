#include "pmu.h"

#include <riscv/csr.h>

bool pmu_counter_info(unsigned long idx, uint64_t *info)
{
	uint64_t width = (uint64_t)(PMU_COUNTER_BITS - 1) << 12;
	*info = 0;
	if (idx == PMU_CTR_CYCLE || idx == PMU_CTR_INSTRET)
		*info = width | (CSR_CYCLE + idx);
	else if (idx >= PMU_FW_FIRST && idx < PMU_COUNTERS)
		*info = SBI_PMU_INFO_FIRMWARE | width; /* the spec says to ignore csr and width */
	else
		return false;
	return true;
}

bool pmu_counter_set(unsigned long base, unsigned long mask, uint64_t *set)
{
	*set = 0;
	if (mask == 0 || base >= PMU_COUNTERS)
		return false;
	/* Bits at or past PMU_COUNTERS - base name indexes past the last counter; comparing the
	 * bit position with that bound never forms base + bit, so nothing can wrap. */
	unsigned long room = PMU_COUNTERS - base;
	if (room < 64 && (mask >> room) != 0)
		return false;
	uint64_t s = (uint64_t)mask << base;
	if (s & (1ul << PMU_CTR_TIME))
		return false;
	*set = s;
	return true;
}

enum pmu_result pmu_event_decode(unsigned long event_idx, uint64_t event_data,
				 unsigned exit_causes, struct pmu_event *out)
{
	*out = (struct pmu_event){ PMU_SRC_NONE, 0 };
	if (event_idx >> SBI_PMU_EVENT_IDX_BITS)
		return PMU_INVALID;
	unsigned type = (unsigned)(event_idx >> 16), code = (unsigned)(event_idx & 0xffff);
	struct pmu_event e;
	if (type == SBI_PMU_TYPE_FW && code == SBI_PMU_FW_PLATFORM) {
		if (event_data >= exit_causes)
			return PMU_NOT_SUPPORTED;
		e = (struct pmu_event){ PMU_SRC_EXITS, (unsigned)event_data };
	} else {
		if (type == SBI_PMU_TYPE_HW && code == SBI_PMU_HW_CPU_CYCLES)
			e = (struct pmu_event){ PMU_SRC_CYCLE, 0 };
		else if (type == SBI_PMU_TYPE_HW && code == SBI_PMU_HW_INSTRUCTIONS)
			e = (struct pmu_event){ PMU_SRC_INSTRET, 0 };
		else if (type == SBI_PMU_TYPE_FW && code >= SBI_PMU_FW_ACCESS_LOAD &&
			 code < SBI_PMU_FW_EVENTS)
			e = (struct pmu_event){ PMU_SRC_FW, code };
		else
			return PMU_NOT_SUPPORTED; /* other types (cache, raw) and codes */
		/* Every event but the platform's takes no event_data (11.1-11.4). */
		if (event_data)
			return PMU_INVALID;
	}
	*out = e;
	return PMU_OK;
}

bool pmu_counter_can_count(unsigned idx, const struct pmu_event *e)
{
	switch (e->source) {
	case PMU_SRC_CYCLE: return idx == PMU_CTR_CYCLE;
	case PMU_SRC_INSTRET: return idx == PMU_CTR_INSTRET;
	case PMU_SRC_FW:
	case PMU_SRC_EXITS: return idx >= PMU_FW_FIRST && idx < PMU_COUNTERS;
	case PMU_SRC_NONE: break;
	}
	return false;
}

int pmu_match(const struct vcpu_pmu *p, uint64_t set, bool skip_match,
	      const struct pmu_event *e)
{
	for (unsigned i = 0; i < PMU_COUNTERS; i++) {
		if (!(set & (1ul << i)))
			continue;
		if (skip_match) /* the first of the set, whatever it holds (11.7) */
			return pmu_counter_can_count(i, e) ? (int)i : -1;
		if (p->ctr[i].event.source == PMU_SRC_NONE && pmu_counter_can_count(i, e))
			return (int)i;
	}
	return -1;
}

uint64_t pmu_counter_read(const struct pmu_counter *c, uint64_t source_now)
{
	/* Modulo 2^64, as the 64-bit counters it stands for wrap. */
	return c->started ? c->value + (source_now - c->source_at_start) : c->value;
}

void pmu_counter_start(struct pmu_counter *c, uint64_t source_now)
{
	c->source_at_start = source_now;
	c->started = true;
}

void pmu_counter_stop(struct pmu_counter *c, uint64_t source_now)
{
	c->value = pmu_counter_read(c, source_now);
	c->started = false;
}

/* The SYSTEM opcode's CSR instructions (ISA spec, Zicsr chapter): csr in 31:20, rs1 or
 * uimm in 19:15, funct3 in 14:12, rd in 11:7. */
#define OPCODE_SYSTEM 0x73
#define FUNCT3_CSRRS 2
#define FUNCT3_CSRRC 3
#define FUNCT3_CSRRSI 6
#define FUNCT3_CSRRCI 7

bool pmu_decode_counter_read(uint32_t insn, unsigned *counter, unsigned *rd)
{
	unsigned csr = insn >> 20, rs1 = (insn >> 15) & 31, funct3 = (insn >> 12) & 7;
	if ((insn & 0x7f) != OPCODE_SYSTEM || rs1 != 0)
		return false;
	if (funct3 != FUNCT3_CSRRS && funct3 != FUNCT3_CSRRC && funct3 != FUNCT3_CSRRSI &&
	    funct3 != FUNCT3_CSRRCI)
		return false;
	if (csr != CSR_CYCLE && csr != CSR_INSTRET)
		return false;
	*counter = csr - CSR_CYCLE;
	*rd = (insn >> 7) & 31;
	return true;
}
