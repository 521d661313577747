/*
 * Page replacement. Every user frame sits on one ring in the order it was
 * first mapped; the hand points at the oldest. FIFO evicts the frame at
 * the hand; clock (second chance) first clears and skips frames whose A
 * bit is set in any mapping, fencing each cleared PTE in its space's ASID
 * so the hardware sets A again (PLATFORM.md pitfall 11).
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
#include "mm/pagecache.h"
#include "mm/phys.h"
#include "mm/swap.h"
#include "proc/sleep.h"
#include "riscv/asid.h"

#define LOW_FREE 32      /* keep this many frames free for the kernel's own use */
#define EVICT_TRIES 8    /* victims tried before an allocation gives up */
#define CLEAN_RESERVE 16 /* with swap full, clean frames that are never taken (see evict_one) */

static uint32_t hand = FRAME_NONE;
static uint32_t nuser, max_user = UINT32_MAX;
static enum reclaim_policy policy = POLICY_CLOCK;

void reclaim_init(uint32_t max_user_frames, enum reclaim_policy p)
{
	max_user = max_user_frames ? max_user_frames : UINT32_MAX;
	policy = p;
	hand = FRAME_NONE;
	nuser = 0;
}

const char *reclaim_policy_name(void)
{
	return policy == POLICY_FIFO ? "fifo" : "clock";
}

uint32_t reclaim_user_frames(void)
{
	return nuser;
}

uint32_t reclaim_user_frames_max(void)
{
	return max_user == UINT32_MAX ? frame_count_total() : max_user;
}

/* Insert f just behind the hand: the youngest position. */
void reclaim_ring_add(struct frame *f)
{
	uint32_t i = frame_to_index(f);
	f->flags |= FRAME_F_USER;
	nuser++;
	if (hand == FRAME_NONE) {
		f->next = f->prev = hand = i;
		return;
	}
	struct frame *h = frame_at(hand), *tail = frame_at(h->prev);
	f->prev = h->prev;
	f->next = hand;
	tail->next = i;
	h->prev = i;
}

static void ring_remove(struct frame *f)
{
	if (!(f->flags & FRAME_F_USER))
		return;
	uint32_t i = frame_to_index(f);
	if (f->next == i) {
		hand = FRAME_NONE;
	} else {
		frame_at(f->prev)->next = f->next;
		frame_at(f->next)->prev = f->prev;
		if (hand == i)
			hand = f->next;
	}
	f->flags &= ~FRAME_F_USER;
	nuser--;
}

bool reclaim_ring_ok(void)
{
	uint32_t n = 0, i = hand;
	while (i != FRAME_NONE && n <= nuser) {
		struct frame *f = frame_at(i);
		if (f == NULL || !(f->flags & FRAME_F_USER) || frame_at(f->next) == NULL ||
		    frame_at(f->next)->prev != i)
			return false;
		n++;
		i = f->next;
		if (i == hand)
			break;
	}
	return n == nuser;
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
			asid_flush_page(&rmap_space(e)->asid, rmap_va(e));
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
				asid_flush_page(&as->asid, rmap_va(e));
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
			asid_flush_page(&as->asid, va);
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

/* The frame at the hand; the hand moves on to the next. The ring must
 * not be empty. */
static struct frame *hand_next(void)
{
	struct frame *f = frame_at(hand);
	hand = f->next;
	return f;
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

/* FIFO: the oldest frame that can go. One lap of the ring at most. */
static struct frame *pick_fifo(bool clean_only)
{
	for (uint32_t n = 0; hand != FRAME_NONE && n < nuser + 1; n++) {
		struct frame *f = hand_next();
		if (evictable(f, clean_only))
			return f;
	}
	return NULL;
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
	for (uint32_t e = f->rmap; e; e = rmap_next(e)) {
		struct addrspace *as = rmap_space(e);
		pte_t *pte = pte_of(e, f);
		if (pte_load(pte) & PTE_A) {
			pte_clear_bits(pte, PTE_A);
			if (!vm_fence_omitted(VM_OMIT_YOUNG_FENCE))
				asid_flush_page_local(&as->asid, rmap_va(e));
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
	for (uint32_t n = 0; hand != FRAME_NONE && n < 2 * nuser + 1; n++) {
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

/* Pick the frame to evict, or NULL. Without room in swap only a clean
 * frame will do. */
static struct frame *pick_victim(bool clean_only)
{
	return policy == POLICY_CLOCK ? pick_clock(clean_only) : pick_fifo(clean_only);
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
			asid_flush_page(&as->asid, at);
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
	int err = pc_evict(f);
	if (err == 0) {
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

/* Whether more than CLEAN_RESERVE user frames are clean (evictable with
 * no write). Looks at the ring until it knows. */
static bool clean_above_reserve(void)
{
	uint32_t clean = 0, i = hand;
	for (uint32_t n = 0; i != FRAME_NONE && n < nuser; n++) {
		struct frame *f = frame_at(i);
		if (evictable(f, true) && ++clean > CLEAN_RESERVE)
			return true;
		i = f->next;
	}
	return false;
}

/* Evict one user frame. 0 when one was freed, else a negative errno.
 * With swap full only clean frames can go, and what is clean is mostly
 * the programs' text, which they fault straight back in: taking the last
 * of it for new anonymous pages is thrashing, not progress, and FIFO
 * (which never sees that a page is in use) would do it for ever. So the
 * last CLEAN_RESERVE clean frames stay, and the allocation fails as out
 * of memory, under either policy. */
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
	if (reclaim_frame_dirty(f) || !unmap_all(f, f->slot ? pte_swap_make(f->slot) : 0, true))
		return evict_dirty(f);
	vm_stats.evictions++;
	vm_stats.evictions_clean++;
	reclaim_free(f);
	return 0;
}

paddr_t reclaim_alloc(void)
{
	int tries = 0;
	for (; tries < EVICT_TRIES && (nuser >= max_user || frame_count_free() < LOW_FREE); tries++)
		if (evict_one() != 0 && (hand == FRAME_NONE || !swap_writable()))
			break;
	if (tries > 0)
		vm_check_reclaim_pass();
	if (nuser >= max_user)
		return 0;
	return frame_alloc(0);
}
