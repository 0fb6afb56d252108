/* mmio_decode/mmio_decode_htinst: every integer load/store form the MMIO emulation accepts,
 * every class it must reject, htinst transforms and pseudoinstructions, and all 16-bit values.
 * Instructions are built by small encoders written from the spec's field layouts; the
 * encoders are themselves checked against real assembler output (test_assembler_table). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* UNIT_CFLAGS has no -Ihv. */
#include "../../hv/mmio_decode.h"

/* funct3 of the RV64I loads and stores. */
enum { LB = 0, LH = 1, LW = 2, LD = 3, LBU = 4, LHU = 5, LWU = 6 };
enum { SB = 0, SH = 1, SW = 2, SD = 3 };

static uint32_t enc_load(unsigned funct3, unsigned rd, unsigned rs1, int imm)
{
	return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x03;
}

static uint32_t enc_store(unsigned funct3, unsigned rs2, unsigned rs1, int imm)
{
	uint32_t u = (uint32_t)imm & 0xfff;
	return (u >> 5) << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | (u & 31) << 7 | 0x23;
}

/* CL/CS: registers are x8-x15, passed as real register numbers. */
static uint32_t enc_c_lw(unsigned rd, unsigned rs1, unsigned uimm)
{
	return 2u << 13 | ((uimm >> 3) & 7) << 10 | (rs1 - 8) << 7 | ((uimm >> 2) & 1) << 6 |
	       ((uimm >> 6) & 1) << 5 | (rd - 8) << 2;
}

static uint32_t enc_c_ld(unsigned rd, unsigned rs1, unsigned uimm)
{
	return 3u << 13 | ((uimm >> 3) & 7) << 10 | (rs1 - 8) << 7 | ((uimm >> 6) & 3) << 5 |
	       (rd - 8) << 2;
}

static uint32_t enc_c_sw(unsigned rs2, unsigned rs1, unsigned uimm)
{
	return (enc_c_lw(rs2, rs1, uimm) & ~(7u << 13)) | 6u << 13;
}

static uint32_t enc_c_sd(unsigned rs2, unsigned rs1, unsigned uimm)
{
	return (enc_c_ld(rs2, rs1, uimm) & ~(7u << 13)) | 7u << 13;
}

static uint32_t enc_c_lwsp(unsigned rd, unsigned uimm)
{
	return 2u << 13 | ((uimm >> 5) & 1) << 12 | rd << 7 | ((uimm >> 2) & 7) << 4 |
	       ((uimm >> 6) & 3) << 2 | 2;
}

static uint32_t enc_c_ldsp(unsigned rd, unsigned uimm)
{
	return 3u << 13 | ((uimm >> 5) & 1) << 12 | rd << 7 | ((uimm >> 3) & 3) << 5 |
	       ((uimm >> 6) & 7) << 2 | 2;
}

static uint32_t enc_c_swsp(unsigned rs2, unsigned uimm)
{
	return 6u << 13 | ((uimm >> 2) & 15) << 9 | ((uimm >> 6) & 3) << 7 | rs2 << 2 | 2;
}

static uint32_t enc_c_sdsp(unsigned rs2, unsigned uimm)
{
	return 7u << 13 | ((uimm >> 3) & 7) << 10 | ((uimm >> 6) & 7) << 7 | rs2 << 2 | 2;
}

/* What htinst holds for a load/store (priv spec 1.12, 8.6.3): rs1 replaced by the address
 * offset (here 0), immediate zeroed, and bit 1 cleared when the original was compressed. */
static uint32_t transform(const struct mmio_access *a)
{
	static const unsigned load_funct3[9][2] = {
		[1] = { LBU, LB }, [2] = { LHU, LH }, [4] = { LWU, LW }, [8] = { LD, LD },
	};
	uint32_t t = a->is_store ? enc_store(a->width == 8 ? SD : a->width / 2, a->reg, 0, 0)
				 : enc_load(load_funct3[a->width][a->sign_extend], a->reg, 0, 0);
	return a->insn_len == 2 ? t & ~2u : t;
}

static struct mmio_access acc(bool is_store, unsigned width, bool sign_extend, unsigned reg,
			      unsigned insn_len)
{
	return (struct mmio_access){ is_store, width, sign_extend, reg, insn_len };
}
#define LOAD(w, sx, r, len) acc(false, w, sx, r, len)
#define STORE(w, r, len) acc(true, w, false, r, len)

static bool same(const struct mmio_access *a, const struct mmio_access *b)
{
	return a->is_store == b->is_store && a->width == b->width &&
	       a->sign_extend == b->sign_extend && a->reg == b->reg && a->insn_len == b->insn_len;
}

static bool is_zero(const struct mmio_access *a)
{
	return !a->is_store && !a->width && !a->sign_extend && !a->reg && !a->insn_len;
}

/* Macros, so a failure names the line of the check and the instruction bits. */
#define EXPECT_ACCESS(fn, bits, want)                                                       \
	do {                                                                                \
		struct mmio_access got_, want_ = (want);                                    \
		memset(&got_, 1, sizeof(got_));                                             \
		int err_ = fn((bits), &got_);                                               \
		if (err_ != MMIO_DECODE_OK || !same(&got_, &want_))                         \
			fail_msg("%s(%#llx): err %d store %d width %u sext %d reg %u len %u; " \
				 "want store %d width %u sext %d reg %u len %u",            \
				 #fn, (unsigned long long)(bits), err_, got_.is_store,      \
				 got_.width, got_.sign_extend, got_.reg, got_.insn_len,     \
				 want_.is_store, want_.width, want_.sign_extend, want_.reg, \
				 want_.insn_len);                                           \
	} while (0)

/* Failure leaves *out zeroed, never stale. */
#define EXPECT_ERROR(fn, bits, want_err)                                                    \
	do {                                                                                \
		struct mmio_access got_;                                                    \
		memset(&got_, 1, sizeof(got_));                                             \
		int err_ = fn((bits), &got_);                                               \
		if (err_ != (want_err) || !is_zero(&got_))                                  \
			fail_msg("%s(%#llx): err %d (want %d), out %szeroed", #fn,          \
				 (unsigned long long)(bits), err_, (want_err),              \
				 is_zero(&got_) ? "" : "not ");                             \
	} while (0)
#define EXPECT_REJECT(bits) EXPECT_ERROR(mmio_decode, bits, MMIO_DECODE_UNSUPPORTED)
#define EXPECT_HTINST_REJECT(bits) EXPECT_ERROR(mmio_decode_htinst, bits, MMIO_DECODE_UNSUPPORTED)

static const unsigned some_regs[] = { 0, 1, 2, 5, 10, 15, 16, 31 };
static const int some_imms[] = { 0, 1, -1, 8, -8, 2047, -2048, 0x555, -0x556 };
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Encodings produced once by hand with riscv64-linux-gnu-as -march=rv64gc (binutils 2.40)
 * and riscv64-linux-gnu-objdump -d -M no-aliases; the build does not run the assembler.
 * Each row also re-encodes the instruction with the helpers above, to check them. */
struct asm_row {
	uint32_t bits;
	const char *text;
	uint32_t helper;
	struct mmio_access want;
};

static void test_assembler_table(void **state)
{
	(void)state;
	const struct asm_row rows[] = {
		{ 0x00058503, "lb a0,0(a1)", enc_load(LB, 10, 11, 0), LOAD(1, true, 10, 4) },
		{ 0xffc41283, "lh t0,-4(s0)", enc_load(LH, 5, 8, -4), LOAD(2, true, 5, 4) },
		{ 0x7ff12003, "lw zero,2047(sp)", enc_load(LW, 0, 2, 2047), LOAD(4, true, 0, 4) },
		{ 0x800fbd83, "ld s11,-2048(t6)", enc_load(LD, 27, 31, -2048), LOAD(8, false, 27, 4) },
		{ 0x00174783, "lbu a5,1(a4)", enc_load(LBU, 15, 14, 1), LOAD(1, false, 15, 4) },
		{ 0x0101d083, "lhu ra,16(gp)", enc_load(LHU, 1, 3, 16), LOAD(2, false, 1, 4) },
		{ 0x00856e03, "lwu t3,8(a0)", enc_load(LWU, 28, 10, 8), LOAD(4, false, 28, 4) },
		{ 0x00a58023, "sb a0,0(a1)", enc_store(SB, 10, 11, 0), STORE(1, 10, 4) },
		{ 0xfe049fa3, "sh zero,-1(s1)", enc_store(SH, 0, 9, -1), STORE(2, 0, 4) },
		{ 0x7ff02fa3, "sw t6,2047(zero)", enc_store(SW, 31, 0, 2047), STORE(4, 31, 4) },
		{ 0xff213c23, "sd s2,-8(sp)", enc_store(SD, 18, 2, -8), STORE(8, 18, 4) },
		{ 0x4188, "c.lw a0,0(a1)", enc_c_lw(10, 11, 0), LOAD(4, true, 10, 2) },
		{ 0x5fe0, "c.lw s0,124(a5)", enc_c_lw(8, 15, 124), LOAD(4, true, 8, 2) },
		{ 0x7c7c, "c.ld a5,248(s0)", enc_c_ld(15, 8, 248), LOAD(8, false, 15, 2) },
		{ 0x6504, "c.ld s1,8(a0)", enc_c_ld(9, 10, 8), LOAD(8, false, 9, 2) },
		{ 0xc2b0, "c.sw a2,64(a3)", enc_c_sw(12, 13, 64), STORE(4, 12, 2) },
		{ 0xc044, "c.sw s1,4(s0)", enc_c_sw(9, 8, 4), STORE(4, 9, 2) },
		{ 0xe398, "c.sd a4,0(a5)", enc_c_sd(14, 15, 0), STORE(8, 14, 2) },
		{ 0xe5c0, "c.sd s0,136(a1)", enc_c_sd(8, 11, 136), STORE(8, 8, 2) },
		{ 0x4082, "c.lwsp ra,0(sp)", enc_c_lwsp(1, 0), LOAD(4, true, 1, 2) },
		{ 0x5ffe, "c.lwsp t6,252(sp)", enc_c_lwsp(31, 252), LOAD(4, true, 31, 2) },
		{ 0x747e, "c.ldsp s0,504(sp)", enc_c_ldsp(8, 504), LOAD(8, false, 8, 2) },
		{ 0x6522, "c.ldsp a0,8(sp)", enc_c_ldsp(10, 8), LOAD(8, false, 10, 2) },
		{ 0xc002, "c.swsp zero,0(sp)", enc_c_swsp(0, 0), STORE(4, 0, 2) },
		{ 0xdffa, "c.swsp t5,252(sp)", enc_c_swsp(30, 252), STORE(4, 30, 2) },
		{ 0xff86, "c.sdsp ra,504(sp)", enc_c_sdsp(1, 504), STORE(8, 1, 2) },
		{ 0xec2e, "c.sdsp a1,24(sp)", enc_c_sdsp(11, 24), STORE(8, 11, 2) },
	};
	for (size_t i = 0; i < N(rows); i++) {
		if (rows[i].helper != rows[i].bits)
			fail_msg("%s: helper encodes %#x, assembler %#x", rows[i].text,
				 rows[i].helper, rows[i].bits);
		EXPECT_ACCESS(mmio_decode, rows[i].bits, rows[i].want);
		/* and the same access reported through htinst */
		EXPECT_ACCESS(mmio_decode_htinst, transform(&rows[i].want), rows[i].want);
	}
}

static void test_rv64i_loads(void **state)
{
	(void)state;
	const struct {
		unsigned funct3, width;
		bool sign_extend;
	} loads[] = {
		{ LB, 1, true },   { LH, 2, true },   { LW, 4, true },  { LD, 8, false },
		{ LBU, 1, false }, { LHU, 2, false }, { LWU, 4, false },
	};
	for (size_t l = 0; l < N(loads); l++)
		for (size_t rd = 0; rd < N(some_regs); rd++)
			for (size_t rs1 = 0; rs1 < N(some_regs); rs1++)
				for (size_t i = 0; i < N(some_imms); i++)
					EXPECT_ACCESS(mmio_decode,
						      enc_load(loads[l].funct3, some_regs[rd],
							       some_regs[rs1], some_imms[i]),
						      LOAD(loads[l].width, loads[l].sign_extend,
							   some_regs[rd], 4));
}

static void test_rv64i_stores(void **state)
{
	(void)state;
	const struct {
		unsigned funct3, width;
	} stores[] = { { SB, 1 }, { SH, 2 }, { SW, 4 }, { SD, 8 } };
	for (size_t s = 0; s < N(stores); s++)
		for (size_t rs2 = 0; rs2 < N(some_regs); rs2++)
			for (size_t rs1 = 0; rs1 < N(some_regs); rs1++)
				for (size_t i = 0; i < N(some_imms); i++)
					EXPECT_ACCESS(mmio_decode,
						      enc_store(stores[s].funct3, some_regs[rs2],
								some_regs[rs1], some_imms[i]),
						      STORE(stores[s].width, some_regs[rs2], 4));
}

/* The value is dropped, but the access still happens and the pc still advances. */
static void test_load_to_x0_is_valid(void **state)
{
	(void)state;
	EXPECT_ACCESS(mmio_decode, enc_load(LW, 0, 10, 0), LOAD(4, true, 0, 4));
	EXPECT_ACCESS(mmio_decode, enc_load(LBU, 0, 10, 4), LOAD(1, false, 0, 4));
	EXPECT_ACCESS(mmio_decode, enc_load(LD, 0, 0, -8), LOAD(8, false, 0, 4));
}

static void test_c_lw_c_ld(void **state)
{
	(void)state;
	for (unsigned rd = 8; rd < 16; rd++)
		for (unsigned rs1 = 8; rs1 < 16; rs1++) {
			for (unsigned off = 0; off <= 124; off += 4)
				EXPECT_ACCESS(mmio_decode, enc_c_lw(rd, rs1, off),
					      LOAD(4, true, rd, 2));
			for (unsigned off = 0; off <= 248; off += 8)
				EXPECT_ACCESS(mmio_decode, enc_c_ld(rd, rs1, off),
					      LOAD(8, false, rd, 2));
		}
}

static void test_c_sw_c_sd(void **state)
{
	(void)state;
	for (unsigned rs2 = 8; rs2 < 16; rs2++)
		for (unsigned rs1 = 8; rs1 < 16; rs1++) {
			for (unsigned off = 0; off <= 124; off += 4)
				EXPECT_ACCESS(mmio_decode, enc_c_sw(rs2, rs1, off),
					      STORE(4, rs2, 2));
			for (unsigned off = 0; off <= 248; off += 8)
				EXPECT_ACCESS(mmio_decode, enc_c_sd(rs2, rs1, off),
					      STORE(8, rs2, 2));
		}
}

static void test_c_lwsp_c_ldsp(void **state)
{
	(void)state;
	for (unsigned rd = 1; rd < 32; rd++) {
		for (unsigned off = 0; off <= 252; off += 4)
			EXPECT_ACCESS(mmio_decode, enc_c_lwsp(rd, off), LOAD(4, true, rd, 2));
		for (unsigned off = 0; off <= 504; off += 8)
			EXPECT_ACCESS(mmio_decode, enc_c_ldsp(rd, off), LOAD(8, false, rd, 2));
	}
}

static void test_c_swsp_c_sdsp(void **state)
{
	(void)state;
	for (unsigned rs2 = 0; rs2 < 32; rs2++) {
		for (unsigned off = 0; off <= 252; off += 4)
			EXPECT_ACCESS(mmio_decode, enc_c_swsp(rs2, off), STORE(4, rs2, 2));
		for (unsigned off = 0; off <= 504; off += 8)
			EXPECT_ACCESS(mmio_decode, enc_c_sdsp(rs2, off), STORE(8, rs2, 2));
	}
}

/* A 16-bit instruction read with a 32-bit HLVX carries the next instruction's low half. */
static void test_compressed_ignores_high_half(void **state)
{
	(void)state;
	const uint32_t high[] = { 0x0000u << 16, 0xffffu << 16, 0x1234u << 16, 0x0003u << 16 };
	for (size_t i = 0; i < N(high); i++) {
		EXPECT_ACCESS(mmio_decode, high[i] | 0x4188, LOAD(4, true, 10, 2));
		EXPECT_ACCESS(mmio_decode, high[i] | 0xff86, STORE(8, 1, 2));
		EXPECT_REJECT(high[i] | 0x0000);
		EXPECT_REJECT(high[i] | 0x2508);
	}
}

static void test_sign_extension_flags(void **state)
{
	(void)state;
	struct mmio_access a;
	const struct {
		uint32_t bits;
		bool sign_extend;
	} cases[] = {
		{ 0x00058503, true },  /* lb */
		{ 0xffc41283, true },  /* lh */
		{ 0x7ff12003, true },  /* lw */
		{ 0x800fbd83, false }, /* ld */
		{ 0x00174783, false }, /* lbu */
		{ 0x0101d083, false }, /* lhu */
		{ 0x00856e03, false }, /* lwu */
		{ 0x4188, true },      /* c.lw */
		{ 0x4082, true },      /* c.lwsp */
		{ 0x7c7c, false },     /* c.ld */
		{ 0x747e, false },     /* c.ldsp */
		{ 0x00a58023, false }, /* sb: stores never extend */
		{ 0xe398, false },     /* c.sd */
	};
	for (size_t i = 0; i < N(cases); i++) {
		assert_int_equal(mmio_decode(cases[i].bits, &a), MMIO_DECODE_OK);
		assert_int_equal(a.sign_extend, cases[i].sign_extend);
	}
}

static void test_rejects_fp(void **state)
{
	(void)state;
	/* assembled: flw fa0,4(a0); fld fa1,8(a1); fsw fa2,12(a2); fsd fa3,16(a3) */
	EXPECT_REJECT(0x00452507);
	EXPECT_REJECT(0x0085b587);
	EXPECT_REJECT(0x00c62627);
	EXPECT_REJECT(0x00d6b827);
	/* assembled: c.fld fa0,8(a0); c.fsd fa1,16(a1); c.fldsp fa2,32(sp); c.fsdsp fa3,40(sp) */
	EXPECT_REJECT(0x2508);
	EXPECT_REJECT(0xa98c);
	EXPECT_REJECT(0x3602);
	EXPECT_REJECT(0xb436);
	/* every funct3 of LOAD-FP and STORE-FP, whatever the other fields */
	for (uint32_t funct3 = 0; funct3 < 8; funct3++) {
		uint32_t ones = ~(7u << 12 | 0x7fu);
		EXPECT_REJECT(funct3 << 12 | 0x07);
		EXPECT_REJECT(funct3 << 12 | 0x27);
		EXPECT_REJECT(ones | funct3 << 12 | 0x07);
		EXPECT_REJECT(ones | funct3 << 12 | 0x27);
	}
}

static void test_rejects_atomics(void **state)
{
	(void)state;
	/* assembled: amoswap.w a0,a1,(a2); amoadd.d a0,a1,(a2); lr.w a0,(a1); sc.d a0,a1,(a2) */
	EXPECT_REJECT(0x08b6252f);
	EXPECT_REJECT(0x00b6352f);
	EXPECT_REJECT(0x1005a52f);
	EXPECT_REJECT(0x18b6352f);
	for (uint32_t funct5 = 0; funct5 < 32; funct5++)
		for (uint32_t funct3 = 0; funct3 < 8; funct3++)
			EXPECT_REJECT(funct5 << 27 | 11u << 20 | 12u << 15 | funct3 << 12 |
				      10u << 7 | 0x2f);
}

static void test_store_amo(void **state)
{
	(void)state;
	/* amoswap.w, amoadd.d, sc.d: store/AMO faults; raw and transformed (rs1 cleared) */
	assert_true(mmio_is_store_amo(0x08b6252f));
	assert_true(mmio_is_store_amo(0x00b6352f));
	assert_true(mmio_is_store_amo(0x18b6352f));
	assert_true(mmio_is_store_amo(0x08b6252f & ~(31u << 15)));
	for (uint32_t funct5 = 0; funct5 < 32; funct5++)
		assert_int_equal(mmio_is_store_amo(funct5 << 27 | 11u << 20 | 12u << 15 | 3u << 12 |
						   10u << 7 | 0x2f), funct5 != 0x02);
	/* lr.w is a load; loads, stores, FP accesses and wide htinst values are not AMOs */
	assert_false(mmio_is_store_amo(0x1005a52f));
	assert_false(mmio_is_store_amo(enc_load(LW, 10, 11, 0)));
	assert_false(mmio_is_store_amo(enc_store(SD, 10, 11, 8)));
	assert_false(mmio_is_store_amo(0x00d03027));
	assert_false(mmio_is_store_amo(1ull << 32 | 0x08b6252f));
}

static void test_rejects_reserved_funct3(void **state)
{
	(void)state;
	/* LOAD funct3 111 would be LDU (RV128); STORE 100 would be SQ, 101-111 unassigned. */
	EXPECT_REJECT(7u << 12 | 10u << 7 | 0x03);
	EXPECT_REJECT(enc_load(LW, 10, 11, 0) | 7u << 12);
	for (uint32_t funct3 = 4; funct3 < 8; funct3++) {
		EXPECT_REJECT(funct3 << 12 | 0x23);
		EXPECT_REJECT(enc_store(SB, 10, 11, -4) | funct3 << 12);
	}
}

static void test_rejects_compressed_reserved(void **state)
{
	(void)state;
	EXPECT_REJECT(0x0000); /* defined illegal */
	EXPECT_REJECT(0x0808); /* assembled: c.addi4spn a0,sp,16 */
	for (unsigned off = 0; off <= 252; off += 4)
		EXPECT_REJECT(enc_c_lwsp(0, off)); /* C.LWSP with rd = x0 is reserved */
	for (unsigned off = 0; off <= 504; off += 8)
		EXPECT_REJECT(enc_c_ldsp(0, off)); /* likewise C.LDSP */
	/* quadrant 0 funct3 100: reserved in RVC (Zcb's C.LBU, C.SH, ... live here) */
	for (uint32_t rest = 0; rest < (1u << 11); rest += 7)
		EXPECT_REJECT(4u << 13 | rest << 2);
}

static void test_rejects_other_opcodes(void **state)
{
	(void)state;
	/* assembled: addi a0,a0,1; jal ra,.; ecall; c.nop; c.mv a0,a1; c.addi a0,1; c.jr ra */
	const uint32_t others[] = { 0x00150513, 0x000000ef, 0x00000073, 0x0001,
				    0x852e,     0x0505,     0x8082,     0xffffffff };
	for (size_t i = 0; i < N(others); i++)
		EXPECT_REJECT(others[i]);
	/* HLV/HSV (assembled with -march=rv64gc_h: hlv.w a0,(a1); hsv.d a2,(a3); hlvx.hu a0,(a1)):
	 * loads and stores, but not ones a guest can run, and not in the LOAD/STORE opcodes. */
	EXPECT_REJECT(0x6805c573);
	EXPECT_REJECT(0x6ec6c073);
	EXPECT_REJECT(0x6435c573);
	/* every 32-bit major opcode except LOAD and STORE, with assorted other fields */
	const uint32_t fields[] = { 0, 0xfffff000u, 0x00b58000u, 0x12345000u, 0x00002000u };
	for (uint32_t opcode = 3; opcode < 128; opcode += 4) {
		if (opcode == 0x03 || opcode == 0x23)
			continue;
		for (size_t f = 0; f < N(fields); f++)
			EXPECT_REJECT(fields[f] | 0xa80u | opcode);
	}
}

/* What RV64C (without Zcb) defines as a memory access, from the RVC listings, restated as
 * data: quadrant, funct3, load or store, width, and where the register field is. */
static bool expected_compressed(uint16_t v, struct mmio_access *want)
{
	enum { PRIME, RD, RS2 };
	static const struct {
		unsigned quadrant, funct3;
		bool is_store;
		unsigned width, field;
	} forms[] = {
		{ 0, 2, false, 4, PRIME }, /* C.LW */
		{ 0, 3, false, 8, PRIME }, /* C.LD */
		{ 0, 6, true, 4, PRIME },  /* C.SW */
		{ 0, 7, true, 8, PRIME },  /* C.SD */
		{ 2, 2, false, 4, RD },    /* C.LWSP */
		{ 2, 3, false, 8, RD },    /* C.LDSP */
		{ 2, 6, true, 4, RS2 },    /* C.SWSP */
		{ 2, 7, true, 8, RS2 },    /* C.SDSP */
	};
	for (size_t i = 0; i < N(forms); i++) {
		if ((v & 3u) != forms[i].quadrant || (unsigned)(v >> 13) != forms[i].funct3)
			continue;
		unsigned reg = forms[i].field == PRIME ? 8 + ((v >> 2) & 7u)
			       : forms[i].field == RD  ? (v >> 7) & 31u
						       : (v >> 2) & 31u;
		if (forms[i].field == RD && reg == 0)
			return false;
		*want = acc(forms[i].is_store, forms[i].width,
			    !forms[i].is_store && forms[i].width == 4, reg, 2);
		return true;
	}
	return false;
}

static void test_all_16bit_values(void **state)
{
	(void)state;
	unsigned accepted = 0;
	for (uint32_t v = 0; v < 0x10000; v++) {
		struct mmio_access got, want;
		int err = mmio_decode(v, &got);
		if ((v & 3) == 3) {
			/* the low half of a 32-bit instruction: never a 2-byte access */
			assert_true(err != MMIO_DECODE_OK || got.insn_len == 4);
			continue;
		}
		if (expected_compressed((uint16_t)v, &want)) {
			EXPECT_ACCESS(mmio_decode, v, want);
			/* the hardware's htinst for it: the 32-bit expansion, transformed */
			EXPECT_ACCESS(mmio_decode_htinst, transform(&want), want);
			accepted++;
		} else {
			EXPECT_REJECT(v);
		}
	}
	/* Counted from the listings: quadrant 0 has 4 funct3 values x 2^11 free bits; quadrant
	 * 2 has 2 x 2^11 stores plus 2 x (2^11 - 2^6) loads, the 2^6 being rd = x0. */
	assert_int_equal(accepted, 4 * 2048 + 2 * 2048 + 2 * (2048 - 64));
}

/* Transformed 32-bit originals: rs1 becomes the misalignment offset and the immediate is
 * zeroed, but neither field may matter (priv spec 1.12, 8.6.3). */
static void test_htinst_transformed_32bit(void **state)
{
	(void)state;
	/* lb a0, lwu t3, ld s11, sb a0, sd s2 */
	EXPECT_ACCESS(mmio_decode_htinst, 0x00000503, LOAD(1, true, 10, 4));
	EXPECT_ACCESS(mmio_decode_htinst, 0x00006e03, LOAD(4, false, 28, 4));
	EXPECT_ACCESS(mmio_decode_htinst, 0x00003d83, LOAD(8, false, 27, 4));
	EXPECT_ACCESS(mmio_decode_htinst, 0x00a00023, STORE(1, 10, 4));
	EXPECT_ACCESS(mmio_decode_htinst, 0x01203023, STORE(8, 18, 4));
	for (unsigned funct3 = 0; funct3 < 7; funct3++)
		for (size_t r = 0; r < N(some_regs); r++)
			for (unsigned offset = 0; offset < 32; offset++) {
				unsigned reg = some_regs[r];
				EXPECT_ACCESS(mmio_decode_htinst, enc_load(funct3, reg, offset, 0),
					      LOAD(1u << (funct3 & 3), funct3 < 3, reg, 4));
				/* a future spec may put hints in the zeroed fields */
				EXPECT_ACCESS(mmio_decode_htinst,
					      enc_load(funct3, reg, offset, -1),
					      LOAD(1u << (funct3 & 3), funct3 < 3, reg, 4));
				if (funct3 > 3)
					continue;
				EXPECT_ACCESS(mmio_decode_htinst,
					      enc_store(funct3, reg, offset, 0),
					      STORE(1u << funct3, reg, 4));
				EXPECT_ACCESS(mmio_decode_htinst,
					      enc_store(funct3, reg, offset, 0x7ff),
					      STORE(1u << funct3, reg, 4));
			}
}

/* Compressed originals: the transform of the 32-bit expansion with bit 1 cleared. */
static void test_htinst_transformed_compressed(void **state)
{
	(void)state;
	/* c.lw a0,0(a1) -> lw a0: 0x00002503 -> 0x00002501 */
	EXPECT_ACCESS(mmio_decode_htinst, 0x00002501, LOAD(4, true, 10, 2));
	/* c.ldsp s0,504(sp) -> ld s0: 0x00003403 -> 0x00003401 */
	EXPECT_ACCESS(mmio_decode_htinst, 0x00003401, LOAD(8, false, 8, 2));
	/* c.swsp zero,0(sp) -> sw zero: 0x00002023 -> 0x00002021 */
	EXPECT_ACCESS(mmio_decode_htinst, 0x00002021, STORE(4, 0, 2));
	/* c.sd a4,0(a5) -> sd a4: 0x00e03023 -> 0x00e03021 */
	EXPECT_ACCESS(mmio_decode_htinst, 0x00e03021, STORE(8, 14, 2));
	/* a misaligned C.LW: offset 3 in bits 19:15 changes nothing */
	EXPECT_ACCESS(mmio_decode_htinst, 0x00002501 | 3u << 15, LOAD(4, true, 10, 2));
	/* byte and halfword forms (Zcb's C.LBU, C.LH, C.SB) come out as 2-byte accesses too */
	EXPECT_ACCESS(mmio_decode_htinst, enc_load(LBU, 9, 0, 0) & ~2u, LOAD(1, false, 9, 2));
	EXPECT_ACCESS(mmio_decode_htinst, enc_load(LH, 9, 0, 0) & ~2u, LOAD(2, true, 9, 2));
	EXPECT_ACCESS(mmio_decode_htinst, enc_store(SB, 9, 0, 0) & ~2u, STORE(1, 9, 2));
}

static void test_htinst_pseudoinstructions(void **state)
{
	(void)state;
	/* priv spec 1.12, 8.6.3: RV32 read/write, RV64 read/write */
	EXPECT_ERROR(mmio_decode_htinst, 0x00002000, MMIO_DECODE_PSEUDO);
	EXPECT_ERROR(mmio_decode_htinst, 0x00002020, MMIO_DECODE_PSEUDO);
	EXPECT_ERROR(mmio_decode_htinst, 0x00003000, MMIO_DECODE_PSEUDO);
	EXPECT_ERROR(mmio_decode_htinst, 0x00003020, MMIO_DECODE_PSEUDO);
	/* other values with bits 1:0 = 00 are not defined */
	EXPECT_HTINST_REJECT(0x00001000);
	EXPECT_HTINST_REJECT(0x00002004);
	EXPECT_HTINST_REJECT(0x00003040);
	EXPECT_HTINST_REJECT(0x00003000 | 10u << 7);
	EXPECT_HTINST_REJECT(0x00003000 | 1u << 15);
	/* nor are the pseudo values with the upper half set */
	EXPECT_HTINST_REJECT(1ull << 32 | 0x00003000);
	/* and mmio_decode does not confuse them with anything: they are not instructions */
	EXPECT_REJECT(0x00003000);
	EXPECT_REJECT(0x00003020);
}

static void test_htinst_rejects(void **state)
{
	(void)state;
	EXPECT_HTINST_REJECT(0); /* the caller reads the instruction instead */
	/* bits 1:0 = 10 fit none of the spec's cases */
	EXPECT_HTINST_REJECT(0x00002502);
	EXPECT_HTINST_REJECT(0x00003022);
	/* bits 63:32 nonzero: not a standard instruction even if the low half is one */
	EXPECT_HTINST_REJECT(1ull << 32 | 0x00002503);
	EXPECT_HTINST_REJECT(1ull << 63 | 0x00003023);
	EXPECT_HTINST_REJECT(0xffffffff00002501ull);
	/* transformed AMO, LR, SC: fields kept except rs1 (the offset) */
	EXPECT_HTINST_REJECT(0x08b6252f & ~(31u << 15));
	EXPECT_HTINST_REJECT(0x1005a52f & ~(31u << 15));
	EXPECT_HTINST_REJECT(0x18b6352f & ~(31u << 15));
	/* transformed FP loads and stores, 32-bit and compressed (c.fld -> fld: bit 1 cleared) */
	EXPECT_HTINST_REJECT(0x00002507); /* flw fa0 */
	EXPECT_HTINST_REJECT(0x00d03027); /* fsd fa3 */
	EXPECT_HTINST_REJECT(0x00003505); /* c.fld fa0 */
	EXPECT_HTINST_REJECT(0x00b03025); /* c.fsd fa1 */
	/* transformed HLV.W: not a guest instruction, and SYSTEM opcode */
	EXPECT_HTINST_REJECT(0x6805c573 & ~(31u << 15));
	/* reserved funct3 values, both sizes */
	EXPECT_HTINST_REJECT(0x00007503);
	EXPECT_HTINST_REJECT(0x00007501);
	EXPECT_HTINST_REJECT(0x00004023);
	EXPECT_HTINST_REJECT(0x00004021);
	/* 32-bit htinst never holds a raw 16-bit instruction */
	EXPECT_HTINST_REJECT(0x4188);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assembler_table),
		cmocka_unit_test(test_rv64i_loads),
		cmocka_unit_test(test_rv64i_stores),
		cmocka_unit_test(test_load_to_x0_is_valid),
		cmocka_unit_test(test_c_lw_c_ld),
		cmocka_unit_test(test_c_sw_c_sd),
		cmocka_unit_test(test_c_lwsp_c_ldsp),
		cmocka_unit_test(test_c_swsp_c_sdsp),
		cmocka_unit_test(test_compressed_ignores_high_half),
		cmocka_unit_test(test_sign_extension_flags),
		cmocka_unit_test(test_rejects_fp),
		cmocka_unit_test(test_rejects_atomics),
		cmocka_unit_test(test_store_amo),
		cmocka_unit_test(test_rejects_reserved_funct3),
		cmocka_unit_test(test_rejects_compressed_reserved),
		cmocka_unit_test(test_rejects_other_opcodes),
		cmocka_unit_test(test_all_16bit_values),
		cmocka_unit_test(test_htinst_transformed_32bit),
		cmocka_unit_test(test_htinst_transformed_compressed),
		cmocka_unit_test(test_htinst_pseudoinstructions),
		cmocka_unit_test(test_htinst_rejects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
