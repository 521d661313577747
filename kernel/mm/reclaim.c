/*
 * Page replacement. Every user frame sits on a ring, a circular list in
 * the order the frames joined it, with a hand at the oldest. Under FIFO
 * and clock every user frame is on the main ring: FIFO evicts the frame
 * at the hand; clock (second chance) first clears and skips frames whose
 * A bit is set in any mapping, fencing each cleared PTE in its space's
 * ASID so the hardware sets A again (PLATFORM.md pitfall 11). Under 2q
 * (a two-queue scheme) the main ring is probation, a FIFO, and pages that
 * came back soon after an eviction (the ghost table, mm/ghost.h) sit on a
 * second ring, the hot ring, with a clock hand of its own (see pick_2q).
 *
 * Eviction by what the frame holds: clean with no swap copy -> PTEs back
 * to 0 (the region recreates it: file bytes or zeroes); clean with a swap
 * copy -> PTEs become swap entries, no write; dirty -> write-protect, write
 * to a slot (sleeping), then swap entries.
 */
#include "mm/reclaim.h"
#include "mm/rmap.h"
#include "mm/vm.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/spinlock.h"
#include "mm/ghost.h"
#include "mm/pagecache.h"
#include "mm/phys.h"
#include "mm/swap.h"
#include "mm/twoq.h"
#include "proc/sleep.h"
#include "riscv/asid.h"

#define LOW_FREE 32      /* keep this many frames free for the kernel's own use */
#define EVICT_TRIES 8    /* victims tried before an allocation gives up */
#define CLEAN_RESERVE 16 /* with swap full, clean frames that are never taken (see evict_one) */

/* A ring of user frames (linked through next/prev), its hand and size. */
struct ring {
	uint32_t hand; /* the oldest frame, FRAME_NONE when empty */
	uint32_t n;
};

static struct ring main_ring, hot_ring; /* hot: 2q only, frames marked FRAME_F_HOT */
static uint32_t nuser, max_user = UINT32_MAX; /* nuser: frames on both rings */
static enum reclaim_policy policy = POLICY_2Q;
static uint32_t credit; /* 2q: looks the hot hand may still take (twoq.h) */
static struct ghost_set ghost_sets[TWOQ_GHOST_SETS_MAX];
static struct ghost_table ghosts;

void reclaim_init(uint32_t max_user_frames, enum reclaim_policy p)
{
	max_user = max_user_frames ? max_user_frames : UINT32_MAX;
	policy = p;
	main_ring = hot_ring = (struct ring){.hand = FRAME_NONE, .n = 0};
	nuser = 0;
	credit = 0;
	uint32_t remember = TWOQ_GHOSTS_PER_FRAME * reclaim_user_frames_max();
	ghost_init(&ghosts, ghost_sets, ghost_sets_for(remember, TWOQ_GHOST_SETS_MAX));
}

const char *reclaim_policy_name(void)
{
	static const char *const names[] = {
		[POLICY_CLOCK] = "clock", [POLICY_FIFO] = "fifo", [POLICY_2Q] = "2q"};
	return names[policy];
}

uint32_t reclaim_user_frames(void)
{
	return nuser;
}

uint32_t reclaim_user_frames_max(void)
{
	return max_user == UINT32_MAX ? frame_count_total() : max_user;
}

/* Insert f into r just behind the hand: the youngest position. Inlined:
 * every fault that maps a new frame comes here. */
static inline __attribute__((always_inline)) void ring_insert(struct ring *r, struct frame *f)
{
	uint32_t i = frame_to_index(f);
	r->n++;
	if (r->hand == FRAME_NONE) {
		f->next = f->prev = r->hand = i;
		return;
	}
	struct frame *h = frame_linked(r->hand), *tail = frame_linked(h->prev);
	f->prev = h->prev;
	f->next = r->hand;
	tail->next = i;
	h->prev = i;
}

static void ring_unlink(struct ring *r, struct frame *f)
{
	uint32_t i = frame_to_index(f);
	if (f->next == i) {
		r->hand = FRAME_NONE;
	} else {
		frame_linked(f->prev)->next = f->next;
		frame_linked(f->next)->prev = f->prev;
		if (r->hand == i)
			r->hand = f->next;
	}
	r->n--;
}

/* The frame at r's hand; the hand moves on to the next. r must not be
 * empty. */
static struct frame *ring_next(struct ring *r)
{
	struct frame *f = frame_linked(r->hand);
	r->hand = f->next;
	return f;
}

static struct ring *ring_of(const struct frame *f)
{
	return (f->flags & FRAME_F_HOT) ? &hot_ring : &main_ring;
}

static bool admit_hot(const struct frame *f);

/* Only 2q remembers evictions: under the others, and under 2q until its
 * first eviction, the ghost table is empty and a new frame costs no
 * look-up. */
void reclaim_ring_add(struct frame *f)
{
	f->flags |= FRAME_F_USER;
	if (ghosts.held != 0 && admit_hot(f)) {
		f->flags |= FRAME_F_HOT;
		ring_insert(&hot_ring, f);
	} else {
		ring_insert(&main_ring, f);
	}
	nuser++;
}

static void ring_remove(struct frame *f)
{
	if (!(f->flags & FRAME_F_USER))
		return;
	ring_unlink(ring_of(f), f);
	f->flags &= ~(FRAME_F_USER | FRAME_F_HOT);
	nuser--;
}

/* Whether r is well linked and holds r->n user frames, each marked HOT
 * exactly when r is the hot ring. */
static bool ring_ok(const struct ring *r)
{
	uint32_t hot = r == &hot_ring ? FRAME_F_HOT : 0, n = 0, i = r->hand;
	while (i != FRAME_NONE && n <= r->n) {
		struct frame *f = frame_at(i);
		if (f == NULL || !(f->flags & FRAME_F_USER) || (f->flags & FRAME_F_HOT) != hot ||
		    frame_at(f->next) == NULL || frame_at(f->next)->prev != i)
			return false;
		n++;
		i = f->next;
		if (i == r->hand)
			break;
	}
	return n == r->n;
}

bool reclaim_ring_ok(void)
{
	return ring_ok(&main_ring) && ring_ok(&hot_ring) && main_ring.n + hot_ring.n == nuser &&
	       (policy == POLICY_2Q || hot_ring.n == 0);
}

/* Give a frame with no mappings back: off the ring, out of the swap cache. */
static void reclaim_free(struct frame *f)
{
	if (f->rmap != 0)
		panic("reclaim: freeing mapped frame 0x%08x", frame_to_pa(f));
	ring_remove(f);
	if (f->slot) {
		swap_cache_clear(f->slot);
		swap_unref(f->slot);
		f->slot = 0;
	}
	f->flags = 0;
	f->refcnt = 1;
	frame_free(frame_to_pa(f));
}

void reclaim_put(struct frame *f)
{
	if (f->refcnt == 0)
		panic("reclaim: put of unmapped frame 0x%08x", frame_to_pa(f));
	if (--f->refcnt > 0)
		return;
	if (!(f->flags & FRAME_F_BUSY))
		reclaim_free(f); /* else the swap I/O in progress frees it */
}

/* BUSY is cleared, and the sleepers woken, under vm_lock: none is missed. */
void reclaim_wait_io(struct frame *f)
{
	spin_assert_held(&vm_lock);
	while (f->flags & FRAME_F_BUSY)
		sleep(f, &vm_lock);
}

static void io_done(struct frame *f)
{
	f->flags &= ~FRAME_F_BUSY;
	wakeup(f);
}

/* The PTE of f's reverse-map entry e. */
static pte_t *pte_of(uint32_t e, const struct frame *f)
{
	pte_t *pte = sv32_walk(rmap_space(e)->root, rmap_va(e), false);
	if (pte == NULL || !pte_valid(pte_load(pte)) || pte_pa(pte_load(pte)) != frame_to_pa(f))
		panic("reclaim: reverse map of 0x%08x is wrong", frame_to_pa(f));
	return pte;
}

bool reclaim_frame_dirty(const struct frame *f)
{
	if (f->flags & FRAME_F_DIRTY)
		return true;
	for (uint32_t e = f->rmap; e; e = rmap_next(e))
		if (pte_load(pte_of(e, f)) & PTE_D)
			return true;
	return false;
}

bool reclaim_clean_mappings(struct frame *f)
{
	bool dirty = false;
	for (uint32_t e = f->rmap; e; e = rmap_next(e)) {
		pte_t *pte = pte_of(e, f);
		if (pte_load(pte) & PTE_D) {
			pte_clear_bits(pte, PTE_D);
			vm_fence_page(rmap_space(e), rmap_va(e));
			dirty = true;
		}
	}
	return dirty;
}

/* Make every mapping of f read-only, so its bytes hold still while they
 * go to swap; fence each in its space's ASID. */
static void write_protect(struct frame *f)
{
	for (uint32_t e = f->rmap; e; e = rmap_next(e)) {
		struct addrspace *as = rmap_space(e);
		pte_t *pte = pte_of(e, f);
		if (pte_load(pte) & PTE_W) {
			pte_clear_bits(pte, PTE_W);
			if (!vm_fence_omitted(VM_OMIT_PROTECT_FENCE))
				vm_fence_page(as, rmap_va(e));
		}
	}
}

/* Replace the entry of f at slot with pte, but only while its D is clear:
 * another hart may still store through it and set D until the entry is
 * gone. False when it did: the page is dirty after all. */
static bool replace_clean(pte_t *slot, pte_t pte)
{
	for (;;) {
		pte_t cur = pte_load(slot);
		if (cur & PTE_D)
			return false;
		if (pte_replace(slot, cur, pte))
			return true;
	}
}

/* Replace every mapping of f with pte (0 or a swap entry); f ends unmapped.
 * With clean set (f was seen clean, and its bytes will not be written)
 * each entry goes only if D is still clear; else false, with f as it was
 * (only a frame with one mapping can be writable, so nothing had changed). */
static bool unmap_all(struct frame *f, pte_t pte, bool clean)
{
	while (f->rmap) {
		struct addrspace *as = rmap_space(f->rmap);
		uint32_t va = rmap_va(f->rmap);
		pte_t *slot = pte_of(f->rmap, f);
		if (!clean)
			pte_store(slot, pte);
		else if (!replace_clean(slot, pte))
			return false;
		if (!vm_fence_omitted(VM_OMIT_EVICT_FENCE))
			vm_fence_page(as, va);
		as->resident--;
		if (pte) {
			swap_ref(pte_swap_slot(pte));
			as->swapped++;
		}
		rmap_remove(f, as, va);
		f->refcnt--;
	}
	return true;
}

/* The frame at the main ring's hand; the hand moves on to the next. The
 * ring must not be empty. (Inline: the clock lab's student tree has no
 * caller until pick_clock is written.) */
static inline struct frame *hand_next(void)
{
	return ring_next(&main_ring);
}

/* Whether f may be evicted now: not under I/O, not pinned by the kernel,
 * and with swap full (clean_only) either clean or a cache page, which
 * goes back to its file, not to swap. */
static bool evictable(const struct frame *f, bool clean_only)
{
	bool cache = f->flags & FRAME_F_CACHE;
	return !(f->flags & FRAME_F_BUSY) && !(cache && pc_pinned(f)) &&
	       !(clean_only && !cache && reclaim_frame_dirty(f));
}

/* The oldest frame of r that can go, its hand moved past it. One lap at
 * most. */
static struct frame *oldest_evictable(struct ring *r, bool clean_only)
{
	for (uint32_t n = 0; r->hand != FRAME_NONE && n < r->n; n++) {
		struct frame *f = ring_next(r);
		if (evictable(f, clean_only))
			return f;
	}
	return NULL;
}

/* FIFO: the oldest frame that can go. */
static struct frame *pick_fifo(bool clean_only)
{
	return oldest_evictable(&main_ring, clean_only);
}

/* lab clock: begin */
/* Clear A in every mapping of f, fencing each in its space's ASID so the
 * hardware sets A again on the next access (PLATFORM.md pitfall 11); true
 * if any had it set. The fence is this hart's only: a hart that still
 * holds the old entry just leaves A clear, so the page looks idle and
 * may go sooner, and its eviction fences every hart. A is a hint. */
static bool test_and_clear_young(struct frame *f)
{
	bool young = f->flags & FRAME_F_YOUNG; /* used through read() or write() */
	f->flags &= ~FRAME_F_YOUNG;
	vm_stats.reclaim_examined++;
	for (uint32_t e = f->rmap; e; e = rmap_next(e)) {
		struct addrspace *as = rmap_space(e);
		pte_t *pte = pte_of(e, f);
		if (pte_load(pte) & PTE_A) {
			pte_clear_bits(pte, PTE_A);
			if (!vm_fence_omitted(VM_OMIT_YOUNG_FENCE))
				asid_flush_page_local(&as->asid, rmap_va(e));
			if (as->gstage) /* guest accesses set no host A: the next one faults and sets it */
				gstage_unmap(as, rmap_va(e), PAGE_SIZE);
			young = true;
		}
	}
	return young;
}

/* Clock (second chance): like FIFO, but a frame used since the hand last
 * passed it (A set in a mapping) loses its A bit and is skipped. Two laps
 * at most: after one, every A bit the hand met is clear. */
static struct frame *pick_clock(bool clean_only)
{
	for (uint32_t n = 0; main_ring.hand != FRAME_NONE && n < 2 * nuser + 1; n++) {
		struct frame *f = hand_next();
		if (!evictable(f, false))
			continue;
		if (test_and_clear_young(f))
			continue;
		if (!evictable(f, clean_only))
			continue;
		return f;
	}
	return NULL;
}
/* lab clock: end */

/*
 * 2q. A page faulted in joins probation, a FIFO whose oldest page is
 * evicted without a look at its A bit: the A bit of a page faulted in
 * lately says only that it was faulted in. A page earns its place by
 * coming back: every eviction is remembered in the ghost table, and a
 * page faulted in that the table remembers (a refault) may enter the hot
 * ring instead (admit_hot). Hot pages leave only for probation, when a
 * newcomer finds one not used since the hot hand last passed, or when
 * probation is below its least size (twoq.h). The hot hand looks at one
 * frame per eviction at most, on average (the credit), so 2q examines
 * fewer frames per eviction than clock: clock looks at every frame it
 * passes, at least the one it evicts.
 */

/* Move hot frame f to probation, the youngest there. */
static void demote(struct frame *f)
{
	ring_unlink(&hot_ring, f);
	f->flags &= ~FRAME_F_HOT;
	ring_insert(&main_ring, f);
}

/* Whether a page back after distance evictions takes a place in the hot
 * ring: yes while the ring has room; else only if it may challenge
 * (twoq.h) and the hot hand, spending credit, meets a page not used since
 * it last passed: that page goes to probation. */
static bool challenge(uint32_t distance)
{
	if (twoq_hot_has_room(hot_ring.n, nuser))
		return true;
	if (!twoq_may_challenge(distance, hot_ring.n))
		return false;
	while (credit > 0 && hot_ring.n > 0) {
		struct frame *h = ring_next(&hot_ring);
		credit--;
		if (test_and_clear_young(h))
			continue;
		demote(h);
		return true;
	}
	return false;
}

/* The ghost key of the page f holds: its block for a cache page, else its
 * swap slot, else its space and address; 0 (none) unless the policy is 2q. */
static uint32_t ghost_key_of(const struct frame *f)
{
	if (policy != POLICY_2Q)
		return 0;
	if (f->flags & FRAME_F_CACHE)
		return ghost_key(GHOST_BLOCK, f->va, 0);
	if (f->slot)
		return ghost_key(GHOST_SLOT, f->slot, 0);
	uint32_t as = f->rmap ? rmap_space(f->rmap)->serial : 0;
	return ghost_key(GHOST_ANON, as, f->va);
}

/* Whether page f, being put on a ring, goes to the hot ring: it is a
 * refault the ghost table remembers, and wins its challenge. Out of line,
 * so that a fault with nothing to look up pays nothing for it. */
static __attribute__((noinline)) bool admit_hot(const struct frame *f)
{
	uint32_t distance;
	if (!ghost_recall(&ghosts, ghost_key_of(f), &distance))
		return false;
	vm_stats.ghost_hits++;
	if (!challenge(distance))
		return false;
	vm_stats.hot_admissions++;
	return true;
}

/* Note that the page of key (from ghost_key_of) has just been evicted. */
static void remember(uint32_t key)
{
	if (key != 0)
		ghost_remember(&ghosts, key);
}

/* 2q: the oldest page of probation that can go, probation first topped up
 * from the hot hand, in turn, to its least size. When nothing there can
 * go (all busy, or dirty with swap full) the hot ring is searched too. */
static struct frame *pick_2q(bool clean_only)
{
	credit = twoq_credit_after_eviction(credit, hot_ring.n);
	while (main_ring.n < twoq_probation_min(nuser) && hot_ring.n > 0)
		demote(ring_next(&hot_ring));
	struct frame *f = oldest_evictable(&main_ring, clean_only);
	return f ? f : oldest_evictable(&hot_ring, clean_only);
}

/* Pick the frame to evict, or NULL. Without room in swap only a clean
 * frame will do. */
static struct frame *pick_victim(bool clean_only)
{
	switch (policy) {
	case POLICY_CLOCK:
		return pick_clock(clean_only);
	case POLICY_2Q:
		return pick_2q(clean_only);
	default:
		return pick_fifo(clean_only);
	}
}

/* Write dirty f to swap and unmap it. May sleep. */
static int evict_dirty(struct frame *f)
{
	uint32_t slot = 0;
	if (f->slot) {
		/* Overwrite the old copy if nothing else refers to it. */
		if (swap_refs(f->slot) == 1)
			slot = f->slot;
		else
			swap_unref(f->slot);
		swap_cache_clear(f->slot);
		f->slot = 0;
	}
	f->flags |= FRAME_F_BUSY;
	write_protect(f);
	int err = swap_write_frame(&slot, f);
	io_done(f);
	if (err) {
		/* The page stays resident (read-only until a store upgrades it). */
		if (f->refcnt == 0)
			reclaim_free(f);
		return err;
	}
	vm_stats.swapouts++;
	vm_stats.evictions++;
	if (policy == POLICY_2Q)
		remember(ghost_key(GHOST_SLOT, slot, 0));
	if (f->refcnt > 0)
		unmap_all(f, pte_swap_make(slot), false); /* write-protected: D holds still */
	swap_unref(slot); /* the write's own reference: now only the PTEs hold it */
	f->flags &= ~FRAME_F_DIRTY;
	reclaim_free(f);
	return 0;
}

/* Unmap cache page f everywhere, fencing each entry: whether a mapping
 * had stored to it. Each entry goes by compare-and-swap, so a D set by
 * another hart at the last moment is seen; a store after the fence
 * faults. */
bool reclaim_unmap_cache(struct frame *f)
{
	bool dirty = false;
	while (f->rmap) {
		struct addrspace *as = rmap_space(f->rmap);
		uint32_t at = rmap_va(f->rmap);
		pte_t *slot = pte_of(f->rmap, f), old;
		do
			old = pte_load(slot);
		while (!pte_replace(slot, old, 0));
		dirty |= (old & PTE_D) != 0;
		if (!vm_fence_omitted(VM_OMIT_EVICT_FENCE))
			vm_fence_page(as, at);
		as->resident--;
		rmap_remove(f, as, at);
		f->refcnt--;
	}
	return dirty;
}

/* Evict page-cache page f: unmapped, written back if dirty, dropped. */
static int evict_cache(struct frame *f)
{
	if (reclaim_unmap_cache(f))
		f->flags |= FRAME_F_DIRTY;
	bool clean = !(f->flags & FRAME_F_DIRTY);
	uint32_t key = ghost_key_of(f);
	int err = pc_evict(f);
	if (err == 0) {
		remember(key);
		vm_stats.evictions++;
		vm_stats.evictions_clean += clean;
	}
	return err;
}

/* Whether a dirty page can go to swap now. */
static bool swap_writable(void)
{
	return swap_on() && swap_free_slots() > 0;
}

/* How many frames of r are clean (evictable with no write), counting up
 * to at most limit. */
static uint32_t count_clean(const struct ring *r, uint32_t limit)
{
	uint32_t clean = 0, i = r->hand;
	for (uint32_t n = 0; i != FRAME_NONE && n < r->n && clean < limit; n++) {
		struct frame *f = frame_linked(i);
		clean += evictable(f, true);
		i = f->next;
	}
	return clean;
}

/* Whether more than CLEAN_RESERVE user frames are clean. Looks at the
 * rings until it knows. */
static bool clean_above_reserve(void)
{
	uint32_t clean = count_clean(&main_ring, CLEAN_RESERVE + 1);
	return clean + count_clean(&hot_ring, CLEAN_RESERVE + 1 - clean) > CLEAN_RESERVE;
}

/* Evict one user frame. 0 when one was freed, else a negative errno.
 * With swap full only clean frames can go, and what is clean is mostly
 * the programs' text, which they fault straight back in: taking the last
 * of it for new anonymous pages is thrashing, not progress, and FIFO
 * (which never sees that a page is in use) would do it for ever. So the
 * last CLEAN_RESERVE clean frames stay, and the allocation fails as out
 * of memory, under every policy. */
static int evict_one(void)
{
	bool can_write = swap_writable();
	if (!can_write && !clean_above_reserve())
		return -ENOMEM;
	struct frame *f = pick_victim(!can_write);
	if (f == NULL)
		return -ENOMEM;
	if (f->flags & FRAME_F_CACHE)
		return evict_cache(f);
	uint32_t key = ghost_key_of(f);
	if (reclaim_frame_dirty(f) || !unmap_all(f, f->slot ? pte_swap_make(f->slot) : 0, true))
		return evict_dirty(f);
	remember(key);
	vm_stats.evictions++;
	vm_stats.evictions_clean++;
	reclaim_free(f);
	return 0;
}

paddr_t reclaim_alloc(void)
{
	int tries = 0;
	for (; tries < EVICT_TRIES && (nuser >= max_user || frame_count_free() < LOW_FREE); tries++)
		if (evict_one() != 0 && (nuser == 0 || !swap_writable()))
			break;
	if (tries > 0)
		vm_check_reclaim_pass();
	if (nuser >= max_user)
		return 0;
	return frame_alloc(0);
}
