/* OpenSBI enters here in HS-mode with a0 = hart id, a1 = device tree (SBI spec 4.1,
 * fw_dynamic): paging off, interrupts off. Set up a stack, clear .bss, and go to C. */
	.section .text.entry, "ax"
	.globl _start
_start:
	la	sp, boot_stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	li	s0, 0		/* a zero frame pointer ends every stack walk */
	li	ra, 0
	call	kmain
3:	wfi
	j	3b

	.section .bss.stack, "aw", @nobits
	.balign	16
	.globl	boot_stack, boot_stack_top
boot_stack:
	.space	16 * 1024
boot_stack_top:
