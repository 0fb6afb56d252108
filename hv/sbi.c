#include "sbi.h"

#include <string.h>

static const struct sbi_extension *const extensions[] = {
	&sbi_base, &sbi_legacy, &sbi_time, &sbi_ipi, &sbi_rfence, &sbi_hsm, &sbi_srst, &sbi_dbcn,
};

static const struct sbi_extension *find(unsigned long eid)
{
	for (unsigned i = 0; i < sizeof(extensions) / sizeof(*extensions); i++)
		if (eid >= extensions[i]->eid_min && eid <= extensions[i]->eid_max)
			return extensions[i];
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
	struct sbi_result r = { .error = SBI_ERR_NOT_SUPPORTED };

	v->vm->stat.exits[ext ? ext->cause : VM_CAUSE_SBI_OTHER]++;
	if (ext)
		r = ext->handle(v, eid, fid, exit);
	if (r.legacy) {
		v->regs[10] = (uint64_t)r.value;
	} else {
		v->regs[10] = (uint64_t)r.error;
		v->regs[11] = (uint64_t)r.value;
	}
	if (!r.no_advance)
		v->pc += 4;
	return r.action;
}

void console_flush(struct vm *vm, struct vireo_vm_exit *exit)
{
	exit->reason = VIREO_VM_EXIT_CONSOLE;
	memcpy(exit->console, vm->out, vm->out_len);
	exit->console_len = vm->out_len;
	vm->out_len = 0;
}

enum exit_action console_put(struct vcpu *v, const char *s, unsigned long n,
			     struct vireo_vm_exit *exit, unsigned long *taken)
{
	struct vm *vm = v->vm;
	bool newline = false;
	unsigned long i = 0;
	for (; i < n && vm->out_len < sizeof(vm->out); i++) {
		vm->out[vm->out_len++] = s[i];
		newline |= s[i] == '\n';
	}
	*taken = i;
	if (!newline && vm->out_len < sizeof(vm->out))
		return EXIT_CONTINUE;
	exit->vcpu = v->index;
	console_flush(vm, exit);
	return EXIT_MONITOR;
}
