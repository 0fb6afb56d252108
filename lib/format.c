#include "format.h"

#include <stdbool.h>
#include <stdint.h>

static void emit_padded(format_sink sink, void *ctx, const char *s, size_t len, int width,
			bool left, char pad)
{
	static const char spaces[] = "                ", zeros[] = "0000000000000000";
	const char *fill = pad == '0' && !left ? zeros : spaces; /* C: '-' overrides '0' */
	size_t padding = width > 0 && (size_t)width > len ? (size_t)width - len : 0;

	if (left)
		sink(ctx, s, len);
	while (padding > 0) {
		size_t n = padding < 16 ? padding : 16;
		sink(ctx, fill, n);
		padding -= n;
	}
	if (!left)
		sink(ctx, s, len);
}

/* Digits of v in base, right-aligned in buf; returns where they start. */
static char *digits(char *end, uint64_t v, unsigned base, bool upper)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char *p = end;
	do {
		*--p = set[v % base];
		v /= base;
	} while (v);
	return p;
}

void vformat(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
	while (*fmt) {
		const char *start = fmt;
		while (*fmt && *fmt != '%')
			fmt++;
		if (fmt > start)
			sink(ctx, start, (size_t)(fmt - start));
		if (!*fmt)
			break;
		fmt++;

		bool left = false;
		char pad = ' ';
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		int width = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		int longs = 0;
		while (*fmt == 'l' || *fmt == 'z') {
			longs++;
			fmt++;
		}

		char buf[24], *end = buf + sizeof(buf), *p;
		char conv = *fmt ? *fmt++ : '\0';
		switch (conv) {
		case 'c':
			buf[0] = (char)va_arg(ap, int);
			emit_padded(sink, ctx, buf, 1, width, left, ' ');
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;
			if (!s)
				s = "(null)";
			while (s[n])
				n++;
			emit_padded(sink, ctx, s, n, width, left, ' ');
			break;
		}
		case 'd':
		case 'i': {
			int64_t v = longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
			p = digits(end, mag, 10, false);
			if (v < 0) {
				if (pad == '0') { /* the sign goes before the zeros */
					sink(ctx, "-", 1);
					width = width > 0 ? width - 1 : 0;
				} else {
					*--p = '-';
				}
			}
			emit_padded(sink, ctx, p, (size_t)(end - p), width, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = longs ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			p = digits(end, v, conv == 'u' ? 10 : 16, conv == 'X');
			emit_padded(sink, ctx, p, (size_t)(end - p), width, left, pad);
			break;
		}
		case 'p':
			p = digits(end, (uintptr_t)va_arg(ap, void *), 16, false);
			*--p = 'x';
			*--p = '0';
			emit_padded(sink, ctx, p, (size_t)(end - p), width, left, ' ');
			break;
		case '%':
			sink(ctx, "%", 1);
			break;
		default: /* unknown conversion: show it rather than guess at its argument */
			buf[0] = '%';
			buf[1] = conv;
			sink(ctx, buf, conv ? 2 : 1);
			break;
		}
	}
}

struct buffer {
	char *buf;
	size_t size, len;
};

static void buffer_sink(void *ctx, const char *s, size_t n)
{
	struct buffer *b = ctx;
	for (size_t i = 0; i < n; i++, b->len++)
		if (b->len + 1 < b->size)
			b->buf[b->len] = s[i];
}

size_t vsnformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buffer b = { buf, size, 0 };
	vformat(buffer_sink, &b, fmt, ap);
	if (size > 0)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return b.len;
}

size_t snformat(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = vsnformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
