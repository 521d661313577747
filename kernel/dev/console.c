/*
 * Console output and the input line discipline. Input bytes arrive from
 * the UART interrupt into a ring; a line becomes readable when '\n' (or
 * '\r') arrives. The lock protects the ring and its indices.
 */
#include "dev/console.h"
#include "dev/uart.h"
#include "lib/klib.h"
#include "mm/phys.h"
#include "lib/spinlock.h"
#include "proc/sleep.h"
#include "sbi/sbi.h"

#define INPUT_SIZE 256
#define CTRL(c) ((c) - '@')
#define BACKSPACE '\b'
#define DELETE 0x7f

static struct spinlock lock = SPINLOCK_INIT("console");
/* Output: one writer at a time, so the lines of two harts do not mix.
 * Order: lock before out_lock (an input echo prints). */
static struct spinlock out_lock = SPINLOCK_INIT("console out");
static char ring[INPUT_SIZE];
static uint32_t r_read;  /* next byte a reader takes */
static uint32_t r_line;  /* end of the last complete line */
static uint32_t r_edit;  /* end of the line being typed */
static int raw_users;    /* console_raw's nesting: bytes pass as they come */

static void put_raw(char c)
{
	if (c == '\n')
		uart_putc('\r');
	uart_putc(c);
}

/* A hart in a panic writes without the lock: it may hold it already, or
 * the hart that does may never let go. */
static bool take_out_lock(void)
{
	if (mycpu()->panicking)
		return false;
	spin_lock(&out_lock);
	return true;
}

void console_write(const char *s, size_t n)
{
	bool locked = take_out_lock();
	if (!uart_ready()) {
		sbi_console_puts(s, n);
	} else {
		for (size_t i = 0; i < n; i++)
			put_raw(s[i]);
	}
	if (locked)
		spin_unlock(&out_lock);
}

int kprintf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	return n;
}

/* Erase the last typed byte on the terminal. */
static void echo_erase(void)
{
	static const char erase[] = { BACKSPACE, ' ', BACKSPACE };
	console_write(erase, sizeof(erase));
}

void console_rx(char c)
{
	spin_lock(&lock);
	if (raw_users > 0) {
		if (r_edit - r_read < INPUT_SIZE)
			ring[r_edit++ % INPUT_SIZE] = c;
		r_line = r_edit;
		spin_unlock(&lock);
		return; /* console_read_nowait polls: no one sleeps on raw input */
	}
	if (c == '\r')
		c = '\n';
	if (c == BACKSPACE || c == DELETE) {
		if (r_edit != r_line) {
			r_edit--;
			echo_erase();
		}
	} else if (c == CTRL('U')) {
		while (r_edit != r_line) {
			r_edit--;
			echo_erase();
		}
	} else if (r_edit - r_read < INPUT_SIZE - 1 ||
		   (c == '\n' && r_edit - r_read < INPUT_SIZE)) {
		/* The last free byte is kept for a newline, so a full line
		 * can always be ended. */
		ring[r_edit++ % INPUT_SIZE] = c;
		console_write(&c, 1);
		if (c == '\n')
			r_line = r_edit;
	}
	bool line_ready = r_line != r_read;
	spin_unlock(&lock);
	if (line_ready)
		wakeup(&r_line);
}

size_t console_readline(char *buf, size_t n)
{
	size_t got = 0;
	spin_lock(&lock);
	while (r_read == r_line) {
		if (sleep_killed()) {
			spin_unlock(&lock);
			return 0;
		}
		sleep(&r_line, &lock);
	}
	while (r_read != r_line && got < n) {
		char c = ring[r_read++ % INPUT_SIZE];
		buf[got++] = c;
		if (c == '\n')
			break;
	}
	spin_unlock(&lock);
	return got;
}

void console_raw(bool on)
{
	spin_lock(&lock);
	raw_users += on ? 1 : -1;
	if (on)
		r_line = r_edit; /* a half-typed line is the guest's to take */
	spin_unlock(&lock);
}

size_t console_read_nowait(char *buf, size_t n)
{
	size_t got = 0;
	spin_lock(&lock);
	while (r_read != r_line && got < n)
		buf[got++] = ring[r_read++ % INPUT_SIZE];
	spin_unlock(&lock);
	return got;
}

static bool sbi_input;

void console_sbi_input(void)
{
	sbi_input = true;
}

void console_poll_sbi(void)
{
	static char buf[16]; /* static: SBI takes its physical address */
	if (!sbi_input)
		return;
	size_t n = sbi_console_read(buf, sizeof(buf));
	for (size_t i = 0; i < n; i++)
		console_rx(buf[i]);
}
