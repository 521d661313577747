/*
 * Spinlocks on an atomic swap (amoswap.w.aq / sw with a release fence) and
 * the per-hart interrupt-disable nesting count they rely on.
 */
#include "lib/spinlock.h"
#include "lib/klib.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"

/* Per hart: how deep push_off nests, and whether interrupts were on before. */
static int noff[1];
static bool intena[1];

void push_off(void)
{
	bool on = intr_enabled();
	intr_off();
	if (noff[0]++ == 0)
		intena[0] = on;
}

void pop_off(void)
{
	if (intr_enabled() || noff[0] < 1)
		panic("spinlock: pop_off without push_off");
	if (--noff[0] == 0 && intena[0])
		intr_on();
}

int spin_depth(void)
{
	return noff[0];
}

void spin_lock(struct spinlock *lk)
{
	push_off();
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0)
		;
	lk->owner = mycpu();
}

void spin_unlock(struct spinlock *lk)
{
	if (!spin_holding(lk))
		panic("spinlock: unlock of %s, which this hart does not hold", lk->name);
	lk->owner = NULL;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	pop_off();
}

bool spin_holding(const struct spinlock *lk)
{
	return lk->locked && lk->owner == mycpu();
}

void spin_assert_held_in(const struct spinlock *lk, const char *func)
{
	if (!spin_holding(lk))
		panic("spinlock: %s() needs %s held", func, lk->name);
}
