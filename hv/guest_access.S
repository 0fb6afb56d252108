/* Reading guest memory the way the guest sees it (priv spec 8.3.1, HLVX): through its
 * VS-stage and G-stage tables, with the current hstatus.SPVP privilege. A fault there is the
 * guest's business, not a kernel bug: 0(tp) (struct hart's fixup) makes trap_kernel resume
 * at the failure path instead of panicking. */
	.section .text
	.globl	guest_fetch_halfword
/* guest_fetch_halfword(va) -> the 16 bits at va, or -1 when the access faults. */
guest_fetch_halfword:
	la	t0, 1f
	sd	t0, 0(tp)
	.insn	r 0x73, 0x4, 0x32, a0, a0, x3	/* hlvx.hu a0, (a0) */
	sd	zero, 0(tp)
	ret
1:	li	a0, -1
	ret
