/* Says hello through the console service and ends: the smallest complete program. */
#include "vireo.h"

int main(void)
{
	console_open();
	printf("hello from task %s\n", "hello");
	return 0;
}
