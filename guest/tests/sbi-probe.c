/* sbi-probe: the base extension (SBI spec v2.0 chapter 4) and which extensions it reports.
 * On bare QEMU 7.2 (OpenSBI 1.1, SBI 1.0) two checks are expected to FAIL: the spec version
 * (1.0 < 2.0) and the DBCN probe (DBCN is new in SBI 2.0); everything else passes. */
#include "lib.h"

static const struct {
	unsigned long eid;
	const char *name;
} present[] = {
	{ SBI_EXT_BASE, "BASE" },
	{ SBI_EXT_TIME, "TIME" },
	{ SBI_EXT_IPI, "IPI" },
	{ SBI_EXT_RFENCE, "RFENCE" },
	{ SBI_EXT_HSM, "HSM" },
	{ SBI_EXT_SRST, "SRST" },
	{ SBI_EXT_DBCN, "DBCN" },
	{ SBI_EXT_PMU, "PMU" },
	{ SBI_EXT_LEGACY_PUTCHAR, "legacy console putchar" },
};

static const unsigned long absent[] = { 0x0A000000, 0x12345678 };

static const struct {
	unsigned long fid;
	const char *name;
} machine_ids[] = {
	{ SBI_BASE_GET_MVENDORID, "get_mvendorid" },
	{ SBI_BASE_GET_MARCHID, "get_marchid" },
	{ SBI_BASE_GET_MIMPID, "get_mimpid" },
};

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	struct sbiret r = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION);
	/* Spec 4.1: major version in bits 30:24, minor in 23:0. */
	unsigned long major = ((unsigned long)r.value >> 24) & 0x7f;
	unsigned long minor = (unsigned long)r.value & 0xffffff;
	check(r.error == SBI_SUCCESS && major >= 2, "spec version %lu.%lu is at least 2.0", major,
	      minor);

	r = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID);
	check(r.error == SBI_SUCCESS, "get_impl_id succeeds (%ld)", r.value);
	r = sbi_call0(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION);
	check(r.error == SBI_SUCCESS, "get_impl_version succeeds (0x%lx)", r.value);

	for (size_t i = 0; i < sizeof(present) / sizeof(present[0]); i++) {
		r = sbi_call1(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, present[i].eid);
		check(r.error == SBI_SUCCESS && r.value != 0, "probe %s (0x%lx) is nonzero",
		      present[i].name, present[i].eid);
	}
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		r = sbi_call1(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, absent[i]);
		check(r.error == SBI_SUCCESS && r.value == 0, "probe unknown extension 0x%lx is 0",
		      absent[i]);
	}

	r = sbi_call0(0x12345678, 0);
	check(r.error == SBI_ERR_NOT_SUPPORTED,
	      "calling unknown extension 0x12345678 returns SBI_ERR_NOT_SUPPORTED (%ld)", r.error);
	r = sbi_call0(SBI_EXT_BASE, 99);
	check(r.error == SBI_ERR_NOT_SUPPORTED,
	      "base function 99 returns SBI_ERR_NOT_SUPPORTED (%ld)", r.error);

	for (size_t i = 0; i < sizeof(machine_ids) / sizeof(machine_ids[0]); i++) {
		r = sbi_call0(SBI_EXT_BASE, machine_ids[i].fid);
		check(r.error == SBI_SUCCESS, "%s succeeds (0x%lx)", machine_ids[i].name, r.value);
	}
	finish();
}
