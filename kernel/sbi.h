/* Calls into the SBI implementation below us (OpenSBI), per the SBI 2.0 spec. */
#ifndef VIREO_SBI_H
#define VIREO_SBI_H

#include <riscv/sbi.h>
#include <stdint.h>

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
		       unsigned long a2, unsigned long a3, unsigned long a4);
int sbi_has_extension(unsigned long ext);
void sbi_set_timer(uint64_t when);
/* Resets or powers off the machine; returns only if the SBI refuses. */
void sbi_system_reset(unsigned long type, unsigned long reason);

#endif
