/* The VM system calls, decoded here beside the VM they act on, as seL4 keeps each object's
 * decoder with the object: the kernel's dispatch table only points at them (hv/hv.h). Each
 * checks all of its arguments before it changes anything. */
#include <stddef.h>
#include <vireo/syscall.h>

#include "hv.h"
#include "ipc.h"
#include "memory.h"
#include "page_alloc.h"
#include "sched.h"
#include "syscall.h"
#include "task.h"
#include "timer.h"
#include "vm.h"

/* A VM's lane l runs on hart l (docs/design.md 9), so that its vCPUs' lazily switched
 * state (hv/vcpu.c) stays in one hart's registers and that hart's timer serves them; the
 * other VM calls run on the boot hart. A thread moves to its hart, and stays, before it
 * looks at its handles, which the task's other threads may change meanwhile. */
static void run_on_boot_hart(struct thread *t)
{
	sched_pin(t, hart_at(0));
}

int64_t sys_vm_create(struct thread *t, const uint64_t *a)
{
	run_on_boot_hart(t);
	NEED_SYSTEM(a[0], VIREO_RIGHT_VM);
	struct vireo_vm_config cfg;
	if (copy_from_user(t->task, &cfg, a[1], sizeof(cfg)))
		return VIREO_E_FAULT;
	int err;
	struct vm *vm = vm_create(t->task, &cfg, &err);
	if (!vm)
		return err;
	cfg.lanes = vm->lanes;
	cfg.host_sstc = hv_sstc();
	cfg.timebase_hz = timer_timebase_hz();
	hv_describe_guest_harts(&cfg);
	copy_to_user(t->task, a[1], &cfg, sizeof(cfg));
	/* No TRANSFER right: a VM lives and dies with the monitor that made it. */
	int h = handle_install(t->task, OBJ_VM, vm, VIREO_RIGHT_CONTROL);
	if (h < 0) {
		vm->refs++;
		vm_put(vm);
	}
	return h;
}

int64_t sys_vm_map(struct thread *t, const uint64_t *a)
{
	run_on_boot_hart(t);
	struct vm *vm;
	GET(vm, OBJ_VM, a[0], VIREO_RIGHT_CONTROL);
	uint64_t gpa = a[1], va = a[2], size = a[3], pa;
	if ((gpa | va | size) & (PAGE_SIZE - 1) || size == 0)
		return VIREO_E_INVAL;
	struct mapping *m = task_find_owned(t->task, va, size, &pa);
	if (!m)
		return VIREO_E_FAULT;
	int err = vm_map(vm, gpa, pa, size, va);
	if (!err)
		m->pins++;
	return err;
}

int64_t sys_vm_run(struct thread *t, const uint64_t *a)
{
	uint64_t lane = a[3];
	if (lane >= VIREO_VM_MAX_VCPUS || !hart_at((unsigned)lane))
		return VIREO_E_INVAL;
	sched_pin(t, hart_at((unsigned)lane));
	struct vm *vm;
	struct endpoint *ep = NULL;
	{
		GET(vm, OBJ_VM, a[0], VIREO_RIGHT_CONTROL);
	}
	if (lane >= vm->lanes || (lane && a[2]))
		return VIREO_E_INVAL;
	if (a[2]) {
		GET(ep, OBJ_ENDPOINT, a[2], VIREO_RIGHT_RECV);
		if (!endpoint_owned_by(ep, t->task))
			return VIREO_E_RIGHTS;
	}
	/* Lane 0's wait covers all of the task's VMs (set_waiter): a second thread running
	 * one meanwhile would take over the first's wake-ups. */
	if (lane ? vm->runner[lane] != NULL : vm_owner_running(t->task))
		return VIREO_E_BUSY;
	vm->runner[lane] = t;
	vm->refs++; /* another thread may close the handle meanwhile */
	int64_t ret = vm_run(t, vm, (unsigned)lane, a[1], ep);
	vm->runner[lane] = NULL;
	vm_put(vm);
	return ret;
}

int64_t sys_vm_stop(struct thread *t, const uint64_t *a)
{
	run_on_boot_hart(t);
	struct vm *vm;
	GET(vm, OBJ_VM, a[0], VIREO_RIGHT_CONTROL);
	vm_stop(vm);
	return 0;
}

int64_t sys_vm_input(struct thread *t, const uint64_t *a)
{
	run_on_boot_hart(t);
	struct vm *vm;
	GET(vm, OBJ_VM, a[0], VIREO_RIGHT_CONTROL);
	char buf[256];
	uint64_t len = a[2] < sizeof(buf) ? a[2] : sizeof(buf);
	if (copy_from_user(t->task, buf, a[1], len))
		return VIREO_E_FAULT;
	return vm_input(vm, buf, (unsigned)len);
}

int64_t sys_vm_irq(struct thread *t, const uint64_t *a)
{
	run_on_boot_hart(t);
	struct vm *vm;
	GET(vm, OBJ_VM, a[0], VIREO_RIGHT_CONTROL);
	return vm_set_irq(vm, (unsigned)a[1], a[2] != 0);
}

int64_t sys_vm_stat(struct thread *t, const uint64_t *a)
{
	NEED_SYSTEM(a[0], VIREO_RIGHT_CONTROL);
	uint64_t seen = 0;
	for (unsigned i = 0; i < MAX_VMS; i++) {
		struct vm *vm = vm_at(i);
		if (!vm || seen++ != a[1])
			continue;
		return copy_to_user(t->task, a[2], &vm->stat, sizeof(vm->stat)) ? VIREO_E_FAULT : 1;
	}
	return 0;
}
