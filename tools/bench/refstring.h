/*
 * The page reference strings of the replacement-quality benchmark, shared
 * by the guest program (user/bin/bench.c) and the host simulator
 * (tools/bench/replsim.c) so both see exactly the same string.
 */
#ifndef BENCH_REFSTRING_H
#define BENCH_REFSTRING_H

#include <stdint.h>

#define REF_LOCALITY 0 /* 80% of references to 20% of the pages */
#define REF_LOOP 1     /* a cyclic scan of all pages */
#define REF_SCANHOT 2  /* half to a hot ninth of the pages, half a cyclic scan of the rest */

struct refgen {
	uint32_t state;
	uint32_t kind, pages, i;
};

static inline void refgen_init(struct refgen *g, uint32_t kind, uint32_t pages, uint32_t seed)
{
	g->state = seed ? seed : 1;
	g->kind = kind;
	g->pages = pages;
	g->i = 0;
}

/* xorshift32: small, seeded, the same everywhere. */
static inline uint32_t refgen_rand(struct refgen *g)
{
	uint32_t x = g->state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return g->state = x;
}

/* The pages of a scan-plus-hot string that form its hot set. */
static inline uint32_t refgen_scanhot_hot(uint32_t pages)
{
	return pages / 9 ? pages / 9 : 1;
}

/* The next page number of the string. */
static inline uint32_t refgen_next(struct refgen *g)
{
	if (g->kind == REF_LOOP)
		return g->i++ % g->pages;
	if (g->kind == REF_SCANHOT) {
		uint32_t hot = refgen_scanhot_hot(g->pages);
		if (refgen_rand(g) % 2)
			return refgen_rand(g) % hot;
		return hot + g->i++ % (g->pages - hot);
	}
	uint32_t hot = g->pages / 5 ? g->pages / 5 : 1;
	if (refgen_rand(g) % 100 < 80)
		return refgen_rand(g) % hot;
	return hot + refgen_rand(g) % (g->pages - hot);
}

#endif
