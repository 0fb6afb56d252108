#include "hart.h"

#include "kstack.h"
#include "machine.h"

extern char boot_stack[];

static struct hart harts[MACHINE_MAX_HARTS];
static char emergency_stacks[MACHINE_MAX_HARTS][EMERGENCY_STACK_SIZE] __attribute__((aligned(16)));
/* The other harts' idle loops run on these. Unlike the boot stack they have no guard page
 * of their own; trapvec.S's check of each trap frame against the base still holds. */
static char idle_stacks[MACHINE_MAX_HARTS - 1][KSTACK_SIZE] __attribute__((aligned(16)));

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

struct hart *hart_init_secondary(unsigned index, uint64_t hartid)
{
	struct hart *h = &harts[index];
	h->index = index;
	h->hartid = hartid;
	h->stack_base = (uint64_t)idle_stacks[index - 1];
	h->sched_ctx.stack_base = h->stack_base;
	h->emergency_sp = (uint64_t)emergency_stacks[index] + EMERGENCY_STACK_SIZE;
	h->smp = true;
	return h;
}

struct hart *hart_at(unsigned index)
{
	return index < MACHINE_MAX_HARTS ? &harts[index] : NULL;
}
