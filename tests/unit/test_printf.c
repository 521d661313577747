/*
 * Host tests for kernel/lib/printf.c: ksnprintf must print what the host
 * C library's snprintf prints, and truncate and count the same way. Only
 * %p (fixed 0x + at least 8 digits), unknown conversions and the kernel's
 * own choices are checked against literal strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/klib.h"

#define BUF_SIZE 128
#define CANARY 'Z'

/* Fail unless ksnprintf and the host's snprintf agree on text and length. */
static void __attribute__((format(printf, 1, 2)))
assert_like_snprintf(const char *fmt, ...)
{
	char want[BUF_SIZE], got[BUF_SIZE];
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	int want_len = vsnprintf(want, sizeof(want), fmt, ap);
	int got_len = kvsnprintf(got, sizeof(got), fmt, ap2);
	va_end(ap2);
	va_end(ap);
	if (strcmp(want, got) != 0 || want_len != got_len)
		fail_msg("format \"%s\": want \"%s\" (%d), got \"%s\" (%d)",
			 fmt, want, want_len, got, got_len);
}

static void test_decimal_matches_snprintf(void **state)
{
	(void)state;
	assert_like_snprintf("%d", 0);
	assert_like_snprintf("%d", 42);
	assert_like_snprintf("%i", -7);
	assert_like_snprintf("%d", INT_MAX);
	assert_like_snprintf("%d", INT_MIN);
	assert_like_snprintf("[%d|%i]", -1, 1000000);
}

static void test_unsigned_and_hex_match_snprintf(void **state)
{
	(void)state;
	assert_like_snprintf("%u", 0u);
	assert_like_snprintf("%u", UINT_MAX);
	assert_like_snprintf("%x", 0u);
	assert_like_snprintf("%x", 0xdeadbeefu);
	assert_like_snprintf("%X", 0xdeadbeefu);
	assert_like_snprintf("%x", UINT_MAX);
}

static void test_long_long_extremes_match_snprintf(void **state)
{
	(void)state;
	assert_like_snprintf("%lld", LLONG_MIN);
	assert_like_snprintf("%lld", LLONG_MAX);
	assert_like_snprintf("%llu", ULLONG_MAX);
	assert_like_snprintf("%llx", ULLONG_MAX);
	assert_like_snprintf("%llu", 4294967296ULL);
	assert_like_snprintf("%llX", 0x123456789abcdefULL);
	assert_like_snprintf("%ld %lu", LONG_MIN, ULONG_MAX);
}

static void test_short_modifiers_truncate_like_snprintf(void **state)
{
	(void)state;
	assert_like_snprintf("%hd", 70000);
	assert_like_snprintf("%hu", -1);
	assert_like_snprintf("%hhd", 200);
	assert_like_snprintf("%hhx", 0x1abu);
	assert_like_snprintf("%hd|%hhu", (short)-12345, (unsigned char)255);
}

static void test_width_and_padding_flags_match_snprintf(void **state)
{
	/* Not literals, since -Wformat rejects them: '0' is ignored with '-'
	 * and with a precision. */
	const char *zero_and_left = "[%-05d]";
	const char *zero_and_precision = "[%08.3x]";

	(void)state;
	assert_like_snprintf("[%5d]", 42);
	assert_like_snprintf("[%-5d]", 42);
	assert_like_snprintf("[%05d]", -42);
	assert_like_snprintf("[%08x]", 0xbeefu);
	assert_like_snprintf("[%2d]", 12345);
	assert_like_snprintf("[%012d]", INT_MIN);
	assert_like_snprintf("[%*d]", 6, 7);
	assert_like_snprintf("[%*d]", -6, 7);
	assert_like_snprintf("[%-*u]", 4, 9u);
	assert_like_snprintf("[%.3d|%5.0d]", 5, 0);
	assert_like_snprintf(zero_and_left, 42);
	assert_like_snprintf(zero_and_precision, 0xau);
}

static void test_strings_and_chars_match_snprintf(void **state)
{
	(void)state;
	assert_like_snprintf("[%s]", "");
	assert_like_snprintf("[%s]", "hello");
	assert_like_snprintf("[%8s]", "abc");
	assert_like_snprintf("[%-8s]", "abc");
	assert_like_snprintf("[%5s]", "");
	assert_like_snprintf("[%.3s]", "abcdef");
	assert_like_snprintf("[%.0s]", "abc");
	assert_like_snprintf("[%.10s]", "abc");
	assert_like_snprintf("[%-6.2s]", "xyz");
	assert_like_snprintf("[%.*s]", 2, "abcdef");
	assert_like_snprintf("[%.*s]", -1, "abcdef");
	assert_like_snprintf("[%c%c]", 'o', 'k');
	assert_like_snprintf("[%3c|%-3c]", 'a', 'b');
	assert_like_snprintf("100%% [%s]", "done");
}

static void test_size_zero_writes_nothing_returns_length(void **state)
{
	char buf[4] = { CANARY, CANARY, CANARY, CANARY };

	(void)state;
	assert_int_equal(ksnprintf(buf, 0, "%d-%s", 123, "abc"), 7);
	assert_int_equal(buf[0], CANARY);
	assert_int_equal(ksnprintf(NULL, 0, "%s", "counted"), 7);
}

static void test_size_one_writes_only_terminator(void **state)
{
	char buf[4] = { CANARY, CANARY, CANARY, CANARY };

	(void)state;
	assert_int_equal(ksnprintf(buf, 1, "%s", "abc"), 3);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], CANARY);
}

static void test_exact_fit_fits_and_one_less_truncates(void **state)
{
	char buf[8];

	(void)state;
	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(ksnprintf(buf, 6, "%d%s", -12, "ab"), 5);
	assert_string_equal(buf, "-12ab");
	assert_int_equal(buf[6], CANARY);

	memset(buf, CANARY, sizeof(buf));
	assert_int_equal(ksnprintf(buf, 5, "%d%s", -12, "ab"), 5);
	assert_string_equal(buf, "-12a");
	assert_int_equal(buf[5], CANARY);
}

static void test_cut_inside_padding_counts_full_width(void **state)
{
	char buf[4];

	(void)state;
	assert_int_equal(ksnprintf(buf, sizeof(buf), "[%10u]", 5u), 12);
	assert_string_equal(buf, "[  ");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%-8s|", "x"), 9);
	assert_string_equal(buf, "x  ");
}

static void test_pointer_is_0x_and_at_least_8_digits(void **state)
{
	char buf[BUF_SIZE], want[BUF_SIZE];
	void *p = (void *)(uintptr_t)0xabcu;

	(void)state;
	ksnprintf(buf, sizeof(buf), "%p", (void *)NULL);
	assert_string_equal(buf, "0x00000000");
	ksnprintf(buf, sizeof(buf), "%p", p);
	assert_string_equal(buf, "0x00000abc");
	ksnprintf(buf, sizeof(buf), "[%12p|%-12p]", p, p);
	assert_string_equal(buf, "[  0x00000abc|0x00000abc  ]");

	/* A host pointer may need more than 8 digits; all must be there. */
	p = (void *)buf;
	snprintf(want, sizeof(want), "0x%08jx", (uintmax_t)(uintptr_t)p);
	ksnprintf(buf, sizeof(buf), "%p", p);
	assert_string_equal(buf, want);
}

static void test_null_string_prints_null_in_parentheses(void **state)
{
	char buf[BUF_SIZE];
	const char *volatile null = NULL;

	(void)state;
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%s", null), 6);
	assert_string_equal(buf, "(null)");
	ksnprintf(buf, sizeof(buf), "[%8s]", null);
	assert_string_equal(buf, "[  (null)]");
}

static void test_unknown_conversion_prints_as_written(void **state)
{
	char buf[BUF_SIZE];
	const char *fmt = "%sa%qb%"; /* not a literal: -Wformat rejects it */

	(void)state;
	assert_int_equal(ksnprintf(buf, sizeof(buf), fmt, "x"), 6);
	assert_string_equal(buf, "xa%qb%");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decimal_matches_snprintf),
		cmocka_unit_test(test_unsigned_and_hex_match_snprintf),
		cmocka_unit_test(test_long_long_extremes_match_snprintf),
		cmocka_unit_test(test_short_modifiers_truncate_like_snprintf),
		cmocka_unit_test(test_width_and_padding_flags_match_snprintf),
		cmocka_unit_test(test_strings_and_chars_match_snprintf),
		cmocka_unit_test(test_size_zero_writes_nothing_returns_length),
		cmocka_unit_test(test_size_one_writes_only_terminator),
		cmocka_unit_test(test_exact_fit_fits_and_one_less_truncates),
		cmocka_unit_test(test_cut_inside_padding_counts_full_width),
		cmocka_unit_test(test_pointer_is_0x_and_at_least_8_digits),
		cmocka_unit_test(test_null_string_prints_null_in_parentheses),
		cmocka_unit_test(test_unknown_conversion_prints_as_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
