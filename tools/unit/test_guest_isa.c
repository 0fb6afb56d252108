/* The guest's ISA string: the host's, less what Vireo does not virtualize. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "guest_isa.h"

#define ALL (GUEST_ISA_SSTC | GUEST_ISA_ZICBOM | GUEST_ISA_ZICBOZ)

static void expect_isa(const char *host, unsigned enabled, const char *want)
{
	char out[512];
	assert_true(guest_isa(host, enabled, out, sizeof(out)));
	assert_string_equal(out, want);
}

static void test_qemu_7_2_host(void **state)
{
	(void)state;
	expect_isa("rv64imafdch_zicbom_zicboz_zihintpause_zba_zbb_zbc_zbs_sstc", ALL,
		   "rv64imafdc_zicbom_zicboz_zihintpause_zba_zbb_zbc_zbs_sstc");
}

static void test_qemu_10_host_drops_what_is_not_virtualized(void **state)
{
	(void)state;
	expect_isa("rv64imafdchv_zic64b_zicbom_zicbop_zicboz_ziccamoa_ziccif_zicclsm_ziccrse_"
		   "zicntr_zicsr_zifencei_zihintntl_zihintpause_zihpm_zmmul_za64rs_zaamo_zalrsc_"
		   "zawrs_zfa_zca_zcd_zba_zbb_zbc_zbs_ssccptr_sscounterenw_sstc_sstvala_sstvecd_"
		   "svadu_svpbmt_smaia_ssaia_sscofpmf_smstateen_zve32f_zkr",
		   ALL,
		   "rv64imafdc_zic64b_zicbom_zicbop_zicboz_ziccamoa_ziccif_zicclsm_ziccrse_zicntr_"
		   "zicsr_zifencei_zihintntl_zihintpause_zmmul_za64rs_zaamo_zalrsc_zfa_zca_zcd_zba_"
		   "zbb_zbc_zbs_ssccptr_sstc_sstvala_sstvecd");
}

static void test_conditional_extensions_need_the_hypervisor(void **state)
{
	(void)state;
	expect_isa("rv64imafdch_zicbom_zicboz_sstc", 0, "rv64imafdc");
	expect_isa("rv64imafdch_zicbom_zicboz_sstc", GUEST_ISA_ZICBOZ, "rv64imafdc_zicboz");
	/* and never what the host lacks, whatever is enabled */
	expect_isa("rv64imach", ALL, "rv64imac");
}

static void test_never_claims_what_the_host_lacks(void **state)
{
	(void)state;
	expect_isa("rv64ima", ALL, "rv64ima");
	expect_isa("rv64i", ALL, "rv64i");
	/* a multi-letter name right after the letters, with no '_' (riscv,isa binding) */
	expect_isa("rv64imaczicsr_zifencei", ALL, "rv64imac_zicsr_zifencei");
	/* version numbers fall away, their 'p' with them */
	expect_isa("rv64i2p1m2p0a2p1c2p0h1p0_zicsr2p0", ALL, "rv64imac");
	/* empty and repeated separators, and names that only start like allowed ones */
	expect_isa("rv64imac__zicsrx_zicsr_zba1_", ALL, "rv64imac_zicsr");
}

static void test_refuses_other_bases_and_small_buffers(void **state)
{
	(void)state;
	char out[16] = "x";
	assert_false(guest_isa("rv32imac", ALL, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(guest_isa("", ALL, out, sizeof(out)));
	assert_false(guest_isa("rv64imafdc_zicsr_zifencei", ALL, out, sizeof(out)));
	assert_string_equal(out, "");
	assert_true(guest_isa("rv64imafd_zicsr", ALL, out, sizeof(out))); /* 15 bytes and NUL */
	assert_string_equal(out, "rv64imafd_zicsr");
	assert_false(guest_isa("rv64imafdc_zicsrx", ALL, out, 0));
	char tiny[4];
	assert_false(guest_isa("rv64i", ALL, tiny, sizeof(tiny)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_7_2_host),
		cmocka_unit_test(test_qemu_10_host_drops_what_is_not_virtualized),
		cmocka_unit_test(test_conditional_extensions_need_the_hypervisor),
		cmocka_unit_test(test_never_claims_what_the_host_lacks),
		cmocka_unit_test(test_refuses_other_bases_and_small_buffers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
