/*
 * The random stream of the host TLB-model tests (test_tlb_model,
 * test_smp_model): xorshift64*, the same sequence on every host for a
 * seed. The model draws its victims and speculative walks from it too
 * (tlb_model_config.random), so a seed replays a whole run. Each test
 * file has its own state; it sets rng_state to the seed.
 */
#ifndef TESTS_UNIT_MODEL_RNG_H
#define TESTS_UNIT_MODEL_RNG_H

#include <stdint.h>

static uint64_t rng_state;

/* A choice in [0, n). */
static inline uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Dull) >> 32) % n;
}

/* An index in [0, n) drawn with the relative weights weight[0 .. n-1]. */
static inline int rnd_weighted(const unsigned weight[], int n)
{
	unsigned total = 0;
	for (int i = 0; i < n; i++)
		total += weight[i];
	unsigned r = rnd(total);
	int i = 0;
	while (r >= weight[i])
		r -= weight[i++];
	return i;
}

#endif
