/*
 * The periodic timer tick: Sstc's stimecmp when the hart has it, else the
 * SBI TIME extension. HZ ticks a second.
 */
#ifndef RISCV_TIMER_H
#define RISCV_TIMER_H

#include "lib/types.h"

#define HZ 100

void timer_init(uint32_t timebase_hz, bool use_sstc);
/* Handle the timer interrupt: count the tick and arm the next one. */
void timer_intr(void);
uint64_t timer_ticks(void);
uint32_t timer_interval(void); /* time units between ticks */
uint64_t timer_next_deadline(void); /* when the next tick is due */
bool timer_uses_sstc(void);
uint32_t timer_timebase_hz(void); /* time units (rdtime) per second */

#endif
