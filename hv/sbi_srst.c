/* The system reset extension (SBI spec 10): the guest's poweroff and reboot end the run in
 * the monitor, which reports them. */
#include "sbi.h"

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid;
	unsigned long type = sbi_arg(v, 0), reason = sbi_arg(v, 1);
	if (fid != 0)
		return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
	if (type > 2 || (reason > 1 && reason < 0xe0000000))
		return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
	exit->reason = type == 0 ? VIREO_VM_EXIT_SHUTDOWN : VIREO_VM_EXIT_REBOOT;
	exit->code = reason;
	exit->vcpu = v->index;
	exit->pc = v->pc;
	return (struct sbi_result){ .action = EXIT_MONITOR };
}

const struct sbi_extension sbi_srst = { 0x53525354, 0x53525354, VM_CAUSE_SBI_SRST, false, handle };
