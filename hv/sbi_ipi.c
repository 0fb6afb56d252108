/* The IPI extension (SBI spec 7): a supervisor software interrupt (VSSIP through hvip) on
 * each named vCPU, asked of it with vcpu_request_interrupt; one waiting in WFI wakes. */
#include "harts.h"

#include "csr.h"

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid, (void)exit;
	if (fid != 0)
		return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
	int64_t set = hart_mask_to_set(v->vm, sbi_arg(v, 0), sbi_arg(v, 1));
	if (set < 0)
		return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
	pmu_count_sent(v, (uint64_t)set, SBI_PMU_FW_IPI_SENT);
	for (unsigned i = 0; i < v->vm->nvcpus; i++)
		if ((uint64_t)set & (1ul << i))
			vcpu_request_interrupt(&v->vm->vcpus[i], HVIP_VSSIP);
	return (struct sbi_result){ 0 };
}

const struct sbi_extension sbi_ipi = { SBI_EXT_IPI, SBI_EXT_IPI, VM_CAUSE_SBI_IPI, false, handle };
