/* printf-style formatting into a sink, for the kernel (and later the user library).
 * Supports %c %s %d %i %u %x %X %p %%, the l/ll/z length modifiers, and width with the
 * '0' and '-' flags: what diagnostics need, no floating point. */
#ifndef VIREO_FORMAT_H
#define VIREO_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *ctx, const char *s, size_t n);

void vformat(format_sink sink, void *ctx, const char *fmt, va_list ap);
/* Like snprintf: always NUL-terminates when size > 0; returns the length it wanted. */
size_t vsnformat(char *buf, size_t size, const char *fmt, va_list ap);
size_t snformat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
