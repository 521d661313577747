/*
 * What the kernel modules under test expect from the rest of the kernel,
 * for the host: the simulated RAM behind pa2kva() (host_ram.c sets it up),
 * the harts' cpus[], and spinlocks for one host thread. kprintf and panic
 * come from host_panic.c (cmocka) in the unit tests and from
 * tests/fuzz/support.c in the fuzz harnesses.
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/klib.h"
#include "lib/spinlock.h"
#include "lib/types.h"
#include "riscv/sv32.h"

uint8_t *host_ram;
paddr_t host_ram_base;

/* The harts of the kernel code under test: cpus[host_hart] is mycpu();
 * tests with several harts set ncpus and switch host_hart. */
#define HOST_CPU(i) [i] = { .hartid = (i), .index = (i) }
struct cpu cpus[MAX_HARTS] = { HOST_CPU(0), HOST_CPU(1), HOST_CPU(2), HOST_CPU(3),
			       HOST_CPU(4), HOST_CPU(5), HOST_CPU(6), HOST_CPU(7) };
int ncpus = 1;
int host_hart;
void (*host_pte_read_hook)(const pte_t *slot); /* kernel/riscv/sv32.h */

/* Spinlocks on one host thread: taking a lock already held (a deadlock
 * on a hart) and releasing one that is free are failures, and
 * spin_assert_held checks the state, so lock contracts are tested too. */
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
