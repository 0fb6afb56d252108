/* Trap entry and exit. stvec points at trap_entry for every trap. sscratch tells where the
 * trap came from: 0 while in the kernel, the running thread's user_frame (task.h) while in
 * U-mode, and the running vCPU with bit 63 set while in a guest (hv/world_switch.S; kernel
 * addresses never have it, so a sign test tells them apart without a spare register).
 * Kernel traps save a struct trapframe (trap.h) on the current stack, or on the hart's
 * emergency stack when it would not fit there (kstack.h); user traps save the
 * user registers in the frame and continue on the thread's kernel stack, where the IPC fast
 * path (ipc_fast.c) may deliver a message and return to U-mode in another thread at once. */
#include "kstack.h"

#define KFRAME (36 * 8)
#define UF_SEPC (32 * 8)
#define UF_KSP (33 * 8)
#define UF_KTP (34 * 8)

/* Saves the registers of a kernel trap, all but sp, and its CSRs in the frame at sp. */
.macro save_kernel_frame
	.irp	n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, \n*8(sp)
	.endr
	csrr	t0, sepc
	sd	t0, 32*8(sp)
	csrr	t0, sstatus
	sd	t0, 33*8(sp)
	csrr	t0, scause
	sd	t0, 34*8(sp)
	csrr	t0, stval
	sd	t0, 35*8(sp)
.endm

	.section .text
	.balign	4
	.globl	trap_entry
trap_entry:
	csrrw	sp, sscratch, sp
	bltz	sp, guest_trap
	bnez	sp, from_user
	csrrw	sp, sscratch, sp	/* from the kernel: back to its sp, sscratch 0 */

	/* The frame must fit above the stack's base: below it is a guard (kstack.h), where
	 * saving it would only trap again. t0 waits in the hart meanwhile. */
	sd	t0, HART_TRAP_T0(tp)
	ld	t0, HART_STACK_BASE(tp)
	addi	sp, sp, -KFRAME
	bltu	sp, t0, kernel_stack_overflow
	ld	t0, HART_TRAP_T0(tp)
	save_kernel_frame
	addi	t0, sp, KFRAME
	sd	t0, 2*8(sp)
	mv	a0, sp
	call	trap_kernel
	ld	t0, 32*8(sp)
	csrw	sepc, t0
	ld	t0, 33*8(sp)
	csrw	sstatus, t0
	.irp	n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, \n*8(sp)
	.endr
	addi	sp, sp, KFRAME
	sret

/* The same frame on this hart's emergency stack, for the report (kstack.c); the stack's
 * base stays the overflowed one, which the report's stack walk follows. */
kernel_stack_overflow:		/* sp = the frame that did not fit */
	addi	t0, sp, KFRAME	/* the trapped sp */
	ld	sp, HART_EMERGENCY_SP(tp)
	addi	sp, sp, -KFRAME
	sd	t0, 2*8(sp)
	ld	t0, HART_TRAP_T0(tp)
	save_kernel_frame
	mv	a0, sp
	call	kstack_overflow	/* does not return */

from_user:			/* sp = the frame, sscratch = the user sp */
	.irp	n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, \n*8(sp)
	.endr
	csrrw	t0, sscratch, zero	/* the user sp; one CSR access, not two */
	sd	t0, 2*8(sp)
	csrr	t0, sepc
	sd	t0, UF_SEPC(sp)
	mv	a0, sp
	ld	tp, UF_KTP(a0)
	ld	sp, UF_KSP(a0)
	ld	t0, USER_FRAME_KSTACK_BASE(a0)	/* the hart's stack base follows sp */
	sd	t0, HART_STACK_BASE(tp)
	li	s0, 0		/* stack walks end here */
	mv	s1, a0		/* the user's s1 is in the frame already */
	call	ipc_fast	/* a message delivered: the frame of the thread to run */
	bnez	a0, user_return
	mv	a0, s1
	call	user_trap	/* does not return: it leaves through user_return */

/* user_return(frame): back to U-mode with the frame's registers. */
	.globl	user_return
user_return:
	csrw	sscratch, a0
	ld	t0, UF_SEPC(a0)
	csrw	sepc, t0
	.irp	n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, \n*8(a0)
	.endr
	ld	a0, 10*8(a0)
	sret

/* A switch to a thread whose kernel stack holds nothing lands here (task.h,
 * thread_enter_user_next): a new thread's first, and one the IPC fast path blocked. */
	.globl	thread_enter_user
thread_enter_user:
	call	sched_finish_switch
	call	user_trap_return
