/* Whole instruction encodings the kernel, the test guests and the unit tests name (RISC-V
 * unprivileged spec, chapter 24 opcode map; privileged spec 3.3.3 and 8.3.2): those written
 * as .word for assemblers without the H extension, and those matched in traps. */
#ifndef RISCV_INSN_H
#define RISCV_INSN_H

#define INSN_WFI 0x10500073
#define INSN_HFENCE_VVMA_ALL 0x22000073 /* hfence.vvma zero, zero */
#define INSN_HFENCE_GVMA_ALL 0x62000073 /* hfence.gvma zero, zero */

#endif
