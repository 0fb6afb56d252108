/* The hart state management extension (SBI spec 9): starting, stopping and suspending
 * vCPUs, and their states as the spec names them (9, table 1).
 *
 * A vCPU leaves START_PENDING, SUSPENDED and RESUME_PENDING as it is next entered
 * (hv/vcpu.c, vcpu_run_once). A vCPU stops only itself, at once: STOP_PENDING and
 * SUSPEND_PENDING are never seen. */
#include "guest_sbi.h"

#include <string.h>

#include "csr.h"

/* Spec 9.1: an invalid start address is one the hart cannot run from in S-mode; a guest's
 * vCPUs run only from its RAM. */
static bool in_guest_ram(const struct vm *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < vm->nram; i++)
		if (gpa >= vm->ram[i].gpa && gpa - vm->ram[i].gpa < vm->ram[i].size)
			return true;
	return false;
}

/* Spec 9.1 and 9.4: v enters S-mode at pc with a0 = its hart id, a1 = opaque, satp and
 * sstatus.SIE 0 (the other registers are undefined: 0 here). */
static void boot_at(struct vcpu *v, uint64_t pc, uint64_t opaque)
{
	vcpu_sync(v);
	memset(v->regs, 0, sizeof(v->regs));
	v->regs[10] = v->index;
	v->regs[11] = opaque;
	v->pc = pc;
	v->vsatp = 0;
	v->vsstatus &= ~SSTATUS_SIE;
	v->hstatus |= HSTATUS_SPVP; /* S-mode, that is VS-mode */
}

void hsm_enter(struct vcpu *v)
{
	if (v->suspend == VCPU_SUSPEND_NON_RETENTIVE)
		boot_at(v, v->resume_addr, v->resume_opaque);
	v->suspend = VCPU_AWAKE;
	v->start_pending = false;
}

static long status(const struct vcpu *t)
{
	if (t->state == VCPU_STOPPED)
		return SBI_HSM_STOPPED;
	if (t->start_pending)
		return SBI_HSM_START_PENDING;
	if (t->suspend != VCPU_AWAKE)
		return t->state == VCPU_IDLE ? SBI_HSM_SUSPENDED : SBI_HSM_RESUME_PENDING;
	return SBI_HSM_STARTED;
}

static struct sbi_result error(long e)
{
	return (struct sbi_result){ .error = e };
}

/* (hartid, start_addr, opaque), spec 9.1. */
static struct sbi_result hart_start(struct vcpu *v, unsigned long hart, uint64_t start,
				    uint64_t opaque)
{
	struct vm *vm = v->vm;
	if (hart >= vm->nvcpus)
		return error(SBI_ERR_INVALID_PARAM);
	struct vcpu *t = &vm->vcpus[hart];
	if (t->state != VCPU_STOPPED)
		return error(SBI_ERR_ALREADY_AVAILABLE);
	if (!in_guest_ram(vm, start))
		return error(SBI_ERR_INVALID_ADDRESS);
	boot_at(t, start, opaque);
	t->suspend = VCPU_AWAKE;
	t->start_pending = true;
	t->state = VCPU_RUNNABLE;
	vcpu_kick(t); /* its lane's thread may wait */
	return (struct sbi_result){ 0 };
}

/* (suspend_type, resume_addr, opaque), spec 9.4. Both default kinds wait as WFI does, for
 * an interrupt enabled in sie (priv spec 3.3.3); the platform-specific ones are none. */
static struct sbi_result hart_suspend(struct vcpu *v, uint64_t type, uint64_t resume,
				      uint64_t opaque)
{
	if (type != SBI_HSM_SUSPEND_RETENTIVE && type != SBI_HSM_SUSPEND_NON_RETENTIVE)
		return error(SBI_ERR_INVALID_PARAM); /* reserved or platform-specific */
	if (type == SBI_HSM_SUSPEND_NON_RETENTIVE) {
		if (!in_guest_ram(v->vm, resume))
			return error(SBI_ERR_INVALID_ADDRESS);
		v->suspend = VCPU_SUSPEND_NON_RETENTIVE;
		v->resume_addr = resume;
		v->resume_opaque = opaque;
	} else {
		v->suspend = VCPU_SUSPEND_RETENTIVE;
	}
	/* With an interrupt pending it resumes at once (RESUME_PENDING until entered). */
	if (!vcpu_interrupt_pending(v))
		v->state = VCPU_IDLE;
	return (struct sbi_result){ 0 };
}

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid, (void)exit;
	switch (fid) {
	case SBI_HSM_HART_START:
		return hart_start(v, sbi_arg(v, 0), sbi_arg(v, 1), sbi_arg(v, 2));
	case SBI_HSM_HART_STOP: /* spec 9.2: of the calling vCPU; it does not return */
		v->state = VCPU_STOPPED;
		v->suspend = VCPU_AWAKE;
		return (struct sbi_result){ .pc_stays = true };
	case SBI_HSM_HART_GET_STATUS:
		if (sbi_arg(v, 0) >= v->vm->nvcpus)
			return error(SBI_ERR_INVALID_PARAM);
		return (struct sbi_result){ .value = status(&v->vm->vcpus[sbi_arg(v, 0)]) };
	case SBI_HSM_HART_SUSPEND:
		return hart_suspend(v, sbi_arg(v, 0), sbi_arg(v, 1), sbi_arg(v, 2));
	}
	return error(SBI_ERR_NOT_SUPPORTED);
}

const struct sbi_extension sbi_hsm = { SBI_EXT_HSM, SBI_EXT_HSM, VM_CAUSE_SBI_HSM, false, handle };
