/* The part of <string.h> the kernel, libfdt and user programs use (lib/string.c). */
#ifndef VIREO_STRING_H
#define VIREO_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strcspn(const char *s, const char *reject);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strcpy(char *dst, const char *src);
/* Copies at most n bytes and pads with NULs; like the standard one, it may not terminate. */
char *strncpy(char *dst, const char *src, size_t n);

#endif
