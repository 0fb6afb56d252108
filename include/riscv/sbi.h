/* The SBI's numbers (RISC-V SBI spec 2.0): extension and function ids, error codes, and the
 * values calls take and return. One copy for the kernel (its calls to the firmware below,
 * and the SBI it offers guests), the test guests and the unit tests. */
#ifndef RISCV_SBI_H
#define RISCV_SBI_H

/* Chapter 3: a7 holds the extension id, a6 the function id; a0 and a1 return these. */
struct sbiret {
	long error;
	long value;
};

/* Error codes (3.2). */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_DENIED (-4)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)
#define SBI_ERR_ALREADY_STARTED (-7)
#define SBI_ERR_ALREADY_STOPPED (-8)
#define SBI_ERR_NO_SHMEM (-9)

/* Extension ids (chapters 4-12; the legacy ones of chapter 5 return a0 alone). */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494d45
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464e43
#define SBI_EXT_HSM 0x48534d
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_PMU 0x504d55
#define SBI_EXT_DBCN 0x4442434e

/* Base extension functions (4). */
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_BASE_GET_MVENDORID 4
#define SBI_BASE_GET_MARCHID 5
#define SBI_BASE_GET_MIMPID 6

/* IPI and remote fence functions (7, 8). */
#define SBI_IPI_SEND_IPI 0
#define SBI_RFENCE_FENCE_I 0
#define SBI_RFENCE_SFENCE_VMA 1
#define SBI_RFENCE_SFENCE_VMA_ASID 2
#define SBI_RFENCE_HFENCE_GVMA_VMID 3
#define SBI_RFENCE_HFENCE_GVMA 4
#define SBI_RFENCE_HFENCE_VVMA_ASID 5
#define SBI_RFENCE_HFENCE_VVMA 6

/* Hart state management functions and states (9). */
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_HART_SUSPEND 3
#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_HSM_START_PENDING 2
#define SBI_HSM_STOP_PENDING 3
#define SBI_HSM_SUSPENDED 4
#define SBI_HSM_SUSPEND_PENDING 5
#define SBI_HSM_RESUME_PENDING 6
/* suspend_type (9.4): 32 bits; bit 31 set means non-retentive. 0x00000001-0x0fffffff and
 * 0x80000001-0x8fffffff are reserved, 0x10000000-0x7fffffff and 0x90000000-0xffffffff are
 * platform-specific. */
#define SBI_HSM_SUSPEND_RETENTIVE 0
#define SBI_HSM_SUSPEND_NON_RETENTIVE 0x80000000ul

/* System reset types and reasons (10). */
#define SBI_SRST_SHUTDOWN 0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1
#define SBI_SRST_REASON_SBI_FIRST 0xe0000000 /* 0xe0000000-0xefffffff: SBI implementation */

/* Performance monitoring unit functions (11.5-11.13; 8 on is SBI 3.0's). */
#define SBI_PMU_NUM_COUNTERS 0
#define SBI_PMU_COUNTER_GET_INFO 1
#define SBI_PMU_COUNTER_CONFIG_MATCHING 2
#define SBI_PMU_COUNTER_START 3
#define SBI_PMU_COUNTER_STOP 4
#define SBI_PMU_COUNTER_FW_READ 5
#define SBI_PMU_COUNTER_FW_READ_HI 6
#define SBI_PMU_SNAPSHOT_SET_SHMEM 7
#define SBI_PMU_EVENT_GET_INFO 8

/* event_idx (chapter 11, before 11.1): 20 bits, type in 19:16, code in 15:0. */
#define SBI_PMU_EVENT_IDX_BITS 20
#define SBI_PMU_TYPE_HW 0x0
#define SBI_PMU_TYPE_FW 0xf
#define SBI_PMU_HW_CPU_CYCLES 1
#define SBI_PMU_HW_INSTRUCTIONS 2
/* Firmware events (11.4). */
enum {
	SBI_PMU_FW_MISALIGNED_LOAD, SBI_PMU_FW_MISALIGNED_STORE, SBI_PMU_FW_ACCESS_LOAD,
	SBI_PMU_FW_ACCESS_STORE, SBI_PMU_FW_ILLEGAL_INSN, SBI_PMU_FW_SET_TIMER,
	SBI_PMU_FW_IPI_SENT, SBI_PMU_FW_IPI_RECEIVED, SBI_PMU_FW_FENCE_I_SENT,
	SBI_PMU_FW_FENCE_I_RECEIVED, SBI_PMU_FW_SFENCE_VMA_SENT, SBI_PMU_FW_SFENCE_VMA_RECEIVED,
	SBI_PMU_FW_SFENCE_VMA_ASID_SENT, SBI_PMU_FW_SFENCE_VMA_ASID_RECEIVED,
	SBI_PMU_FW_HFENCE_GVMA_SENT, SBI_PMU_FW_HFENCE_GVMA_RECEIVED,
	SBI_PMU_FW_HFENCE_GVMA_VMID_SENT, SBI_PMU_FW_HFENCE_GVMA_VMID_RECEIVED,
	SBI_PMU_FW_HFENCE_VVMA_SENT, SBI_PMU_FW_HFENCE_VVMA_RECEIVED,
	SBI_PMU_FW_HFENCE_VVMA_ASID_SENT, SBI_PMU_FW_HFENCE_VVMA_ASID_RECEIVED,
};
#define SBI_PMU_FW_PLATFORM 0xffff

/* counter_get_info's value (11.6): CSR in 11:0, width - 1 in 17:12, firmware in XLEN-1. */
#define SBI_PMU_INFO_FIRMWARE (1ul << 63)
/* config_matching flags (11.7); bits 3-7 ask to inhibit counting in some modes. */
#define SBI_PMU_CFG_SKIP_MATCH (1ul << 0)
#define SBI_PMU_CFG_CLEAR_VALUE (1ul << 1)
#define SBI_PMU_CFG_AUTO_START (1ul << 2)
#define SBI_PMU_CFG_FLAGS 0xfful
/* counter_start and counter_stop flags (11.8, 11.9). */
#define SBI_PMU_START_SET_INIT_VALUE (1ul << 0)
#define SBI_PMU_START_INIT_SNAPSHOT (1ul << 1)
#define SBI_PMU_STOP_RESET (1ul << 0)
#define SBI_PMU_STOP_TAKE_SNAPSHOT (1ul << 1)
#define SBI_PMU_START_STOP_FLAGS 0x3ul

#endif
