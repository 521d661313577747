/*
 * Sleep and wakeup: what the rest of the kernel (mm/, dev/) needs from the
 * scheduler to wait for an event, without the process table. A sleeper
 * waits on a channel, any address that names the event; wakeup(chan)
 * makes every sleeper on chan runnable. Implemented in proc/proc.c.
 */
#ifndef PROC_SLEEP_H
#define PROC_SLEEP_H

#include "lib/spinlock.h"

/* Sleep on chan, releasing lk while asleep and holding it again after.
 * The caller holds lk and no other spinlock (proc_lock aside). */
void sleep(void *chan, struct spinlock *lk);
/* Wake every process sleeping on chan. Must not be called with proc_lock held. */
void wakeup(void *chan);

/* Whether this hart runs a process, which can sleep; false at boot and in
 * the scheduler, where a wait must poll instead. */
bool sleep_possible(void);
/* Whether the running process has been killed: a wait that need not
 * finish (a read of the console) should give up. */
bool sleep_killed(void);
/* A point between two parts of a long system call (a write of megabytes),
 * the caller holding no spinlock: take the interrupts pending, and end
 * the time slice if a tick came. False when the process has been killed:
 * the call should stop and return what it has done. */
bool syscall_pause(void);

/* How code with no process waits: wfi, which wakes on a pending interrupt
 * even with interrupts off. The wait is counted as idle: under qemu
 * -icount instret advances with virtual time while the hart waits, and
 * benchmarks leave that out. */
void idle_wait(void);

#endif
