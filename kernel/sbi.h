/* Calls into the SBI implementation below us (OpenSBI), per the SBI 2.0 spec. */
#ifndef VIREO_SBI_H
#define VIREO_SBI_H

#include <stdint.h>

#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434e

#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

struct sbiret {
	long error;
	long value;
};

struct sbiret sbi_call(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1,
		       unsigned long a2);
int sbi_has_extension(unsigned long ext);
void sbi_set_timer(uint64_t when);
/* Resets or powers off the machine; returns only if the SBI refuses. */
void sbi_system_reset(unsigned long type, unsigned long reason);

#endif
