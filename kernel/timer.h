/* The supervisor timer: a periodic tick, through Sstc's stimecmp when the hart has it,
 * else through the SBI TIME extension. */
#ifndef VIREO_TIMER_H
#define VIREO_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_HZ 100

void timer_init(uint64_t timebase_hz, bool use_sstc);
const char *timer_backend(void);
/* Counts a tick when one is due; timer_rearm() then programs the next interrupt. */
void timer_tick(void);
/* Fires at deadline (host time) if that comes before the next tick. */
void timer_rearm(uint64_t deadline);
uint64_t timer_ticks(void);
uint64_t timer_timebase_hz(void);
/* Time since the machine's reset in microseconds, from the time CSR. */
uint64_t timer_uptime_us(void);

#endif
