/* The test guests' library (lib.h). */
#include "lib.h"

struct sbiret sbi_call(unsigned long eid, unsigned long fid, unsigned long a0,
		       unsigned long a1, unsigned long a2, unsigned long a3, unsigned long a4,
		       unsigned long a5)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r3 __asm__("a3") = a3;
	register unsigned long r4 __asm__("a4") = a4;
	register unsigned long r5 __asm__("a5") = a5;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = eid;
	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ .error = (long)r0, .value = (long)r1 };
}

long sbi_legacy_call(unsigned long eid, unsigned long a0)
{
	return sbi_call1(eid, 0, a0).error;
}

long sbi_probe(unsigned long eid)
{
	struct sbiret r = sbi_call1(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, eid);
	return r.error ? 0 : r.value;
}

struct sbiret sbi_set_timer(uint64_t when)
{
	return sbi_call1(SBI_EXT_TIME, 0, when);
}

_Noreturn void sbi_system_reset(unsigned long type, unsigned long reason)
{
	sbi_call(SBI_EXT_SRST, 0, type, reason, 0, 0, 0, 0);
	/* Only a firmware without SRST gets here; shutting down is all the legacy call does. */
	if (type == SBI_SRST_SHUTDOWN)
		sbi_legacy_call(SBI_EXT_LEGACY_SHUTDOWN, 0);
	for (;;)
		__asm__ volatile("wfi");
}

/* --- console --- */

/* 0 until probed, then 1 with DBCN and -1 without. */
static volatile int dbcn_state;
/* The hart id + 1 of the hart holding the console; the holder may take it again, so a trap
 * report in the middle of a line does not deadlock. */
static volatile unsigned long console_owner;

static unsigned long this_hart(void)
{
	unsigned long id;
	__asm__("mv %0, tp" : "=r"(id));
	return id;
}

bool console_has_dbcn(void)
{
	if (dbcn_state == 0)
		dbcn_state = sbi_probe(SBI_EXT_DBCN) ? 1 : -1;
	return dbcn_state > 0;
}

static void legacy_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		sbi_legacy_call(SBI_EXT_LEGACY_PUTCHAR, (unsigned char)buf[i]);
}

/* DBCN write (spec 12.1) takes the buffer's physical address; with paging off that is its
 * address. It may write fewer bytes than asked, so loop on what it reports. */
static void dbcn_write(const char *buf, size_t len)
{
	unsigned stalls = 0;
	while (len > 0) {
		struct sbiret r = sbi_call3(SBI_EXT_DBCN, 0, len, (unsigned long)buf, 0);
		if (r.error || (r.value == 0 && ++stalls > 1000)) {
			legacy_write(buf, len);
			return;
		}
		if ((size_t)r.value > len)
			return;
		buf += r.value;
		len -= r.value;
	}
}

void console_write(const char *buf, size_t len)
{
	unsigned long me = this_hart() + 1;
	bool nested = console_owner == me;
	if (!nested)
		while (__atomic_exchange_n(&console_owner, me, __ATOMIC_ACQUIRE) != 0)
			;
	if (console_has_dbcn())
		dbcn_write(buf, len);
	else
		legacy_write(buf, len);
	if (!nested)
		__atomic_store_n(&console_owner, 0, __ATOMIC_RELEASE);
}

/* --- formatting --- */

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void out_char(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_number(struct out *o, uint64_t v, unsigned base, bool negative, char pad,
		       unsigned width)
{
	char digits[24];
	unsigned n = 0;
	do {
		digits[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		digits[n++] = '-';
	for (unsigned i = n; i < width; i++)
		out_char(o, pad);
	while (n)
		out_char(o, digits[--n]);
}

size_t format(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size, .len = 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		char pad = ' ';
		unsigned width = 0;
		bool is_long = false;
		if (*++fmt == '0')
			pad = *fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l') {
			is_long = true;
			fmt++;
		}
		switch (*fmt) {
		case 'd': {
			long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
			out_number(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, v < 0, pad, width);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned);
			out_number(&o, v, *fmt == 'u' ? 10 : 16, false, pad, width);
			break;
		}
		case 'p':
			out_char(&o, '0');
			out_char(&o, 'x');
			out_number(&o, (uintptr_t)va_arg(ap, void *), 16, false, '0', 0);
			break;
		case 'c':
			out_char(&o, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			while (*s)
				out_char(&o, *s++);
			break;
		}
		case '\0':
			fmt--;
			break;
		default:
			out_char(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len;
}

static void vprint(const char *prefix, const char *fmt, va_list ap, const char *suffix)
{
	char line[256];
	size_t n = 0;
	while (*prefix && n < sizeof(line) - 1)
		line[n++] = *prefix++;
	size_t body = format(line + n, sizeof(line) - n, fmt, ap);
	n = body < sizeof(line) - n ? n + body : sizeof(line) - 1;
	while (*suffix && n < sizeof(line) - 1)
		line[n++] = *suffix++;
	console_write(line, n);
}

void print(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint("", fmt, ap, "");
	va_end(ap);
}

void print_hex(uint64_t value)
{
	print("0x%lx", (unsigned long)value);
}

void print_dec(int64_t value)
{
	print("%ld", (long)value);
}

/* --- results --- */

static unsigned long passed, failed;

bool check(bool cond, const char *what, ...)
{
	va_list ap;
	va_start(ap, what);
	vprint(cond ? "PASS: " : "FAIL: ", what, ap, "\n");
	va_end(ap);
	__atomic_fetch_add(cond ? &passed : &failed, 1, __ATOMIC_RELAXED);
	return cond;
}

void skip(const char *what, ...)
{
	va_list ap;
	va_start(ap, what);
	vprint("SKIP: ", what, ap, "\n");
	va_end(ap);
}

unsigned checks_failed(void)
{
	return (unsigned)__atomic_load_n(&failed, __ATOMIC_RELAXED);
}

_Noreturn void finish(void)
{
	unsigned long f = __atomic_load_n(&failed, __ATOMIC_RELAXED);
	print("DONE: %lu passed, %lu failed\n", __atomic_load_n(&passed, __ATOMIC_RELAXED), f);
	sbi_system_reset(SBI_SRST_SHUTDOWN, f ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
}

/* --- traps --- */

static trap_hook_fn volatile trap_hook;
struct trap_record caught;

void trap_set_hook(trap_hook_fn hook)
{
	trap_hook = hook;
	__asm__ volatile("" : : : "memory");
}

unsigned insn_length(unsigned long pc)
{
	/* Read only the first parcel: a 4-byte instruction may end on the next page. */
	return (*(volatile uint16_t *)pc & 3) == 3 ? 4 : 2;
}

bool trap_catch_and_skip(struct trap_frame *tf)
{
	if (tf->scause & SCAUSE_INTERRUPT)
		return false;
	caught.scause = tf->scause;
	caught.stval = tf->stval;
	caught.sepc = tf->sepc;
	caught.count++;
	tf->sepc += insn_length(tf->sepc);
	return true;
}

void trap_handler(struct trap_frame *tf)
{
	trap_hook_fn hook = trap_hook;
	if (hook && hook(tf))
		return;
	check(false, "unexpected trap on hart %lu: scause 0x%lx sepc 0x%lx stval 0x%lx",
	      this_hart(), tf->scause, tf->sepc, tf->stval);
	finish();
}

/* --- time --- */

void delay_ticks(uint64_t ticks)
{
	uint64_t start = rdtime();
	while (rdtime() - start < ticks)
		;
}

bool wait_flag(volatile unsigned long *flag, uint64_t ticks)
{
	uint64_t start = rdtime();
	while (!*flag)
		if (rdtime() - start >= ticks)
			return *flag != 0;
	return true;
}

/* --- harts --- */

long hart_status(unsigned long hart)
{
	struct sbiret r = sbi_call1(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hart);
	return r.error ? r.error : r.value;
}

unsigned long hart_count(void)
{
	unsigned long n = 0;
	while (n < 8 && hart_status(n) >= 0)
		n++;
	return n;
}

/* --- defaults and the C library functions the compiler may call --- */

__attribute__((weak)) void secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
	sbi_call0(SBI_EXT_HSM, SBI_HSM_HART_STOP);
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}
