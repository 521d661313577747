/*
 * kprintf, panic and fuzz_fail for the fuzz harnesses (the unit tests get
 * theirs from tests/unit/host_panic.c, through cmocka). kprintf formats
 * into a scratch buffer and prints nothing, so a message the kernel code
 * prints costs little per run but its arguments are still read; panic and
 * fuzz_fail abort, which libFuzzer reports as a crash.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/klib.h"
#include "tests/fuzz/fuzz.h"

int kprintf(const char *fmt, ...)
{
	static char scratch[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(scratch, sizeof(scratch), fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("panic: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

void fuzz_fail(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: property broken: %s\n", file, line, what);
	abort();
}
