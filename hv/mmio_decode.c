#include "mmio_decode.h"

/* Major opcodes from the base opcode map (unpriv spec 20191213, "RV32/64G Instruction Set
 * Listings"). LOAD-FP, STORE-FP and AMO have their own opcodes, so matching these two exactly
 * is what keeps FP and atomic accesses out. */
#define OPCODE_LOAD 0x03
#define OPCODE_STORE 0x23
#define OPCODE_AMO 0x2f
#define FUNCT5_LR 0x02

/* htinst pseudoinstructions for implicit VS-stage page-table accesses (priv spec 1.12,
 * 8.6.3, table "Special pseudoinstruction values for guest-page faults"): 32-bit read and
 * write (VSXLEN=32), then 64-bit read and write (VSXLEN=64). */
#define PSEUDO_READ32 0x00002000u
#define PSEUDO_WRITE32 0x00002020u
#define PSEUDO_READ64 0x00003000u
#define PSEUDO_WRITE64 0x00003020u

static int accept(struct mmio_access *out, bool is_store, unsigned width, bool sign_extend,
		  unsigned reg, unsigned insn_len)
{
	out->is_store = is_store;
	out->width = width;
	out->sign_extend = sign_extend;
	out->reg = reg;
	out->insn_len = insn_len;
	return MMIO_DECODE_OK;
}

/* RV64I loads and stores (unpriv spec 20191213, RV32I and RV64I "Load and Store
 * Instructions"). Only opcode, funct3 and rd/rs2 are read: rs1 and the immediate locate the
 * access, which the trap already reports in htval/stval, and htinst zeroes them anyway. */
static int decode_32(uint32_t insn, struct mmio_access *out)
{
	unsigned funct3 = (insn >> 12) & 7;
	unsigned rd = (insn >> 7) & 31;
	unsigned rs2 = (insn >> 20) & 31;

	switch (insn & 0x7f) {
	case OPCODE_LOAD:
		/* funct3 bit 2 selects zero extension and bits 1:0 log2 of the width; 111 would
		 * be LDU, which exists only in RV128. */
		if (funct3 == 7)
			return MMIO_DECODE_UNSUPPORTED;
		return accept(out, false, 1u << (funct3 & 3), funct3 < 3, rd, 4);
	case OPCODE_STORE:
		/* 100 would be SQ (RV128); 101-111 are unassigned. */
		if (funct3 > 3)
			return MMIO_DECODE_UNSUPPORTED;
		return accept(out, true, 1u << funct3, false, rs2, 4);
	default:
		return MMIO_DECODE_UNSUPPORTED;
	}
}

/* RV64C loads and stores (unpriv spec 20191213, "C" chapter, "Load and Store Instructions"
 * and tables "Instruction listing for RVC, Quadrant 0/2"). The funct3 values not handled
 * are, in quadrant 0: 000 C.ADDI4SPN (all zeros: defined illegal), 001 C.FLD, 100 reserved
 * (Zcb's byte/halfword forms live there; not emulated), 101 C.FSD; in quadrant 2: C.SLLI,
 * C.FLDSP, the C.JR/C.MV/C.ADD group and C.FSDSP. Quadrant 1 has no memory accesses. */
static int decode_16(uint16_t insn, struct mmio_access *out)
{
	unsigned funct3 = insn >> 13;
	/* CL/CS formats name only x8-x15, with a 3-bit field in bits 4:2. */
	unsigned rd_rs2_prime = 8 + ((insn >> 2) & 7);
	/* CI format (C.LWSP, C.LDSP): full rd in bits 11:7; CSS (C.SWSP, C.SDSP): rs2 in 6:2. */
	unsigned rd = (insn >> 7) & 31;
	unsigned rs2 = (insn >> 2) & 31;

	switch (insn & 3) {
	case 0:
		switch (funct3) {
		case 2: /* C.LW expands to LW, which sign-extends */
			return accept(out, false, 4, true, rd_rs2_prime, 2);
		case 3: /* C.LD in RV64 (C.FLW only in RV32) */
			return accept(out, false, 8, false, rd_rs2_prime, 2);
		case 6: /* C.SW */
			return accept(out, true, 4, false, rd_rs2_prime, 2);
		case 7: /* C.SD in RV64 (C.FSW only in RV32) */
			return accept(out, true, 8, false, rd_rs2_prime, 2);
		default:
			return MMIO_DECODE_UNSUPPORTED;
		}
	case 2:
		switch (funct3) {
		case 2: /* C.LWSP: rd = x0 is reserved, unlike a 32-bit load to x0 */
			if (rd == 0)
				return MMIO_DECODE_UNSUPPORTED;
			return accept(out, false, 4, true, rd, 2);
		case 3: /* C.LDSP, likewise reserved for rd = x0 */
			if (rd == 0)
				return MMIO_DECODE_UNSUPPORTED;
			return accept(out, false, 8, false, rd, 2);
		case 6: /* C.SWSP: storing x0 is valid */
			return accept(out, true, 4, false, rs2, 2);
		case 7: /* C.SDSP */
			return accept(out, true, 8, false, rs2, 2);
		default:
			return MMIO_DECODE_UNSUPPORTED;
		}
	default:
		return MMIO_DECODE_UNSUPPORTED;
	}
}

int mmio_decode(uint32_t insn, struct mmio_access *out)
{
	*out = (struct mmio_access){ 0 };
	if ((insn & 3) == 3)
		return decode_32(insn, out);
	return decode_16((uint16_t)insn, out);
}

/* Priv spec 1.12, 8.6.3: a nonzero htinst is either a transformed standard instruction (bit 0
 * set; bit 1 clear if the original was compressed, in which case the value is the transform
 * of its 32-bit expansion), a custom value, or a pseudoinstruction (bits 1:0 = 00). The
 * transform keeps opcode, funct3 and rd (loads) or rs2 (stores), and puts the misalignment
 * offset in the rs1 field and zeros in the immediate; decode_32 reads neither, as the spec
 * allows ("not necessary to confirm also that the immediate offset fields ... are zeros"). */
int mmio_decode_htinst(uint64_t htinst, struct mmio_access *out)
{
	*out = (struct mmio_access){ 0 };
	/* A future standard may give meaning to bits 63:32; until then such values are not
	 * the instruction their low half looks like (8.6.3, commentary). */
	if (htinst >> 32)
		return MMIO_DECODE_UNSUPPORTED;

	uint32_t value = (uint32_t)htinst;
	int err;
	switch (value & 3) {
	case 3:
		return decode_32(value, out);
	case 1:
		/* Any basic load or store is taken here, not only those RVC can express, so a
		 * compressed extension with more forms (Zcb's C.LBU, C.SH, ...) still decodes. */
		err = decode_32(value | 2, out);
		if (err == MMIO_DECODE_OK)
			out->insn_len = 2;
		return err;
	case 0:
		if (value == PSEUDO_READ32 || value == PSEUDO_WRITE32 || value == PSEUDO_READ64 ||
		    value == PSEUDO_WRITE64)
			return MMIO_DECODE_PSEUDO;
		return MMIO_DECODE_UNSUPPORTED;
	default:
		/* Bits 1:0 = 10 is excluded by every case the spec defines. */
		return MMIO_DECODE_UNSUPPORTED;
	}
}

bool mmio_is_store_amo(uint64_t insn)
{
	/* AMOs have no compressed form, so a transformed one keeps bits 1:0 = 11 too. */
	return insn >> 32 == 0 && (insn & 0x7f) == OPCODE_AMO && (insn >> 27 & 31) != FUNCT5_LR;
}
