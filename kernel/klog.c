#include "klog.h"

static char ring[KLOG_SIZE];
static uint64_t total; /* bytes ever logged; ring holds the last KLOG_SIZE of them */

void klog_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ring[(total + i) % KLOG_SIZE] = s[i];
	total += n;
}

size_t klog_read(uint64_t *pos, char *buf, size_t len)
{
	uint64_t oldest = total > KLOG_SIZE ? total - KLOG_SIZE : 0;
	if (*pos < oldest)
		*pos = oldest;
	size_t n = 0;
	for (; n < len && *pos + n < total; n++)
		buf[n] = ring[(*pos + n) % KLOG_SIZE];
	return n;
}
