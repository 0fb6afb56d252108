/* The legacy console (SBI spec 5, v0.1 extensions 0x01 putchar and 0x02 getchar): Linux's
 * earlycon and hvc drivers use them when DBCN is absent. They return only a0. */
#include "guest_sbi.h"

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)fid;
	struct vm *vm = v->vm;
	if (eid == SBI_EXT_LEGACY_PUTCHAR) {
		char c = (char)sbi_arg(v, 0);
		struct sbi_result r = console_put(v, &c, 1, exit);
		return (struct sbi_result){ .action = r.action, .retry = r.retry };
	}
	if (vm->in_len == 0)
		return (struct sbi_result){ .value = -1 };
	char c = vm->in[vm->in_head];
	vm->in_head = (vm->in_head + 1) % sizeof(vm->in);
	vm->in_len--;
	return (struct sbi_result){ .value = (unsigned char)c };
}

const struct sbi_extension sbi_legacy = { SBI_EXT_LEGACY_PUTCHAR, SBI_EXT_LEGACY_GETCHAR,
					  VM_CAUSE_SBI_LEGACY, true, handle };
