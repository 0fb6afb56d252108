/* The timer extension (SBI spec 6). With Sstc the guest's deadline goes straight into
 * vstimecmp and the hardware raises VSTIP; without it the host arms its own timer for the
 * deadline (hv/vm.c) and injects hvip.VSTIP when it passes. */
#include "guest_sbi.h"

#include "csr.h"

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid, (void)exit;
	if (fid != 0)
		return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
	uint64_t when = sbi_arg(v, 0); /* in guest time */
	pmu_count(v, SBI_PMU_FW_SET_TIMER);
	if (hv_sstc()) {
		vcpu_sync(v);
		v->vstimecmp = when;
	} else {
		v->hvip &= ~HVIP_VSTIP;
		v->timer_deadline = when - v->vm->time_offset; /* host time */
		if (v->timer_deadline == 0)
			v->timer_deadline = 1;
		if (when <= guest_time(v->vm)) {
			v->hvip |= HVIP_VSTIP;
			v->vm->stat.timer_injected++;
			v->timer_deadline = 0;
		}
	}
	return (struct sbi_result){ 0 };
}

const struct sbi_extension sbi_time = { SBI_EXT_TIME, SBI_EXT_TIME, VM_CAUSE_SBI_TIME, false,
					handle };
