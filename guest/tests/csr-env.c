/* csr-env: scounteren and senvcfg have no VS-mode copies (priv spec 8.2: the hypervisor
 * extension adds vs* CSRs for the others), so a guest reads and writes the hart's own. A
 * guest must start with its own fresh values (scounteren 7, as OpenSBI leaves it for S-mode,
 * senvcfg zero), and what it writes must reach neither
 * the host nor the next guest: run it twice, then a host task that reads the counters
 * (tools/systest/programs/counters.c), which scounteren = 0 would kill. */
#include "lib.h"

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid, (void)dtb;
	unsigned long counteren = csr_read(scounteren), envcfg = csr_read(senvcfg);
	check(counteren == 7, "scounteren starts at 7 (0x%lx)", counteren);
	check(envcfg == 0, "senvcfg starts at 0 (0x%lx)", envcfg);
	csr_write(scounteren, 0);
	csr_write(senvcfg, ~0UL);
	envcfg = csr_read(senvcfg);
	check(envcfg != 0, "the guest's own senvcfg took its write (0x%lx)", envcfg);
	finish();
}
