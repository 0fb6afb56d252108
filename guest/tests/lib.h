/* The test guests' tiny library: SBI calls, a console over SBI DBCN (legacy putchar when the
 * firmware has no DBCN), PASS/FAIL/SKIP lines, a trap handler tests can hook, CSR and timer
 * helpers. The spec's numbers (CSR fields, causes, SBI ids and errors) are the kernel's too,
 * from include/riscv/. Guests run in S-mode (VS-mode under Vireo) with paging off, so every
 * address here is a (guest) physical address. */
#ifndef GUEST_TESTS_LIB_H
#define GUEST_TESTS_LIB_H

#include <riscv/csr.h>
#include <riscv/insn.h>
#include <riscv/sbi.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SBI v2.0 calling convention (spec 3): a7 = extension id, a6 = function id, a0-a5 the
 * arguments; a0 returns the error, a1 the value. */
struct sbiret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2, unsigned long a3, unsigned long a4,
		       unsigned long a5);
#define sbi_call0(eid, fid) sbi_call((eid), (fid), 0, 0, 0, 0, 0, 0)
#define sbi_call1(eid, fid, a0) sbi_call((eid), (fid), (a0), 0, 0, 0, 0, 0)
#define sbi_call3(eid, fid, a0, a1, a2) sbi_call((eid), (fid), (a0), (a1), (a2), 0, 0, 0)
/* Legacy extensions (spec 5) take a0 and return only a0. */
long sbi_legacy_call(unsigned long eid, unsigned long a0);
/* The base extension's probe_extension: nonzero when the extension is available. */
long sbi_probe(unsigned long eid);
struct sbiret sbi_set_timer(uint64_t when);
_Noreturn void sbi_system_reset(unsigned long type, unsigned long reason);

/* Console. Lines from different harts do not interleave within one call. */
void console_write(const char *buf, size_t len);
bool console_has_dbcn(void);
/* A printf subset: %s %c %d %u %x %p with optional 0-flag, width and l modifier. */
size_t format(char *buf, size_t size, const char *fmt, va_list ap);
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void print_hex(uint64_t value);
void print_dec(int64_t value);

/* One "PASS: what" or "FAIL: what" line, counted for finish(); returns cond. */
bool check(bool cond, const char *what, ...) __attribute__((format(printf, 2, 3)));
/* One "SKIP: what" line, counted neither way. */
void skip(const char *what, ...) __attribute__((format(printf, 1, 2)));
/* "DONE: N passed, M failed", then SBI SRST shutdown, reason "system failure" if M > 0. */
_Noreturn void finish(void);
unsigned checks_failed(void);

/* Traps. The frame holds x0-x31 (x0 unused) then the trap CSRs; start.S builds it on a
 * per-hart trap stack, so a trap taken while sp is bad still reaches the handler. */
struct trap_frame {
	unsigned long x[32];
	unsigned long sepc;
	unsigned long sstatus;
	unsigned long scause;
	unsigned long stval;
};
/* A hook returns true when it handled the trap (it may change sepc and registers); any trap
 * no hook handles is reported as a FAIL line and ends the test. */
typedef bool (*trap_hook_fn)(struct trap_frame *tf);
void trap_set_hook(trap_hook_fn hook);
void trap_handler(struct trap_frame *tf);
/* Length in bytes (2 or 4) of the instruction at pc, from its low two bits (ISA spec 1.5). */
unsigned insn_length(unsigned long pc);

/* A ready-made hook: records every synchronous exception and steps over the instruction. */
struct trap_record {
	volatile unsigned long count;
	volatile unsigned long scause;
	volatile unsigned long stval;
	volatile unsigned long sepc;
};
extern struct trap_record caught;
bool trap_catch_and_skip(struct trap_frame *tf);

#define csr_read(csr) ({ \
	unsigned long v_; \
	__asm__ volatile("csrr %0, " #csr : "=r"(v_) : : "memory"); \
	v_; \
})
#define csr_write(csr, val) __asm__ volatile("csrw " #csr ", %0" : : "rK"(val) : "memory")
#define csr_set(csr, val) __asm__ volatile("csrs " #csr ", %0" : : "rK"(val) : "memory")
#define csr_clear(csr, val) __asm__ volatile("csrc " #csr ", %0" : : "rK"(val) : "memory")

static inline void irq_enable(void) { csr_set(sstatus, SSTATUS_SIE); }
static inline void irq_disable(void) { csr_clear(sstatus, SSTATUS_SIE); }

/* QEMU virt's timebase-frequency is 10 MHz; the guests read no device tree, so it is fixed
 * here (Vireo passes the host's timebase through). */
#define TIMEBASE_HZ 10000000UL
#define MS_TO_TICKS(ms) ((uint64_t)(ms) * (TIMEBASE_HZ / 1000))
#define TICKS_TO_US(t) ((uint64_t)(t) / (TIMEBASE_HZ / 1000000))

static inline uint64_t rdtime(void)
{
	uint64_t t;
	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}
static inline uint64_t rdcycle(void)
{
	uint64_t c;
	__asm__ volatile("rdcycle %0" : "=r"(c));
	return c;
}
static inline uint64_t rdinstret(void)
{
	uint64_t i;
	__asm__ volatile("rdinstret %0" : "=r"(i));
	return i;
}
void delay_ticks(uint64_t ticks);
/* Busy-waits until *flag is nonzero or ticks have passed; returns whether it became set. */
bool wait_flag(volatile unsigned long *flag, uint64_t ticks);

static inline uint32_t mmio_read32(unsigned long addr)
{
	return *(volatile uint32_t *)addr;
}
static inline void mmio_write32(unsigned long addr, uint32_t val)
{
	*(volatile uint32_t *)addr = val;
}

/* The first code of every guest; the boot hart's entry is main, a hart started through SBI
 * HSM enters secondary_main (lib.c's default stops the hart again). */
void main(unsigned long hartid, unsigned long dtb);
/* x0-x31 as the boot hart entered _start (start.S), before anything changed them. */
extern unsigned long entry_regs[32];
void secondary_main(unsigned long hartid, unsigned long opaque);
void _secondary_start(void);
/* The harts there are: ids 0..n-1 answer SBI HSM hart_get_status (at most MAX_HARTS, 8). */
unsigned long hart_count(void);
long hart_status(unsigned long hart);

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

/* The PLIC of QEMU's virt board, which Vireo's virtual PLIC also follows (SiFive PLIC
 * layout: priorities, pending bits, per-context enables, threshold and claim/complete). */
#define PLIC 0x0c000000UL
#define PLIC_PRIORITY(src) (PLIC + 4 * (src))
#define PLIC_PENDING (PLIC + 0x1000)
#define PLIC_ENABLE(ctx) (PLIC + 0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx) (PLIC + 0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx) (PLIC_THRESHOLD(ctx) + 4)

#endif
