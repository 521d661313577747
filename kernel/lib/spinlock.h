/*
 * Spinlocks and nested interrupt disabling. A lock is held with interrupts
 * off on this hart, so an interrupt handler that takes the same lock cannot
 * deadlock against the code it interrupted. A lock records the hart that
 * holds it, so a function whose contract says "lk held" can check it with
 * spin_assert_held (as Linux's lockdep_assert_held), in every build. The
 * fast paths are inline (a lock and an unlock cost about 25 instructions);
 * the failures that panic live in spinlock.c.
 */
#ifndef LIB_SPINLOCK_H
#define LIB_SPINLOCK_H

#include "lib/types.h"
#include "riscv/cpu.h"

struct spinlock {
	volatile uint32_t locked;
	const char *name;
	struct cpu *owner; /* the hart that holds it, while locked */
};

#define SPINLOCK_INIT(n)                                                                           \
	{                                                                                          \
		.locked = 0, .name = (n), .owner = NULL                                            \
	}

/* The panics of the paths below (spinlock.c): a release of a lock this
 * hart does not hold, a pop_off without its push_off, and a lock that is
 * not held where a contract says it is (the backtrace names the place). */
void spin_bad_unlock(const struct spinlock *lk) __attribute__((noreturn));
void spin_bad_pop(void) __attribute__((noreturn));
void spin_not_held(const struct spinlock *lk) __attribute__((noreturn));

/* Whether this hart holds lk. */
static inline bool spin_holding(const struct spinlock *lk)
{
	return lk->locked && lk->owner == mycpu();
}

/* The first line of a function whose contract says lk is held. */
static inline void spin_assert_held(const struct spinlock *lk)
{
	if (!spin_holding(lk))
		spin_not_held(lk);
}

#ifdef HOST_TEST
/* Host tests run one thread: tests/unit/host_stubs.c implements these. */
void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
#else
#include "riscv/csr.h"

/* Disable interrupts, counting nesting per hart; pop_off restores the
 * state the first push_off found. */
static inline void push_off(void)
{
	bool on = intr_enabled();
	intr_off();
	struct cpu *c = mycpu();
	if (c->noff++ == 0)
		c->intena = on;
}

static inline void pop_off(void)
{
	struct cpu *c = mycpu();
	if (intr_enabled() || c->noff < 1)
		spin_bad_pop();
	if (--c->noff == 0 && c->intena)
		intr_on();
}

/* How many push_off()s this hart holds: spinlocks held, plus explicit ones. */
static inline int spin_depth(void)
{
	return mycpu()->noff;
}

/* Spin until lk is ours (amoswap.w.aq), with interrupts off. */
static inline void spin_lock(struct spinlock *lk)
{
	push_off();
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0)
		;
	lk->owner = mycpu();
}

/* Release lk, which this hart must hold, with a release fence before the
 * store, so what we wrote under the lock is seen by the next holder. */
static inline void spin_unlock(struct spinlock *lk)
{
	if (!spin_holding(lk))
		spin_bad_unlock(lk);
	lk->owner = NULL;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	pop_off();
}
#endif

#endif
