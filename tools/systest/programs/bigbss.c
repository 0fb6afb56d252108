/* bigbss: a data segment of 3 MiB of .bss and a few bytes of .data, the layout that once
 * panicked the kernel: a segment that large is only reserved when mapped, and the loader
 * copied .data through a translation that did not exist yet. */
#include "vireo.h"

static char big[3 << 20];
static volatile unsigned long seed = 0x5eedUL;

int main(void)
{
	console_open();
	unsigned long nonzero = 0;
	for (unsigned long i = 0; i < sizeof(big); i += 4096)
		nonzero += big[i] != 0;
	big[0] = big[sizeof(big) - 1] = 1;
	printf("bigbss: %lu MiB of .bss, %lu pages not zero, .data %s\n", sizeof(big) >> 20,
	       nonzero, seed == 0x5eedUL ? "intact" : "WRONG");
	return nonzero || seed != 0x5eedUL;
}
