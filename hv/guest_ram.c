/* Guest RAM: pages of the monitor's own memory, mapped into the guest's G-stage. A chunk
 * (2 MiB) is mapped when the guest first touches it, and zeroed then if the monitor has not
 * touched it either (task_touch), so a guest costs only the memory it uses. Measured on the
 * Linux guest: zeroing and mapping all 256 MiB up front took longer than its whole boot,
 * while it touches a few dozen chunks. */
#include <string.h>

#include "csr.h"
#include "page_alloc.h"
#include "vm.h"

int vm_map(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t va)
{
	if (vm->nram == VM_MAX_RAM)
		return VIREO_E_NOMEM;
	if (gpa + size < gpa || gpa + size > 1ul << pt_sv39x4.va_bits ||
	    overlaps(gpa, size, VIREO_GUEST_PLIC, VPLIC_SIZE))
		return VIREO_E_INVAL;
	for (unsigned i = 0; i < vm->ndevices; i++)
		if (overlaps(gpa, size, vm->devices[i].base, vm->devices[i].size))
			return VIREO_E_INVAL;
	for (unsigned i = 0; i < vm->nram; i++)
		if (overlaps(gpa, size, vm->ram[i].gpa, vm->ram[i].size))
			return VIREO_E_BUSY;
	vm->ram[vm->nram].gpa = gpa;
	vm->ram[vm->nram].size = size;
	vm->ram[vm->nram].va = va;
	vm->ram[vm->nram].pa = hpa;
	vm->nram++;
	vm->stat.ram_pages += size >> PAGE_SHIFT;
	return 0;
}

bool vm_ram_fault_in(struct vm *vm, uint64_t gpa)
{
	for (unsigned i = 0; i < vm->nram; i++) {
		uint64_t off = gpa - vm->ram[i].gpa;
		if (gpa < vm->ram[i].gpa || off >= vm->ram[i].size)
			continue;
		if (pt_lookup(&vm->gstage, gpa, NULL) & PTE_V) {
			/* Priv spec 8.3.2: the hart may have cached the entry while it was invalid;
			 * nothing fenced when it was mapped (QEMU flushes its whole TLB per fence). */
			hfence_gvma_all();
			return true;
		}
		uint64_t pa = task_touch(vm->owner, vm->ram[i].va + off);
		if (!pa)
			return false;
		/* task_touch made ready the whole physical chunk around pa; map as much of it as
		 * this RAM range covers. */
		uint64_t chunk = CHUNK_PAGES * PAGE_SIZE, ram_pa = vm->ram[i].pa;
		uint64_t start = pa & ~(chunk - 1), end = start + chunk;
		if (start < ram_pa)
			start = ram_pa;
		if (end > ram_pa + vm->ram[i].size)
			end = ram_pa + vm->ram[i].size;
		/* G-stage leaves are U pages: guest accesses count as user accesses (8.5.1). */
		enum pt_error e = pt_map(&vm->gstage, vm->ram[i].gpa + (start - ram_pa), start,
					 end - start, PTE_R | PTE_W | PTE_X | PTE_U, PT_PAGE_2M);
		if (e == PT_ERR_NOMEM)
			pt_unmap(&vm->gstage, vm->ram[i].gpa + (start - ram_pa), end - start);
		return e == PT_OK;
	}
	return false;
}

static int guest_copy(struct vm *vm, uint64_t gpa, void *buf, uint64_t len, bool to_guest)
{
	while (len > 0) {
		if (gpa + len < gpa)
			return -1;
		uint64_t hpa = pt_translate(&vm->gstage, gpa);
		if (!hpa && vm_ram_fault_in(vm, gpa))
			hpa = pt_translate(&vm->gstage, gpa);
		if (!hpa)
			return -1;
		uint64_t chunk = PAGE_SIZE - (gpa & (PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		if (to_guest)
			memcpy((void *)(uintptr_t)hpa, buf, chunk);
		else
			memcpy(buf, (const void *)(uintptr_t)hpa, chunk);
		gpa += chunk;
		buf = (char *)buf + chunk;
		len -= chunk;
	}
	return 0;
}

int guest_read(struct vm *vm, void *dst, uint64_t gpa, uint64_t len)
{
	return guest_copy(vm, gpa, dst, len, false);
}

int guest_write(struct vm *vm, uint64_t gpa, const void *src, uint64_t len)
{
	return guest_copy(vm, gpa, (void *)src, len, true);
}
