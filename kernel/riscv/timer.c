/*
 * Timer tick. With Sstc the kernel writes stimecmp itself, without an
 * ecall; otherwise SBI set_timer does it in M-mode. The next deadline is
 * the previous one plus the interval, so ticks do not drift.
 */
#include "riscv/timer.h"
#include "riscv/csr.h"
#include "sbi/sbi.h"

static uint32_t interval;
static uint64_t next_deadline;
static volatile uint64_t ticks;
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
	next_deadline = read_time() + interval;
	set_deadline(next_deadline);
	csr_set(sie, SIE_STIE);
}

void timer_intr(void)
{
	uint64_t now = read_time();
	ticks++;
	next_deadline += interval;
	/* After a long stall (a debugger, a slow host) skip the lost ticks
	 * rather than firing them back to back. */
	if (next_deadline <= now)
		next_deadline = now + interval;
	set_deadline(next_deadline);
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
	return next_deadline;
}

bool timer_uses_sstc(void)
{
	return sstc;
}

uint32_t timer_timebase_hz(void)
{
	return hz_timebase;
}
