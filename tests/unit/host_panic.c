/*
 * kprintf and panic for the host unit tests: kprintf on stdout, and panic
 * through cmocka's mock_assert, so a test can expect one with
 * expect_assert_failure(). (The fuzz harnesses have their own, which abort:
 * tests/fuzz/support.c.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "lib/klib.h"

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
