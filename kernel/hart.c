#include "hart.h"

#include "kstack.h"
#include "machine.h"

extern char boot_stack[];

static struct hart harts[MACHINE_MAX_HARTS];
static char emergency_stacks[MACHINE_MAX_HARTS][EMERGENCY_STACK_SIZE] __attribute__((aligned(16)));

void hart_init_boot(uint64_t hartid)
{
	struct hart *h = &harts[0];
	h->hartid = hartid;
	/* The boot stack goes on as the idle loop's (sched_run). */
	h->stack_base = (uint64_t)boot_stack;
	h->sched_ctx.stack_base = (uint64_t)boot_stack;
	h->emergency_sp = (uint64_t)emergency_stacks[0] + EMERGENCY_STACK_SIZE;
	__asm__ volatile("mv tp, %0" ::"r"(h));
}

struct hart *hart_at(unsigned index)
{
	return index < MACHINE_MAX_HARTS ? &harts[index] : NULL;
}
