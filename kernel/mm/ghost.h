/*
 * The ghost table of replacement policy 2q (mm/reclaim.c): the keys of
 * pages evicted lately, each stamped with the count of evictions when it
 * went, so that a page faulted back in can be told how many evictions it
 * was away (its refault distance). Pure code with no allocation: the
 * caller gives the sets; the host simulator (tools/bench/replsim.c) runs
 * the same code. Bounded: a key lives in one set of GHOST_WAYS chosen by
 * its hash and takes the place of that set's oldest, so the table holds at
 * most nsets * GHOST_WAYS keys and forgets, roughly, the oldest first.
 */
#ifndef MM_GHOST_H
#define MM_GHOST_H

#include "lib/types.h"

#define GHOST_WAYS 4

/* What a key names (ghost_key's kind). */
#define GHOST_SLOT  1u /* a swap slot: an anonymous page with a copy in swap */
#define GHOST_BLOCK 2u /* a block of the file-system disk: a page-cache page */
#define GHOST_ANON  3u /* (space, virtual address): an anonymous page with no slot */

struct ghost_set {
	uint32_t key[GHOST_WAYS];  /* 0: empty */
	uint32_t when[GHOST_WAYS]; /* the table's eviction count when the key went in */
};

struct ghost_table {
	struct ghost_set *sets;
	uint32_t nsets;	    /* a power of two */
	uint32_t evictions; /* keys remembered so far: the clock of the stamps */
	uint32_t held;	    /* keys in the table now */
};

/* Sets for capacity keys at least: the least power of two that holds
 * them, but max at most. */
uint32_t ghost_sets_for(uint32_t capacity, uint32_t max);
/* Start t empty on nsets sets (a power of two). */
void ghost_init(struct ghost_table *t, struct ghost_set *sets, uint32_t nsets);
/* The key of (kind, a, b); never 0. */
uint32_t ghost_key(uint32_t kind, uint32_t a, uint32_t b);
/* Remember that the page of key was evicted now: one more eviction. */
void ghost_remember(struct ghost_table *t, uint32_t key);
/* Whether key is remembered; if so it is forgotten and *distance gets the
 * evictions since it went in (0: it was the last). */
bool ghost_recall(struct ghost_table *t, uint32_t key, uint32_t *distance);

#endif
