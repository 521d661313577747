/*
 * replsim: the host side of the replacement-quality benchmark. Replays the
 * guest's reference string (tools/bench/refstring.h, same seed) with the
 * guest's frame count under OPT (Belady's MIN), LRU, FIFO and clock, and
 * prints the faults each takes during the string (after the same warm-up
 * as the guest: every page once, then every page again, in order).
 * "curve" prints one line per frame count for one string (make plots);
 * "belady" replays the textbook string of Belady's anomaly from empty
 * frames, with no warm-up. tools/bench/run.sh parses the first form's
 * "POLICY FAULTS" lines: keep them as they are.
 * Usage: replsim locality|loop PAGES FRAMES REFS SEED
 *        replsim curve locality|loop PAGES REFS SEED FROM TO STEP
 *        replsim belady
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

/* The string of Belady's anomaly: FIFO takes 9 faults with 3 frames and
 * 10 with 4 (Belady, Nelson and Shedler, CACM 12(6), 1969). Pages keep the
 * textbook's numbers 1 to 5, so page 0 is never referenced. */
static const uint32_t belady_string[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
#define BELADY_REFS	  (sizeof(belady_string) / sizeof(belady_string[0]))
#define BELADY_PAGES	  6
#define BELADY_FRAMES_MAX 5 /* the distinct pages of the string */

static void usage(void)
{
	fprintf(stderr, "usage: replsim locality|loop PAGES FRAMES REFS SEED\n"
			"       replsim curve locality|loop PAGES REFS SEED FROM TO STEP\n"
			"       replsim belady\n");
}

/* Parse a decimal number into *v; 0 if it is one, else -1 (and a message). */
static int parse_u32(const char *what, const char *arg, uint32_t *v)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);
	if (end == arg || *end != '\0' || n > UINT32_MAX || arg[0] == '-') {
		fprintf(stderr, "replsim: %s must be a number, not '%s'\n", what, arg);
		return -1;
	}
	*v = (uint32_t)n;
	return 0;
}

/* The string kind named by arg; 0 if it is one, else -1. */
static int parse_kind(const char *arg, uint32_t *kind)
{
	if (strcmp(arg, "locality") == 0)
		*kind = REF_LOCALITY;
	else if (strcmp(arg, "loop") == 0)
		*kind = REF_LOOP;
	else {
		fprintf(stderr, "replsim: the string is locality or loop, not '%s'\n", arg);
		return -1;
	}
	return 0;
}

/* One line per frame count (FROM, each multiple of STEP above it, and TO):
 * the frame count, then the faults of each policy over seq[count_from..len). */
static void print_curve(const uint32_t *seq, uint32_t len, uint32_t count_from, uint32_t pages,
			uint32_t from, uint32_t to, uint32_t step)
{
	printf("# frames");
	for (int p = 0; p < NPOLICIES; p++)
		printf(" %s", names[p]);
	printf("\n");
	for (uint32_t frames = from;; frames = (frames / step + 1) * step) {
		if (frames > to)
			frames = to;
		printf("%u", frames);
		for (int p = 0; p < NPOLICIES; p++)
			printf(" %u",
			       simulate((enum policy)p, seq, len, count_from, pages, frames));
		printf("\n");
		if (frames == to)
			break;
	}
}

/* replsim locality|loop PAGES FRAMES REFS SEED: one "POLICY FAULTS" line each. */
static int point(char **argv)
{
	uint32_t kind, pages, frames, refs, seed;
	if (parse_kind(argv[0], &kind) || parse_u32("PAGES", argv[1], &pages) ||
	    parse_u32("FRAMES", argv[2], &frames) || parse_u32("REFS", argv[3], &refs) ||
	    parse_u32("SEED", argv[4], &seed))
		return 2;
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

/* replsim curve locality|loop PAGES REFS SEED FROM TO STEP: a header naming
 * the string, then one line per frame count of the range. */
static int curve(char **argv)
{
	uint32_t kind, pages, refs, seed, from, to, step;
	if (parse_kind(argv[0], &kind) || parse_u32("PAGES", argv[1], &pages) ||
	    parse_u32("REFS", argv[2], &refs) || parse_u32("SEED", argv[3], &seed) ||
	    parse_u32("FROM", argv[4], &from) || parse_u32("TO", argv[5], &to) ||
	    parse_u32("STEP", argv[6], &step))
		return 2;
	if (from == 0 || from > to || to > pages || step == 0) {
		fprintf(stderr, "replsim: need 0 < FROM <= TO <= PAGES and STEP > 0\n");
		return 2;
	}
	uint32_t len;
	uint32_t *seq = build(kind, pages, refs, seed, &len);
	printf("# %s pages %u refs %u seed %u: faults during the string, after the warm-up\n",
	       argv[0], pages, refs, seed);
	print_curve(seq, len, len - refs, pages, from, to, step);
	free(seq);
	return 0;
}

/* replsim belady: the anomaly's string for 1 to 5 frames, every fault counted. */
static int belady(void)
{
	printf("# belady string");
	for (uint32_t i = 0; i < BELADY_REFS; i++)
		printf(" %u", belady_string[i]);
	printf(": every fault counted, from empty frames\n");
	print_curve(belady_string, BELADY_REFS, 0, BELADY_PAGES, 1, BELADY_FRAMES_MAX, 1);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6)
		return point(argv + 1);
	if (argc == 9 && strcmp(argv[1], "curve") == 0)
		return curve(argv + 2);
	if (argc == 2 && strcmp(argv[1], "belady") == 0)
		return belady();
	usage();
	return 2;
}
