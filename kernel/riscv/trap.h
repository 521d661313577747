/*
 * The trap frame and the trap entry points. trapvec.S saves every register
 * into a struct trapframe; the offsets below are shared with it, so the
 * struct and the TF_* constants must change together.
 */
#ifndef RISCV_TRAP_H
#define RISCV_TRAP_H

#define TF_REG(i) ((i) * 4) /* x0..x31; slot 0 is unused */
#define TF_SEPC 128
#define TF_SSTATUS 132
#define TF_SCAUSE 136
#define TF_STVAL 140
#define TF_SIZE 144 /* a multiple of 16: the ABI's stack alignment */

#ifndef __ASSEMBLER__
#include "lib/types.h"

/* Register numbers, for reading a trapframe's regs[] by name. */
enum { REG_RA = 1, REG_SP = 2, REG_GP = 3, REG_TP = 4, REG_S0 = 8, REG_A0 = 10, REG_A7 = 17 };

struct trapframe {
	uint32_t regs[32];
	uint32_t sepc;
	uint32_t sstatus;
	uint32_t scause;
	uint32_t stval;
};

_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapvec.S depends on this layout");

void trap_init(void);
void kernel_trap(struct trapframe *tf);
/* A trap from U-mode: system call, fault or interrupt; returns to user. */
void user_trap(struct trapframe *tf) __attribute__((noreturn));
const char *scause_name(uint32_t scause);
/* An interrupt that came while a guest ran (riscv/hv.c): handle it as
 * one from U-mode; true if it was a tick, which ends the time slice. */
bool trap_host_interrupt(uint32_t scause);
/* How many supervisor software interrupts (IPIs) this hart has taken. */
uint32_t trap_ipi_count(void);

/* Handler for one external interrupt line, run between PLIC claim and complete. */
typedef void (*irq_handler_t)(uint32_t irq);

/* Probes for the self-tests and for the user-copy code: each tries one
 * access and returns 0, or -EFAULT if it faulted (through cpu->onfault). */
int probe_load(uintptr_t addr);
int probe_store(uintptr_t addr); /* stores back the value it loaded */
int probe_exec(uintptr_t addr);  /* calls addr, which must return 0 */
#endif

#endif
