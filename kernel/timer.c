#include "timer.h"

#include <stddef.h>

#include "csr.h"
#include "hart.h"
#include "sbi.h"

static uint64_t timebase, period;
static bool sstc;
static struct timer_client *clients;

static void program(uint64_t when)
{
	if (sstc)
		csr_write(CSR_STIMECMP, when);
	else
		sbi_set_timer(when);
}

void timer_init(uint64_t timebase_hz, bool use_sstc)
{
	timebase = timebase_hz;
	period = timebase_hz / TIMER_HZ;
	sstc = use_sstc;
	timer_init_hart();
}

void timer_init_hart(void)
{
	struct hart *h = this_hart();
	h->next_tick = read_time() + period;
	program(h->next_tick);
	csr_set(CSR_SIE, SIE_STIE);
}

const char *timer_backend(void)
{
	return sstc ? "sstc stimecmp" : "SBI TIME";
}

/* The next deadline is counted from now, not from the last one: after a long stall
 * (a debugger, a slow host) the tick resumes instead of firing a burst to catch up. */
void timer_tick(void)
{
	uint64_t now = read_time();
	struct hart *h = this_hart();
	if (now >= h->next_tick) {
		h->ticks++;
		h->next_tick = now + period;
	}
}

void timer_register(struct timer_client *c)
{
	c->next = clients;
	clients = c;
}

void timer_serve_clients(void)
{
	struct hart *h = this_hart();
	uint64_t now = read_time(), when = h->next_tick;
	for (struct timer_client *c = clients; c; c = c->next) {
		uint64_t deadline = c->check(now);
		if (deadline < when)
			when = deadline;
	}
	program(when);
}

uint64_t timer_ticks(void)
{
	return this_hart()->ticks;
}

uint64_t timer_timebase_hz(void)
{
	return timebase;
}

uint64_t timer_uptime_us(void)
{
	uint64_t t = read_time(); /* counts from machine reset */
	return t / timebase * 1000000 + t % timebase * 1000000 / timebase;
}
