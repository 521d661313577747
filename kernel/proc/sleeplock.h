/*
 * Sleeping locks, for what is held across a disk wait (the file system):
 * a waiter sleeps instead of spinning. Only a process may take one, except
 * at boot, before any process runs, when nothing can contend for it.
 */
#ifndef PROC_SLEEPLOCK_H
#define PROC_SLEEPLOCK_H

#include "lib/spinlock.h"

struct sleeplock {
	struct spinlock lk; /* guards locked, holder and waiters */
	bool locked;
	int holder;       /* the holder's pid, 0 at boot */
	uint32_t waiters; /* processes asleep on it: a release wakes them only if any */
};

#define SLEEPLOCK_INIT(name) { .lk = SPINLOCK_INIT(name), .locked = false, .holder = 0, .waiters = 0 }

void sleeplock_acquire(struct sleeplock *l);
void sleeplock_release(struct sleeplock *l);
/* Whether the calling process (or the boot code) holds l. */
bool sleeplock_held(struct sleeplock *l);

#endif
