/*
 * The console: kernel output (through the UART once it is up, through the
 * SBI debug console before, or always when there is no UART), and a line
 * discipline for input: echo, erase, and whole lines handed to readers.
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
/* Raw input, while a guest reads the console (riscv/hv.c): every byte is
 * readable as it comes, with no echo and no line editing (the guest's own
 * console does both). Calls nest; the last "off" ends it. */
void console_raw(bool on);
/* Up to n bytes of input that can be taken now, without waiting. */
size_t console_read_nowait(char *buf, size_t n);
/* No UART or no PLIC (a guest of riscv/hv.c): input is what SBI's
 * console has typed, polled from the boot hart's timer tick. */
void console_sbi_input(void);
void console_poll_sbi(void);

#endif
