/* The remote fence extension (SBI spec 8). Each named vCPU is asked for the fence
 * (vcpu_request_fences) and takes it on the hart that next enters it, before its next
 * instruction: fence.i, or an hfence.vvma of the VM's VMID for the SFENCE.VMA calls
 * (priv spec 8.3.2; a whole flush covers any range or ASID asked for). A target running on
 * another host hart is made to exit first (vcpu_request_fences), so the fence is done
 * before it next runs a guest instruction. */
#include "harts.h"

#include "csr.h"

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid, (void)exit;
	unsigned fences;
	if (fid == SBI_RFENCE_FENCE_I)
		fences = VCPU_FENCE_I;
	else if (fid == SBI_RFENCE_SFENCE_VMA || fid == SBI_RFENCE_SFENCE_VMA_ASID)
		fences = VCPU_FENCE_VVMA;
	else /* 8.4-8.7, the HFENCEs: for harts with the H extension, which no vCPU has */
		return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
	int64_t set = hart_mask_to_set(v->vm, sbi_arg(v, 0), sbi_arg(v, 1));
	if (set < 0)
		return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
	for (unsigned i = 0; i < v->vm->nvcpus; i++)
		if ((uint64_t)set & (1ul << i))
			vcpu_request_fences(&v->vm->vcpus[i], fences);
	/* FENCE_I, SFENCE_VMA, SFENCE_VMA_ASID: each one's _SENT event is 8 + 2 * fid. */
	pmu_count_sent(v, (uint64_t)set, SBI_PMU_FW_FENCE_I_SENT + 2 * (unsigned)fid);
	return (struct sbi_result){ 0 };
}

const struct sbi_extension sbi_rfence = { SBI_EXT_RFENCE, SBI_EXT_RFENCE, VM_CAUSE_SBI_RFENCE,
					  false, handle };
