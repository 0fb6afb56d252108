/* The kernel log: the last KLOG_SIZE bytes the kernel printed, for the shell's `log`. */
#ifndef VIREO_KLOG_H
#define VIREO_KLOG_H

#include <stddef.h>
#include <stdint.h>

#define KLOG_SIZE (16 * 1024)

void klog_append(const char *s, size_t n);
/* Copies log bytes from absolute position *pos (moved up to the oldest byte still kept)
 * into buf; returns how many. */
size_t klog_read(uint64_t *pos, char *buf, size_t len);

#endif
