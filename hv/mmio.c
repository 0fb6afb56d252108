#include "mmio.h"

#include "console.h"
#include "csr.h"
#include "mmio_decode.h"

/* A guest that faults at one pc this many times in a row is stuck, not working. */
#define FAULT_LOOP_LIMIT 10000

static uint64_t sign_extend(uint64_t v, unsigned width)
{
	unsigned shift = 64 - 8 * width;
	return width == 8 ? v : (uint64_t)((int64_t)(v << shift) >> shift);
}

static uint64_t truncate(uint64_t v, unsigned width)
{
	return width == 8 ? v : v & ((1ul << (8 * width)) - 1);
}

static void set_reg(struct vcpu *v, unsigned reg, uint64_t value)
{
	if (reg != 0)
		v->regs[reg] = value;
}

void mmio_complete_read(struct vcpu *v, uint64_t value)
{
	value = truncate(value, v->mmio_width);
	if (v->mmio_sign)
		value = sign_extend(value, v->mmio_width);
	set_reg(v, v->mmio_reg, value);
	v->pc += v->mmio_len;
	v->mmio_read_pending = false;
}

/* The access at the faulting pc: from htinst when the hardware transformed it, else read
 * from guest memory. */
static int decode(struct vcpu *v, struct mmio_access *a)
{
	if (v->htinst) { /* a value it does not know may be treated as 0 (priv spec 8.6.3) */
		int r = mmio_decode_htinst(v->htinst, a);
		if (r != MMIO_DECODE_UNSUPPORTED)
			return r;
	}
	int64_t insn = guest_fetch_instruction(v->pc);
	return insn < 0 ? -1 : mmio_decode((uint32_t)insn, a);
}

/* Priv spec 8.6.4: an access outside anything the guest owns becomes the matching access
 * fault in the guest, with the guest virtual address in stval. */
static enum exit_action access_fault(struct vcpu *v, struct vireo_vm_exit *exit)
{
	static const uint64_t fault_for[] = {
		[EXC_INST_GUEST_PAGE_FAULT] = EXC_INST_ACCESS,
		[EXC_LOAD_GUEST_PAGE_FAULT] = EXC_LOAD_ACCESS,
		[EXC_STORE_GUEST_PAGE_FAULT] = EXC_STORE_ACCESS,
	};
	v->vm->stat.exits[VM_CAUSE_ACCESS_FAULT]++;
	if (v->pc == v->fault_pc && ++v->fault_repeats >= FAULT_LOOP_LIMIT) {
		exit->reason = VIREO_VM_EXIT_FAULT;
		exit->vcpu = v->index;
		exit->code = v->scause;
		exit->pc = v->pc;
		return EXIT_MONITOR;
	}
	if (v->pc != v->fault_pc) {
		v->fault_pc = v->pc;
		v->fault_repeats = 0;
	}
	uint64_t cause = fault_for[v->scause];
	if (cause == EXC_LOAD_ACCESS) { /* QEMU reports an AMO's guest-page fault as a load's */
		int64_t insn = v->htinst ? (int64_t)v->htinst : guest_fetch_instruction(v->pc);
		if (insn >= 0 && mmio_is_store_amo((uint64_t)insn))
			cause = EXC_STORE_ACCESS;
	}
	vcpu_inject(v, cause, v->stval);
	return EXIT_CONTINUE;
}

static bool in_range(uint64_t gpa, uint64_t base, uint64_t size)
{
	return gpa >= base && gpa - base < size;
}

enum exit_action mmio_guest_page_fault(struct vcpu *v, struct vireo_vm_exit *exit)
{
	struct vm *vm = v->vm;
	/* Priv spec 8.6.3: htval holds the guest physical address shifted right by 2. */
	uint64_t gpa = (v->htval << 2) | (v->stval & 3);
	struct mmio_access a;

	if (vm_ram_fault_in(vm, gpa)) {
		vm->stat.exits[VM_CAUSE_RAM_FIRST_TOUCH]++;
		return EXIT_CONTINUE; /* the access runs again, now mapped */
	}
	if (v->scause == EXC_INST_GUEST_PAGE_FAULT)
		return access_fault(v, exit);
	bool plic = in_range(gpa, VIREO_GUEST_PLIC, VPLIC_SIZE);
	int device = -1;
	for (unsigned i = 0; i < vm->ndevices && device < 0 && !plic; i++)
		if (in_range(gpa, vm->devices[i].base, vm->devices[i].size))
			device = (int)i;
	if (!plic && device < 0)
		return access_fault(v, exit);
	if (decode(v, &a) || a.is_store != (v->scause == EXC_STORE_GUEST_PAGE_FAULT))
		return access_fault(v, exit);

	if (plic) {
		vm->stat.exits[VM_CAUSE_MMIO_KERNEL]++;
		uint32_t value = 0;
		int err = a.is_store ? vplic_write(&vm->plic, gpa - VIREO_GUEST_PLIC, a.width,
						   (uint32_t)truncate(v->regs[a.reg], a.width))
				     : vplic_read(&vm->plic, gpa - VIREO_GUEST_PLIC, a.width, &value);
		if (err)
			return access_fault(v, exit);
		if (!a.is_store)
			set_reg(v, a.reg, a.sign_extend ? sign_extend(value, a.width) : value);
		vm_update_external(vm);
		v->pc += a.insn_len;
		return EXIT_CONTINUE;
	}

	vm->stat.exits[VM_CAUSE_MMIO_MONITOR]++;
	exit->reason = VIREO_VM_EXIT_MMIO;
	exit->vcpu = v->index;
	exit->pc = v->pc;
	exit->mmio.gpa = gpa;
	exit->mmio.width = a.width;
	exit->mmio.is_write = a.is_store;
	exit->mmio.value = a.is_store ? truncate(v->regs[a.reg], a.width) : 0;
	if (a.is_store) {
		v->pc += a.insn_len;
	} else {
		v->mmio_read_pending = true;
		v->mmio_reg = a.reg;
		v->mmio_width = a.width;
		v->mmio_sign = a.sign_extend;
		v->mmio_len = a.insn_len;
	}
	return EXIT_MONITOR;
}
