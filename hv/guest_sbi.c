#include "guest_sbi.h"

#include <string.h>

#include "csr.h"

static const struct sbi_extension *const extensions[] = {
	&sbi_base, &sbi_legacy, &sbi_time, &sbi_ipi, &sbi_rfence, &sbi_hsm, &sbi_srst, &sbi_dbcn,
	&sbi_pmu,
};

static bool covers(const struct sbi_extension *ext, unsigned long eid)
{
	return eid >= ext->eid_min && eid <= ext->eid_max;
}

/* Guests call one extension many times in a row (the console, the timer): the last one
 * found is tried first. */
static const struct sbi_extension *find(unsigned long eid)
{
	static const struct sbi_extension *last = &sbi_base;
	if (covers(last, eid))
		return last;
	for (unsigned i = 0; i < sizeof(extensions) / sizeof(*extensions); i++)
		if (covers(extensions[i], eid))
			return last = extensions[i];
	return NULL;
}

bool sbi_probe(unsigned long eid)
{
	return find(eid) != NULL;
}

enum exit_action sbi_dispatch(struct vcpu *v, struct vireo_vm_exit *exit)
{
	unsigned long eid = v->regs[17], fid = v->regs[16];
	const struct sbi_extension *ext = find(eid);

	if (!ext) {
		v->vm->stat.exits[VM_CAUSE_SBI_OTHER]++;
		v->regs[10] = (uint64_t)SBI_ERR_NOT_SUPPORTED;
		v->regs[11] = 0;
		v->pc += 4;
		return EXIT_CONTINUE;
	}
	v->vm->stat.exits[ext->cause]++;
	struct sbi_result r = ext->handle(v, eid, fid, exit);
	if (r.retry)
		return r.action;
	if (ext->legacy) {
		v->regs[10] = (uint64_t)r.value;
	} else {
		v->regs[10] = (uint64_t)r.error;
		v->regs[11] = (uint64_t)r.value;
	}
	if (!r.pc_stays)
		v->pc += 4;
	return r.action;
}

void console_take(struct vm *vm, struct vireo_vm_exit *exit)
{
	memcpy(exit->console, vm->out, vm->out_len);
	exit->console_len = vm->out_len;
	vm->out_len = 0;
	vm->out_kicked = false;
}

void console_flush(struct vm *vm, struct vireo_vm_exit *exit)
{
	exit->reason = VIREO_VM_EXIT_CONSOLE;
	console_take(vm, exit);
}

struct sbi_result console_put(struct vcpu *v, const char *s, unsigned long n,
			      struct vireo_vm_exit *exit)
{
	struct vm *vm = v->vm;
	struct sbi_result r = { 0 };
	unsigned long i = 0;
	if (vm->out_len == 0 && n > 0)
		vm->out_since = read_time();
	for (; i < n && vm->out_len < sizeof(vm->out); i++)
		vm->out[vm->out_len++] = s[i];
	r.value = (long)i;
	/* One monitor round trip a line would dominate a verbose boot (docs/design.md 6.5). */
	if (vm->out_len < sizeof(vm->out))
		return r;
	/* Only lane 0 hands output over, so that it reaches the console in the order written
	 * (the monitor's main thread handles other lanes' exits later). Another lane's vCPU
	 * has it flushed, and writes again until there is room. */
	if (v->lane == 0) {
		exit->vcpu = v->index;
		console_flush(vm, exit);
		r.action = EXIT_MONITOR;
	} else {
		vm_ask_lane0_for_output(vm);
		r.retry = i == 0;
	}
	return r;
}
