/* A guest's floating-point registers (priv spec 3.1.6.6: sstatus.FS). The host kernel and
 * its tasks never use the FPU, so the registers hold the last guest's values until another
 * vCPU needs them; hv/vcpu.c switches them lazily. The kernel is built without F/D, hence
 * the local .option arch. */
	.section .text
	.option	push
	.option	arch, +d
	.globl	fpu_save
fpu_save:			/* fpu_save(uint64_t area[33]) */
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fsd	f\n, \n*8(a0)
	.endr
	frcsr	t0
	sd	t0, 32*8(a0)
	ret

	.globl	fpu_restore
fpu_restore:			/* fpu_restore(const uint64_t area[33]) */
	.irp	n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	fld	f\n, \n*8(a0)
	.endr
	ld	t0, 32*8(a0)
	fscsr	t0
	ret
	.option	pop
