/*
 * Per-hart state, reached through the tp register, which holds this hart's
 * struct cpu from boot on (the kernel never lets tp be anything else).
 * The assembly reads onfault at offset CPU_ONFAULT: keep it first.
 */
#ifndef RISCV_CPU_H
#define RISCV_CPU_H

#define CPU_ONFAULT 0

#ifndef __ASSEMBLER__
#include "lib/types.h"

#define MAX_HARTS 1

struct proc;
struct addrspace;
struct context;

struct cpu {
	/* Where a page or access fault taken in the kernel resumes, with a0 =
	 * -EFAULT (0: such a fault is a kernel bug). Set by the probe and
	 * user-copy routines around the one access that may fault. */
	uintptr_t onfault;
	uint32_t hartid;
	int panicking; /* set once panic has begun, to stop a panic inside it */
	int noff;      /* push_off nesting depth (lib/spinlock.h) */
	bool intena;   /* whether interrupts were on at the outermost push_off */
	struct proc *proc;          /* running on this hart, or NULL */
	struct addrspace *vm;       /* whose user half satp maps, or NULL */
	struct context *scheduler;  /* where sched() switches back to */
};

extern struct cpu cpus[MAX_HARTS];

#ifdef HOST_TEST
extern struct cpu host_cpu; /* the one hart of a host unit test */
static inline struct cpu *mycpu(void)
{
	return &host_cpu;
}
#else
static inline struct cpu *mycpu(void)
{
	struct cpu *c;
	__asm__ volatile("mv %0, tp" : "=r"(c));
	return c;
}
#endif
#endif

#endif
