/* The supervisor timer: a periodic tick, through Sstc's stimecmp when the hart has it,
 * else through the SBI TIME extension. */
#ifndef VIREO_TIMER_H
#define VIREO_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_HZ 100

void timer_init(uint64_t timebase_hz, bool use_sstc);
/* Starts this hart's own tick (timer_init does the boot hart's). */
void timer_init_hart(void);
const char *timer_backend(void);
/* Counts a tick when one is due; timer_serve_clients() then programs the next interrupt. */
void timer_tick(void);

/* Code with deadlines of its own (the hypervisor's guest timers) registers a client: its
 * check runs on every timer interrupt of every hart, each serving what runs on it
 * (docs/design.md 9), and whenever the client's owner calls timer_serve_clients, and
 * returns the next host time it wants this hart's timer at, or UINT64_MAX for none. */
struct timer_client {
	uint64_t (*check)(uint64_t now);
	struct timer_client *next;
};
void timer_register(struct timer_client *c);
/* Runs every client's check; then programs this hart's timer for the earliest deadline any
 * of them named, or for the next tick if that comes first. */
void timer_serve_clients(void);
uint64_t timer_ticks(void);
uint64_t timer_timebase_hz(void);
/* Time since the machine's reset in microseconds, from the time CSR. */
uint64_t timer_uptime_us(void);

#endif
