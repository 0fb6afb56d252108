/* The hart state management extension (SBI spec 9): starting and stopping vCPUs. */
#include "guest_sbi.h"

#include <string.h>

#include "csr.h"

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid, (void)exit;
	struct vm *vm = v->vm;
	unsigned long hart = sbi_arg(v, 0);
	switch (fid) {
	case SBI_HSM_HART_START: { /* (hartid, start_addr, opaque) */
		if (hart >= vm->nvcpus)
			return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
		struct vcpu *t = &vm->vcpus[hart];
		if (t->state != VCPU_STOPPED)
			return (struct sbi_result){ .error = SBI_ERR_ALREADY_AVAILABLE };
		/* SBI spec 9.1: satp = 0, sstatus.SIE = 0, a0 = hartid, a1 = opaque. */
		vcpu_sync(t);
		memset(t->regs, 0, sizeof(t->regs));
		t->regs[10] = hart;
		t->regs[11] = sbi_arg(v, 2);
		t->pc = sbi_arg(v, 1);
		t->vsatp = 0;
		t->vsstatus &= ~SSTATUS_SIE;
		t->hstatus |= HSTATUS_SPVP;
		t->state = VCPU_RUNNABLE;
		return (struct sbi_result){ 0 };
	}
	case SBI_HSM_HART_STOP: /* this vCPU */
		v->state = VCPU_STOPPED;
		return (struct sbi_result){ .pc_stays = true };
	case SBI_HSM_HART_GET_STATUS:
		if (hart >= vm->nvcpus)
			return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
		return (struct sbi_result){ .value = vm->vcpus[hart].state == VCPU_STOPPED ?
								     SBI_HSM_STOPPED :
								     SBI_HSM_STARTED };
	case SBI_HSM_HART_SUSPEND: /* the retentive kind is a WFI; others are not offered */
		if (sbi_arg(v, 0) != SBI_HSM_SUSPEND_RETENTIVE)
			return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
		if (!vcpu_interrupt_pending(v))
			v->state = VCPU_IDLE;
		return (struct sbi_result){ 0 };
	}
	return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
}

const struct sbi_extension sbi_hsm = { SBI_EXT_HSM, SBI_EXT_HSM, VM_CAUSE_SBI_HSM, false, handle };
