/*
 * What the kernel modules under test expect from the rest of the kernel,
 * for the host: simulated RAM for pa2kva(), and kprintf/panic on stdio.
 * panic() reports through cmocka's mock_assert, so a test can expect one
 * with expect_assert_failure().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "lib/types.h"

uint8_t *host_ram;
paddr_t host_ram_base;

int kprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	static char msg[256]; /* cmocka prints it after panic has returned */
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mock_assert(0, msg, __FILE__, __LINE__);
	/* mock_assert returns only when no failure was expected: the test
	 * has already been marked failed, so stop it here. */
	fail_msg("panic: %s", msg);
	__builtin_unreachable();
}
