/*
 * Sleeping locks (proc/sleeplock.h): a spinlock guards the state, and a
 * waiter sleeps on the lock itself until the holder wakes it.
 */
#include "proc/sleeplock.h"
#include "lib/klib.h"
#include "proc/proc.h"
#include "proc/sleep.h"

static int me(void)
{
	return myproc() ? myproc()->pid : 0;
}

void sleeplock_acquire(struct sleeplock *l)
{
	spin_lock(&l->lk);
	while (l->locked) {
		if (!sleep_possible())
			panic("sleeplock: %s is held (pid %d) where no process can wait", l->lk.name,
			      l->holder);
		l->waiters++;
		sleep(l, &l->lk);
		l->waiters--;
	}
	l->locked = true;
	l->holder = me();
	spin_unlock(&l->lk);
}

void sleeplock_release(struct sleeplock *l)
{
	spin_lock(&l->lk);
	if (!l->locked)
		panic("sleeplock: release of %s, which is free", l->lk.name);
	l->locked = false;
	l->holder = 0;
	if (l->waiters > 0) /* a wakeup takes proc_lock */
		wakeup(l);
	spin_unlock(&l->lk);
}

bool sleeplock_held(struct sleeplock *l)
{
	spin_lock(&l->lk);
	bool held = l->locked && l->holder == me();
	spin_unlock(&l->lk);
	return held;
}
