/*
 * replsim: the host side of the replacement-quality benchmark. Replays the
 * guest's reference string (tools/bench/refstring.h, same seed) with the
 * guest's frame count under OPT (Belady's MIN), LRU, FIFO and clock, and
 * prints the faults each takes during the string (after the same warm-up
 * as the guest: every page once, then every page again, in order).
 * Usage: replsim locality|loop PAGES FRAMES REFS SEED
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refstring.h"

enum policy { OPT, LRU, FIFO, CLOCK, NPOLICIES };
static const char *const names[NPOLICIES] = { "opt", "lru", "fifo", "clock" };

/* The whole sequence: warm-up then the measured string. */
static uint32_t *build(uint32_t kind, uint32_t pages, uint32_t refs, uint32_t seed, uint32_t *len)
{
	uint32_t warm = 2 * pages;
	uint32_t *seq = malloc((warm + refs) * sizeof(*seq));
	if (seq == NULL)
		exit(1);
	for (uint32_t i = 0; i < warm; i++)
		seq[i] = i % pages;
	struct refgen g;
	refgen_init(&g, kind, pages, seed);
	for (uint32_t i = 0; i < refs; i++)
		seq[warm + i] = refgen_next(&g);
	*len = warm + refs;
	return seq;
}

/* Faults of policy p over seq[count_from..len), frames frames. */
static uint32_t simulate(enum policy p, const uint32_t *seq, uint32_t len, uint32_t count_from,
			 uint32_t pages, uint32_t frames)
{
	int32_t *where = malloc(pages * sizeof(*where));   /* frame of a page, or -1 */
	uint32_t *page_of = calloc(frames, sizeof(*page_of));
	uint64_t *stamp = calloc(frames, sizeof(*stamp));    /* LRU: last use; FIFO: load time */
	bool *ref = calloc(frames, sizeof(*ref));
	uint32_t *next_use = malloc(len * sizeof(*next_use));
	uint32_t *last = malloc(pages * sizeof(*last));
	if (!where || !page_of || !stamp || !ref || !next_use || !last)
		exit(1);
	for (uint32_t i = 0; i < pages; i++) {
		where[i] = -1;
		last[i] = UINT32_MAX;
	}
	for (uint32_t i = len; i-- > 0;) { /* OPT: when each reference's page is next used */
		next_use[i] = last[seq[i]];
		last[seq[i]] = i;
	}
	uint32_t used = 0, hand = 0, faults = 0;
	for (uint32_t t = 0; t < len; t++) {
		uint32_t page = seq[t];
		int32_t f = where[page];
		if (f >= 0) {
			if (p == LRU)
				stamp[f] = t;
			ref[f] = true;
			if (p == OPT)
				stamp[f] = next_use[t];
			continue;
		}
		if (t >= count_from)
			faults++;
		uint32_t victim;
		bool fresh = used < frames;
		if (fresh) {
			victim = used++;
		} else if (p == CLOCK) {
			while (ref[hand]) {
				ref[hand] = false;
				hand = (hand + 1) % frames;
			}
			victim = hand;
			hand = (hand + 1) % frames;
		} else {
			/* OPT: farthest next use; LRU: least recent; FIFO: oldest load. */
			victim = 0;
			for (uint32_t i = 1; i < frames; i++)
				if (p == OPT ? stamp[i] > stamp[victim] : stamp[i] < stamp[victim])
					victim = i;
		}
		if (!fresh)
			where[page_of[victim]] = -1;
		page_of[victim] = page;
		where[page] = (int32_t)victim;
		ref[victim] = true;
		stamp[victim] = p == OPT ? next_use[t] : t;
	}
	free(where), free(page_of), free(stamp), free(ref), free(next_use), free(last);
	return faults;
}

int main(int argc, char **argv)
{
	if (argc != 6) {
		fprintf(stderr, "usage: replsim locality|loop PAGES FRAMES REFS SEED\n");
		return 2;
	}
	uint32_t kind = strcmp(argv[1], "loop") == 0 ? REF_LOOP : REF_LOCALITY;
	uint32_t pages = (uint32_t)atoi(argv[2]), frames = (uint32_t)atoi(argv[3]);
	uint32_t refs = (uint32_t)atoi(argv[4]), seed = (uint32_t)atoi(argv[5]);
	if (pages == 0 || frames == 0 || frames > pages) {
		fprintf(stderr, "replsim: need 0 < FRAMES <= PAGES\n");
		return 2;
	}
	uint32_t len;
	uint32_t *seq = build(kind, pages, refs, seed, &len);
	for (int p = 0; p < NPOLICIES; p++)
		printf("%s %u\n", names[p], simulate((enum policy)p, seq, len, len - refs, pages, frames));
	free(seq);
	return 0;
}
