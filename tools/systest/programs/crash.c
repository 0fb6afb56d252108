/* Executes an illegal instruction: the kernel must kill it and carry on. */
#include "vireo.h"

int main(void)
{
	console_open();
	printf("crash: about to execute an illegal instruction\n");
	console_flush();
	__asm__ volatile(".word 0");
	printf("crash: still alive, which is wrong\n");
	return 0;
}
