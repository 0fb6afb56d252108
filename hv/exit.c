/* Why a guest stopped running, and what to do about it: one handler per scause, in one
 * table (priv spec 8.6.1 lists the causes that reach HS-mode). The handler's return says
 * whether the guest runs on or the monitor is needed. */
#include "exit.h"

#include "csr.h"
#include "guest_sbi.h"
#include "mmio.h"
#include "trap.h"

typedef enum exit_action (*exit_handler)(struct vcpu *v, struct vireo_vm_exit *exit);

/* Priv spec 3.3.3: WFI ends on a pending interrupt enabled in sie, whatever sstatus.SIE says;
 * with none enabled in vsie, nothing ends it. */
static bool no_interrupt_enabled(const struct vcpu *v)
{
	return !(v->vsie & (SIE_SSIE | SIE_STIE | SIE_SEIE));
}

/* v enters WFI with no interrupt enabled, and every other vCPU is stopped (only a vCPU can
 * start one again) or waits the same way: nothing can run the guest again, as when a kernel
 * faults into its WFI loop with interrupts off. */
static bool vm_halted(const struct vcpu *v)
{
	if (!no_interrupt_enabled(v))
		return false;
	for (unsigned i = 0; i < v->vm->nvcpus; i++) {
		const struct vcpu *o = &v->vm->vcpus[i];
		if (o != v && o->state != VCPU_STOPPED &&
		    !(o->state == VCPU_IDLE && no_interrupt_enabled(o)))
			return false;
	}
	return true;
}

/* Priv spec 8.2.1 (hstatus.VTW): a guest WFI traps here, so an idle guest blocks instead
 * of spinning on the host. Any other virtual instruction is illegal for the guest. */
static enum exit_action virtual_instruction(struct vcpu *v, struct vireo_vm_exit *exit)
{
	int64_t insn = guest_fetch_instruction(v->pc);
	if (insn == INSN_WFI) {
		v->vm->stat.exits[VM_CAUSE_WFI]++;
		v->pc += 4;
		if (!vcpu_interrupt_pending(v)) {
			if (vm_halted(v)) {
				exit->reason = VIREO_VM_EXIT_HALTED;
				exit->vcpu = v->index;
				exit->pc = v->pc - 4;
				return EXIT_MONITOR;
			}
			v->state = VCPU_IDLE;
		}
		return EXIT_CONTINUE;
	}
	v->vm->stat.exits[VM_CAUSE_VIRTUAL_INSN]++;
	if (insn >= 0 && pmu_emulate_counter_read(v, (uint32_t)insn))
		return EXIT_CONTINUE;
	vcpu_inject(v, EXC_ILLEGAL_INST, insn < 0 ? 0 : (uint64_t)insn);
	return EXIT_CONTINUE;
}

static const exit_handler handlers[] = {
	[EXC_ECALL_VS] = sbi_dispatch,
	[EXC_INST_GUEST_PAGE_FAULT] = mmio_guest_page_fault,
	[EXC_LOAD_GUEST_PAGE_FAULT] = mmio_guest_page_fault,
	[EXC_STORE_GUEST_PAGE_FAULT] = mmio_guest_page_fault,
	[EXC_VIRTUAL_INST] = virtual_instruction,
};

/* Puts the exit in its vCPU's ring of recent ones (struct vireo_vm_exit_ring). Priv spec
 * 8.6.3: on a guest-page fault htval holds the guest physical address shifted right by 2,
 * and stval's low bits the rest. */
static void record_exit(struct vcpu *v)
{
	struct vireo_vm_exit_ring *ring = &v->vm->stat.ring[v->index];
	struct vireo_vm_exit_record *r = &ring->recent[ring->count++ % VIREO_VM_EXIT_RING];
	uint64_t code = v->scause & ~SCAUSE_INTERRUPT;
	r->scause = v->scause;
	r->pc = v->pc;
	if (v->scause == EXC_ECALL_VS)
		r->detail = (v->regs[17] << 32) | (v->regs[16] & 0xffffffffu);
	else if (v->scause & SCAUSE_INTERRUPT)
		r->detail = 0;
	else if (code == EXC_INST_GUEST_PAGE_FAULT || code == EXC_LOAD_GUEST_PAGE_FAULT ||
		 code == EXC_STORE_GUEST_PAGE_FAULT)
		r->detail = (v->htval << 2) | (v->stval & 3);
	else
		r->detail = v->stval;
}

enum exit_action vcpu_handle_exit(struct vcpu *v, struct vireo_vm_exit *exit)
{
	record_exit(v);
	if (v->scause == EXC_ECALL_VS) /* the most frequent exit by far */
		return sbi_dispatch(v, exit);
	uint64_t code = v->scause & ~SCAUSE_INTERRUPT;
	if (v->scause & SCAUSE_INTERRUPT) {
		/* The host's own timer or a device: the guest was only interrupted. */
		v->vm->stat.exits[code == IRQ_S_TIMER ? VM_CAUSE_TIMER_IRQ : VM_CAUSE_EXTERNAL_IRQ]++;
		handle_host_interrupt(code);
		return EXIT_CONTINUE;
	}
	if (code < sizeof(handlers) / sizeof(*handlers) && handlers[code])
		return handlers[code](v, exit);
	/* Everything else the guest can cause is delegated to it (hedeleg); this is not. */
	exit->reason = VIREO_VM_EXIT_FAULT;
	exit->vcpu = v->index;
	exit->code = v->scause;
	exit->pc = v->pc;
	return EXIT_MONITOR;
}
