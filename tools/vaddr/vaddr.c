/*
 * vaddr ADDR: how x86-32, x86 PAE, x86-64, Sv32, Sv39 and Sv48 split one
 * virtual address, as one table; the splitting is split.c's. A scheme that
 * cannot translate ADDR gets a row "n/a: <why>"; exit 0 if any scheme splits
 * it, else 2. Bad input (no ADDR or several, not 0x-hex or decimal, over 64
 * bits) is one line on stderr and exit 2. usage_text says the same to users.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "split.h"
#include "vaddr.h"

#define EXIT_OK	       0
#define EXIT_BAD_INPUT 2
#define ARG_ECHO_MAX   40 /* characters of a bad argument quoted in its error */

static const char usage_text[] =
    "usage: vaddr ADDR\n"
    "Prints how six paging schemes split the virtual address ADDR into table\n"
    "indices and a page offset: x86-32 (10/10/12), x86 PAE (2/9/9/12), x86-64\n"
    "4-level (9/9/9/9/12), Sv32 (10/10/12), Sv39 (9/9/9/12), Sv48 (9/9/9/9/12).\n"
    "ADDR is 0x-prefixed hex or decimal (no sign, no leading 0), at most 64 bits.\n"
    "\n"
    "A scheme that cannot translate ADDR gets the row \"n/a: <why>\":\n"
    "  x86-32, x86 PAE, Sv32  take 32-bit addresses: none above 0xffffffff;\n"
    "  x86-64, Sv48           take canonical addresses: bits 63:48 copy bit 47;\n"
    "  Sv39                   takes canonical addresses: bits 63:39 copy bit 38.\n"
    "\n"
    "Exit status: 0 when at least one scheme splits ADDR; 2 when none can (the\n"
    "table is printed all the same) and on bad input (no ADDR or more than one,\n"
    "not a number, wider than 64 bits), which gets one line on stderr.\n";

/* Parse s, 0x-prefixed hex or plain decimal, into *va; return NULL, or why
 * s is not an address. Only digits may follow the prefix, since strtoull
 * alone would take a sign or blanks; a decimal with a leading 0 is refused,
 * because C would read it as octal. */
static const char *parse_addr(const char *s, uint64_t *va)
{
	const char *digits = s;
	const char *allowed = "0123456789";
	int base = 10;
	unsigned long long v;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		digits += 2;
		allowed = "0123456789abcdefABCDEF";
		base = 16;
	}
	if (*digits == '\0' || digits[strspn(digits, allowed)] != '\0')
		return "not a number: write 0x-prefixed hex or decimal";
	if (base == 10 && s[0] == '0' && s[1] != '\0')
		return "a leading 0 would be octal in C: write decimal or 0x hex";
	errno = 0;
	v = strtoull(digits, NULL, base);
	if (errno == ERANGE)
		return "wider than 64 bits";
	*va = v;
	return NULL;
}

/* Print arg for an error line: at most ARG_ECHO_MAX characters, and '?' for
 * any that is not printable, so the message stays on one line. */
static void print_arg(FILE *err, const char *arg)
{
	size_t len = strlen(arg);

	for (size_t i = 0; i < len && i < ARG_ECHO_MAX; i++)
		fputc(arg[i] >= ' ' && arg[i] <= '~' ? arg[i] : '?', err);
	if (len > ARG_ECHO_MAX)
		fputs("...", err);
}

/* The split of s as "10/10/12" into buf. */
static void format_split(const struct vaddr_scheme *s, char *buf, size_t size)
{
	size_t used = 0;

	for (unsigned level = 0; level < s->nlevels; level++)
		used += (size_t)snprintf(buf + used, size - used, "%u/", s->levels[level].bits);
	snprintf(buf + used, size - used, "%u", VADDR_PAGE_BITS);
}

/* The rule for the addresses s takes, then its note, as one line. */
static void print_rule(FILE *out, const struct vaddr_scheme *s)
{
	if (s->canonical)
		fprintf(out, "  canonical: bits 63:%u copy bit %u; %s\n", s->va_bits,
			s->va_bits - 1, s->note);
	else
		fprintf(out, "  %u-bit addresses only; %s\n", s->va_bits, s->note);
}

/* The row of a scheme that cannot translate the address: n/a and why. */
static void print_not_applicable(FILE *out, const struct vaddr_scheme *s, enum vaddr_fit fit)
{
	if (fit == VADDR_TOO_WIDE)
		fprintf(out, "%-16sn/a: wider than %u bits (above 0x%" PRIx64 ")\n", s->name,
			s->va_bits, UINT64_MAX >> (64 - s->va_bits));
	else
		fprintf(out, "%-16sn/a: not canonical (bits 63:%u are not all copies of bit %u)\n",
			s->name, s->va_bits, s->va_bits - 1);
}

/* One row of a split: the scheme column, the level, its bits hi:lo, the
 * index, and the entry with its byte offset (entry NULL: the page offset). */
static void print_row(FILE *out, const char *label, const char *level, unsigned hi, unsigned lo,
		      unsigned index, const char *entry, unsigned at)
{
	char bits[8], hex[12], at_hex[12];

	snprintf(bits, sizeof(bits), "%u:%u", hi, lo);
	snprintf(hex, sizeof(hex), "0x%x", index);
	fprintf(out, "%-16s%-8s%-7s%5u  %6s", label, level, bits, index, hex);
	if (entry != NULL) {
		snprintf(at_hex, sizeof(at_hex), "0x%x", at);
		fprintf(out, "  %-6s%7s", entry, at_hex);
	}
	fputc('\n', out);
}

/* One row per level, then the page offset; the scheme column holds the
 * name, the split and the entry size on the first three rows. */
static void print_levels(FILE *out, const struct vaddr_scheme *s, const struct vaddr_split *sp)
{
	char split[32], entries[32];
	const char *label[] = {s->name, split, entries};
	const unsigned nlabels = sizeof(label) / sizeof(label[0]);

	format_split(s, split, sizeof(split));
	snprintf(entries, sizeof(entries), "%u-byte entries", s->entry_size);
	for (unsigned level = 0; level < s->nlevels; level++) {
		const struct vaddr_level *l = &s->levels[level];
		unsigned lo = vaddr_level_shift(s, level);

		print_row(out, level < nlabels ? label[level] : "", l->name, lo + l->bits - 1, lo,
			  sp->index[level], l->entry, sp->entry_offset[level]);
	}
	print_row(out, s->nlevels < nlabels ? label[s->nlevels] : "", "offset", VADDR_PAGE_BITS - 1,
		  0, sp->page_offset, NULL, 0);
}

/* Print the rows of s for va; return whether s splits it. */
static bool print_scheme(FILE *out, const struct vaddr_scheme *s, uint64_t va)
{
	struct vaddr_split sp;
	enum vaddr_fit fit = vaddr_split(s, va, &sp);

	if (fit == VADDR_FITS)
		print_levels(out, s, &sp);
	else
		print_not_applicable(out, s, fit);
	print_rule(out, s);
	return fit == VADDR_FITS;
}

/* How many hex digits to print va with: 8, or past 32 bits 16, so that the
 * bits above a scheme's top level show. */
static int hex_digits(uint64_t va)
{
	return va > UINT32_MAX ? 16 : 8;
}

/* The whole table for va; return how many schemes split it. */
static unsigned print_table(FILE *out, uint64_t va)
{
	unsigned fits = 0;

	fprintf(out, "0x%0*" PRIx64 " = %" PRIu64 ", split top level first, as the walk goes\n\n",
		hex_digits(va), va, va);
	fprintf(out, "%-16s%-8s%-7s%5s  %6s  %-6s%7s\n", "scheme", "level", "bits", "index", "hex",
		"entry", "at byte");
	for (unsigned i = 0; i < VADDR_NSCHEMES; i++) {
		fputc('\n', out);
		fits += print_scheme(out, &vaddr_schemes[i], va);
	}
	fputs("\nindex: the entry's number in that level's table, which CR3 or satp (the\n"
	      "root) or the entry above points to; at byte = index x entry size, the\n"
	      "entry's offset in its table; offset: the byte in the 4 KiB page.\n",
	      out);
	return fits;
}

int vaddr_main(int argc, char **argv, FILE *out, FILE *err)
{
	const char *why;
	uint64_t va;

	if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(usage_text, out);
		return EXIT_OK;
	}
	if (argc != 2) {
		fprintf(err, "vaddr: %s; usage: vaddr ADDR (vaddr --help explains)\n",
			argc < 2 ? "no address given" : "more than one argument");
		return EXIT_BAD_INPUT;
	}
	why = parse_addr(argv[1], &va);
	if (why != NULL) {
		fputs("vaddr: '", err);
		print_arg(err, argv[1]);
		fprintf(err, "': %s\n", why);
		return EXIT_BAD_INPUT;
	}
	if (print_table(out, va) == 0) {
		fprintf(err,
			"vaddr: 0x%0*" PRIx64 ": no scheme can translate it (see the n/a rows)\n",
			hex_digits(va), va);
		return EXIT_BAD_INPUT;
	}
	return EXIT_OK;
}

/* The unit test links this file and calls vaddr_main with its own streams. */
#ifndef HOST_TEST
int main(int argc, char **argv)
{
	return vaddr_main(argc, argv, stdout, stderr);
}
#endif
