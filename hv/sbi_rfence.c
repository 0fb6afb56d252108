/* The remote fence extension (SBI spec 8). Every vCPU of a VM runs on this one hart, so a
 * local fence covers them all: hfence.vvma flushes the guest's VS-stage translations
 * (tagged with its VMID, which hgatp still holds after the exit). */
#include "harts.h"

#include "csr.h"

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid, (void)exit;
	if (fid > 6)
		return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
	int64_t set = hart_mask_to_set(v->vm, sbi_arg(v, 0), sbi_arg(v, 1));
	if (set < 0)
		return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
	if (fid == 0)
		fence_i();
	else if (fid <= 2)
		hfence_vvma_all();
	else /* the HFENCE calls (3..6) are for guests that are hypervisors themselves */
		return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
	/* FENCE_I, SFENCE_VMA, SFENCE_VMA_ASID: each one's _SENT event is 8 + 2 * fid. */
	pmu_count_sent(v, (uint64_t)set, SBI_PMU_FW_FENCE_I_SENT + 2 * (unsigned)fid);
	return (struct sbi_result){ 0 };
}

const struct sbi_extension sbi_rfence = { SBI_EXT_RFENCE, SBI_EXT_RFENCE, VM_CAUSE_SBI_RFENCE,
					  false, handle };
