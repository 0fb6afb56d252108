/* counters: reads time, cycle and instret from U-mode (priv spec 4.1.5: scounteren lets
 * it). A guest that could change the host's scounteren would get this task killed. */
#include "vireo.h"

int main(void)
{
	console_open();
	uint64_t t, c, i;
	__asm__ volatile("rdtime %0\n rdcycle %1\n rdinstret %2" : "=r"(t), "=r"(c), "=r"(i));
	printf("counters: time, cycle and instret read (%s)\n", t && c && i ? "nonzero" : "ZERO");
	return 0;
}
