/*
 * Command-line parsing. The words are copied into the struct's own buffer
 * and split in place, so the struct stays valid whatever happens to the
 * device tree that held the original string.
 */
#include "lib/cmdline.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n';
}

int cmdline_parse(struct cmdline *c, const char *s)
{
	int err = 0;
	size_t len = strnlen(s, CMDLINE_MAX);
	if (len == CMDLINE_MAX) {
		len = CMDLINE_MAX - 1;
		err = -E2BIG;
	}
	memcpy(c->buf, s, len);
	c->buf[len] = '\0';
	c->nwords = c->ninit_args = 0;

	bool for_init = false;
	char *p = c->buf;
	for (;;) {
		while (is_space(*p))
			*p++ = '\0';
		if (*p == '\0')
			break;
		char *word = p;
		while (*p && !is_space(*p))
			p++;
		if (*p)
			*p++ = '\0';
		if (!for_init && strcmp(word, "--") == 0) {
			for_init = true;
			continue;
		}
		const char **list = for_init ? c->init_args : c->words;
		int *n = for_init ? &c->ninit_args : &c->nwords;
		if (*n == CMDLINE_WORDS) {
			err = -E2BIG;
			continue;
		}
		list[(*n)++] = word;
	}
	return err;
}

const char *cmdline_get(const struct cmdline *c, const char *key)
{
	size_t klen = strlen(key);
	const char *found = NULL;
	for (int i = 0; i < c->nwords; i++) {
		const char *w = c->words[i];
		if (strncmp(w, key, klen) != 0)
			continue;
		if (w[klen] == '\0')
			found = "";
		else if (w[klen] == '=')
			found = w + klen + 1;
	}
	return found;
}

static int digit_value(char ch, uint32_t base)
{
	uint32_t d;
	if (ch >= '0' && ch <= '9')
		d = (uint32_t)(ch - '0');
	else if (ch >= 'a' && ch <= 'f')
		d = (uint32_t)(ch - 'a' + 10);
	else if (ch >= 'A' && ch <= 'F')
		d = (uint32_t)(ch - 'A' + 10);
	else
		return -1;
	return d < base ? (int)d : -1;
}

/* Read the unsigned number at the start of v (decimal, or hex with 0x)
 * into *n; return the first byte after it, or NULL when v has no digits
 * or the number does not fit in 32 bits. */
static const char *parse_number(const char *v, uint32_t *n)
{
	uint32_t base = 10;
	if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
	}
	const char *first = v;
	*n = 0;
	for (int d; (d = digit_value(*v, base)) >= 0; v++) {
		if (*n > (UINT32_MAX - (uint32_t)d) / base)
			return NULL;
		*n = *n * base + (uint32_t)d;
	}
	return v == first ? NULL : v;
}

/* The shift of a size suffix: K, M or G (either case), 0 for none, -1 for
 * anything else. */
static int suffix_shift(const char *s)
{
	if (s[0] == '\0')
		return 0;
	if (s[1] != '\0')
		return -1;
	switch (s[0]) {
	case 'k':
	case 'K':
		return 10;
	case 'm':
	case 'M':
		return 20;
	case 'g':
	case 'G':
		return 30;
	default:
		return -1;
	}
}

/* key's value as a number, with a size suffix if sized (cmdline.h). */
static uint32_t number_value(const struct cmdline *c, const char *key, uint32_t def, int *err,
			     bool sized)
{
	*err = 0;
	const char *v = cmdline_get(c, key);
	if (v == NULL)
		return def;
	uint32_t n;
	const char *end = parse_number(v, &n);
	int shift = -1;
	if (end != NULL)
		shift = sized ? suffix_shift(end) : (*end == '\0' ? 0 : -1);
	if (shift < 0 || n > (UINT32_MAX >> shift)) {
		*err = -EINVAL;
		return def;
	}
	return n << shift;
}

uint32_t cmdline_uint(const struct cmdline *c, const char *key, uint32_t def, int *err)
{
	return number_value(c, key, def, err, false);
}

uint32_t cmdline_size(const struct cmdline *c, const char *key, uint32_t def, int *err)
{
	return number_value(c, key, def, err, true);
}
