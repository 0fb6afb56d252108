/* mmio: loads and stores that Vireo's hypervisor must decode and emulate, against the test
 * device its monitor places at guest physical 0x10000000. Vireo only: on bare QEMU that
 * address is the UART, so this guest means nothing there.
 *
 * Device layout: 0x00-0x3f eight 64-bit scratch registers, where any naturally aligned access
 * of 1, 2, 4 or 8 bytes reads or writes those bytes little-endian; 0x40 a read-only 64-bit
 * constant 0x8877665544332211, whose top byte 0x88 is negative for the sign-extension checks;
 * 0x48 a 32-bit irq control (vplic.c).
 *
 * Every width of load and store, in 32-bit and compressed encodings (c.lw, c.sw, c.ld, c.sd
 * and the sp-based c.lwsp, c.swsp, c.ldsp, c.sdsp), loads into x0, and a 32-bit load whose
 * encoding straddles a 4 KiB page boundary, which the hypervisor has to fetch in two parts
 * when the hardware gives it no transformed instruction (htinst = 0). */
#include "lib.h"

#define DEV 0x10000000UL
#define DEV_CONST 0x40
#define CONST 0x8877665544332211UL

/* 32-bit encodings whatever the registers: .option norvc keeps the assembler from picking
 * a compressed form. */
#define DEFINE_LOAD(insn) \
	static unsigned long mmio_##insn(unsigned long addr) \
	{ \
		unsigned long v; \
		__asm__ volatile(".option push\n.option norvc\n" #insn " %0, 0(%1)\n.option pop" \
				 : "=r"(v) \
				 : "r"(addr) \
				 : "memory"); \
		return v; \
	}
#define DEFINE_STORE(insn) \
	static void mmio_##insn(unsigned long addr, unsigned long v) \
	{ \
		__asm__ volatile(".option push\n.option norvc\n" #insn " %0, 0(%1)\n.option pop" \
				 : \
				 : "r"(v), "r"(addr) \
				 : "memory"); \
	}
DEFINE_LOAD(lb)
DEFINE_LOAD(lbu)
DEFINE_LOAD(lh)
DEFINE_LOAD(lhu)
DEFINE_LOAD(lw)
DEFINE_LOAD(lwu)
DEFINE_LOAD(ld)
DEFINE_STORE(sb)
DEFINE_STORE(sh)
DEFINE_STORE(sw)
DEFINE_STORE(sd)

/* The load at straddle_load sits 2 bytes before a page boundary: a dedicated 4 KiB-aligned
 * section padded with 2047 c.nop (never executed) in front of it. */
unsigned long straddle_load(unsigned long base);
__asm__(".pushsection .text.straddle, \"ax\", @progbits\n"
	".balign 4096\n"
	".option push\n"
	".option rvc\n"
	".rept 2047\n"
	"c.nop\n"
	".endr\n"
	".option norvc\n"
	".globl straddle_load\n"
	"straddle_load:\n"
	"ld a0, 0x40(a0)\n"
	"ret\n"
	".option pop\n"
	".popsection\n");

static void check_stores(void)
{
	mmio_sd(DEV, 0x0123456789abcdefUL);
	check(mmio_ld(DEV) == 0x0123456789abcdefUL, "sd then ld round-trips (0x%lx)",
	      mmio_ld(DEV));

	mmio_sd(DEV + 0x08, 0);
	for (unsigned i = 0; i < 8; i++)
		mmio_sb(DEV + 0x08 + i, 0xa0 + i);
	check(mmio_ld(DEV + 0x08) == 0xa7a6a5a4a3a2a1a0UL, "sb to each byte lands little-endian (0x%lx)",
	      mmio_ld(DEV + 0x08));

	mmio_sd(DEV + 0x10, 0);
	for (unsigned i = 0; i < 4; i++)
		mmio_sh(DEV + 0x10 + 2 * i, 0xb0b0 + i);
	check(mmio_ld(DEV + 0x10) == 0xb0b3b0b2b0b1b0b0UL, "sh to each halfword lands (0x%lx)",
	      mmio_ld(DEV + 0x10));

	mmio_sd(DEV + 0x18, 0);
	mmio_sw(DEV + 0x18, 0xc0c1c2c3);
	mmio_sw(DEV + 0x1c, 0xd0d1d2d3);
	check(mmio_ld(DEV + 0x18) == 0xd0d1d2d3c0c1c2c3UL, "sw to each word lands (0x%lx)",
	      mmio_ld(DEV + 0x18));

	/* Narrow stores leave their neighbours alone, and take only the low bits of rs2. */
	mmio_sd(DEV + 0x20, 0x1111111111111111UL);
	mmio_sb(DEV + 0x23, 0xffffffffffffffeeUL);
	mmio_sh(DEV + 0x26, 0xffffffffffff7788UL);
	check(mmio_ld(DEV + 0x20) == 0x77881111ee111111UL,
	      "sb and sh write only their bytes (0x%lx)", mmio_ld(DEV + 0x20));
	mmio_sw(DEV + 0x20, 0xaaaaaaaa99999999UL);
	check(mmio_ld(DEV + 0x20) == 0x7788111199999999UL, "sw writes only its 4 bytes (0x%lx)",
	      mmio_ld(DEV + 0x20));
}

static void check_loads(void)
{
	unsigned long c = DEV + DEV_CONST;
	unsigned long v;
	v = mmio_ld(c);
	check(v == CONST, "ld of the constant (0x%lx)", v);
	v = mmio_lb(c);
	check(v == 0x11, "lb of positive byte 0x11 (0x%lx)", v);
	v = mmio_lb(c + 7);
	check(v == 0xffffffffffffff88UL, "lb sign-extends 0x88 (0x%lx)", v);
	v = mmio_lbu(c + 7);
	check(v == 0x88, "lbu zero-extends 0x88 (0x%lx)", v);
	v = mmio_lh(c);
	check(v == 0x2211, "lh of positive halfword (0x%lx)", v);
	v = mmio_lh(c + 6);
	check(v == 0xffffffffffff8877UL, "lh sign-extends 0x8877 (0x%lx)", v);
	v = mmio_lhu(c + 6);
	check(v == 0x8877, "lhu zero-extends 0x8877 (0x%lx)", v);
	v = mmio_lw(c);
	check(v == 0x44332211, "lw of positive word (0x%lx)", v);
	v = mmio_lw(c + 4);
	check(v == 0xffffffff88776655UL, "lw sign-extends 0x88776655 (0x%lx)", v);
	v = mmio_lwu(c + 4);
	check(v == 0x88776655, "lwu zero-extends 0x88776655 (0x%lx)", v);
	mmio_sd(DEV + 0x28, 0xfedcba9876543210UL);
	v = mmio_lbu(DEV + 0x2b);
	check(v == 0x76, "lbu from a scratch register (0x%lx)", v);
	v = mmio_lhu(DEV + 0x2c);
	check(v == 0xba98, "lhu from a scratch register (0x%lx)", v);
	v = mmio_lwu(DEV + 0x2c);
	check(v == 0xfedcba98, "lwu from a scratch register (0x%lx)", v);
}

/* Compressed loads and stores only name x8-x15 (s0, s1, a0-a5), hence the register
 * variables; the explicit c. mnemonics fail to assemble rather than silently grow. */
static void check_compressed(void)
{
	register unsigned long base __asm__("a0") = DEV;
	register unsigned long w __asm__("a1") = 0xdeadbeef;
	register unsigned long d __asm__("s1") = 0x0f1e2d3c4b5a6978UL;
	register unsigned long lw_back __asm__("a2");
	register unsigned long lw_const __asm__("a3");
	register unsigned long ld_back __asm__("a4");
	register unsigned long ld_const __asm__("a5");
	__asm__ volatile(".option push\n"
			 ".option rvc\n"
			 "c.sw %[w], 0x30(%[base])\n"
			 "c.lw %[lw_back], 0x30(%[base])\n"
			 "c.lw %[lw_const], 0x44(%[base])\n"
			 "c.sd %[d], 0x38(%[base])\n"
			 "c.ld %[ld_back], 0x38(%[base])\n"
			 "c.ld %[ld_const], 0x40(%[base])\n"
			 ".option pop\n"
			 : [lw_back] "=r"(lw_back), [lw_const] "=r"(lw_const),
			   [ld_back] "=r"(ld_back), [ld_const] "=r"(ld_const)
			 : [base] "r"(base), [w] "r"(w), [d] "r"(d)
			 : "memory");
	/* Register variables live in their registers, which the calls below clobber: copy. */
	unsigned long r[4] = { lw_back, lw_const, ld_back, ld_const };
	check(r[0] == 0xffffffffdeadbeefUL, "c.sw then c.lw, sign-extended (0x%lx)", r[0]);
	check(r[1] == 0xffffffff88776655UL, "c.lw of the constant's high word (0x%lx)", r[1]);
	check(r[2] == 0x0f1e2d3c4b5a6978UL, "c.sd then c.ld round-trips (0x%lx)", r[2]);
	check(r[3] == CONST, "c.ld of the constant (0x%lx)", r[3]);
}

/* The sp-based forms need sp at the device: interrupts stay off, sp is restored before any C
 * runs, and a trap in between still finds its own stack (start.S). */
static void check_compressed_sp(void)
{
	unsigned long o_sd, o_sw, o_lw, o_ld;
	irq_disable();
	__asm__ volatile(".option push\n"
			 ".option rvc\n"
			 "mv t0, sp\n"
			 "mv sp, %[base]\n"
			 "c.sdsp %[d], 0x18(sp)\n"
			 "c.ldsp %[o_sd], 0x18(sp)\n"
			 "c.swsp %[w], 0x10(sp)\n"
			 "c.lwsp %[o_sw], 0x10(sp)\n"
			 "c.lwsp %[o_lw], 0x44(sp)\n"
			 "c.ldsp %[o_ld], 0x40(sp)\n"
			 "mv sp, t0\n"
			 ".option pop\n"
			 : [o_sd] "=&r"(o_sd), [o_sw] "=&r"(o_sw), [o_lw] "=&r"(o_lw),
			   [o_ld] "=&r"(o_ld)
			 : [base] "r"(DEV), [d] "r"(0x1234567890abcdefUL), [w] "r"(0x80706050UL)
			 : "t0", "memory");
	check(o_sd == 0x1234567890abcdefUL, "c.sdsp then c.ldsp round-trips (0x%lx)", o_sd);
	check(o_sw == 0xffffffff80706050UL, "c.swsp then c.lwsp, sign-extended (0x%lx)", o_sw);
	check(o_lw == 0xffffffff88776655UL, "c.lwsp of the constant's high word (0x%lx)", o_lw);
	check(o_ld == CONST, "c.ldsp of the constant (0x%lx)", o_ld);
}

static void check_x0_loads(void)
{
	/* The hypervisor must drop the value, not write it into whatever it keeps as "x0". */
	__asm__ volatile(".option push\n"
			 ".option norvc\n"
			 "lb x0, 0x47(%0)\n"
			 "lw x0, 0x40(%0)\n"
			 "ld x0, 0x40(%0)\n"
			 ".option pop\n"
			 :
			 : "r"(DEV)
			 : "memory");
	unsigned long v = mmio_ld(DEV + DEV_CONST);
	check(v == CONST, "loads into x0 do not crash, and the next load still works (0x%lx)", v);
}

static void check_straddle(void)
{
	unsigned long at = (unsigned long)straddle_load;
	check((at & 0xfff) == 0xffe, "the straddling load is at 0x%lx, 2 bytes before a page end",
	      at);
	unsigned long v = straddle_load(DEV);
	check(v == CONST, "ld straddling a page boundary reads the constant (0x%lx)", v);
}

void main(unsigned long hartid, unsigned long dtb)
{
	(void)hartid;
	(void)dtb;
	check_stores();
	check_loads();
	check_compressed();
	check_compressed_sp();
	check_x0_loads();
	check_straddle();
	finish();
}
