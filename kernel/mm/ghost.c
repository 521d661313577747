/*
 * The ghost table (mm/ghost.h): a small set-associative table of the keys
 * of evicted pages and when they went. Keys are 32-bit hashes, so two
 * pages may share one; a false match only makes 2q think a page came back,
 * which costs a look at the hot ring, never correctness.
 */
#include "mm/ghost.h"

uint32_t ghost_sets_for(uint32_t capacity, uint32_t max)
{
	uint32_t n = 1;
	while (n * GHOST_WAYS < capacity && n * 2 <= max)
		n *= 2;
	return n;
}

void ghost_init(struct ghost_table *t, struct ghost_set *sets, uint32_t nsets)
{
	t->sets = sets;
	t->nsets = nsets;
	t->evictions = 0;
	t->held = 0;
	for (uint32_t i = 0; i < nsets; i++)
		for (uint32_t w = 0; w < GHOST_WAYS; w++)
			sets[i].key[w] = 0;
}

/* Mix the bits (the finaliser of a multiplicative hash), so that
 * neighbouring slots and addresses land in unrelated sets. */
static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7FEB352Du;
	x ^= x >> 15;
	x *= 0x846CA68Bu;
	x ^= x >> 16;
	return x;
}

uint32_t ghost_key(uint32_t kind, uint32_t a, uint32_t b)
{
	return mix(mix(a ^ (kind << 28)) + b) | 1u;
}

static struct ghost_set *set_of(const struct ghost_table *t, uint32_t key)
{
	return &t->sets[(key >> 1) & (t->nsets - 1)];
}

void ghost_remember(struct ghost_table *t, uint32_t key)
{
	struct ghost_set *s = set_of(t, key);
	uint32_t way = 0;
	for (uint32_t w = 0; w < GHOST_WAYS; w++) {
		if (s->key[w] == 0) {
			way = w;
			break;
		}
		/* Unsigned ages stay right when the count wraps. */
		if (t->evictions - s->when[w] > t->evictions - s->when[way])
			way = w;
	}
	t->held += s->key[way] == 0;
	s->key[way] = key;
	s->when[way] = ++t->evictions;
}

bool ghost_recall(struct ghost_table *t, uint32_t key, uint32_t *distance)
{
	struct ghost_set *s = set_of(t, key);
	for (uint32_t w = 0; w < GHOST_WAYS; w++) {
		if (s->key[w] != key)
			continue;
		s->key[w] = 0;
		t->held--;
		*distance = t->evictions - s->when[w];
		return true;
	}
	return false;
}
