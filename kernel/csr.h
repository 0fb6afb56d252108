/* The kernel's CSR accessors and fences; the numbers and fields are the spec's, in
 * include/riscv/csr.h. */
#ifndef VIREO_CSR_H
#define VIREO_CSR_H

#include <riscv/csr.h>
#include <riscv/insn.h>
#include <stdint.h>

#define csr_read(csr) ({ uint64_t v_; __asm__ volatile("csrr %0, %1" : "=r"(v_) : "i"(csr)); v_; })
#define csr_write(csr, val) __asm__ volatile("csrw %0, %1" ::"i"(csr), "rK"((uint64_t)(val)) : "memory")
#define csr_set(csr, bits) __asm__ volatile("csrs %0, %1" ::"i"(csr), "rK"((uint64_t)(bits)) : "memory")
#define csr_clear(csr, bits) __asm__ volatile("csrc %0, %1" ::"i"(csr), "rK"((uint64_t)(bits)) : "memory")

static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
/* Drops the non-global translations of one address space (priv spec 4.2.1). */
static inline void sfence_vma_asid(uint64_t asid)
{
	__asm__ volatile("sfence.vma zero, %0" ::"r"(asid) : "memory");
}
/* Drops the translations of one page in every address space, global ones too (4.2.1). */
static inline void sfence_vma_page(uint64_t va)
{
	__asm__ volatile("sfence.vma %0, zero" ::"r"(va) : "memory");
}
/* hfence.gvma zero, zero (priv spec 8.3.2), spelled out for assemblers without the H
 * extension: every guest's G-stage translations are flushed. */
static inline void hfence_gvma_all(void)
{
	__asm__ volatile(".word %0" ::"i"(INSN_HFENCE_GVMA_ALL) : "memory");
}
/* hfence.vvma zero, zero (8.3.2): the VS-stage translations of the VMID in hgatp. */
static inline void hfence_vvma_all(void)
{
	__asm__ volatile(".word %0" ::"i"(INSN_HFENCE_VVMA_ALL) : "memory");
}
/* Zifencei: this hart's instruction fetches see its earlier stores. */
static inline void fence_i(void) { __asm__ volatile("fence.i" ::: "memory"); }
static inline void wfi(void) { __asm__ volatile("wfi"); }
static inline uint64_t read_time(void) { return csr_read(CSR_TIME); }

#endif
