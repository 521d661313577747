/*
 * The platform-level interrupt controller: route device lines to the
 * S-mode context of every hart (any of them may claim an interrupt) and
 * dispatch claimed interrupts to their handlers.
 */
#ifndef DEV_PLIC_H
#define DEV_PLIC_H

#include "lib/types.h"
#include "riscv/trap.h"

/* The PLIC at regs with ndev sources, serving the n harts of hartids. */
void plic_init(volatile uint32_t *regs, uint32_t ndev, const uint32_t *hartids, int n);
/* Open this hart's context (threshold 0): call once on each hart. */
void plic_init_hart(uint32_t hartid);
/* Route irq to handler on every hart. Returns 0, or -EINVAL for a bad line. */
int plic_enable(uint32_t irq, irq_handler_t handler);
/* Claim, handle and complete every pending interrupt of this hart's context. */
void plic_intr(void);
/* For the self-tests: this hart's threshold and whether irq is enabled for it. */
uint32_t plic_threshold(void);
bool plic_enabled(uint32_t irq);

#endif
