/* Freestanding string functions for the kernel, libfdt and user programs. Byte-wise: clarity over speed,
 * except that memset and memcpy move whole words, since page zeroing and copying (a guest's
 * Image and initramfs) are on hot paths. */
#include <stdint.h>
#include <string.h>

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	for (; n > 0 && ((uintptr_t)d & 7); n--)
		*d++ = *s++;
	unsigned shift = ((uintptr_t)s & 7) * 8;
	if (n >= 8 && shift == 0) {
		/* Eight words a turn, as memset: file data crosses several copies on its way
		 * to a guest (virtio-fs reads), and under QEMU the loop's own steps cost as much
		 * as the loads and stores. */
		for (; n >= 64; n -= 64, d += 64, s += 64) {
			uint64_t *w = (uint64_t *)(void *)d;
			const uint64_t *r = (const uint64_t *)(const void *)s;
			uint64_t a = r[0], b = r[1], c = r[2], e = r[3], f = r[4], g = r[5], h = r[6],
				 i = r[7];
			w[0] = a, w[1] = b, w[2] = c, w[3] = e, w[4] = f, w[5] = g, w[6] = h, w[7] = i;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
	} else if (n >= 16) {
		/* A source off by k bytes (a file in a cpio archive is 4-aligned): each word out
		 * joins two aligned words in. Every word read holds a byte that is copied, so no
		 * read strays into a page the caller did not give. */
		const uint64_t *w = (const uint64_t *)(const void *)(s - shift / 8);
		uint64_t lo = *w++;
		for (; n >= 16; n -= 8, d += 8, s += 8) {
			uint64_t hi = *w++;
			*(uint64_t *)(void *)d = lo >> shift | hi << (64 - shift);
			lo = hi;
		}
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	if (((uintptr_t)d & 7) == 0) {
		uint64_t word = 0x0101010101010101ull * (unsigned char)c;
		/* Eight words a turn: zeroing guest RAM and fresh pages is most of what this does. */
		for (; n >= 64; n -= 64, d += 64) {
			uint64_t *w = (uint64_t *)(void *)d;
			w[0] = w[1] = w[2] = w[3] = w[4] = w[5] = w[6] = w[7] = word;
		}
		for (; n >= 8; n -= 8, d += 8)
			*(uint64_t *)(void *)d = word;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;
	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);
	for (; *haystack; haystack++)
		if (!strncmp(haystack, needle, n))
			return (char *)haystack;
	return n ? NULL : (char *)haystack;
}

char *strcpy(char *dst, const char *src)
{
	return memcpy(dst, src, strlen(src) + 1);
}

char *strncpy(char *dst, const char *src, size_t n)
{
	size_t len = strnlen(src, n);
	memcpy(dst, src, len);
	memset(dst + len, 0, n - len);
	return dst;
}
