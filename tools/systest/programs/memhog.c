/* memhog: takes all the memory it can, in 16 MiB allocations and in memory objects, to show
 * that its quota stops it long before the machine runs out. Prints how far it got. */
#include "vireo.h"

#define STEP_PAGES 4096

int main(void)
{
	console_open();
	uint64_t pages = 0;
	int64_t err = 0;
	while (!err) {
		err = vireo_syscall(SYS_MEM_ALLOC, (long)(VIREO_USER_HEAP + (pages << 12)),
				    STEP_PAGES, VIREO_PROT_READ | VIREO_PROT_WRITE, 0, 0, 0);
		if (!err)
			pages += STEP_PAGES;
	}
	printf("memhog: took %lu MiB, then: %s\n", pages >> 8, error_name(err));
	int64_t obj = vireo_syscall(SYS_MEMORY_CREATE, STEP_PAGES, 0, 0, 0, 0, 0);
	printf("memhog: a memory object then: %s\n", error_name(obj < 0 ? obj : 0));
	return 0;
}
