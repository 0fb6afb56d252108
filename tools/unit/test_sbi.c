/* The SBI that guests see (hv/guest_sbi.c and its extensions), called as a guest's ecall
 * is: a7/a6 and the arguments in the vCPU's registers, then sbi_dispatch. Each test checks
 * the whole result the handlers return: a0 and a1, whether the pc stepped past the ecall,
 * and whether the run loop goes back to the monitor (with the exit record filled). The rest
 * of the hypervisor is replaced below by fakes over a small guest RAM. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../hv/guest_sbi.h"
#include "csr.h" /* tools/unit/fakes/csr.h */

#define ECALL_PC 0x80200000ul
#define RAM_BASE 0x80000000ul
#define RAM_SIZE 0x10000ul

uint64_t fake_csr[4096];
unsigned fake_fences;
bool hv_host_sstc;

static struct vm vm;
static struct vireo_vm_exit ex;
static uint8_t ram[RAM_SIZE];
static bool interrupt_pending;

void vcpu_sync(struct vcpu *v)
{
	(void)v; /* the VS CSRs are in struct vcpu already */
}

bool vcpu_interrupt_pending(struct vcpu *v)
{
	(void)v;
	return interrupt_pending;
}

/* The hypervisor's side of requests and kicks (hv/vcpu.c, hv/vm.c), as the calls left
 * them: bits set in the target, and how often lane 0 was asked for the console. */
static unsigned kicks, lane0_asked;

void vcpu_request_interrupt(struct vcpu *v, uint64_t hvip_bits)
{
	v->requested_hvip |= hvip_bits;
}

void vcpu_request_fences(struct vcpu *v, unsigned fences)
{
	v->requested_fences |= fences;
}

void vcpu_kick(struct vcpu *v)
{
	(void)v;
	kicks++;
}

void vm_ask_lane0_for_output(struct vm *m)
{
	(void)m;
	lane0_asked++;
}

uint64_t guest_time(const struct vm *m)
{
	return csr_read(CSR_TIME) + m->time_offset;
}

static bool in_ram(uint64_t gpa, uint64_t len)
{
	return gpa >= RAM_BASE && len <= RAM_SIZE && gpa - RAM_BASE <= RAM_SIZE - len;
}

int guest_read(struct vm *m, void *dst, uint64_t gpa, uint64_t len)
{
	(void)m;
	if (!in_ram(gpa, len))
		return -1;
	memcpy(dst, ram + (gpa - RAM_BASE), len);
	return 0;
}

int guest_write(struct vm *m, uint64_t gpa, const void *src, uint64_t len)
{
	(void)m;
	if (!in_ram(gpa, len))
		return -1;
	memcpy(ram + (gpa - RAM_BASE), src, len);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	memset(&ex, 0, sizeof(ex));
	memset(fake_csr, 0, sizeof(fake_csr));
	interrupt_pending = false;
	hv_host_sstc = false;
	fake_fences = 0;
	kicks = lane0_asked = 0;
	vm.nvcpus = 2;
	vm.lanes = 1;
	vm.nram = 1;
	vm.ram[0].gpa = RAM_BASE;
	vm.ram[0].size = RAM_SIZE;
	for (unsigned i = 0; i < vm.nvcpus; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].index = i;
		vm.vcpus[i].pc = ECALL_PC;
	}
	vm.vcpus[0].state = VCPU_RUNNABLE;
	return 0;
}

/* The guest's ecall on vCPU 0: a7 = eid, a6 = fid, a0-a2 the arguments; a1 is preset so
 * that a test sees whether the call wrote it. */
static enum exit_action ecall_on(struct vcpu *v, unsigned long eid, unsigned long fid,
				 uint64_t a0, uint64_t a1, uint64_t a2)
{
	v->regs[17] = eid;
	v->regs[16] = fid;
	v->regs[10] = a0;
	v->regs[11] = a1;
	v->regs[12] = a2;
	return sbi_dispatch(v, &ex);
}

static enum exit_action ecall(unsigned long eid, unsigned long fid, uint64_t a0, uint64_t a1,
			      uint64_t a2)
{
	return ecall_on(&vm.vcpus[0], eid, fid, a0, a1, a2);
}

static long a0(void) { return (long)vm.vcpus[0].regs[10]; }
static long a1(void) { return (long)vm.vcpus[0].regs[11]; }
static uint64_t pc(void) { return vm.vcpus[0].pc; }

static void test_unknown_extension_is_not_supported(void **state)
{
	(void)state;
	assert_int_equal(ecall(0x12345678, 0, 1, 2, 3), EXIT_CONTINUE);
	assert_int_equal(a0(), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(a1(), 0);
	assert_int_equal(pc(), ECALL_PC + 4);
	assert_int_equal(vm.stat.exits[VM_CAUSE_SBI_OTHER], 1);
}

static void test_base_version_and_probe(void **state)
{
	(void)state;
	assert_int_equal(ecall(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0), EXIT_CONTINUE);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(a1(), 2l << 24); /* 2.0 */
	assert_int_equal(pc(), ECALL_PC + 4);
	ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, SBI_EXT_HSM, 7, 0);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(a1(), 1);
	ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, 0x12345678, 7, 0);
	assert_int_equal(a1(), 0);
	ecall(SBI_EXT_BASE, 99, 0, 7, 0);
	assert_int_equal(a0(), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(vm.stat.exits[VM_CAUSE_SBI_BASE], 4);
}

/* hart_stop leaves the pc on the ecall: the vCPU is stopped, and a hart_start gives it a
 * new pc anyway. */
static void test_hsm_stop_keeps_the_pc(void **state)
{
	(void)state;
	assert_int_equal(ecall(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0), EXIT_CONTINUE);
	assert_int_equal(pc(), ECALL_PC);
	assert_int_equal(vm.vcpus[0].state, VCPU_STOPPED);
}

/* hart_get_status from vCPU 0, which keeps its pc (but not its a0 and a1). */
static long status_of(unsigned long hart)
{
	struct vcpu *v = &vm.vcpus[0];
	uint64_t pc0 = v->pc;
	ecall(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hart, 0, 0);
	v->pc = pc0;
	return a0() ? a0() : a1();
}

/* SBI spec 9.1: the target starts at start_addr with a0 = hartid, a1 = opaque, satp 0 and
 * SIE 0; it is START_PENDING until first entered (hsm_enter, from vcpu_run_once). */
static void test_hsm_start_checks_the_hart(void **state)
{
	(void)state;
	struct vcpu *t = &vm.vcpus[1];
	t->regs[5] = 55;
	t->vsatp = 0x8000000000012345ul;
	t->vsstatus = SSTATUS_SIE;
	assert_int_equal(status_of(1), SBI_HSM_STOPPED);
	ecall(SBI_EXT_HSM, SBI_HSM_HART_START, 1, RAM_BASE + 0x400, 0xabc);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(pc(), ECALL_PC + 4);
	assert_int_equal(t->state, VCPU_RUNNABLE);
	assert_int_equal(t->pc, RAM_BASE + 0x400);
	assert_int_equal(t->regs[10], 1);
	assert_int_equal(t->regs[11], 0xabc);
	assert_int_equal(t->regs[5], 0);
	assert_int_equal(t->vsatp, 0);
	assert_int_equal(t->vsstatus & SSTATUS_SIE, 0);
	assert_int_equal(status_of(1), SBI_HSM_START_PENDING);
	hsm_enter(t);
	assert_int_equal(status_of(1), SBI_HSM_STARTED);
	assert_int_equal(t->pc, RAM_BASE + 0x400);
	ecall(SBI_EXT_HSM, SBI_HSM_HART_START, 1, RAM_BASE, 0);
	assert_int_equal(a0(), SBI_ERR_ALREADY_AVAILABLE);
	ecall(SBI_EXT_HSM, SBI_HSM_HART_START, 2, RAM_BASE, 0);
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	ecall(SBI_EXT_HSM, SBI_HSM_HART_START, ~0ul, RAM_BASE, 0);
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	assert_int_equal(status_of(2), SBI_ERR_INVALID_PARAM);
}

/* Spec 9.1: a start address the hart cannot run from is SBI_ERR_INVALID_ADDRESS, and the
 * hart stays stopped. */
static void test_hsm_start_outside_ram_is_an_invalid_address(void **state)
{
	(void)state;
	const uint64_t bad[] = { 0, RAM_BASE - 4, RAM_BASE + RAM_SIZE, 0x0c000000, ~0ul,
				 ~0ul - 3 };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ecall(SBI_EXT_HSM, SBI_HSM_HART_START, 1, bad[i], 0);
		assert_int_equal(a0(), SBI_ERR_INVALID_ADDRESS);
		assert_int_equal(vm.vcpus[1].state, VCPU_STOPPED);
		assert_int_equal(status_of(1), SBI_HSM_STOPPED);
	}
	ecall(SBI_EXT_HSM, SBI_HSM_HART_START, 1, RAM_BASE + RAM_SIZE - 4, 0);
	assert_int_equal(a0(), SBI_SUCCESS);
}

/* Spec 9.4: a retentive suspend with an interrupt pending returns at once; without one the
 * vCPU is SUSPENDED, idle until an interrupt, and resumes after its ecall. */
static void test_hsm_retentive_suspend(void **state)
{
	(void)state;
	struct vcpu *v = &vm.vcpus[0];
	interrupt_pending = true;
	ecall(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_RETENTIVE, 0, 0);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(v->state, VCPU_RUNNABLE);
	assert_int_equal(status_of(0), SBI_HSM_RESUME_PENDING);
	hsm_enter(v);
	assert_int_equal(status_of(0), SBI_HSM_STARTED);
	assert_int_equal(pc(), ECALL_PC + 4);
	interrupt_pending = false;
	v->regs[9] = 99;
	ecall(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_RETENTIVE, 0, 0);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(v->state, VCPU_IDLE);
	assert_int_equal(status_of(0), SBI_HSM_SUSPENDED);
	v->state = VCPU_RUNNABLE; /* as the run loop wakes it on an interrupt */
	hsm_enter(v);
	assert_int_equal(status_of(0), SBI_HSM_STARTED);
	assert_int_equal(pc(), ECALL_PC + 8); /* past both ecalls: it resumes after its own */
	assert_int_equal(v->regs[9], 99);
}

/* Spec 9.4: a non-retentive suspend resumes at resume_addr with a0 = hartid, a1 = opaque,
 * satp 0 and SIE 0. */
static void test_hsm_non_retentive_suspend(void **state)
{
	(void)state;
	struct vcpu *v = &vm.vcpus[0];
	v->vsatp = 0x8000000000000042ul;
	v->vsstatus = SSTATUS_SIE;
	ecall(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RETENTIVE, RAM_BASE + 0x80,
	      0x5eed);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(v->state, VCPU_IDLE);
	assert_int_equal(status_of(0), SBI_HSM_SUSPENDED);
	v->state = VCPU_RUNNABLE;
	assert_int_equal(status_of(0), SBI_HSM_RESUME_PENDING);
	hsm_enter(v);
	assert_int_equal(pc(), RAM_BASE + 0x80);
	assert_int_equal(a0(), 0);
	assert_int_equal(a1(), 0x5eed);
	assert_int_equal(v->vsatp, 0);
	assert_int_equal(v->vsstatus & SSTATUS_SIE, 0);
	assert_int_equal(status_of(0), SBI_HSM_STARTED);
}

/* Spec 9.4: reserved and platform-specific types (none is implemented) are invalid, and a
 * resume address outside RAM too; the vCPU runs on. */
static void test_hsm_suspend_refuses_bad_types_and_addresses(void **state)
{
	(void)state;
	const uint64_t bad[] = { 1, 0x0fffffff, 0x10000000, 0x7fffffff, 0x80000001, 0x8fffffff,
				 0x90000000, 0xffffffff, 0x100000000ul, ~0ul };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		ecall(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, bad[i], RAM_BASE, 0);
		assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
		assert_int_equal(vm.vcpus[0].state, VCPU_RUNNABLE);
		assert_int_equal(status_of(0), SBI_HSM_STARTED);
	}
	ecall(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, SBI_HSM_SUSPEND_NON_RETENTIVE, RAM_BASE - 4, 0);
	assert_int_equal(a0(), SBI_ERR_INVALID_ADDRESS);
	assert_int_equal(vm.vcpus[0].state, VCPU_RUNNABLE);
	assert_int_equal(status_of(0), SBI_HSM_STARTED);
}

static void test_srst_goes_to_the_monitor(void **state)
{
	(void)state;
	assert_int_equal(ecall(SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE, 0),
			 EXIT_MONITOR);
	assert_int_equal(ex.reason, VIREO_VM_EXIT_REBOOT);
	assert_int_equal(ex.vcpu, 0);
	assert_int_equal(ex.pc, ECALL_PC);
	assert_int_equal(pc(), ECALL_PC + 4);
}

static void test_srst_refuses_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(ecall(SBI_EXT_SRST, 0, 3, 0, 0), EXIT_CONTINUE);
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	assert_int_equal(ecall(SBI_EXT_SRST, 0, 0, 2, 0), EXIT_CONTINUE);
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	assert_int_equal(ecall(SBI_EXT_SRST, 1, 0, 0, 0), EXIT_CONTINUE);
	assert_int_equal(a0(), SBI_ERR_NOT_SUPPORTED);
	assert_int_equal(ex.reason, 0);
}

/* The legacy extensions return a0 only: a1 keeps what the guest had in it. */
static void test_legacy_putchar_writes_a0_only(void **state)
{
	(void)state;
	assert_int_equal(ecall(SBI_EXT_LEGACY_PUTCHAR, 0, 'x', 77, 0), EXIT_CONTINUE);
	assert_int_equal(a0(), 0);
	assert_int_equal(a1(), 77);
	assert_int_equal(vm.out_len, 1);
	assert_int_equal(vm.out[0], 'x');
	ecall(SBI_EXT_LEGACY_GETCHAR, 0, 0, 77, 0);
	assert_int_equal(a0(), -1); /* no input */
	assert_int_equal(a1(), 77);
}

static void test_dbcn_write_hands_a_full_buffer_to_the_monitor(void **state)
{
	(void)state;
	memset(ram, 'a', VIREO_VM_CONSOLE_MAX);
	assert_int_equal(ecall(SBI_EXT_DBCN, 0, VIREO_VM_CONSOLE_MAX - 1, RAM_BASE, 0),
			 EXIT_CONTINUE);
	assert_int_equal(a1(), VIREO_VM_CONSOLE_MAX - 1);
	/* Only one more byte fits: it is taken, and the full buffer goes out. */
	assert_int_equal(ecall(SBI_EXT_DBCN, 0, 10, RAM_BASE, 0), EXIT_MONITOR);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(a1(), 1);
	assert_int_equal(pc(), ECALL_PC + 8);
	assert_int_equal(ex.reason, VIREO_VM_EXIT_CONSOLE);
	assert_int_equal(ex.console_len, VIREO_VM_CONSOLE_MAX);
	assert_int_equal(vm.out_len, 0);
	/* write_byte returns no count, whatever console_put took. */
	assert_int_equal(ecall(SBI_EXT_DBCN, 2, 'z', 5, 0), EXIT_CONTINUE);
	assert_int_equal(a1(), 0);
}

/* Only lane 0 hands output to the monitor, which keeps it in the order written: a vCPU of
 * another lane that finds the buffer full asks lane 0 to, and its putchar runs again, its
 * registers and pc as they were; the byte that fitted went in. */
static void test_another_lane_waits_for_lane_0_to_take_the_output(void **state)
{
	(void)state;
	struct vcpu *v = &vm.vcpus[1];
	vm.lanes = 2;
	v->lane = 1;
	v->state = VCPU_RUNNABLE;
	vm.out_len = VIREO_VM_CONSOLE_MAX - 1;
	assert_int_equal(ecall_on(v, SBI_EXT_LEGACY_PUTCHAR, 0, 'x', 77, 0), EXIT_CONTINUE);
	assert_int_equal(vm.out_len, VIREO_VM_CONSOLE_MAX);
	assert_int_equal(v->pc, ECALL_PC + 4);
	assert_int_equal(ex.reason, 0);
	assert_int_equal(ecall_on(v, SBI_EXT_LEGACY_PUTCHAR, 0, 'y', 77, 0), EXIT_CONTINUE);
	assert_int_equal(v->pc, ECALL_PC + 4);
	assert_int_equal(v->regs[10], 'y');
	assert_int_equal(v->regs[11], 77);
	assert_int_equal(lane0_asked, 2);
	assert_int_equal(ecall_on(v, SBI_EXT_DBCN, 2, 'z', 77, 0), EXIT_CONTINUE);
	assert_int_equal(v->pc, ECALL_PC + 4);
	assert_int_equal(v->regs[10], 'z');
	assert_int_equal(ex.console_len, 0);
	assert_int_equal(vm.out_len, VIREO_VM_CONSOLE_MAX);
}

static void test_dbcn_refuses_addresses_outside_ram(void **state)
{
	(void)state;
	ecall(SBI_EXT_DBCN, 0, 16, RAM_BASE + RAM_SIZE - 8, 0);
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	ecall(SBI_EXT_DBCN, 0, 16, ~0ul - 4, 0);
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	ecall(SBI_EXT_DBCN, 0, 16, RAM_BASE, 1); /* base_addr_hi */
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	assert_int_equal(vm.out_len, 0);
}

/* The IPI is asked of each target vCPU (requested_hvip), which takes it into hvip as it
 * is next entered. */
static void test_ipi_checks_the_hart_mask(void **state)
{
	(void)state;
	ecall(SBI_EXT_IPI, 0, 0x2, 0, 0);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(vm.vcpus[1].requested_hvip, HVIP_VSSIP);
	assert_int_equal(vm.vcpus[0].requested_hvip, 0);
	ecall(SBI_EXT_IPI, 0, 0x1, 2, 0); /* hart 2 of 2 */
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	ecall(SBI_EXT_IPI, 0, 0x3, ~0ul - 1, 0); /* base + i wraps */
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	ecall(SBI_EXT_IPI, 0, 0x4, 0, 0);
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	assert_int_equal(vm.vcpus[0].requested_hvip, 0);
	ecall(SBI_EXT_IPI, 0, 0x1, 1, 0); /* hart 1, by base */
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(vm.vcpus[0].requested_hvip, 0);
	ecall(SBI_EXT_IPI, 0, 0, ~0ul, 0); /* spec 3.2: base -1 is every hart, mask ignored */
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(vm.vcpus[0].requested_hvip, HVIP_VSSIP);
	assert_int_equal(vm.vcpus[1].requested_hvip, HVIP_VSSIP);
	ecall(SBI_EXT_IPI, 1, 0x1, 0, 0);
	assert_int_equal(a0(), SBI_ERR_NOT_SUPPORTED);
}

/* Remote fences are asked of the named vCPUs only; the HFENCEs are not for guests without
 * the H extension (SBI spec 8.4-8.7). Nothing is flushed on the caller's behalf. */
static void test_rfence_asks_the_named_vcpus(void **state)
{
	(void)state;
	ecall(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, 0x2, 0, 0);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(vm.vcpus[1].requested_fences, VCPU_FENCE_VVMA);
	assert_int_equal(vm.vcpus[0].requested_fences, 0);
	ecall(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 0x1, 0, 0);
	assert_int_equal(vm.vcpus[0].requested_fences, VCPU_FENCE_I);
	ecall(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, 0, ~0ul, 0);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(vm.vcpus[0].requested_fences, VCPU_FENCE_I | VCPU_FENCE_VVMA);
	assert_int_equal(vm.vcpus[1].requested_fences, VCPU_FENCE_VVMA);
	vm.vcpus[0].requested_fences = vm.vcpus[1].requested_fences = 0;
	ecall(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, 0x4, 0, 0);
	assert_int_equal(a0(), SBI_ERR_INVALID_PARAM);
	for (unsigned long fid = SBI_RFENCE_HFENCE_GVMA_VMID; fid <= 8; fid++) {
		ecall(SBI_EXT_RFENCE, fid, 0x3, 0, 0);
		assert_int_equal(a0(), SBI_ERR_NOT_SUPPORTED);
	}
	assert_int_equal(vm.vcpus[0].requested_fences, 0);
	assert_int_equal(vm.vcpus[1].requested_fences, 0);
	assert_int_equal(fake_fences, 0);
}

/* Without Sstc a deadline already past is an interrupt at once; one ahead is armed. */
static void test_time_without_sstc(void **state)
{
	(void)state;
	fake_csr[CSR_TIME] = 1000;
	vm.time_offset = (uint64_t)-1000; /* the guest's clock reads 0 */
	ecall(SBI_EXT_TIME, 0, 500, 0, 0);
	assert_int_equal(a0(), SBI_SUCCESS);
	assert_int_equal(vm.vcpus[0].timer_deadline, 1500);
	assert_false(vm.vcpus[0].hvip & HVIP_VSTIP);
	ecall(SBI_EXT_TIME, 0, 0, 0, 0);
	assert_true(vm.vcpus[0].hvip & HVIP_VSTIP);
	assert_int_equal(vm.vcpus[0].timer_deadline, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unknown_extension_is_not_supported, setup),
		cmocka_unit_test_setup(test_base_version_and_probe, setup),
		cmocka_unit_test_setup(test_hsm_stop_keeps_the_pc, setup),
		cmocka_unit_test_setup(test_hsm_start_checks_the_hart, setup),
		cmocka_unit_test_setup(test_hsm_start_outside_ram_is_an_invalid_address, setup),
		cmocka_unit_test_setup(test_hsm_retentive_suspend, setup),
		cmocka_unit_test_setup(test_hsm_non_retentive_suspend, setup),
		cmocka_unit_test_setup(test_hsm_suspend_refuses_bad_types_and_addresses, setup),
		cmocka_unit_test_setup(test_srst_goes_to_the_monitor, setup),
		cmocka_unit_test_setup(test_srst_refuses_bad_arguments, setup),
		cmocka_unit_test_setup(test_legacy_putchar_writes_a0_only, setup),
		cmocka_unit_test_setup(test_dbcn_write_hands_a_full_buffer_to_the_monitor, setup),
		cmocka_unit_test_setup(test_dbcn_refuses_addresses_outside_ram, setup),
		cmocka_unit_test_setup(test_ipi_checks_the_hart_mask, setup),
		cmocka_unit_test_setup(test_rfence_asks_the_named_vcpus, setup),
		cmocka_unit_test_setup(test_another_lane_waits_for_lane_0_to_take_the_output, setup),
		cmocka_unit_test_setup(test_time_without_sstc, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
