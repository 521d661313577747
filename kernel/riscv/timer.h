/*
 * The periodic timer tick: Sstc's stimecmp when the hart has it, else the
 * SBI TIME extension. HZ ticks a second.
 */
#ifndef RISCV_TIMER_H
#define RISCV_TIMER_H

#include "lib/types.h"

#define HZ 100

/* Set the tick rate and start this (the boot) hart's timer. */
void timer_init(uint32_t timebase_hz, bool use_sstc);
/* Start this hart's timer (every hart but the boot hart calls it). */
void timer_init_hart(void);
/* Handle this hart's timer interrupt and arm the next one. True on the
 * boot hart, whose ticks are the system's clock (proc_tick). */
bool timer_intr(void);
uint64_t timer_ticks(void); /* the boot hart's ticks */
uint32_t timer_interval(void); /* time units between ticks */
uint64_t timer_next_deadline(void); /* when this hart's next tick is due */
bool timer_uses_sstc(void);
uint32_t timer_timebase_hz(void); /* time units (rdtime) per second */

#endif
