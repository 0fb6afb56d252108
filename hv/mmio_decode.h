/* Decoding the guest load or store that trapped on an emulated MMIO region, either from the
 * instruction bits (read from guest memory with HLVX when htinst is 0) or from the
 * transformed instruction the hardware wrote to htinst. Pure logic with no state, so the
 * same code runs in the kernel and in the host unit tests. */
#ifndef VIREO_MMIO_DECODE_H
#define VIREO_MMIO_DECODE_H

#include <stdbool.h>
#include <stdint.h>

struct mmio_access {
	bool is_store;
	unsigned width;      /* 1, 2, 4 or 8 bytes */
	bool sign_extend;    /* loads: LB, LH, LW (and C.LW, C.LWSP) sign-extend; LBU, LHU, LWU, LD do not */
	unsigned reg;        /* x register number: a load's destination, a store's source */
	unsigned insn_len;   /* 2 or 4: how far the guest pc advances */
};

enum mmio_decode_error {
	MMIO_DECODE_OK = 0,
	/* not an integer load/store we emulate: FP, AMO, LR/SC, illegal, other opcodes */
	MMIO_DECODE_UNSUPPORTED = -1,
	/* htinst holds a pseudoinstruction (implicit guest page-table access) */
	MMIO_DECODE_PSEUDO = -2,
};

/* Both functions zero *out first, so on failure it holds no stale data. */

/* insn: the raw bits read from guest memory: a 32-bit instruction when (insn & 3) == 3, else
 * a 16-bit compressed one in the low half (the high half is ignored, so a 32-bit HLVX read
 * that ran into the next instruction is fine). Accepts RV64I LB LH LW LD LBU LHU LWU SB SH
 * SW SD and RV64C C.LW C.LD C.SW C.SD C.LWSP C.LDSP C.SWSP C.SDSP. */
int mmio_decode(uint32_t insn, struct mmio_access *out);

/* htinst as the hardware wrote it; must not be 0 (the caller reads the instruction instead,
 * and 0 is reported as MMIO_DECODE_UNSUPPORTED). Accepts the transformed form of the loads
 * and stores above, for 32-bit and compressed originals, and reports a pseudoinstruction as
 * MMIO_DECODE_PSEUDO. The spec lets software treat any value it does not recognise as 0, so
 * on MMIO_DECODE_UNSUPPORTED the caller may fall back to reading the instruction and calling
 * mmio_decode: for an access this decoder rejects anyway (AMO, FP) that costs one HLVX. */
int mmio_decode_htinst(uint64_t htinst, struct mmio_access *out);

/* Whether insn (raw bits, or htinst in its transformed form) is an AMO or SC: an access
 * that faults as a store/AMO whatever the hardware reported (priv spec 3.7.1, exception
 * codes: LR is a load, every other A-extension instruction a store/AMO). */
bool mmio_is_store_amo(uint64_t insn);

#endif
