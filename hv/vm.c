#include "vm.h"

#include <stddef.h>
#include <string.h>

#include "console.h"
#include "csr.h"
#include "exit.h"
#include "format.h"
#include "guest_isa.h"
#include "guest_sbi.h"
#include "ipc.h"
#include "machine.h"
#include "memory.h"
#include "mmio.h"
#include "page_alloc.h"
#include "sched.h"
#include "task.h"
#include "timer.h"
#include "tlb.h"

#define VM_PAGES ((sizeof(struct vm) + PAGE_SIZE - 1) / PAGE_SIZE)
#define ROOT_PAGES (pt_root_size(&pt_sv39x4) >> PAGE_SHIFT)

static struct vm *vms[MAX_VMS];
static uint64_t next_vm_id = 1;
bool hv_host_sstc;
static uint64_t console_delay_ticks;
/* What every guest's device tree says of its harts (vm_create writes it back). */
static char guest_isa_string[VIREO_ISA_MAX], guest_mmu_type[16];
static uint32_t guest_cbom_block_size, guest_cboz_block_size;

static uint64_t guest_henvcfg;

/* henvcfg's enables for VS-mode (priv spec 8.2.7): a bit reads back 0 when M-mode keeps
 * the feature from S-mode too, and then the guest is not told of it. */
static unsigned enable_for_guests(const struct machine *m)
{
	uint64_t want = (m->has_sstc ? HENVCFG_STCE : 0) |
			(m->has_zicbom ? HENVCFG_CBCFE | HENVCFG_CBIE_FLUSH : 0) |
			(m->has_zicboz ? HENVCFG_CBZE : 0);
	csr_write(CSR_HENVCFG, want);
	uint64_t got = csr_read(CSR_HENVCFG) & want;
	guest_henvcfg = got;
	return (got & HENVCFG_STCE ? GUEST_ISA_SSTC : 0) |
	       ((got & (HENVCFG_CBCFE | HENVCFG_CBIE_FLUSH)) ==
				(HENVCFG_CBCFE | HENVCFG_CBIE_FLUSH) ? GUEST_ISA_ZICBOM : 0) |
	       (got & HENVCFG_CBZE ? GUEST_ISA_ZICBOZ : 0);
}

/* The host timer serves the guests' timers: SBI timers without Sstc, and the vstimecmp of
 * idle vCPUs, which no hardware timer wakes while the hart runs something else. */
static uint64_t guest_timers_check(uint64_t now);
static struct timer_client guest_timers = { guest_timers_check, NULL };

void hv_init_hart(void)
{
	/* Priv spec 8.2.2-8.2.3: the guest handles its own synchronous exceptions except those
	 * only the hypervisor can (ecalls to it, guest-page faults, virtual instructions), and
	 * its own VS-level interrupts. */
	csr_write(CSR_HEDELEG, (1ul << EXC_INST_MISALIGNED) | (1ul << EXC_ILLEGAL_INST) |
				       (1ul << EXC_BREAKPOINT) | (1ul << EXC_LOAD_MISALIGNED) |
				       (1ul << EXC_STORE_MISALIGNED) | (1ul << EXC_ECALL_U) |
				       (1ul << EXC_INST_PAGE_FAULT) | (1ul << EXC_LOAD_PAGE_FAULT) |
				       (1ul << EXC_STORE_PAGE_FAULT));
	csr_write(CSR_HIDELEG, HVIP_VSSIP | HVIP_VSTIP | HVIP_VSEIP);
	csr_write(CSR_HCOUNTEREN, 7); /* cycle, time, instret (priv spec 8.2.5) */
	csr_write(CSR_HENVCFG, guest_henvcfg);
}

void hv_init(const struct machine *m)
{
	console_delay_ticks = m->timebase_hz * CONSOLE_DELAY_US / 1000000;
	hv_host_sstc = m->has_sstc;
	vcpu_note_host_csrs();
	unsigned enabled = enable_for_guests(m);
	hv_init_hart();
	/* Cannot fail: the boot hart is rv64 (it has H) and its string fits the buffer. */
	guest_isa(m->extensions, enabled, guest_isa_string, sizeof(guest_isa_string));
	snformat(guest_mmu_type, sizeof(guest_mmu_type), "%s", m->mmu_type);
	guest_cbom_block_size = enabled & GUEST_ISA_ZICBOM ? m->cbom_block_size : 0;
	guest_cboz_block_size = enabled & GUEST_ISA_ZICBOZ ? m->cboz_block_size : 0;
	timer_register(&guest_timers);
}

void hv_describe_guest_harts(struct vireo_vm_config *cfg)
{
	memcpy(cfg->isa, guest_isa_string, sizeof(cfg->isa));
	memcpy(cfg->mmu_type, guest_mmu_type, sizeof(cfg->mmu_type));
	cfg->cbom_block_size = guest_cbom_block_size;
	cfg->cboz_block_size = guest_cboz_block_size;
}

/* G-stage tables are charged to the monitor, against its quota. */
static uint64_t alloc_table(void *ctx)
{
	struct task *owner = ((struct vm *)ctx)->owner;
	if (task_charge(owner, 1))
		return 0;
	uint64_t page = kpage_alloc();
	if (!page)
		task_uncharge(owner, 1);
	return page;
}

static void free_table(void *ctx, uint64_t page)
{
	task_uncharge(((struct vm *)ctx)->owner, 1);
	kpage_free(page);
}

static int check_config(const struct vireo_vm_config *cfg)
{
	if (cfg->nvcpus == 0 || cfg->nvcpus > VIREO_VM_MAX_VCPUS || cfg->plic_ndev == 0 ||
	    cfg->plic_ndev >= VPLIC_MAX_SOURCES || cfg->ndevices > VIREO_VM_MAX_DEVICES)
		return VIREO_E_INVAL;
	for (unsigned i = 0; i < cfg->ndevices; i++) {
		uint64_t base = cfg->devices[i].base, size = cfg->devices[i].size;
		if (size == 0 || base + size < base || base + size > VIREO_GUEST_RAM ||
		    overlaps(base, size, VIREO_GUEST_PLIC, VPLIC_SIZE))
			return VIREO_E_INVAL;
	}
	return 0;
}

void vm_wake(struct vm *vm)
{
	for (unsigned l = 0; l < vm->lanes; l++) {
		struct thread *t = vm->waiter[l];
		if (t && t->state == THREAD_BLOCKED && t->wait == WAIT_VM)
			sched_wake(t);
	}
}

/* Mail for the monitor, which waits in vm_run with its endpoint watched. */
static void wake_for_mail(void *vm)
{
	vm_wake(vm);
}

/* The harts that are up: harts_at(0 .. n - 1) (smp.c numbers only those that started). */
static unsigned harts_up(void)
{
	unsigned n = 1;
	while (hart_at(n) && hart_at(n)->online)
		n++;
	return n;
}

struct vm *vm_create(struct task *owner, const struct vireo_vm_config *cfg, int *err)
{
	unsigned slot = 0;
	*err = check_config(cfg);
	if (*err)
		return NULL;
	while (slot < MAX_VMS && vms[slot])
		slot++;
	if (slot == MAX_VMS) {
		*err = VIREO_E_FULL;
		return NULL;
	}
	*err = task_charge(owner, ROOT_PAGES + VM_PAGES);
	if (*err)
		return NULL;
	struct vm *vm = (struct vm *)(uintptr_t)kpages_alloc(VM_PAGES, 1);
	/* Sv39x4's root is 16 KiB, 16 KiB-aligned (priv spec 8.5.1). */
	uint64_t root = vm ? kpages_alloc(ROOT_PAGES, ROOT_PAGES) : 0;
	if (!root) {
		if (vm)
			kpages_free((uint64_t)(uintptr_t)vm, VM_PAGES);
		task_uncharge(owner, ROOT_PAGES + VM_PAGES);
		*err = VIREO_E_NOMEM;
		return NULL;
	}
	vm->id = next_vm_id++;
	memcpy(vm->name, cfg->name, VIREO_NAME_MAX);
	vm->name[VIREO_NAME_MAX - 1] = '\0';
	vm->owner = owner;
	vm->mail_watch = (struct endpoint_watch){ wake_for_mail, vm };
	vm->vmid = (uint16_t)(slot + 1);
	vm->gstage = (struct pt_space){ &pt_sv39x4, (pte_t *)(uintptr_t)root, alloc_table,
					free_table, vm };
	vm->time_offset = -read_time();
	vm->nvcpus = (unsigned)cfg->nvcpus;
	vm->lanes = cfg->lanes > 1 ? (unsigned)(cfg->lanes < vm->nvcpus ? cfg->lanes : vm->nvcpus) : 1;
	if (vm->lanes > harts_up())
		vm->lanes = harts_up();
	vm->ndevices = (unsigned)cfg->ndevices;
	for (unsigned i = 0; i < vm->ndevices; i++) {
		vm->devices[i].base = cfg->devices[i].base;
		vm->devices[i].size = cfg->devices[i].size;
	}
	vplic_init(&vm->plic, (unsigned)cfg->plic_ndev, vm->nvcpus);
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		v->vm = vm;
		v->index = i;
		v->lane = i % vm->lanes;
		v->hstatus = HSTATUS_VSXL_64 | HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW;
		v->vstimecmp = UINT64_MAX;
		/* As OpenSBI leaves it for S-mode: cycle, time and instret readable in U-mode
		 * (a guest's vDSO reads time; Linux 6.1 never sets scounteren itself). */
		v->scounteren = 7;
		v->state = VCPU_STOPPED;
	}
	vm->vcpus[0].pc = cfg->entry;
	vm->vcpus[0].regs[11] = cfg->arg1;
	vm->vcpus[0].state = VCPU_RUNNABLE;
	vm->stat.id = vm->id;
	memcpy(vm->stat.name, vm->name, VIREO_NAME_MAX);
	vm->stat.nvcpus = vm->nvcpus;
	vms[slot] = vm;
	return vm;
}

static void vm_destroy(struct vm *vm)
{
	for (unsigned i = 0; i < MAX_VMS; i++)
		if (vms[i] == vm)
			vms[i] = NULL;
	for (unsigned i = 0; i < vm->nram; i++)
		task_unpin(vm->owner, vm->ram[i].va);
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_forget(&vm->vcpus[i]);
	pt_destroy(&vm->gstage);
	kpages_free((uint64_t)(uintptr_t)vm->gstage.root, ROOT_PAGES);
	task_uncharge(vm->owner, ROOT_PAGES + VM_PAGES);
	tlb_flush_guests(); /* every hart that ran it may cache its VMID's translations */
	kpages_free((uint64_t)(uintptr_t)vm, VM_PAGES);
}

void vm_put(struct vm *vm)
{
	if (--vm->refs <= 0)
		vm_destroy(vm);
}

DEFINE_OBJECT_OPS(vm, struct vm, vm_put);

/* The next vCPU of the lane to run, round robin; an idle one with an interrupt pending
 * wakes up. */
static struct vcpu *pick(struct vm *vm, unsigned lane)
{
	for (unsigned n = 0; n < vm->nvcpus; n++) {
		struct vcpu *v = &vm->vcpus[(vm->next_vcpu + n) % vm->nvcpus];
		if (v->lane != lane)
			continue;
		if (v->state == VCPU_IDLE && vcpu_interrupt_pending(v))
			v->state = VCPU_RUNNABLE;
		if (v->state == VCPU_RUNNABLE && !v->mmio_read_pending) {
			vm->next_vcpu = (v->index + 1) % vm->nvcpus;
			return v;
		}
	}
	return NULL;
}

/* Only deadlines still ahead count: one already past (an idle vCPU whose timer interrupt
 * it keeps disabled) would have the host timer fire again at once, for ever. Each hart
 * serves the vCPUs of its own lane, which are not in guest mode while it runs this. */
static uint64_t guest_timers_check(uint64_t now)
{
	uint64_t next = UINT64_MAX;
	unsigned lane = this_hart()->index;
	for (unsigned i = 0; i < MAX_VMS; i++) {
		struct vm *vm = vms[i];
		unsigned runnable = 0;
		for (unsigned j = 0; vm && j < vm->nvcpus; j++) {
			struct vcpu *v = &vm->vcpus[j];
			if (v->lane != lane)
				continue;
			runnable += v->state == VCPU_RUNNABLE;
			/* Several vCPUs to share the hart: the running one's slice ends on time
			 * (vcpu_should_yield). */
			if (runnable == 2 && now + vcpu_slice_ticks() < next)
				next = now + vcpu_slice_ticks();
			if (v->timer_deadline && now >= v->timer_deadline) {
				v->hvip |= HVIP_VSTIP;
				v->timer_deadline = 0;
				vm->stat.timer_injected++;
			}
			if (v->state == VCPU_IDLE && vcpu_interrupt_pending(v)) {
				v->state = VCPU_RUNNABLE;
				vm_wake(vm);
			}
			uint64_t deadline = v->timer_deadline;
			if (hv_sstc() && v->state == VCPU_IDLE && v->vstimecmp != UINT64_MAX)
				deadline = v->vstimecmp - vm->time_offset;
			if (deadline > now && deadline < next)
				next = deadline;
		}
	}
	return next;
}

/* Whether lane 0 of vm has something for its monitor thread to do: a vCPU that can run, an
 * MMIO read to complete, or console output to hand over. */
static bool vm_has_work(struct vm *vm)
{
	if (vm->out_len)
		return true;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		if (v->lane != 0)
			continue;
		if (v->mmio_read_pending || v->state == VCPU_RUNNABLE ||
		    (v->state == VCPU_IDLE && vcpu_interrupt_pending(v)))
			return true;
	}
	return false;
}

/* One monitor thread runs all of its VMs, one SYS_VM_RUN at a time: an idle VM must not hold
 * that thread while another of them could run. */
static bool sibling_has_work(const struct vm *vm)
{
	for (unsigned i = 0; i < MAX_VMS; i++)
		if (vms[i] && vms[i] != vm && vms[i]->owner == vm->owner && vm_has_work(vms[i]))
			return true;
	return false;
}

/* Lane 0's thread blocks for all of its task's VMs: whichever wakes first ends the wait.
 * Another lane's blocks for its own. */
static void set_waiter(struct vm *vm, unsigned lane, struct thread *t)
{
	if (lane) {
		vm->waiter[lane] = t;
		return;
	}
	for (unsigned i = 0; i < MAX_VMS; i++)
		if (vms[i] && vms[i]->owner == vm->owner)
			vms[i]->waiter[0] = t;
}

bool vm_owner_running(const struct task *owner)
{
	for (unsigned i = 0; i < MAX_VMS; i++)
		if (vms[i] && vms[i]->owner == owner && vms[i]->runner[0])
			return true;
	return false;
}

void vm_ask_lane0_for_output(struct vm *vm)
{
	if (vm->out_kicked)
		return;
	vm->out_kicked = true;
	for (unsigned i = 0; i < vm->nvcpus; i += vm->lanes)
		vcpu_kick(&vm->vcpus[i]);
}

void vm_stop(struct vm *vm)
{
	vm->stopped = true;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}

static bool monitor_has_mail(const struct endpoint *ep)
{
	return ep && endpoint_has_mail(ep);
}

int64_t vm_run(struct thread *t, struct vm *vm, unsigned lane, uint64_t exit_uva,
	       struct endpoint *ep)
{
	/* Only the header and the console bytes in use cross to and from the monitor. */
	const uint64_t header = offsetof(struct vireo_vm_exit, console);
	struct vireo_vm_exit ex;
	if (copy_from_user(t->task, &ex, exit_uva, header))
		return VIREO_E_FAULT;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		if (vm->vcpus[i].lane == lane && vm->vcpus[i].mmio_read_pending)
			mmio_complete_read(&vm->vcpus[i], ex.mmio.value);
	memset(&ex, 0, header);

	for (;;) {
		if (vm->stopped)
			return VIREO_E_DEAD;
		/* A task killed from another hart ends in the kernel's way out (task.c). */
		if (monitor_has_mail(ep) || t->task->dead) {
			ex.reason = VIREO_VM_EXIT_MONITOR;
			break;
		}
		struct vcpu *v = pick(vm, lane);
		if (!v) { /* a deadline may have passed since the last timer interrupt */
			timer_serve_clients();
			v = pick(vm, lane);
		}
		if (!v) {
			if (vm->out_len) { /* quiet now: what the guest said so far goes out */
				if (lane == 0) {
					console_flush(vm, &ex);
					break;
				}
				vm_ask_lane0_for_output(vm);
			}
			bool any = false;
			for (unsigned i = 0; i < vm->nvcpus; i++)
				any |= vm->vcpus[i].state != VCPU_STOPPED;
			if (!any && lane == 0) { /* every vCPU stopped itself: the guest is off */
				ex.reason = VIREO_VM_EXIT_SHUTDOWN;
				break;
			}
			if (lane == 0 && sibling_has_work(vm)) {
				ex.reason = VIREO_VM_EXIT_SLICE;
				break;
			}
			set_waiter(vm, lane, t);
			if (ep)
				endpoint_watch(ep, &vm->mail_watch);
			sched_block(t, WAIT_VM);
			set_waiter(vm, lane, NULL);
			if (ep)
				endpoint_unwatch(ep);
			continue;
		}
		/* The common exit (an SBI call, an emulated access) goes straight back in. */
		enum exit_action a;
		bool again = false; /* nothing but the exit handler ran since v's last exit */
		this_hart()->vcpu = v;
		do {
			vcpu_run_once(v, again);
			a = vcpu_handle_exit(v, &ex);
			again = true;
		} while (a == EXIT_CONTINUE && v->state == VCPU_RUNNABLE && !this_hart()->need_resched &&
			 !v->mmio_read_pending && !vcpu_should_yield(v) && !monitor_has_mail(ep));
		this_hart()->vcpu = NULL;
		if (a == EXIT_MONITOR)
			break;
		if (vm->out_len && (vm->out_len == sizeof(vm->out) ||
				    read_time() - vm->out_since >= console_delay_ticks)) {
			if (lane == 0) {
				console_flush(vm, &ex);
				break;
			}
			vm_ask_lane0_for_output(vm);
		}
		/* The slice is over: back to the monitor, which runs its next VM, so that a guest
		 * that never exits by itself cannot starve the monitor's others. */
		if (this_hart()->need_resched) {
			ex.reason = VIREO_VM_EXIT_SLICE;
			break;
		}
	}
	/* Whatever the guest printed goes out with any exit, its last words before a poweroff
	 * or a fault included. */
	if (lane == 0 && vm->out_len)
		console_take(vm, &ex);
	if (copy_to_user(t->task, exit_uva, &ex, header + ex.console_len))
		return VIREO_E_FAULT;
	return 0;
}

int vm_input(struct vm *vm, const char *bytes, unsigned len)
{
	unsigned n = 0;
	for (; n < len && vm->in_len < sizeof(vm->in); n++)
		vm->in[(vm->in_head + vm->in_len++) % sizeof(vm->in)] = bytes[n];
	return (int)n;
}

int vm_set_irq(struct vm *vm, unsigned irq, bool level)
{
	if (irq == 0 || irq > vm->plic.ndev)
		return VIREO_E_INVAL;
	vplic_set_level(&vm->plic, irq, level);
	vm_update_external(vm); /* kicks each vCPU it raises an interrupt for */
	return 0;
}

struct vm *vm_at(unsigned index)
{
	return index < MAX_VMS ? vms[index] : NULL;
}
