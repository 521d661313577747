/*
 * The kernel command line (/chosen/bootargs): words of the form key or
 * key=value for the kernel, and after a lone "--" the arguments for init.
 */
#ifndef LIB_CMDLINE_H
#define LIB_CMDLINE_H

#include "lib/types.h"

#define CMDLINE_MAX 512  /* bytes of bootargs kept */
#define CMDLINE_WORDS 32 /* kernel words and init arguments, each */

struct cmdline {
	char buf[CMDLINE_MAX];
	const char *words[CMDLINE_WORDS]; /* kernel parameters */
	int nwords;
	const char *init_args[CMDLINE_WORDS]; /* what followed "--" */
	int ninit_args;
};

/*
 * Split s into *c. Returns 0, or -E2BIG when s or its word count did not
 * fit (what fitted is kept, so the kernel can still boot and say why).
 */
int cmdline_parse(struct cmdline *c, const char *s);

/* The value of key=value; "" for a bare key; NULL when key is absent. The
 * last occurrence wins, as on Linux. */
const char *cmdline_get(const struct cmdline *c, const char *key);

/* key=N as an unsigned number (decimal, or hex with 0x); def when key is
 * absent; -EINVAL in *err (else 0) when the value is not a number. */
uint32_t cmdline_uint(const struct cmdline *c, const char *key, uint32_t def, int *err);

/* key=SIZE in bytes: a number as for cmdline_uint, optionally followed by
 * K, M or G (powers of 1024, either case), as Linux's mem=; -EINVAL in
 * *err when it is not such a size or exceeds 32 bits. */
uint32_t cmdline_size(const struct cmdline *c, const char *key, uint32_t def, int *err);

#endif
