/* Reads the kernel's memory (mapped in every address space, supervisor-only): must be
 * killed with a page fault, not obeyed. */
#include "vireo.h"

int main(void)
{
	console_open();
	volatile uint64_t *kernel = (volatile uint64_t *)0x80200000ul;
	printf("poke-kernel: reading kernel memory at %p\n", (void *)kernel);
	console_flush();
	printf("poke-kernel: read %lx, which is wrong\n", *kernel);
	return 0;
}
