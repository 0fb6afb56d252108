/* CSR numbers and fields, interrupt and exception codes (RISC-V privileged spec 1.12): one
 * copy for the kernel, the test guests and the unit tests. Numbers only; each side has its
 * own accessors (kernel/csr.h, guest/tests/lib.h). */
#ifndef RISCV_CSR_H
#define RISCV_CSR_H

/* Supervisor CSRs (priv spec 4.1). */
#define CSR_SSTATUS 0x100
#define CSR_SIE 0x104
#define CSR_STVEC 0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SENVCFG 0x10a
#define CSR_SSCRATCH 0x140
#define CSR_SEPC 0x141
#define CSR_SCAUSE 0x142
#define CSR_STVAL 0x143
#define CSR_SIP 0x144
#define CSR_STIMECMP 0x14d /* Sstc */
#define CSR_SATP 0x180
#define CSR_CYCLE 0xc00
#define CSR_TIME 0xc01
#define CSR_INSTRET 0xc02

/* Hypervisor and virtual-supervisor CSRs (priv spec 8.2). */
#define CSR_HSTATUS 0x600
#define CSR_HEDELEG 0x602
#define CSR_HIDELEG 0x603
#define CSR_HIE 0x604
#define CSR_HTIMEDELTA 0x605
#define CSR_HCOUNTEREN 0x606
#define CSR_HENVCFG 0x60a
#define CSR_HTVAL 0x643
#define CSR_HIP 0x644
#define CSR_HVIP 0x645
#define CSR_HTINST 0x64a
#define CSR_HGATP 0x680
#define CSR_VSSTATUS 0x200
#define CSR_VSIE 0x204
#define CSR_VSTVEC 0x205
#define CSR_VSSCRATCH 0x240
#define CSR_VSEPC 0x241
#define CSR_VSCAUSE 0x242
#define CSR_VSTVAL 0x243
#define CSR_VSIP 0x244
#define CSR_VSTIMECMP 0x24d
#define CSR_VSATP 0x280

#define HSTATUS_GVA (1ul << 6)
#define HSTATUS_SPV (1ul << 7)
#define HSTATUS_SPVP (1ul << 8)
#define HSTATUS_HU (1ul << 9)
#define HSTATUS_VTW (1ul << 21)
#define HSTATUS_VSXL_64 (2ul << 32)

#define HENVCFG_STCE (1ul << 63)
#define HENVCFG_CBZE (1ul << 7)      /* cbo.zero */
#define HENVCFG_CBCFE (1ul << 6)     /* cbo.clean, cbo.flush */
#define HENVCFG_CBIE_FLUSH (1ul << 4) /* cbo.inval, done as a flush */
#define HGATP_MODE_SV39X4 (8ul << 60)
#define HGATP_VMID_SHIFT 44

/* VS-level interrupts as hvip/hideleg bits (priv spec 8.2.4). */
#define HVIP_VSSIP (1ul << 2)
#define HVIP_VSTIP (1ul << 6)
#define HVIP_VSEIP (1ul << 10)

#define SSTATUS_SIE (1ul << 1)
#define SSTATUS_SPIE (1ul << 5)
#define SSTATUS_SPP (1ul << 8)
#define SSTATUS_FS (3ul << 13) /* Dirty */
#define SSTATUS_FS_INITIAL (1ul << 13)
#define SSTATUS_SUM (1ul << 18)

#define SIE_SSIE (1ul << 1)
#define SIE_STIE (1ul << 5)
#define SIE_SEIE (1ul << 9)
#define SIP_SSIP (1ul << 1)

#define SCAUSE_INTERRUPT (1ul << 63)
#define IRQ_S_SOFT 1
#define IRQ_S_TIMER 5
#define IRQ_S_EXTERNAL 9

/* Exception codes (priv spec 4.1.9, table 4.2). */
#define EXC_INST_MISALIGNED 0
#define EXC_INST_ACCESS 1
#define EXC_ILLEGAL_INST 2
#define EXC_BREAKPOINT 3
#define EXC_LOAD_MISALIGNED 4
#define EXC_LOAD_ACCESS 5
#define EXC_STORE_MISALIGNED 6
#define EXC_STORE_ACCESS 7
#define EXC_ECALL_U 8
#define EXC_ECALL_S 9
#define EXC_INST_PAGE_FAULT 12
#define EXC_LOAD_PAGE_FAULT 13
#define EXC_STORE_PAGE_FAULT 15
#define EXC_ECALL_VS 10
#define EXC_INST_GUEST_PAGE_FAULT 20
#define EXC_LOAD_GUEST_PAGE_FAULT 21
#define EXC_VIRTUAL_INST 22
#define EXC_STORE_GUEST_PAGE_FAULT 23

#define SATP_MODE_SV39 (8ul << 60)
#define SATP_ASID_SHIFT 44

#endif
