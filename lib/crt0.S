/* Program entry: the kernel starts a task here with sp at its stack top and its
 * arguments in a0 and a1. */
	.section .text.entry, "ax"
	.globl	_start
_start:
	li	s0, 0		/* ends stack walks */
	call	main
	call	exit
