#include "smp.h"

#include <riscv/sbi.h>

#include "biglock.h"
#include "console.h"
#include "csr.h"
#include "hv.h"
#include "kernel_map.h"
#include "sbi.h"
#include "sched.h"
#include "timer.h"
#include "trap.h"

int big_kernel_lock;

void secondary_entry(void); /* entry.S */
__attribute__((noreturn)) void hart_main(struct hart *h);

/* Where a started hart goes from secondary_entry, on its idle stack with tp set and paging
 * off: the same per-hart setup as the boot hart's, which touches only its own state, then
 * the scheduler, under the lock. */
void hart_main(struct hart *h)
{
	trap_init();
	kernel_map_activate();
	csr_write(CSR_SCOUNTEREN, 7); /* as kmain: tasks may read cycle, time and instret */
	csr_set(CSR_SIE, SIE_SSIE);
	timer_init_hart();
	hv_init_hart();
	__atomic_store_n(&h->online, true, __ATOMIC_RELEASE);
	kernel_lock(h);
	sched_run();
}

/* The boot hart waits for each started hart and reports it, so that the boot report is
 * whole before init's tasks print (a line after the shell's prompt would land in its first
 * command). */
static void wait_until_up(struct hart *h)
{
	uint64_t give_up = read_time() + timer_timebase_hz();
	while (!__atomic_load_n(&h->online, __ATOMIC_ACQUIRE)) {
		if (read_time() > give_up) {
			kprintf("smp: hart %lu did not come up within a second\n", h->hartid);
			return;
		}
	}
	kprintf("smp: hart %lu up\n", h->hartid);
}

void smp_start(const struct machine *m)
{
	struct hart *boot = this_hart();
	csr_set(CSR_SIE, SIE_SSIE);
	if (m->nharts < 2)
		return;
	boot->smp = true;
	boot->online = true;
	kernel_lock(boot);
	unsigned index = 1;
	for (unsigned i = 0; i < m->nharts; i++) {
		uint64_t id = m->hart_ids[i];
		if (id == boot->hartid)
			continue;
		if (id >= 64) { /* the SBI hart masks tlb.c builds start at id 0 */
			kprintf("smp: hart %lu not started: ids from 64 are not supported\n", id);
			continue;
		}
		struct hart *h = hart_init_secondary(index, id);
		/* SBI spec 9.1: the hart starts at secondary_entry in S-mode, paging off,
		 * with a0 = its id and a1 = opaque. */
		struct sbiret r = sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, id,
					   (unsigned long)secondary_entry, (unsigned long)h, 0, 0);
		if (r.error) {
			kprintf("smp: hart %lu did not start: SBI error %ld\n", id, r.error);
			h->smp = false;
			continue;
		}
		index++;
	}
	kprintf("smp: starting %u harts\n", index);
	for (unsigned i = 1; i < index; i++)
		wait_until_up(hart_at(i));
}

void smp_kick(struct hart *h)
{
	if (h != this_hart())
		sbi_call(SBI_EXT_IPI, SBI_IPI_SEND_IPI, 1, h->hartid, 0, 0, 0);
}
