/* Kernel console output through the SBI debug console (DBCN), falling back to the legacy
 * putchar call where the SBI implementation predates SBI 2.0. The UART itself belongs to
 * the user-mode console driver. */
#ifndef VIREO_CONSOLE_H
#define VIREO_CONSOLE_H

#include <stddef.h>

void console_init(void);
const char *console_backend(void);
void console_write(const char *s, size_t n);
/* For a panic: the code that trapped may hold the console's lock, and never lets go now. */
void console_take_over(void);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
