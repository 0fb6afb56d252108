/* The ISA a guest is told it has: the host hart's, less what Vireo does not virtualize.
 * Pure logic, also built for the host's unit tests. */
#ifndef VIREO_HV_GUEST_ISA_H
#define VIREO_HV_GUEST_ISA_H

#include <stdbool.h>
#include <stddef.h>

/* Extensions the guest gets only when the hypervisor turned them on for VS-mode. */
#define GUEST_ISA_SSTC (1u << 0)   /* henvcfg.STCE */
#define GUEST_ISA_ZICBOM (1u << 1) /* henvcfg.CBIE and CBCFE */
#define GUEST_ISA_ZICBOZ (1u << 2) /* henvcfg.CBZE */

/* Writes, in riscv,isa form ("rv64imac_zicsr_..."), each extension that the host's
 * riscv,isa string names and that a guest may use: the allowed letters, the allowed
 * multi-letter extensions, and those of enabled (GUEST_ISA_*) that the host has too. The
 * letters keep the host's order, and so do the others. Returns false, with out "", when
 * host is not an rv64 string or out is too small. */
bool guest_isa(const char *host, unsigned enabled, char *out, size_t size);

#endif
