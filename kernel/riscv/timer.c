/*
 * Timer tick. With Sstc the kernel writes stimecmp itself, without an
 * ecall; otherwise SBI set_timer does it in M-mode. The next deadline is
 * the previous one plus the interval, so ticks do not drift. Every hart
 * ticks (each tick may preempt the process it runs); the boot hart's
 * ticks are the system clock that timed sleeps count.
 */
#include "riscv/timer.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "sbi/sbi.h"

static uint32_t interval;
static uint64_t next_deadline[MAX_HARTS]; /* per hart, by cpu index */
static volatile uint64_t ticks;           /* the boot hart's */
static bool sstc;
static uint32_t hz_timebase;

/* On RV32 set the high half with the low half all ones in between, so no
 * transient compare value lies in the past (PLATFORM.md 5.3). */
static void set_deadline(uint64_t t)
{
	if (sstc) {
		__asm__ volatile("csrw %0, %1" ::"i"(CSR_STIMECMP), "r"(0xFFFFFFFFu));
		__asm__ volatile("csrw %0, %1" ::"i"(CSR_STIMECMPH), "r"((uint32_t)(t >> 32)));
		__asm__ volatile("csrw %0, %1" ::"i"(CSR_STIMECMP), "r"((uint32_t)t));
	} else {
		sbi_set_timer(t);
	}
}

void timer_init(uint32_t timebase_hz, bool use_sstc)
{
	sstc = use_sstc;
	hz_timebase = timebase_hz;
	interval = timebase_hz / HZ;
	timer_init_hart();
}

void timer_init_hart(void)
{
	uint64_t *next = &next_deadline[mycpu()->index];
	*next = read_time() + interval;
	set_deadline(*next);
	csr_set(sie, SIE_STIE);
}

bool timer_intr(void)
{
	struct cpu *c = mycpu();
	uint64_t *next = &next_deadline[c->index];
	uint64_t now = read_time();
	*next += interval;
	/* After a long stall (a debugger, a slow host) skip the lost ticks
	 * rather than firing them back to back. */
	if (*next <= now)
		*next = now + interval;
	set_deadline(*next);
	if (c->index != 0)
		return false;
	ticks++;
	return true;
}

uint64_t timer_ticks(void)
{
	return ticks;
}

uint32_t timer_interval(void)
{
	return interval;
}

uint64_t timer_next_deadline(void)
{
	return next_deadline[mycpu()->index];
}

bool timer_uses_sstc(void)
{
	return sstc;
}

uint32_t timer_timebase_hz(void)
{
	return hz_timebase;
}
