/* kernel/csr.h for host unit tests: the same names, over a CSR file in memory that the test
 * sets and reads (fake_csr[number]), and fences that only count. A test that includes kernel
 * or hv sources using CSRs puts this first for quoted includes (-iquote tools/unit/fakes). */
#ifndef VIREO_CSR_H
#define VIREO_CSR_H

#include <riscv/csr.h>
#include <riscv/insn.h>
#include <stdint.h>

extern uint64_t fake_csr[4096];
extern unsigned fake_fences; /* fence.i, sfence.vma and hfence calls so far */

#define csr_read(csr) (fake_csr[(csr)])
#define csr_write(csr, val) ((void)(fake_csr[(csr)] = (uint64_t)(val)))
#define csr_set(csr, bits) ((void)(fake_csr[(csr)] |= (uint64_t)(bits)))
#define csr_clear(csr, bits) ((void)(fake_csr[(csr)] &= ~(uint64_t)(bits)))

static inline void sfence_vma_all(void) { fake_fences++; }
static inline void sfence_vma_asid(uint64_t asid) { (void)asid; fake_fences++; }
static inline void sfence_vma_page(uint64_t va) { (void)va; fake_fences++; }
static inline void hfence_gvma_all(void) { fake_fences++; }
static inline void hfence_vvma_all(void) { fake_fences++; }
static inline void fence_i(void) { fake_fences++; }
static inline void wfi(void) {}
static inline uint64_t read_time(void) { return csr_read(CSR_TIME); }

#endif
