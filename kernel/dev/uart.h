/*
 * The ns16550a UART: polled transmit, interrupt-driven receive. Received
 * bytes go to the console's line discipline (dev/console.h).
 */
#ifndef DEV_UART_H
#define DEV_UART_H

#include "lib/types.h"

/* Start using the UART whose registers are mapped at regs. */
void uart_init(volatile uint8_t *regs);
bool uart_ready(void);
void uart_putc(char c);
/* PLIC handler: drain every received byte into the console. */
void uart_intr(uint32_t irq);

#endif
