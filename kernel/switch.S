/* context_switch(from, to): saves the callee-saved registers in *from and loads *to. The
 * caller-saved ones are already on the stack by the C calling convention. */
#include "kstack.h"

	.section .text
	.globl	context_switch
context_switch:
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, (16 + \n * 8)(a0)
	.endr
	ld	ra, 0(a1)
	ld	sp, 8(a1)
	ld	t0, CONTEXT_STACK_BASE(a1)	/* the trap entry's check follows sp at once */
	sd	t0, HART_STACK_BASE(tp)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, (16 + \n * 8)(a1)
	.endr
	ret
