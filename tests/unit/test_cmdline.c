/* Host tests of kernel/lib/cmdline.c: splitting bootargs into kernel
 * parameters and init's arguments, and reading values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "lib/cmdline.h"
#include "lib/kerrno.h"

static struct cmdline c;

static void test_words_before_dashes_are_kernel_params(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse(&c, "init=/bin/sh quiet -- a b"), 0);
	assert_int_equal(c.nwords, 2);
	assert_string_equal(c.words[0], "init=/bin/sh");
	assert_string_equal(c.words[1], "quiet");
	assert_int_equal(c.ninit_args, 2);
	assert_string_equal(c.init_args[0], "a");
	assert_string_equal(c.init_args[1], "b");
}

static void test_get_returns_value_empty_or_null(void **state)
{
	(void)state;
	cmdline_parse(&c, "init=/bin/x quiet vm.policy=fifo");
	assert_string_equal(cmdline_get(&c, "init"), "/bin/x");
	assert_string_equal(cmdline_get(&c, "quiet"), "");
	assert_string_equal(cmdline_get(&c, "vm.policy"), "fifo");
	assert_null(cmdline_get(&c, "asid"));
	assert_null(cmdline_get(&c, "qui"));  /* a prefix is not a match */
	assert_null(cmdline_get(&c, "vm"));
}

static void test_last_occurrence_wins(void **state)
{
	(void)state;
	cmdline_parse(&c, "init=/a init=/b");
	assert_string_equal(cmdline_get(&c, "init"), "/b");
}

static void test_words_after_dashes_are_not_params(void **state)
{
	(void)state;
	cmdline_parse(&c, "-- quiet -- x");
	assert_int_equal(c.nwords, 0);
	assert_null(cmdline_get(&c, "quiet"));
	assert_int_equal(c.ninit_args, 3);
	assert_string_equal(c.init_args[1], "--");
}

static void test_whitespace_runs_and_empty_line(void **state)
{
	(void)state;
	assert_int_equal(cmdline_parse(&c, ""), 0);
	assert_int_equal(c.nwords + c.ninit_args, 0);
	cmdline_parse(&c, "  \t a   b\n ");
	assert_int_equal(c.nwords, 2);
	assert_string_equal(c.words[1], "b");
}

static void test_too_many_words_is_e2big_and_keeps_the_first(void **state)
{
	(void)state;
	char line[400] = "";
	for (int i = 0; i < CMDLINE_WORDS + 5; i++)
		strcat(line, "w ");
	assert_int_equal(cmdline_parse(&c, line), -E2BIG);
	assert_int_equal(c.nwords, CMDLINE_WORDS);
}

static void test_too_long_line_is_e2big_and_truncated(void **state)
{
	(void)state;
	char line[CMDLINE_MAX + 50];
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	assert_int_equal(cmdline_parse(&c, line), -E2BIG);
	assert_int_equal(c.nwords, 1);
	assert_int_equal(strlen(c.words[0]), CMDLINE_MAX - 1);
}

static void test_uint_parses_decimal_hex_and_rejects_junk(void **state)
{
	(void)state;
	int err;
	cmdline_parse(&c, "maxframes=300 base=0x1F bad=12x empty= big=4294967296");
	assert_int_equal(cmdline_uint(&c, "maxframes", 7, &err), 300);
	assert_int_equal(err, 0);
	assert_int_equal(cmdline_uint(&c, "base", 7, &err), 0x1F);
	assert_int_equal(err, 0);
	assert_int_equal(cmdline_uint(&c, "absent", 7, &err), 7);
	assert_int_equal(err, 0);
	assert_int_equal(cmdline_uint(&c, "bad", 7, &err), 7);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(cmdline_uint(&c, "empty", 7, &err), 7);
	assert_int_equal(err, -EINVAL);
	assert_int_equal(cmdline_uint(&c, "big", 7, &err), 7);
	assert_int_equal(err, -EINVAL);
}

static void test_size_takes_k_m_g_suffixes_and_rejects_junk(void **state)
{
	(void)state;
	int err;
	cmdline_parse(&c, "a=6M b=5120k c=1G d=4096 e=0x10K f=5MB g=4G h=M i=3m");
	assert_int_equal(cmdline_size(&c, "a", 7, &err), 6u << 20);
	assert_int_equal(err, 0);
	assert_int_equal(cmdline_size(&c, "b", 7, &err), 5120u << 10);
	assert_int_equal(cmdline_size(&c, "c", 7, &err), 1u << 30);
	assert_int_equal(cmdline_size(&c, "d", 7, &err), 4096);
	assert_int_equal(cmdline_size(&c, "e", 7, &err), 16u << 10);
	assert_int_equal(cmdline_size(&c, "i", 7, &err), 3u << 20);
	assert_int_equal(err, 0);
	assert_int_equal(cmdline_size(&c, "absent", 7, &err), 7);
	assert_int_equal(err, 0);
	assert_int_equal(cmdline_size(&c, "f", 7, &err), 7); /* two suffix letters */
	assert_int_equal(err, -EINVAL);
	assert_int_equal(cmdline_size(&c, "g", 7, &err), 7); /* 4 GiB needs 33 bits */
	assert_int_equal(err, -EINVAL);
	assert_int_equal(cmdline_size(&c, "h", 7, &err), 7); /* no number */
	assert_int_equal(err, -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_before_dashes_are_kernel_params),
		cmocka_unit_test(test_get_returns_value_empty_or_null),
		cmocka_unit_test(test_last_occurrence_wins),
		cmocka_unit_test(test_words_after_dashes_are_not_params),
		cmocka_unit_test(test_whitespace_runs_and_empty_line),
		cmocka_unit_test(test_too_many_words_is_e2big_and_keeps_the_first),
		cmocka_unit_test(test_too_long_line_is_e2big_and_truncated),
		cmocka_unit_test(test_uint_parses_decimal_hex_and_rejects_junk),
		cmocka_unit_test(test_size_takes_k_m_g_suffixes_and_rejects_junk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
