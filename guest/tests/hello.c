/* hello: both console paths. "hello over DBCN" through one SBI DBCN write (spec 12.1) and
 * "hello over legacy putchar" through EID 0x01, one call per character.
 * On bare QEMU 7.2 (OpenSBI 1.1, SBI 1.0, no DBCN) the DBCN check is expected to FAIL. */
#include "lib.h"

static bool legacy_puts(const char *s)
{
	bool ok = true;
	for (; *s; s++)
		ok &= sbi_legacy_call(SBI_EXT_LEGACY_PUTCHAR, (unsigned char)*s) == 0;
	return ok;
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	static const char dbcn_msg[] = "hello over DBCN\n";
	struct sbiret r = sbi_call3(SBI_EXT_DBCN, 0, sizeof(dbcn_msg) - 1,
				    (unsigned long)dbcn_msg, 0);
	check(r.error == SBI_SUCCESS && r.value == sizeof(dbcn_msg) - 1,
	      "DBCN write returned success and its length (error %ld, value %ld)", r.error,
	      r.value);
	check(legacy_puts("hello over legacy putchar\n"), "legacy putchar returned 0");
	finish();
}
