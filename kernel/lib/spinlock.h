/*
 * Spinlocks and nested interrupt disabling. A lock is held with interrupts
 * off on this hart, so an interrupt handler that takes the same lock cannot
 * deadlock against the code it interrupted. One hart today; the atomic
 * swap keeps the locks correct when more harts come.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include "lib/types.h"

struct spinlock {
	volatile uint32_t locked;
	const char *name;
};

#define SPINLOCK_INIT(n) { .locked = 0, .name = (n) }

/* Disable interrupts, counting nesting; pop_off restores the state the
 * first push_off found. */
void push_off(void);
void pop_off(void);

/* How many push_off()s this hart holds: spinlocks held, plus explicit ones. */
int spin_depth(void);

void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);

#endif
