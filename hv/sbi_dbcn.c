/* The debug console extension (SBI spec 12): writes and reads of guest physical memory. */
#include "guest_sbi.h"

static struct sbi_result handle(struct vcpu *v, unsigned long eid, unsigned long fid,
				 struct vireo_vm_exit *exit)
{
	(void)eid;
	struct vm *vm = v->vm;
	unsigned long n = sbi_arg(v, 0), taken = 0;
	char c;
	uint64_t base = sbi_arg(v, 1);
	char buf[VIREO_VM_CONSOLE_MAX];

	if (sbi_arg(v, 2) != 0 && fid != 2) /* base_addr_hi must be 0 on RV64 */
		return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
	switch (fid) {
	case 0: { /* write: as much as fits now; the guest writes the rest again */
		if (n > sizeof(buf))
			n = sizeof(buf);
		if (guest_read(vm, buf, base, n))
			return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
		return console_put(v, buf, n, exit);
	}
	case 1: { /* read: what input there is, possibly nothing */
		while (taken < n && taken < sizeof(buf) && vm->in_len > 0) {
			buf[taken++] = vm->in[vm->in_head];
			vm->in_head = (vm->in_head + 1) % sizeof(vm->in);
			vm->in_len--;
		}
		if (taken && guest_write(vm, base, buf, taken))
			return (struct sbi_result){ .error = SBI_ERR_INVALID_PARAM };
		return (struct sbi_result){ .value = (long)taken };
	}
	case 2: /* write_byte */
		c = (char)sbi_arg(v, 0);
		struct sbi_result r = console_put(v, &c, 1, exit);
		return (struct sbi_result){ .action = r.action, .retry = r.retry };
	}
	return (struct sbi_result){ .error = SBI_ERR_NOT_SUPPORTED };
}

const struct sbi_extension sbi_dbcn = { SBI_EXT_DBCN, SBI_EXT_DBCN, VM_CAUSE_SBI_DBCN, false,
					handle };
