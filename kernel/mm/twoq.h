/*
 * The sizing rules of replacement policy 2q, shared by the kernel
 * (mm/reclaim.c, which has the whole policy) and the host simulator
 * (tools/bench/replsim.c), so that both decide alike. A page enters
 * probation, a FIFO queue; it reaches the hot ring, a clock, only by
 * coming back soon after an eviction (the ghost table, mm/ghost.h), and
 * then only while the hot ring has room or if the hot hand finds a page
 * there that is not in use.
 */
#ifndef MM_TWOQ_H
#define MM_TWOQ_H

#include "lib/types.h"

#define TWOQ_PROBATION_SHARE  32   /* probation keeps at least 1/32 of the user frames */
#define TWOQ_GHOSTS_PER_FRAME 2	   /* the ghost table remembers twice as many pages as fit */
#define TWOQ_GHOST_SETS_MAX   1024 /* ... but 4096 at most (32 KiB of sets) */

/* The least size of probation for nuser user frames. */
static inline uint32_t twoq_probation_min(uint32_t nuser)
{
	uint32_t n = nuser / TWOQ_PROBATION_SHARE;
	return n ? n : 1;
}

/* Whether a page may join a hot ring of nhot pages without pushing one out. */
static inline bool twoq_hot_has_room(uint32_t nhot, uint32_t nuser)
{
	return nhot + twoq_probation_min(nuser) < nuser;
}

/* The hot hand's scan credit after one more eviction: one look per
 * eviction, saved up to half a lap of the ring. So a lap takes at least
 * nhot / 2 evictions, and a hot page the hand finds unused has been
 * unused for at least that long. */
static inline uint32_t twoq_credit_after_eviction(uint32_t credit, uint32_t nhot)
{
	return credit < nhot / 2 ? credit + 1 : nhot / 2;
}

/* Whether a page back after distance evictions may push a hot page out:
 * only if it came back sooner than any hot page the hand can find unused
 * has been unused (twoq_credit_after_eviction). */
static inline bool twoq_may_challenge(uint32_t distance, uint32_t nhot)
{
	return distance < nhot / 2;
}

#endif
