/*
 * replsim: the host side of the replacement-quality benchmark. Replays the
 * guest's reference string (tools/bench/refstring.h, same seed) with the
 * guest's frame count under OPT (Belady's MIN), LRU, FIFO, clock and 2q,
 * and prints the faults each takes during the string (after the same
 * warm-up as the guest: every page once, then every page again, in
 * order), then the frames clock and 2q examined per eviction. 2q runs the
 * kernel's ghost table (kernel/mm/ghost.c) and sizing rules
 * (kernel/mm/twoq.h). "curve" prints one line per frame count for one
 * string under the first four (make plots); "belady" replays the textbook
 * string of Belady's anomaly from empty frames, with no warm-up.
 * tools/bench/run.sh parses the first form's "POLICY FAULTS" and
 * "examined POLICY N" lines: keep them as they are.
 * Usage: replsim locality|loop|scanhot PAGES FRAMES REFS SEED
 *        replsim curve locality|loop|scanhot PAGES REFS SEED FROM TO STEP
 *        replsim belady
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm/ghost.h"
#include "mm/twoq.h"
#include "refstring.h"

enum policy { OPT, LRU, FIFO, CLOCK, TWOQ, NPOLICIES };
static const char *const names[NPOLICIES] = { "opt", "lru", "fifo", "clock", "2q" };
#define CURVE_POLICIES 4 /* the plots' columns: opt lru fifo clock */

/* What one replay counted over the measured part of the string. */
struct result {
	uint32_t faults, evictions, examined; /* examined: reference bits tested */
};

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

static struct result simulate_2q(const uint32_t *seq, uint32_t len, uint32_t count_from,
				 uint32_t pages, uint32_t frames);

/* What policy p did over seq[count_from..len), frames frames. */
static struct result simulate(enum policy p, const uint32_t *seq, uint32_t len,
			      uint32_t count_from, uint32_t pages, uint32_t frames)
{
	if (p == TWOQ)
		return simulate_2q(seq, len, count_from, pages, frames);
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
	uint32_t used = 0, hand = 0;
	struct result r = { 0, 0, 0 };
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
		bool counted = t >= count_from;
		r.faults += counted;
		uint32_t victim;
		bool fresh = used < frames;
		r.evictions += counted && !fresh;
		if (fresh) {
			victim = used++;
		} else if (p == CLOCK) {
			for (r.examined += counted; ref[hand]; r.examined += counted) {
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
	return r;
}

/* ---- 2q, as mm/reclaim.c runs it ------------------------------------------ */

/* A ring of frames, as in the kernel: circular, oldest at the hand. */
struct ring {
	uint32_t hand, n; /* hand: NONE when empty */
};
#define NONE UINT32_MAX

struct twoq {
	struct ring probation, hot;
	int32_t *where; /* the frame of each page, or -1 */
	uint32_t *next, *prev, *page_of;
	bool *ref; /* the A bit; the fault that maps a page sets it */
	uint32_t credit, used;
	struct ghost_table ghosts;
	struct result r;
	bool counting;
};

static void ring_insert(struct twoq *q, struct ring *r, uint32_t f)
{
	r->n++;
	if (r->hand == NONE) {
		q->next[f] = q->prev[f] = r->hand = f;
		return;
	}
	uint32_t tail = q->prev[r->hand];
	q->prev[f] = tail;
	q->next[f] = r->hand;
	q->next[tail] = f;
	q->prev[r->hand] = f;
}

static void ring_unlink(struct twoq *q, struct ring *r, uint32_t f)
{
	if (q->next[f] == f) {
		r->hand = NONE;
	} else {
		q->next[q->prev[f]] = q->next[f];
		q->prev[q->next[f]] = q->prev[f];
		if (r->hand == f)
			r->hand = q->next[f];
	}
	r->n--;
}

static uint32_t ring_next(struct twoq *q, struct ring *r)
{
	uint32_t f = r->hand;
	r->hand = q->next[f];
	return f;
}

static void demote(struct twoq *q, uint32_t f)
{
	ring_unlink(q, &q->hot, f);
	ring_insert(q, &q->probation, f);
}

/* mm/reclaim.c's challenge: room, or a short refault distance and a hot
 * page found unused within the credit. */
static bool challenge(struct twoq *q, uint32_t distance)
{
	if (twoq_hot_has_room(q->hot.n, q->used))
		return true;
	if (!twoq_may_challenge(distance, q->hot.n))
		return false;
	while (q->credit > 0 && q->hot.n > 0) {
		uint32_t h = ring_next(q, &q->hot);
		q->credit--;
		q->r.examined += q->counting;
		bool young = q->ref[h];
		q->ref[h] = false;
		if (!young) {
			demote(q, h);
			return true;
		}
	}
	return false;
}

/* Evict probation's oldest page (topped up from the hot hand first);
 * the frame it leaves. */
static uint32_t evict_2q(struct twoq *q)
{
	q->credit = twoq_credit_after_eviction(q->credit, q->hot.n);
	while (q->probation.n < twoq_probation_min(q->used) && q->hot.n > 0)
		demote(q, ring_next(q, &q->hot));
	uint32_t f = ring_next(q, &q->probation);
	ring_unlink(q, &q->probation, f);
	q->used--;
	q->where[q->page_of[f]] = -1;
	ghost_remember(&q->ghosts, ghost_key(GHOST_SLOT, q->page_of[f], 0));
	q->r.evictions += q->counting;
	return f;
}

/* Map page into frame f: the hot ring if it is a refault that wins. */
static void map_2q(struct twoq *q, uint32_t f, uint32_t page)
{
	uint32_t distance;
	bool hot = ghost_recall(&q->ghosts, ghost_key(GHOST_SLOT, page, 0), &distance) &&
		   challenge(q, distance);
	q->page_of[f] = page;
	q->ref[f] = true;
	ring_insert(q, hot ? &q->hot : &q->probation, f);
	q->used++;
	q->where[page] = (int32_t)f;
}

static struct result simulate_2q(const uint32_t *seq, uint32_t len, uint32_t count_from,
				 uint32_t pages, uint32_t frames)
{
	struct twoq q = { .probation = { NONE, 0 }, .hot = { NONE, 0 } };
	q.where = malloc(pages * sizeof(*q.where));
	q.next = malloc(frames * sizeof(*q.next));
	q.prev = malloc(frames * sizeof(*q.prev));
	q.page_of = malloc(frames * sizeof(*q.page_of));
	q.ref = malloc(frames * sizeof(*q.ref));
	uint32_t nsets = ghost_sets_for(TWOQ_GHOSTS_PER_FRAME * frames, TWOQ_GHOST_SETS_MAX);
	struct ghost_set *sets = malloc(nsets * sizeof(*sets));
	if (!q.where || !q.next || !q.prev || !q.page_of || !q.ref || !sets)
		exit(1);
	ghost_init(&q.ghosts, sets, nsets);
	for (uint32_t i = 0; i < pages; i++)
		q.where[i] = -1;
	for (uint32_t t = 0, fresh = 0; t < len; t++) {
		q.counting = t >= count_from;
		if (q.where[seq[t]] >= 0) {
			q.ref[q.where[seq[t]]] = true;
			continue;
		}
		q.r.faults += q.counting;
		map_2q(&q, fresh < frames ? fresh++ : evict_2q(&q), seq[t]);
	}
	free(q.where), free(q.next), free(q.prev), free(q.page_of), free(q.ref);
	free(sets);
	return q.r;
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
	fprintf(stderr, "usage: replsim locality|loop|scanhot PAGES FRAMES REFS SEED\n"
			"       replsim curve locality|loop|scanhot PAGES REFS SEED FROM TO STEP\n"
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
	else if (strcmp(arg, "scanhot") == 0)
		*kind = REF_SCANHOT;
	else {
		fprintf(stderr, "replsim: the string is locality, loop or scanhot, not '%s'\n", arg);
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
	for (int p = 0; p < CURVE_POLICIES; p++)
		printf(" %s", names[p]);
	printf("\n");
	for (uint32_t frames = from;; frames = (frames / step + 1) * step) {
		if (frames > to)
			frames = to;
		printf("%u", frames);
		for (int p = 0; p < CURVE_POLICIES; p++)
			printf(" %u",
			       simulate((enum policy)p, seq, len, count_from, pages, frames).faults);
		printf("\n");
		if (frames == to)
			break;
	}
}

/* replsim locality|loop|scanhot PAGES FRAMES REFS SEED: one "POLICY FAULTS"
 * line each, then "examined POLICY N" for the policies that test A bits. */
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
	struct result r[NPOLICIES];
	for (int p = 0; p < NPOLICIES; p++) {
		r[p] = simulate((enum policy)p, seq, len, len - refs, pages, frames);
		printf("%s %u\n", names[p], r[p].faults);
	}
	for (int p = CLOCK; p <= TWOQ; p++)
		printf("examined %s %.2f\n", names[p],
		       r[p].evictions ? (double)r[p].examined / r[p].evictions : 0.0);
	free(seq);
	return 0;
}

/* replsim curve locality|loop|scanhot PAGES REFS SEED FROM TO STEP: a header naming
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
