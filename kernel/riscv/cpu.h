/*
 * Per-hart state, reached through the tp register, which holds this hart's
 * struct cpu from boot on (the kernel never lets tp be anything else;
 * user code may, so the trap entry reloads it). cpus[0] is the boot hart.
 * The assembly reads onfault and boot_sp at CPU_ONFAULT and CPU_BOOT_SP:
 * keep them first.
 */
#ifndef RISCV_CPU_H
#define RISCV_CPU_H

#define CPU_ONFAULT 0
#define CPU_BOOT_SP 4

#define MAX_HARTS 8

/* struct cpu.start: a started hart's hand-shake with the boot hart. */
#define HART_STARTING  0
#define HART_ONLINE    1 /* it runs the kernel: counted in ncpus */
#define HART_ABANDONED 2 /* it came too late and stops itself */

#ifndef __ASSEMBLER__
#include "lib/types.h"

struct proc;
struct addrspace;
struct context;

struct cpu {
	/* Where a page or access fault taken in the kernel resumes, with a0 =
	 * -EFAULT (0: such a fault is a kernel bug). Set by the probe and
	 * user-copy routines around the one access that may fault. */
	uintptr_t onfault;
	uintptr_t boot_sp; /* a started hart's first stack pointer (entry.S) */
	uint32_t hartid;   /* the SBI and PLIC name of this hart */
	int index;         /* cpus[index] is this struct */
	uint32_t start;    /* HART_STARTING, HART_ONLINE or HART_ABANDONED */
	int panicking;     /* set once panic has begun, to stop a panic inside it */
	int noff;      /* push_off nesting depth (lib/spinlock.h) */
	bool intena;   /* whether interrupts were on at the outermost push_off */
	struct proc *proc;          /* running on this hart, or NULL */
	struct addrspace *vm;       /* whose user half satp maps, or NULL */
	struct context *scheduler;  /* where sched() switches back to */
	/* Counters of this hart, for vmstat. */
	uint32_t context_switches;
	uint32_t ipis;          /* supervisor software interrupts taken */
	uint64_t idle_instret;  /* instructions retired while waiting in wfi */
};

extern struct cpu cpus[MAX_HARTS];
extern int ncpus; /* harts running the kernel: cpus[0 .. ncpus - 1] */

#ifdef HOST_TEST
/* Host unit tests choose which hart the code runs "on" (host_stubs.c). */
extern int host_hart;
static inline struct cpu *mycpu(void)
{
	return &cpus[host_hart];
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
