/* Work for the processor and nothing else, the same amount every time (busy-pair.c). */
#include "vireo.h"

int main(void)
{
	volatile uint64_t n = 0;
	for (uint64_t i = 0; i < 40000000; i++)
		n += i;
	return 0;
}
