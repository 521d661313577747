/*
 * ns16550a driver (PLATFORM.md 6.2). Transmit polls LSR.THRE; receive is
 * interrupt-driven (IER bit 0). An RX interrupt may come with no data, so
 * the handler drains until LSR.DR is clear and accepts empty interrupts.
 * Enabling the FIFO resets it (pitfall 25), so init keeps what is there.
 */
#include "dev/uart.h"
#include "dev/console.h"

#define UART_RBR 0 /* receive buffer (read) */
#define UART_THR 0 /* transmit holding (write) */
#define UART_IER 1
#define UART_FCR 2 /* FIFO control (write) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_LSR 5
#define IER_RX_READY 0x01
#define FCR_FIFO_ENABLE 0x01
#define IIR_FIFOS_ENABLED 0xc0
#define LSR_DATA_READY 0x01
#define LSR_THR_EMPTY 0x20

static volatile uint8_t *uart;

void uart_init(volatile uint8_t *regs)
{
	uart = regs;
	/* OpenSBI has enabled the FIFO already; writing FCR again would be
	 * harmless, but a firmware that did not would lose typed bytes. */
	if ((uart[UART_IIR] & IIR_FIFOS_ENABLED) != IIR_FIFOS_ENABLED) {
		while (uart[UART_LSR] & LSR_DATA_READY)
			console_rx((char)uart[UART_RBR]);
		uart[UART_FCR] = FCR_FIFO_ENABLE;
	}
	uart[UART_IER] = IER_RX_READY;
}

bool uart_ready(void)
{
	return uart != NULL;
}

void uart_putc(char c)
{
	while (!(uart[UART_LSR] & LSR_THR_EMPTY))
		;
	uart[UART_THR] = (uint8_t)c;
}

void uart_intr(uint32_t irq)
{
	(void)irq;
	while (uart[UART_LSR] & LSR_DATA_READY)
		console_rx((char)uart[UART_RBR]);
}
