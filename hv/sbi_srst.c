/* The system reset extension (SBI spec 10): the guest's poweroff and reboot end the run in
 * the monitor, which reports them. */
#include "guest_sbi.h"

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid;
	unsigned long type = sbi_arg(v, 0), reason = sbi_arg(v, 1);
	if (fid != 0)
		return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
	if (type > SBI_SRST_WARM_REBOOT ||
	    (reason > SBI_SRST_REASON_FAILURE && reason < SBI_SRST_REASON_SBI_FIRST))
		return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
	exit->reason = type == SBI_SRST_SHUTDOWN ? VIREO_VM_EXIT_SHUTDOWN : VIREO_VM_EXIT_REBOOT;
	exit->code = reason;
	exit->vcpu = v->index;
	exit->pc = v->pc;
	return (struct sbi_result){ .action = EXIT_MONITOR };
}

const struct sbi_extension sbi_srst = { SBI_EXT_SRST, SBI_EXT_SRST, VM_CAUSE_SBI_SRST, false,
					handle };
