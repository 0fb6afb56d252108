/* residue-check: run after residue-fill in a VM of the same size (ram=16). Its registers
 * at entry, its FP registers and all of its RAM but its own image and device tree must be
 * zero: nothing of the guest before it remains (priv spec leaves them undefined at reset;
 * a hypervisor that reuses a vCPU or RAM must clear them). */
#include "lib.h"
#include "residue.h"

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	unsigned dirty_regs = 0;
	for (unsigned i = 1; i < 32; i++)
		if (i != 10 && i != 11 && entry_regs[i]) /* a0 = hart id, a1 = device tree */
			dirty_regs++;
	check(dirty_regs == 0, "integer registers are zero at entry (%u are not)", dirty_regs);
	check(residue_fp_nonzero() == 0, "FP registers are zero (%u are not)",
	      residue_fp_nonzero());
	uint64_t dirty = 0, scanned = 0, *first = 0;
	for (uint64_t *p = residue_ram_start(); p < residue_ram_end(); p++) {
		if (residue_skip(p, dtb))
			continue;
		scanned++;
		if (*p && !dirty++)
			first = p;
	}
	check(scanned > 1000000 && dirty == 0, "%lu words of RAM scanned, %lu not zero (first at %p: 0x%lx)",
	      scanned, dirty, (void *)first, first ? *first : 0);
	finish();
}
