/* Entry of every test guest. SBI firmware (OpenSBI, or Vireo's monitor for a VS-mode guest)
 * enters exactly one hart, the boot hart, at _start with a0 = hart id and a1 = device tree;
 * any further hart comes through SBI HSM hart_start at _secondary_start with a0 = hart id and
 * a1 = the opaque value. Each hart gets a 16 KiB stack and a 4 KiB trap stack in .bss, found
 * by its hart id; ids past MAX_HARTS park. */

#define MAX_HARTS 8
#define STACK_SIZE 16384
#define TRAP_STACK_SIZE 4096
/* struct trap_frame in lib.h: x0-x31, sepc, sstatus, scause, stval. */
#define FRAME_SIZE (36 * 8)
#define FRAME_SEPC (32 * 8)
#define FRAME_SSTATUS (33 * 8)
#define FRAME_SCAUSE (34 * 8)
#define FRAME_STVAL (35 * 8)

	.option norelax

	.section .text.entry, "ax", @progbits
	.globl _start
_start:
	/* The boot hart's registers as the firmware handed them over, for residue-check: only
	 * pc, a0 and a1 are defined at entry, and nothing of an earlier guest may show. */
	csrw sscratch, t0
	la t0, entry_regs
	.irp n, 1,2,3,4,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd x\n, \n*8(t0)
	.endr
	csrr t1, sscratch
	sd t1, 5*8(t0)
	csrw sscratch, zero
	csrw sie, zero
	csrci sstatus, 2
	li t0, MAX_HARTS
	bgeu a0, t0, park
	/* The boot hart is alone here, so it clears .bss (stacks included) for everyone; it is
	 * usually hart 0, but OpenSBI's boot hart is whichever won its lottery. */
	la t0, __bss_start
	la t1, __bss_end
1:	bgeu t0, t1, 2f
	sd zero, 0(t0)
	addi t0, t0, 8
	j 1b
2:	call hart_setup
	call main
	call finish

	.globl _secondary_start
_secondary_start:
	csrw sie, zero
	csrci sstatus, 2
	li t0, MAX_HARTS
	bgeu a0, t0, park
	call hart_setup
	call secondary_main
	/* fall through: a hart with nothing left to do parks */

park:
	csrci sstatus, 2
1:	wfi
	j 1b

/* Stack, trap stack, trap vector and tp = hart id for the hart in a0; keeps a0 and a1. */
hart_setup:
	mv tp, a0
	addi t0, a0, 1
	li t1, STACK_SIZE
	mul t1, t0, t1
	la sp, stacks
	add sp, sp, t1
	/* sscratch is the next free trap frame's top: trap_entry swaps it with sp. */
	li t1, TRAP_STACK_SIZE
	mul t1, t0, t1
	la t2, trap_stacks
	add t2, t2, t1
	csrw sscratch, t2
	la t0, trap_entry
	csrw stvec, t0
	ret

/* Direct-mode trap vector (stvec needs 4-byte alignment). The frame goes on the trap stack
 * from sscratch, and sscratch then points below the frame, so a trap inside the handler
 * nests instead of overwriting it. */
	.balign 4
trap_entry:
	csrrw sp, sscratch, sp
	addi sp, sp, -FRAME_SIZE
	sd x1, 1*8(sp)
	.irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd x\n, \n*8(sp)
	.endr
	csrr t0, sscratch
	sd t0, 2*8(sp)
	csrw sscratch, sp
	csrr t0, sepc
	sd t0, FRAME_SEPC(sp)
	csrr t0, sstatus
	sd t0, FRAME_SSTATUS(sp)
	csrr t0, scause
	sd t0, FRAME_SCAUSE(sp)
	csrr t0, stval
	sd t0, FRAME_STVAL(sp)
	mv a0, sp
	call trap_handler
	ld t0, FRAME_SEPC(sp)
	csrw sepc, t0
	ld t0, FRAME_SSTATUS(sp)
	csrw sstatus, t0
	addi t0, sp, FRAME_SIZE
	csrw sscratch, t0
	ld x1, 1*8(sp)
	.irp n, 3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld x\n, \n*8(sp)
	.endr
	ld sp, 2*8(sp)
	sret

	.section .data
	.balign 8
	.globl entry_regs
entry_regs:
	.skip 32 * 8

	.section .bss.stacks, "aw", @nobits
	.balign 16
stacks:
	.skip STACK_SIZE * MAX_HARTS
trap_stacks:
	.skip TRAP_STACK_SIZE * MAX_HARTS
