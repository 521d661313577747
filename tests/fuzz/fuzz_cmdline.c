/*
 * libFuzzer harness for the kernel command line (kernel/lib/cmdline.c).
 * The input is the bootargs string. Each word cmdline_parse returns lies
 * in the struct's buffer, holds no blank, and is the input's bytes at the
 * same offset; the word counts and -E2BIG agree with a plain count of the
 * words; cmdline_get gives the value of the key's last word; and the
 * numbers cmdline_uint and cmdline_size read agree with a reading of the
 * value done afresh here (decimal or 0x hex, a K/M/G suffix for sizes,
 * nothing that does not fit 32 bits).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cmdline.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "tests/fuzz/fuzz.h"

#define ABSENT	"no such" /* a key with a blank: no word can have it */
#define DEF	7u
#define KILO	10
#define HEX	16
#define DECIMAL 10

static bool blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n';
}

/* The words of s[0, len), for the kernel and (after the first lone "--")
 * for init. */
static void count_words(const char *s, size_t len, int *kernel, int *init)
{
	bool for_init = false;
	*kernel = *init = 0;
	for (size_t i = 0, j; i < len; i = j) {
		for (j = i; j < len && !blank(s[j]); j++)
			;
		if (j == i)
			j++;
		else if (!for_init && j - i == 2 && s[i] == '-' && s[i + 1] == '-')
			for_init = true;
		else
			(*(for_init ? init : kernel))++;
	}
}

/* Each word: inside c->buf after the one before, not empty, no blank, and
 * the input's bytes at its offset. */
static void check_words(const struct cmdline *c, const char *const *words, int n, const char *s)
{
	const char *prev = c->buf;
	for (int i = 0; i < n; i++) {
		const char *w = words[i];
		CHECK(fuzz_string_inside(w, c->buf, sizeof(c->buf)) && w >= prev);
		size_t len = strlen(w);
		CHECK(len > 0 && memcmp(w, s + (w - c->buf), len) == 0);
		for (size_t k = 0; k < len; k++)
			CHECK(!blank(w[k]));
		prev = w + len;
	}
}

/* How many bytes of w name its key (up to the first '='). */
static size_t key_len(const char *w)
{
	return strcspn(w, "=");
}

/* The value cmdline_get must give for key: from its last word. */
static const char *last_value(const struct cmdline *c, const char *key)
{
	size_t n = strlen(key);
	for (int i = c->nwords - 1; i >= 0; i--)
		if (key_len(c->words[i]) == n && strncmp(c->words[i], key, n) == 0)
			return c->words[i][n] ? c->words[i] + n + 1 : "";
	return NULL;
}

static int digit(char ch, int base)
{
	const char *hex = "0123456789abcdef", *at = ch ? strchr(hex, tolower(ch)) : NULL;
	return at && at - hex < base ? (int)(at - hex) : -1;
}

/* v as cmdline_uint (or, if sized, cmdline_size) should read it. */
static bool read_number(const char *v, bool sized, uint64_t *out)
{
	int base = DECIMAL, shift = 0;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = HEX;
		v += 2;
	}
	const char *p = v;
	uint64_t n = 0;
	for (; digit(*p, base) >= 0; p++)
		if ((n = n * (uint64_t)base + (uint64_t)digit(*p, base)) > UINT32_MAX)
			return false;
	const char *suffixes = "kmg", *s = *p ? strchr(suffixes, tolower(*p)) : NULL;
	if (sized && s != NULL && p[1] == '\0')
		shift = KILO * (int)(s - suffixes + 1);
	else if (*p != '\0')
		return false;
	*out = n << shift;
	return p != v && *out <= UINT32_MAX;
}

/* The key of word w: its value, and the number in it read both ways. */
static void check_key(const struct cmdline *c, const char *w)
{
	char key[CMDLINE_MAX];
	uint64_t want;
	int err;

	memcpy(key, w, key_len(w));
	key[key_len(w)] = '\0';
	const char *v = cmdline_get(c, key), *last = last_value(c, key);
	/* A bare key's "" need not point into the buffer. */
	CHECK(v != NULL && last != NULL && (v == last || (v[0] == '\0' && last[0] == '\0')));
	for (int sized = 0; sized <= 1; sized++) {
		uint32_t n =
		    sized ? cmdline_size(c, key, DEF, &err) : cmdline_uint(c, key, DEF, &err);
		bool ok = read_number(v, sized, &want);
		CHECK(err == 0 ? ok && n == want : err == -EINVAL && !ok && n == DEF);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmdline c;
	char *s = malloc(size + 1);
	int kernel, init, err;

	CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	int r = cmdline_parse(&c, s);
	size_t len = strnlen(s, CMDLINE_MAX);
	bool truncated = len == CMDLINE_MAX;
	count_words(s, truncated ? len - 1 : len, &kernel, &init);
	CHECK(c.nwords == MIN(kernel, CMDLINE_WORDS) && c.ninit_args == MIN(init, CMDLINE_WORDS));
	CHECK(r == (truncated || kernel > CMDLINE_WORDS || init > CMDLINE_WORDS ? -E2BIG : 0));
	check_words(&c, c.words, c.nwords, s);
	check_words(&c, c.init_args, c.ninit_args, s);
	for (int i = 0; i < c.nwords; i++) {
		CHECK(strcmp(c.words[i], "--") != 0);
		check_key(&c, c.words[i]);
	}
	CHECK(cmdline_get(&c, ABSENT) == NULL && cmdline_uint(&c, ABSENT, DEF, &err) == DEF);
	CHECK(err == 0);
	free(s);
	return 0;
}
