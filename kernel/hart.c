#include "hart.h"

#include "machine.h"

extern char boot_stack[], boot_stack_top[];

static struct hart harts[MACHINE_MAX_HARTS];

void hart_init_boot(uint64_t hartid)
{
	struct hart *h = &harts[0];
	h->hartid = hartid;
	h->stack_base = (uint64_t)boot_stack;
	h->stack_top = (uint64_t)boot_stack_top;
	__asm__ volatile("mv tp, %0" ::"r"(h));
}
