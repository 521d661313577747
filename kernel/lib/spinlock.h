/*
 * Spinlocks and nested interrupt disabling. A lock is held with interrupts
 * off on this hart, so an interrupt handler that takes the same lock cannot
 * deadlock against the code it interrupted. A lock records the hart that
 * holds it, so a function whose contract says "lk held" can check it with
 * spin_assert_held (as Linux's lockdep_assert_held), in every build.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include "lib/types.h"

struct cpu;

struct spinlock {
	volatile uint32_t locked;
	const char *name;
	struct cpu *owner; /* the hart that holds it, while locked */
};

#define SPINLOCK_INIT(n) { .locked = 0, .name = (n), .owner = NULL }

/* Disable interrupts, counting nesting; pop_off restores the state the
 * first push_off found. */
void push_off(void);
void pop_off(void);

/* How many push_off()s this hart holds: spinlocks held, plus explicit ones. */
int spin_depth(void);

void spin_lock(struct spinlock *lk);
/* Release lk, which this hart must hold (else panic). */
void spin_unlock(struct spinlock *lk);
/* Whether this hart holds lk. */
bool spin_holding(const struct spinlock *lk);

/* Panic, naming the lock and the function, unless this hart holds lk. */
#define spin_assert_held(lk) spin_assert_held_in((lk), __func__)
void spin_assert_held_in(const struct spinlock *lk, const char *func);

#endif
