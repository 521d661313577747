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
/* Sleep until a complete input line is typed and copy up to n bytes of it
 * (with the '\n') into buf. Returns the byte count; 0 if the process was
 * killed while it waited. Process context only. */
size_t console_readline(char *buf, size_t n);

#endif
