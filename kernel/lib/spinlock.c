/*
 * The ways a spinlock can be misused, each a kernel bug that panics; the
 * lock and unlock paths themselves are inline in spinlock.h.
 */
#include "lib/spinlock.h"
#include "lib/klib.h"

void spin_bad_unlock(const struct spinlock *lk)
{
	panic("spinlock: unlock of %s, which this hart does not hold", lk->name);
}

void spin_bad_pop(void)
{
	panic("spinlock: pop_off without push_off");
}

void spin_not_held(const struct spinlock *lk)
{
	panic("spinlock: %s is not held here, and must be", lk->name);
}
