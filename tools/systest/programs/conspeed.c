/* conspeed: how long a 60-byte line takes through the console driver, and through the
 * kernel's SBI console, for make bench. The result goes to the kernel log, which does not
 * depend on the path measured. */
#include "vireo.h"

int main(void)
{
	console_open();
	const char *line = "0123456789012345678901234567890123456789012345678901234567\n";
	uint64_t t0 = clock_us();
	for (int i = 0; i < 50; i++)
		printf("%s", line);
	uint64_t t1 = clock_us();
	for (int i = 0; i < 50; i++)
		vireo_syscall(SYS_LOG_WRITE, (long)line, 59, 0, 0, 0, 0);
	uint64_t t2 = clock_us();
	char buf[80];
	size_t n = snformat(buf, sizeof(buf), "console %lu us/line, kernel log %lu us/line\n",
			    (t1 - t0) / 50, (t2 - t1) / 50);
	vireo_syscall(SYS_LOG_WRITE, (long)buf, (long)n, 0, 0, 0, 0);
	return 0;
}
