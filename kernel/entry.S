/* OpenSBI enters here in HS-mode with a0 = hart id, a1 = device tree (SBI spec 4.1,
 * fw_dynamic): paging off, interrupts off. Set up a stack, clear .bss, and go to C. */
#include "kstack.h"

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

/* SBI HSM hart_start (smp.c) starts the other harts here with a0 = hart id and a1 = its
 * struct hart, paging off: onto its idle stack, which the hart's state names. */
	.globl	secondary_entry
secondary_entry:
	mv	tp, a1
	ld	sp, HART_STACK_BASE(tp)
	li	t0, KSTACK_SIZE
	add	sp, sp, t0
	li	s0, 0
	li	ra, 0
	mv	a0, tp
	call	hart_main
4:	wfi
	j	4b

/* The boot stack, which the idle loop goes on using, is a kernel stack like a thread's
 * (kstack.h): KSTACK_SIZE with a guard page below, which kernel_map.c leaves unmapped. */
	.section .bss.stack, "aw", @nobits
	.balign	4096
	.globl	boot_stack_guard, boot_stack
boot_stack_guard:
	.space	4096
boot_stack:
	.space	KSTACK_SIZE
boot_stack_top:
