/*
 * The platform-level interrupt controller: enable a device line for this
 * hart's S-mode context and dispatch claimed interrupts to their handlers.
 */
#ifndef DEV_PLIC_H
#define DEV_PLIC_H

#include "lib/types.h"
#include "riscv/trap.h"

void plic_init(volatile uint32_t *regs, uint32_t ndev, uint32_t hartid);
/* Route irq to handler on this hart. Returns 0, or -EINVAL for a bad line. */
int plic_enable(uint32_t irq, irq_handler_t handler);
/* Claim, handle and complete every pending interrupt. */
void plic_intr(void);
/* For the self-tests: this context's threshold and whether irq is enabled. */
uint32_t plic_threshold(void);
bool plic_enabled(uint32_t irq);

#endif
