/*
 * What the kernel modules under test expect from the rest of the kernel,
 * for the host: the simulated RAM behind pa2kva() (host_ram.c sets it up),
 * kprintf/panic on stdio, and spinlocks for one host thread.
 * panic() reports through cmocka's mock_assert, so a test can expect one
 * with expect_assert_failure().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "lib/spinlock.h"
#include "lib/types.h"
#include "riscv/sv32.h"

uint8_t *host_ram;
paddr_t host_ram_base;

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	static char msg[256]; /* cmocka prints it after panic has returned */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	/* mock_assert returns only when no failure was expected: the test
	 * has already been marked failed, so stop it here. */
	fail_msg("panic: %s", msg);
	__builtin_unreachable();
}

/* Spinlocks on one host thread: taking a lock already held (a deadlock
 * on a hart) and releasing one that is free are failures, and
 * spin_assert_held checks the state, so lock contracts are tested too. */
/* The harts of the kernel code under test: cpus[host_hart] is mycpu();
 * tests with several harts set ncpus and switch host_hart. */
#define HOST_CPU(i) [i] = { .hartid = (i), .index = (i) }
struct cpu cpus[MAX_HARTS] = { HOST_CPU(0), HOST_CPU(1), HOST_CPU(2), HOST_CPU(3),
			       HOST_CPU(4), HOST_CPU(5), HOST_CPU(6), HOST_CPU(7) };
int ncpus = 1;
int host_hart;
void (*host_pte_read_hook)(const pte_t *slot); /* kernel/riscv/sv32.h */

void spin_lock(struct spinlock *lk)
{
	if (lk->locked)
		panic("spinlock: %s taken twice", lk->name);
	lk->locked = 1;
	lk->owner = mycpu();
}

void spin_unlock(struct spinlock *lk)
{
	if (!spin_holding(lk))
		panic("spinlock: unlock of %s, which is not held", lk->name);
	lk->owner = NULL;
	lk->locked = 0;
}

void spin_not_held(const struct spinlock *lk)
{
	panic("spinlock: %s is not held here, and must be", lk->name);
	__builtin_unreachable();
}
