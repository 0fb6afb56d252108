/* Reads the address where init keeps the boot file system: that memory is init's, not
 * mapped here, so this must be killed, not shown init's pages. */
#include "vireo.h"

int main(void)
{
	console_open();
	volatile uint64_t *other = (volatile uint64_t *)VIREO_USER_BOOTFS;
	printf("poke-init: reading init's memory at %p\n", (void *)other);
	console_flush();
	printf("poke-init: read %lx, which is wrong\n", *other);
	return 0;
}
