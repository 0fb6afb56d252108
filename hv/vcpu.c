#include "vcpu.h"

#include <stddef.h>

#include "biglock.h"
#include "csr.h"
#include "guest_sbi.h"
#include "hart.h"
#include "page_alloc.h"
#include "smp.h"
#include "timer.h"
#include "vm.h"

void vcpu_enter(struct vcpu *v); /* world_switch.S */
void fpu_save(uint64_t *area);    /* fpu.S */
void fpu_restore(const uint64_t *area);

static uint64_t host_scounteren, host_senvcfg;

/* A guest's scounteren and senvcfg stay in the hart from one exit to the next, like its VS
 * CSRs; only a return to host U-mode, the one place they matter to the host, puts the
 * host's back (the kernel in HS-mode is governed by neither). KVM swaps them likewise. */
void vcpu_note_host_csrs(void)
{
	host_scounteren = csr_read(CSR_SCOUNTEREN);
	host_senvcfg = csr_read(CSR_SENVCFG);
}

static void env_save(struct hart *h)
{
	h->env_owner->scounteren = csr_read(CSR_SCOUNTEREN);
	h->env_owner->senvcfg = csr_read(CSR_SENVCFG);
}

static void env_take(struct hart *h, struct vcpu *v)
{
	if (h->env_owner == v)
		return;
	if (h->env_owner)
		env_save(h);
	csr_write(CSR_SCOUNTEREN, v->scounteren);
	csr_write(CSR_SENVCFG, v->senvcfg);
	h->env_owner = v;
}

static void env_give_back(struct hart *h, bool save)
{
	if (!h->env_owner)
		return;
	if (save)
		env_save(h);
	csr_write(CSR_SCOUNTEREN, host_scounteren);
	csr_write(CSR_SENVCFG, host_senvcfg);
	h->env_owner = NULL;
}

void hv_restore_host_csrs(void)
{
	env_give_back(this_hart(), true);
}

/* Switches the FPU to v only when another vCPU's registers are in it. */
static void fpu_take(struct hart *h, struct vcpu *v)
{
	if (h->fpu_owner == v)
		return;
	if (h->fpu_owner)
		fpu_save(h->fpu_owner->fp);
	fpu_restore(v->fp);
	h->fpu_owner = v;
}

/* A hart whose registers still hold v's state forgets it. Only this hart's CSRs can be
 * written from here; no other hart holds v's scounteren and senvcfg, which a hart gives
 * back before it leaves the kernel, while v's VM lives on through a lane's run call. */
void vcpu_forget(struct vcpu *v)
{
	for (unsigned i = 0; hart_at(i); i++) {
		struct hart *h = hart_at(i);
		if (h->fpu_owner == v)
			h->fpu_owner = NULL;
		if (h->csr_owner == v)
			h->csr_owner = NULL;
		if (h->env_owner == v)
			env_give_back(h, false);
	}
}
int64_t guest_fetch_halfword(uint64_t va); /* guest_access.S */

/* world_switch.S reaches these fields by fixed offsets. */
_Static_assert(offsetof(struct vcpu, pc) == 32 * 8, "vcpu.pc");
_Static_assert(offsetof(struct vcpu, host_sp) == 33 * 8, "vcpu.host_sp");
_Static_assert(offsetof(struct vcpu, host_tp) == 34 * 8, "vcpu.host_tp");
_Static_assert(offsetof(struct vcpu, host_ra) == 35 * 8, "vcpu.host_ra");
_Static_assert(offsetof(struct vcpu, host_s) == 36 * 8, "vcpu.host_s");

uint64_t guest_time(const struct vm *vm)
{
	return read_time() + vm->time_offset;
}

/* The VS-level CSRs stay in the hart between exits of the same vCPU: most exits (an SBI
 * call, an emulated access) never look at them. They move to memory only when another vCPU
 * is loaded, or when the hypervisor needs them (vcpu_sync). */
static void vs_save(struct vcpu *v)
{
	v->vsstatus = csr_read(CSR_VSSTATUS);
	v->vsie = csr_read(CSR_VSIE);
	v->vstvec = csr_read(CSR_VSTVEC);
	v->vsscratch = csr_read(CSR_VSSCRATCH);
	v->vsepc = csr_read(CSR_VSEPC);
	v->vscause = csr_read(CSR_VSCAUSE);
	v->vstval = csr_read(CSR_VSTVAL);
	v->vsatp = csr_read(CSR_VSATP);
	if (hv_sstc())
		v->vstimecmp = csr_read(CSR_VSTIMECMP);
}

static void vs_restore(struct vcpu *v)
{
	struct vm *vm = v->vm;
	csr_write(CSR_HGATP, HGATP_MODE_SV39X4 | ((uint64_t)vm->vmid << HGATP_VMID_SHIFT) |
				     ((uint64_t)(uintptr_t)vm->gstage.root >> PAGE_SHIFT));
	csr_write(CSR_HTIMEDELTA, vm->time_offset);
	csr_write(CSR_VSSTATUS, v->vsstatus);
	csr_write(CSR_VSIE, v->vsie);
	csr_write(CSR_VSTVEC, v->vstvec);
	csr_write(CSR_VSSCRATCH, v->vsscratch);
	csr_write(CSR_VSEPC, v->vsepc);
	csr_write(CSR_VSCAUSE, v->vscause);
	csr_write(CSR_VSTVAL, v->vstval);
	csr_write(CSR_VSATP, v->vsatp);
	if (hv_sstc())
		csr_write(CSR_VSTIMECMP, v->vstimecmp);
	pmu_load(v);
}

void vcpu_sync(struct vcpu *v)
{
	struct hart *h = this_hart();
	if (h->csr_owner == v) {
		vs_save(v);
		h->csr_owner = NULL; /* what the caller changes in memory is loaded next time */
	}
}

/* QEMU ends a block of translated code at every CSR access, and the block after is looked
 * up again: an exit costs about as much per CSR it touches as per hundred instructions. So
 * an entry right after an exit of the same vCPU writes only what the handler changed. */
static void load(struct hart *h, struct vcpu *v, bool again)
{
	if (h->csr_owner != v) {
		if (h->csr_owner)
			vs_save(h->csr_owner);
		vs_restore(v);
		h->csr_owner = v;
		again = false;
	}
	env_take(h, v);
	if (!again || v->hvip != v->hvip_at_exit)
		csr_write(CSR_HVIP, v->hvip);
	/* An unchanged hstatus means the trap left sstatus right for the way back too: SPP
	 * holds the mode the guest was in and SPIE the host's SIE (0). */
	if (again && v->hstatus == v->hstatus_at_exit) {
		fpu_take(h, v);
		return;
	}
	/* sret enters VS-mode (SPV), or VU-mode if the guest was in user mode (SPP). */
	csr_write(CSR_HSTATUS, v->hstatus);
	/* FS must be on at HS-level too for the guest's own FS to matter (priv spec 8.2.11).
	 * Always Dirty, never Initial: QEMU keys its translated code by the FS state, and a
	 * guest entered with FS Initial that then used the FPU had its code translated twice
	 * (a quiet Linux boot took 0.92 s instead of 0.70 s). The FPU is saved on every change
	 * of owner anyway, so Dirty costs nothing. */
	uint64_t sstatus = csr_read(CSR_SSTATUS) & ~(SSTATUS_SPP | SSTATUS_SPIE);
	csr_write(CSR_SSTATUS, sstatus | (v->hstatus & HSTATUS_SPVP ? SSTATUS_SPP : 0) |
				       SSTATUS_FS);
	fpu_take(h, v);
}

static void save(struct vcpu *v)
{
	v->scause = csr_read(CSR_SCAUSE);
	v->hvip = csr_read(CSR_HVIP); /* the guest may clear VSSIP through its sip */
	v->hvip_at_exit = v->hvip;
	if (v->scause == EXC_ECALL_VS) {
		/* The SBI call, most exits by far. Priv spec 8.2.1: the trap from VS-mode set SPV
		 * and SPVP and, with no guest address in stval, cleared GVA; the rest of hstatus
		 * is as loaded. SBI handlers take no trap in HS-mode that would change it. */
		v->hstatus = (v->hstatus | HSTATUS_SPV | HSTATUS_SPVP) & ~HSTATUS_GVA;
		v->hstatus_at_exit = v->hstatus;
		return;
	}
	v->stval = csr_read(CSR_STVAL);
	v->htval = csr_read(CSR_HTVAL);
	v->htinst = csr_read(CSR_HTINST);
	v->hstatus = csr_read(CSR_HSTATUS);
	/* Emulating this exit may fault on guest memory (hlvx) in HS-mode, which rewrites
	 * hstatus: write it before the next entry. */
	v->hstatus_at_exit = ~0ul;
}

/* A plain load first: most entries find nothing asked, and skip the atomic swap. */
static void take_interrupt_requests(struct vcpu *v)
{
	if (__atomic_load_n(&v->requested_hvip, __ATOMIC_RELAXED))
		v->hvip |= __atomic_exchange_n(&v->requested_hvip, 0, __ATOMIC_ACQUIRE);
}

/* Priv spec 8.3.2: hfence.vvma flushes the VS-stage entries of the VMID in hgatp, which
 * load() has just made v's. */
static void take_fence_requests(struct vcpu *v)
{
	if (!__atomic_load_n(&v->requested_fences, __ATOMIC_RELAXED))
		return;
	unsigned fences = __atomic_exchange_n(&v->requested_fences, 0, __ATOMIC_ACQUIRE);
	if (fences & VCPU_FENCE_VVMA)
		hfence_vvma_all();
	if (fences & VCPU_FENCE_I)
		fence_i();
}

void vcpu_request_interrupt(struct vcpu *v, uint64_t hvip_bits)
{
	__atomic_fetch_or(&v->requested_hvip, hvip_bits, __ATOMIC_RELEASE);
	vcpu_kick(v);
}

void vcpu_request_fences(struct vcpu *v, unsigned fences)
{
	__atomic_fetch_or(&v->requested_fences, fences, __ATOMIC_RELEASE);
	struct hart *h = __atomic_load_n(&v->in_guest, __ATOMIC_ACQUIRE);
	if (!h || h == this_hart())
		return;
	smp_kick(h);
	/* Its hart clears in_guest before it waits for the lock this hart holds. */
	while (__atomic_load_n(&v->in_guest, __ATOMIC_ACQUIRE) == h)
		;
}

void vcpu_kick(struct vcpu *v)
{
	struct hart *h = __atomic_load_n(&v->in_guest, __ATOMIC_ACQUIRE);
	if (h && h != this_hart())
		smp_kick(h);
	else
		vm_wake(v->vm);
}

void vcpu_run_once(struct vcpu *v, bool again)
{
	struct hart *h = this_hart();
	if (v->start_pending || v->suspend != VCPU_AWAKE)
		hsm_enter(v);
	take_interrupt_requests(v);
	v->hvip = (v->hvip & ~HVIP_VSEIP) | (v->external ? HVIP_VSEIP : 0);
	if (!again)
		v->slice_start = read_time();
	load(h, v, again);
	take_fence_requests(v);
	h->user_return_ready = false;
	/* Seen by any hart that takes the lock from here on (the unlock releases it). */
	__atomic_store_n(&v->in_guest, h, __ATOMIC_RELAXED);
	kernel_unlock(h); /* other harts may use the kernel while the guest runs */
	vcpu_enter(v);
	__atomic_store_n(&v->in_guest, NULL, __ATOMIC_RELEASE);
	kernel_lock(h);
	save(v);
}

void vcpu_inject(struct vcpu *v, uint64_t cause, uint64_t tval)
{
	vcpu_sync(v);
	pmu_count_injected(v, cause);
	uint64_t s = v->vsstatus;
	bool from_vs = v->hstatus & HSTATUS_SPVP;
	v->vsepc = v->pc;
	v->vscause = cause;
	v->vstval = tval;
	s = (s & ~SSTATUS_SPP) | (from_vs ? SSTATUS_SPP : 0);
	s = (s & ~SSTATUS_SPIE) | (s & SSTATUS_SIE ? SSTATUS_SPIE : 0);
	v->vsstatus = s & ~SSTATUS_SIE;
	v->hstatus |= HSTATUS_SPVP; /* the guest's handler runs in VS-mode */
	v->pc = v->vstvec & ~3ul;   /* exceptions always go to the base address */
}

bool vcpu_interrupt_pending(struct vcpu *v)
{
	vcpu_sync(v);
	take_interrupt_requests(v);
	uint64_t pending = (v->hvip & ~HVIP_VSEIP) | (v->external ? HVIP_VSEIP : 0);
	if (hv_sstc() && guest_time(v->vm) >= v->vstimecmp)
		pending |= HVIP_VSTIP;
	/* vsie's SSIE/STIE/SEIE sit one bit below hvip's VSSIP/VSTIP/VSEIP. */
	return (pending & (v->vsie << 1) & (HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP)) != 0;
}

bool vcpu_should_yield(struct vcpu *v)
{
	struct vm *vm = v->vm;
	bool others_run = false;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *o = &vm->vcpus[i];
		if (o == v || o->lane != v->lane || o->state == VCPU_STOPPED)
			continue;
		if (o->start_pending || __atomic_load_n(&o->requested_hvip, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&o->requested_fences, __ATOMIC_RELAXED))
			return true;
		if (o->state == VCPU_IDLE && vcpu_interrupt_pending(o))
			return true;
		others_run |= o->state == VCPU_RUNNABLE;
	}
	return others_run && read_time() - v->slice_start >= vcpu_slice_ticks();
}

void vm_update_external(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		bool on = vplic_context_pending(&vm->plic, vplic_s_context(i));
		if (on == v->external)
			continue;
		v->external = on;
		if (on) {
			vm->stat.external_injected++;
			vcpu_kick(v);
		}
	}
}

/* Priv spec 8.6.3: htinst holds a transformed instruction (bit 0 set) for most guest-page
 * faults on loads and stores; when it is zero the instruction is read from guest memory,
 * one halfword at a time so that one crossing a page boundary is read right. */
int64_t guest_fetch_instruction(uint64_t pc)
{
	int64_t lo = guest_fetch_halfword(pc);
	if (lo < 0)
		return -1;
	if ((lo & 3) != 3)
		return lo;
	int64_t hi = guest_fetch_halfword(pc + 2);
	if (hi < 0)
		return -1;
	return lo | (hi << 16);
}
