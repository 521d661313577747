/*
 * Host tests for tools/vaddr: the scheme table and vaddr_split (split.c) on
 * hand-computed splits, the 32-bit limit and the canonical rules; then the
 * command line (vaddr.c) through vaddr_main on memory streams: its table,
 * its n/a rows, and the one-line errors with exit status 2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/vaddr/split.h"
#include "tools/vaddr/vaddr.h"

#define UNTOUCHED	 0xdeadu /* fills a vaddr_split that must stay as it was */
#define TERMINAL_COLUMNS 80

static const struct vaddr_scheme *scheme(enum vaddr_scheme_id id)
{
	return &vaddr_schemes[id];
}

/* Assert that id splits va into index[] (top level first) and page_offset,
 * with each entry at index x entry size. */
static void expect_split(enum vaddr_scheme_id id, uint64_t va, const unsigned *index,
			 unsigned page_offset)
{
	const struct vaddr_scheme *s = scheme(id);
	struct vaddr_split sp;

	assert_int_equal(vaddr_split(s, va, &sp), VADDR_FITS);
	for (unsigned level = 0; level < s->nlevels; level++) {
		assert_int_equal(sp.index[level], index[level]);
		assert_int_equal(sp.entry_offset[level], index[level] * s->entry_size);
	}
	assert_int_equal(sp.page_offset, page_offset);
}

/* Assert that id refuses va for the reason want and leaves *out alone. */
static void expect_refused(enum vaddr_scheme_id id, uint64_t va, enum vaddr_fit want)
{
	struct vaddr_split sp = {.page_offset = UNTOUCHED};

	assert_int_equal(vaddr_split(scheme(id), va, &sp), want);
	assert_int_equal(sp.page_offset, UNTOUCHED);
}

static void test_every_scheme_adds_up_to_its_address_width(void **state)
{
	(void)state;
	static const unsigned va_bits[VADDR_NSCHEMES] = {32, 32, 48, 32, 39, 48};
	static const unsigned entry_size[VADDR_NSCHEMES] = {4, 8, 8, 4, 8, 8};
	static const char *const name[VADDR_NSCHEMES] = {"x86-32", "x86 PAE", "x86-64",
							 "Sv32",   "Sv39",    "Sv48"};

	for (unsigned id = 0; id < VADDR_NSCHEMES; id++) {
		const struct vaddr_scheme *s = scheme(id);
		unsigned bits = VADDR_PAGE_BITS;

		assert_true(s->nlevels >= 2 && s->nlevels <= VADDR_MAX_LEVELS);
		for (unsigned level = 0; level < s->nlevels; level++)
			bits += s->levels[level].bits;
		assert_int_equal(bits, s->va_bits);
		assert_string_equal(s->name, name[id]);
		assert_int_equal(s->va_bits, va_bits[id]);
		assert_int_equal(s->entry_size, entry_size[id]);
		assert_int_equal(s->canonical, s->va_bits > 32);
	}
}

static void test_level_shifts_count_the_bits_below(void **state)
{
	(void)state;
	assert_int_equal(vaddr_level_shift(scheme(VADDR_X86_32), 0), 22);
	assert_int_equal(vaddr_level_shift(scheme(VADDR_X86_32), 1), 12);
	assert_int_equal(vaddr_level_shift(scheme(VADDR_X86_PAE), 0), 30);
	assert_int_equal(vaddr_level_shift(scheme(VADDR_X86_PAE), 1), 21);
	assert_int_equal(vaddr_level_shift(scheme(VADDR_SV39), 0), 30);
	assert_int_equal(vaddr_level_shift(scheme(VADDR_SV48), 0), 39);
	assert_int_equal(vaddr_level_shift(scheme(VADDR_X86_64), 3), 12);
}

/* 0x1337babe = 0001001100 1101111011 101010111110 in 10/10/12. */
static void test_0x1337babe_is_76_891_0xabe_on_x86_32_and_sv32(void **state)
{
	(void)state;
	static const unsigned index[] = {76, 891};
	struct vaddr_split sp;

	expect_split(VADDR_X86_32, 0x1337babe, index, 0xabe);
	expect_split(VADDR_SV32, 0x1337babe, index, 0xabe);
	assert_int_equal(vaddr_split(scheme(VADDR_X86_32), 0x1337babe, &sp), VADDR_FITS);
	assert_int_equal(sp.entry_offset[0], 0x130); /* the PDE */
	assert_int_equal(sp.entry_offset[1], 0xdec); /* the PTE */
}

/* In 9-bit levels: bits 29:21 of 0x1337babe are 0x99, bits 20:12 0x17b. */
static void test_0x1337babe_on_the_8_byte_entry_schemes(void **state)
{
	(void)state;
	static const unsigned pae[] = {0, 153, 379};
	static const unsigned four_levels[] = {0, 0, 153, 379};
	struct vaddr_split sp;

	expect_split(VADDR_X86_PAE, 0x1337babe, pae, 0xabe);
	expect_split(VADDR_SV39, 0x1337babe, pae, 0xabe);
	expect_split(VADDR_X86_64, 0x1337babe, four_levels, 0xabe);
	expect_split(VADDR_SV48, 0x1337babe, four_levels, 0xabe);
	assert_int_equal(vaddr_split(scheme(VADDR_X86_PAE), 0x1337babe, &sp), VADDR_FITS);
	assert_int_equal(sp.entry_offset[1], 0x4c8);
	assert_int_equal(sp.entry_offset[2], 0xbd8);
}

static void test_zero_is_all_zero_on_every_scheme(void **state)
{
	(void)state;
	static const unsigned zeros[VADDR_MAX_LEVELS];

	for (unsigned id = 0; id < VADDR_NSCHEMES; id++)
		expect_split(id, 0, zeros, 0);
}

static void test_top_32_bit_address_reaches_the_last_entries(void **state)
{
	(void)state;
	static const unsigned x86_32[] = {1023, 1023};
	static const unsigned pae[] = {3, 511, 511};
	static const unsigned four_levels[] = {0, 3, 511, 511};
	struct vaddr_split sp;

	expect_split(VADDR_X86_32, 0xffffffff, x86_32, 0xfff);
	expect_split(VADDR_SV32, 0xffffffff, x86_32, 0xfff);
	expect_split(VADDR_X86_PAE, 0xffffffff, pae, 0xfff);
	expect_split(VADDR_SV39, 0xffffffff, pae, 0xfff);
	expect_split(VADDR_X86_64, 0xffffffff, four_levels, 0xfff);
	assert_int_equal(vaddr_split(scheme(VADDR_SV32), 0xffffffff, &sp), VADDR_FITS);
	assert_int_equal(sp.entry_offset[1], 0xffc);
	assert_int_equal(vaddr_split(scheme(VADDR_X86_PAE), 0xffffffff, &sp), VADDR_FITS);
	assert_int_equal(sp.entry_offset[0], 0x18);
	assert_int_equal(sp.entry_offset[2], 0xff8);
}

static void test_above_32_bits_is_too_wide_for_the_32_bit_schemes(void **state)
{
	(void)state;
	static const unsigned four_levels[] = {0, 4, 0, 0};

	expect_refused(VADDR_X86_32, 0x100000000, VADDR_TOO_WIDE);
	expect_refused(VADDR_X86_PAE, 0x100000000, VADDR_TOO_WIDE);
	expect_refused(VADDR_SV32, 0x100000000, VADDR_TOO_WIDE);
	expect_refused(VADDR_SV32, UINT64_MAX, VADDR_TOO_WIDE);
	expect_split(VADDR_X86_64, 0x100000000, four_levels, 0);
}

/* Bits 63:48 must copy bit 47: the two halves of the 48-bit space. */
static void test_48_bit_schemes_take_only_canonical_addresses(void **state)
{
	(void)state;
	static const unsigned low_top[] = {255, 511, 511, 511};
	static const unsigned high_bottom[] = {256, 0, 0, 0};
	static const unsigned high_top[] = {511, 511, 511, 511};
	static const enum vaddr_scheme_id ids[] = {VADDR_X86_64, VADDR_SV48};

	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		expect_split(ids[i], 0x00007fffffffffff, low_top, 0xfff);
		expect_refused(ids[i], 0x0000800000000000, VADDR_NOT_CANONICAL);
		expect_refused(ids[i], 0xffff7fffffffffff, VADDR_NOT_CANONICAL);
		expect_refused(ids[i], 0x0001000000000000, VADDR_NOT_CANONICAL);
		expect_split(ids[i], 0xffff800000000000, high_bottom, 0);
		expect_split(ids[i], 0xffffffffffffffff, high_top, 0xfff);
	}
}

/* Sv39: bits 63:39 must copy bit 38. */
static void test_sv39_takes_only_canonical_addresses(void **state)
{
	(void)state;
	static const unsigned low_top[] = {255, 511, 511};
	static const unsigned high_bottom[] = {256, 0, 0};

	expect_split(VADDR_SV39, 0x0000003fffffffff, low_top, 0xfff);
	expect_refused(VADDR_SV39, 0x0000004000000000, VADDR_NOT_CANONICAL);
	expect_refused(VADDR_SV39, 0xffffffbfffffffff, VADDR_NOT_CANONICAL);
	expect_refused(VADDR_SV39, 0x00007fffffffffff, VADDR_NOT_CANONICAL);
	expect_split(VADDR_SV39, 0xffffffc000000000, high_bottom, 0);
}

/* --- the command line --------------------------------------------------- */

struct run {
	int status;
	char *out;
	char *err;
	size_t out_len, err_len;
};

/* Run vaddr_main on "vaddr" and the nargs strings of args, capturing both
 * streams; free with run_free. */
static void run_args(struct run *r, int nargs, const char *const *args)
{
	char *argv[8] = {"vaddr"};
	FILE *out, *err;

	assert_true(nargs + 2 <= (int)(sizeof(argv) / sizeof(argv[0])));
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = (char *)args[i];
	out = open_memstream(&r->out, &r->out_len);
	err = open_memstream(&r->err, &r->err_len);
	assert_non_null(out);
	assert_non_null(err);
	r->status = vaddr_main(nargs + 1, argv, out, err);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(fclose(err), 0);
}

static void run_one(struct run *r, const char *arg)
{
	run_args(r, 1, &arg);
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* Whether text holds line as one whole line. */
static int has_line(const char *text, const char *line)
{
	size_t len = strlen(line);

	for (const char *p = strstr(text, line); p != NULL; p = strstr(p + 1, line))
		if ((p == text || p[-1] == '\n') && p[len] == '\n')
			return 1;
	return 0;
}

/* Assert a refusal: status 2, nothing on stdout, one line on stderr that
 * starts "vaddr: " and holds want. */
static void expect_error(const struct run *r, const char *want)
{
	assert_int_equal(r->status, 2);
	assert_int_equal(r->out_len, 0);
	assert_true(r->err_len > 0);
	assert_memory_equal(r->err, "vaddr: ", strlen("vaddr: "));
	assert_ptr_equal(strchr(r->err, '\n'), r->err + r->err_len - 1);
	assert_non_null(strstr(r->err, want));
}

/* Assert that r's stdout holds each of the n lines as a whole line. */
static void expect_lines(const struct run *r, const char *const *lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!has_line(r->out, lines[i]))
			fail_msg("no line \"%s\" in:\n%s", lines[i], r->out);
}

/* Assert that vaddr arg exits 0, writes nothing on stderr, and prints each
 * of the n lines. */
static void expect_table(const char *arg, const char *const *lines, size_t n)
{
	struct run r;

	run_one(&r, arg);
	assert_int_equal(r.status, 0);
	assert_int_equal(r.err_len, 0);
	expect_lines(&r, lines, n);
	run_free(&r);
}

static void test_cli_0x1337babe_prints_each_split_and_exits_0(void **state)
{
	(void)state;
	static const char *const lines[] = {
	    "x86-32          PD      31:22     76    0x4c  PDE     0x130",
	    "10/10/12        PT      21:12    891   0x37b  PTE     0xdec",
	    "4-byte entries  offset  11:0    2750   0xabe",
	    "Sv32            vpn[1]  31:22     76    0x4c  PTE     0x130",
	    "10/10/12        vpn[0]  21:12    891   0x37b  PTE     0xdec",
	    "x86 PAE         PDPT    31:30      0     0x0  PDPTE     0x0",
	    "9/9/9/9/12      PDPT    38:30      0     0x0  PDPTE     0x0",
	    "8-byte entries  vpn[0]  20:12    379   0x17b  PTE     0xbd8",
	    "  canonical: bits 63:48 copy bit 47; CR3 holds the PML4's address",
	    "  canonical: bits 63:39 copy bit 38; RV64, satp.MODE = 8",
	};

	expect_table("0x1337babe", lines, sizeof(lines) / sizeof(lines[0]));
}

static void test_cli_output_fits_80_columns(void **state)
{
	(void)state;
	static const char *const addrs[] = {"0x1337babe", "0x0000800000000000", "--help"};
	struct run r;

	for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		run_one(&r, addrs[i]);
		for (char *line = r.out, *end; *line != '\0'; line = end + 1) {
			end = strchr(line, '\n');
			assert_non_null(end);
			assert_true(end - line < TERMINAL_COLUMNS);
		}
		run_free(&r);
	}
}

static void test_cli_decimal_prints_the_same_table_as_hex(void **state)
{
	(void)state;
	struct run hex, dec;

	run_one(&hex, "0x1337BABE");
	run_one(&dec, "322419390");
	assert_int_equal(dec.status, 0);
	assert_string_equal(dec.out, hex.out);
	run_free(&hex);
	run_free(&dec);
}

static void test_cli_above_32_bits_marks_32_bit_schemes_n_a_and_exits_0(void **state)
{
	(void)state;
	static const char *const lines[] = {
	    "x86-32          n/a: wider than 32 bits (above 0xffffffff)",
	    "x86 PAE         n/a: wider than 32 bits (above 0xffffffff)",
	    "Sv32            n/a: wider than 32 bits (above 0xffffffff)",
	    "Sv39            vpn[2]  38:30      4     0x4  PTE      0x20",
	};

	expect_table("0x100000000", lines, sizeof(lines) / sizeof(lines[0]));
}

/* No scheme: the table still shows each reason, and stderr says why 2. */
static void test_cli_address_no_scheme_takes_prints_n_a_rows_and_exits_2(void **state)
{
	(void)state;
	static const char *const lines[] = {
	    "0x0000800000000000 = 140737488355328, split top level first, as the walk goes",
	    "x86-32          n/a: wider than 32 bits (above 0xffffffff)",
	    "x86-64          n/a: not canonical (bits 63:48 are not all copies of bit 47)",
	    "Sv39            n/a: not canonical (bits 63:39 are not all copies of bit 38)",
	    "Sv48            n/a: not canonical (bits 63:48 are not all copies of bit 47)",
	};
	struct run r;

	run_one(&r, "0x0000800000000000");
	assert_int_equal(r.status, 2);
	assert_string_equal(
	    r.err, "vaddr: 0x0000800000000000: no scheme can translate it (see the n/a rows)\n");
	expect_lines(&r, lines, sizeof(lines) / sizeof(lines[0]));
	run_free(&r);
}

static void test_cli_no_address_or_two_is_an_error(void **state)
{
	(void)state;
	static const char *const two[] = {"0x1000", "0x2000"};
	struct run r;

	run_args(&r, 0, NULL);
	expect_error(&r, "no address given");
	run_free(&r);
	run_args(&r, 2, two);
	expect_error(&r, "more than one argument");
	run_free(&r);
}

static void test_cli_anything_but_hex_or_decimal_is_an_error(void **state)
{
	(void)state;
	static const char *const bad[] = {"",	  "0x",	 "12abc", "0x1g",  "-1",  "+1",
					  " 1",	  "1 ",	 "abc",	  "0b101", "1e3", "1.5",
					  "0x-1", "\n1", "0x 1",  "1,5"};
	struct run r;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		run_one(&r, bad[i]);
		expect_error(&r, "not a number");
		run_free(&r);
	}
	run_one(&r, "0755");
	expect_error(&r, "octal");
	run_free(&r);
}

static void test_cli_wider_than_64_bits_is_an_error(void **state)
{
	(void)state;
	static const char *const wide[] = {"0x10000000000000000", "18446744073709551616",
					   "99999999999999999999999"};
	static const char *const fits[] = {"0xffffffffffffffff", "18446744073709551615",
					   "0x0000000000000000000000001337babe", "0"};
	struct run r;

	for (unsigned i = 0; i < sizeof(wide) / sizeof(wide[0]); i++) {
		run_one(&r, wide[i]);
		expect_error(&r, "wider than 64 bits");
		run_free(&r);
	}
	for (unsigned i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
		run_one(&r, fits[i]);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
}

static void test_cli_help_prints_usage_and_exits_0(void **state)
{
	(void)state;
	struct run r;

	run_one(&r, "--help");
	assert_int_equal(r.status, 0);
	assert_int_equal(r.err_len, 0);
	assert_memory_equal(r.out, "usage: vaddr ADDR\n", strlen("usage: vaddr ADDR\n"));
	assert_non_null(strstr(r.out, "n/a: <why>"));
	run_free(&r);
}

/* A bad argument is quoted on its one line, cut short and with '?' for
 * bytes that are not printable. */
static void test_cli_error_quotes_the_argument_on_one_line(void **state)
{
	(void)state;
	struct run r;

	run_one(&r, "0x12\tz");
	expect_error(&r, "'0x12?z': not a number");
	run_free(&r);
	run_one(&r, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
	expect_error(&r, "'zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...': not a number");
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_scheme_adds_up_to_its_address_width),
	    cmocka_unit_test(test_level_shifts_count_the_bits_below),
	    cmocka_unit_test(test_0x1337babe_is_76_891_0xabe_on_x86_32_and_sv32),
	    cmocka_unit_test(test_0x1337babe_on_the_8_byte_entry_schemes),
	    cmocka_unit_test(test_zero_is_all_zero_on_every_scheme),
	    cmocka_unit_test(test_top_32_bit_address_reaches_the_last_entries),
	    cmocka_unit_test(test_above_32_bits_is_too_wide_for_the_32_bit_schemes),
	    cmocka_unit_test(test_48_bit_schemes_take_only_canonical_addresses),
	    cmocka_unit_test(test_sv39_takes_only_canonical_addresses),
	    cmocka_unit_test(test_cli_0x1337babe_prints_each_split_and_exits_0),
	    cmocka_unit_test(test_cli_output_fits_80_columns),
	    cmocka_unit_test(test_cli_decimal_prints_the_same_table_as_hex),
	    cmocka_unit_test(test_cli_above_32_bits_marks_32_bit_schemes_n_a_and_exits_0),
	    cmocka_unit_test(test_cli_address_no_scheme_takes_prints_n_a_rows_and_exits_2),
	    cmocka_unit_test(test_cli_no_address_or_two_is_an_error),
	    cmocka_unit_test(test_cli_anything_but_hex_or_decimal_is_an_error),
	    cmocka_unit_test(test_cli_wider_than_64_bits_is_an_error),
	    cmocka_unit_test(test_cli_help_prints_usage_and_exits_0),
	    cmocka_unit_test(test_cli_error_quotes_the_argument_on_one_line),
	};
	return cmocka_run_group_tests_name("vaddr", tests, NULL, NULL);
}
