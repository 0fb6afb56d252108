#include "console.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "format.h"
#include "klog.h"
#include "sbi.h"
#include "spinlock.h"

static bool have_dbcn;
static struct spinlock console_lock;

void console_init(void)
{
	have_dbcn = sbi_has_extension(SBI_EXT_DBCN);
}

const char *console_backend(void)
{
	return have_dbcn ? "SBI DBCN" : "SBI legacy putchar";
}

/* DBCN reads from a physical address (SBI spec 12.1). The kernel image is at VA = PA, but
 * the kernel stacks where kprintf formats are not (kstack.h): the bytes go through here. */
static char dbcn_buf[256];

/* A short write is retried from where it stopped. */
static void raw_write(const char *s, size_t n)
{
	while (n > 0 && have_dbcn) {
		size_t chunk = n < sizeof(dbcn_buf) ? n : sizeof(dbcn_buf);
		memcpy(dbcn_buf, s, chunk);
		struct sbiret r = sbi_call(SBI_EXT_DBCN, 0, chunk, (uintptr_t)dbcn_buf, 0, 0, 0);
		if (r.error || (size_t)r.value > chunk) {
			have_dbcn = false;
			break;
		}
		s += r.value;
		n -= (size_t)r.value;
	}
	for (size_t i = 0; i < n; i++)
		sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, (unsigned char)s[i], 0, 0, 0, 0);
}

void console_write(const char *s, size_t n)
{
	uint64_t flags = spin_lock_irqsave(&console_lock);
	klog_append(s, n);
	raw_write(s, n);
	spin_unlock_irqrestore(&console_lock, flags);
}

void console_take_over(void)
{
	__atomic_store_n(&console_lock.locked, 0, __ATOMIC_RELEASE);
}

/* Formats a whole message first so that lines from different harts do not interleave. */
void kprintf(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	size_t n = vsnformat(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_write(line, n < sizeof(line) ? n : sizeof(line) - 1);
}
