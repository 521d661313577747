/*
 * The console: kernel output (through the UART once it is up, through the
 * SBI debug console before), and a line discipline for input: echo, erase,
 * and whole lines handed to readers.
 */
#ifndef DEV_CONSOLE_H
#define DEV_CONSOLE_H

#include "lib/types.h"

void console_write(const char *s, size_t n);
/* Line discipline: take one received byte (from the UART interrupt). */
void console_rx(char c);
/* Wait for a complete input line and copy up to n bytes of it (with the
 * '\n') into buf. Returns the byte count. */
size_t console_readline(char *buf, size_t n);

#endif
