/* The world switch (docs/design.md 6.2). vcpu_enter(vcpu) saves the host's callee-saved registers
 * in the vCPU, leaves the vCPU (tagged with bit 63) in sscratch and srets into the guest;
 * the caller has already loaded hstatus (SPV=1), sstatus.SPP and the VS CSRs. The next trap
 * from the guest reaches trap_entry (kernel/trapvec.S), which sees the tag and jumps to
 * guest_trap with sp = the tagged vCPU and sscratch = the guest's sp; guest_trap saves the
 * guest's registers and returns from vcpu_enter as if from a call. Offsets follow struct
 * vcpu (hv/vm.h), checked there by static assertions. */
#define PC (32 * 8)
#define HOST_SP (33 * 8)
#define HOST_TP (34 * 8)
#define HOST_RA (35 * 8)
#define HOST_S (36 * 8)

	.section .text
	.globl	vcpu_enter
vcpu_enter:
	sd	ra, HOST_RA(a0)
	sd	sp, HOST_SP(a0)
	sd	tp, HOST_TP(a0)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	sd	s\n, (HOST_S + \n * 8)(a0)
	.endr
	li	t0, 1
	slli	t0, t0, 63
	or	t0, a0, t0
	csrw	sscratch, t0
	ld	t0, PC(a0)
	csrw	sepc, t0
	.irp	n, 1,2,3,4,5,6,7,8,9,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	ld	x\n, \n*8(a0)
	.endr
	ld	a0, 10*8(a0)
	sret

	.globl	guest_trap
guest_trap:			/* sp = the tagged vCPU, sscratch = the guest's sp */
	slli	sp, sp, 1
	srli	sp, sp, 1
	.irp	n, 1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	sd	x\n, \n*8(sp)
	.endr
	mv	a0, sp
	csrrw	t0, sscratch, zero	/* one CSR access, not two: QEMU makes each cost dear */
	sd	t0, 2*8(a0)
	csrr	t0, sepc
	sd	t0, PC(a0)
	ld	ra, HOST_RA(a0)
	ld	sp, HOST_SP(a0)
	ld	tp, HOST_TP(a0)
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11
	ld	s\n, (HOST_S + \n * 8)(a0)
	.endr
	ret
