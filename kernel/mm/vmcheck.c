/*
 * The consistency checker: the memory manager's books held against its
 * page tables, for tests (the vmcheck system call) and for vm.check=1
 * (after every reclaim pass). What must hold, with vm_lock held:
 *
 *   user PTEs   a present one maps a user frame in use, at the frame's va,
 *               and is writable only if nothing else shares the frame or
 *               its swap slot (copy-on-write); a swap entry names a slot
 *               in use; nothing is set outside a table's used range; each
 *               space's resident and swapped counters match its PTEs.
 *   user frames each is on one replacement ring (2q's hot ring exactly
 *               when marked FRAME_F_HOT); its reference count is
 *               the length of its reverse map, whose entries name distinct
 *               live spaces that map it; a swap-cache slot names it back.
 *               As many reverse-map entries as present PTEs in all.
 *   swap slots  a slot's count is the swap entries naming it plus one for
 *               its swap-cache frame, and one more while its page is
 *               being written (swap I/O runs with vm_lock dropped).
 *   free frames as many as the allocator counts, and none mapped.
 *
 * Swap entries are counted per slot in windows of a static table, one
 * pass over every PTE per window of slots in use: no allocation, so it
 * can run when memory is shortest. Debug aid, not a hot path.
 */
#include "mm/vm.h"
#include "lib/klib.h"
#include "mm/frame.h"
#include "mm/pagecache.h"
#include "mm/phys.h"
#include "mm/reclaim.h"
#include "mm/rmap.h"
#include "mm/swap.h"

#define WINDOW 2048     /* slots counted per pass */
#define SHOWN_MAX 8     /* problems printed; the rest are only counted */

struct check {
	uint32_t problems;
	uint32_t ptes;    /* present user PTEs seen */
	uint32_t rmaps;   /* reverse-map entries of user frames */
	uint32_t writing; /* user frames being written to swap */
	uint32_t base;    /* the window of slots counted: [base, base + WINDOW) */
};

static uint16_t counts[WINDOW]; /* [vm_lock] swap entries per slot of the window */
static uint32_t visit;          /* [vm_lock] marks a space as seen in one reverse map */
static bool after_reclaim;

/* Count a problem; print the first SHOWN_MAX. */
#define problem(c, fmt, ...)                                                 \
	do {                                                                 \
		if ((c)->problems++ < SHOWN_MAX)                             \
			kprintf("vmcheck: " fmt "\n", __VA_ARGS__);          \
	} while (0)

static bool slot_in_range(uint32_t slot)
{
	return slot >= 1 && slot < swap_slots_end();
}

/* A present PTE of as at va. */
static void check_present(struct check *c, struct addrspace *as, uint32_t va, pte_t pte)
{
	const struct frame *f = frame_of(pte_pa(pte));
	c->ptes++;
	if (f == NULL || f->state != FRAME_USED || !(f->flags & FRAME_F_USER)) {
		problem(c, "pid %d va 0x%08x maps %s frame 0x%08x", as->pid, va,
			f == NULL ? "a non-RAM" : f->state == FRAME_FREE ? "a free" : "a non-user",
			pte_pa(pte));
		return;
	}
	/* R, W and X may all be clear: PROT_NONE keeps the page, and the
	 * hardware faults on such an entry at level 0. W needs R. */
	if (!(pte & PTE_U) || (pte & (PTE_R | PTE_W)) == PTE_W)
		problem(c, "pid %d va 0x%08x: PTE 0x%08x is not U, or W without R", as->pid, va,
			pte);
	if (f->flags & FRAME_F_CACHE)
		return; /* mapped anywhere, writable in shared mappings: check_user_frame */
	if (f->va != va)
		problem(c, "pid %d va 0x%08x maps the frame of va 0x%08x", as->pid, va, f->va);
	/* Stated here, not with mmap.c's reprotect predicate: a bug there
	 * must not hide from the check. */
	if ((pte & PTE_W) && (f->refcnt > 1 || (f->slot && slot_in_range(f->slot) &&
						 swap_refs(f->slot) > 1)))
		problem(c, "pid %d va 0x%08x is writable but shared (frame refs %u, slot %u)",
			as->pid, va, f->refcnt, f->slot);
}

/* A swap entry of as at va. */
static void check_swap_entry(struct check *c, const struct addrspace *as, uint32_t va,
			     pte_t pte)
{
	uint32_t slot = pte_swap_slot(pte);
	if (!slot_in_range(slot) || swap_refs(slot) == 0)
		problem(c, "pid %d va 0x%08x names swap slot %u, which is not in use", as->pid,
			va, slot);
}

/* One pass over as's user PTEs: the full check on the first (c->base 1),
 * then only the counting of swap entries in the window. */
/* The level-0 table that root entry i (pte1, not 0) of as links, or NULL
 * with a problem reported if it links none. Fork and teardown visit only
 * the tables marked in as->tables, so the entry must be marked. */
static const struct frame *root_entry_table(struct check *c, const struct addrspace *as,
					    uint32_t i, pte_t pte1)
{
	bool full = c->base == 1;
	if (full && !(as->tables[i / 32] & (1u << (i % 32))))
		problem(c, "pid %d root entry %u links a table not marked in its bitmap", as->pid, i);
	const struct frame *t = frame_of(pte_pa(pte1));
	if (!pte_valid(pte1) || pte_leaf(pte1) || t == NULL || t->state != FRAME_USED ||
	    (t->flags & FRAME_F_USER)) {
		if (full)
			problem(c, "pid %d root entry %u: 0x%08x is not a page table", as->pid, i,
				pte1);
		return NULL;
	}
	return t;
}

static void walk_space(struct check *c, struct addrspace *as)
{
	uint32_t resident = 0, swapped = 0;
	bool full = c->base == 1;
	for (uint32_t i = 0; i < sv32_vpn1(USER_TOP); i++) {
		pte_t pte1 = pte_load(&as->root[i]);
		const struct frame *t = pte1 ? root_entry_table(c, as, i, pte1) : NULL;
		if (t == NULL)
			continue;
		const pte_t *ptes = pa2kva(pte_pa(pte1));
		for (uint32_t j = 0; j < SV32_PTES; j++) {
			pte_t pte = pte_load(&ptes[j]);
			uint32_t va = (i << SV32_VPN1_SHIFT) | (j << PAGE_SHIFT);
			if (pte == 0)
				continue;
			if (full && (j < t->used.lo || j >= t->used.hi))
				problem(c, "pid %d va 0x%08x is set outside its table's used range",
					as->pid, va);
			if (pte_valid(pte)) {
				resident++;
				if (full)
					check_present(c, as, va, pte);
			} else if (pte_is_swap(pte)) {
				uint32_t k = pte_swap_slot(pte) - c->base;
				swapped++;
				if (k < WINDOW)
					counts[k]++;
				if (full)
					check_swap_entry(c, as, va, pte);
			} else if (full) {
				problem(c, "pid %d va 0x%08x: PTE 0x%08x is neither present nor swap",
					as->pid, va, pte);
			}
		}
	}
	if (full && (resident != as->resident || swapped != as->swapped))
		problem(c, "pid %d counts %u resident and %u swapped, its PTEs %u and %u", as->pid,
			as->resident, as->swapped, resident, swapped);
}

static void walk_spaces(struct check *c)
{
	memset(counts, 0, sizeof(counts));
	for (struct addrspace *as = vm_space_first(); as; as = vm_space_next(as))
		walk_space(c, as);
}

/* A user frame against its reverse map and swap-cache slot. */
static void check_user_frame(struct check *c, struct frame *f)
{
	paddr_t pa = frame_to_pa(f);
	uint32_t n = 0;
	bool cache = f->flags & FRAME_F_CACHE;
	if (++visit == 0) /* 0 is every space's mark before its first visit */
		visit = 1;
	for (uint32_t e = f->rmap; e; e = rmap_next(e), n++) {
		struct addrspace *as = rmap_space(e);
		if (!vm_space_live(as)) {
			problem(c, "frame 0x%08x: reverse map names a dead space", pa);
			return;
		}
		/* An anonymous page: each space once, at its va. */
		if (!cache && (as->check_mark == visit || rmap_va(e) != f->va)) {
			problem(c, "frame 0x%08x: pid %d twice in its reverse map, or not at 0x%08x",
				pa, as->pid, f->va);
			return;
		}
		as->check_mark = visit;
		pte_t *pte = sv32_walk(as->root, rmap_va(e), false);
		if (pte == NULL || !pte_valid(pte_load(pte)) || pte_pa(pte_load(pte)) != pa)
			problem(c, "frame 0x%08x: pid %d does not map it at 0x%08x", pa, as->pid,
				rmap_va(e));
	}
	c->rmaps += n;
	/* A cache page: one reference for the cache, and pins for kernel copies. */
	if (cache ? f->refcnt < n + 1 || !pc_frame_ok(f) || f->slot != 0 : f->refcnt != n)
		problem(c, "frame 0x%08x has %u references and %u mappings%s", pa, f->refcnt, n,
			cache ? ", or is not the cached page of its block" : "");
	if ((f->flags & FRAME_F_BUSY) && f->slot == 0 && !cache)
		c->writing++;
}

/* A frame that holds swap slot f->slot (the swap cache) must be its
 * cache entry. */
static void check_cached(struct check *c, struct frame *f)
{
	if (!slot_in_range(f->slot) || swap_cache_lookup(f->slot) != f || swap_refs(f->slot) == 0)
		problem(c, "frame 0x%08x holds slot %u, whose swap-cache entry is not it",
			frame_to_pa(f), f->slot);
}

static void check_frames(struct check *c)
{
	uint32_t user = 0, cached = 0;
	struct frame *end = frame_table + frame_table_len;
	for (struct frame *f = frame_table; f < end; f++) {
		if (f->state != FRAME_USED || !(f->flags & (FRAME_F_USER | FRAME_F_BUSY)))
			continue;
		if (f->flags & FRAME_F_USER) {
			user++;
			cached += (f->flags & FRAME_F_CACHE) != 0;
			check_user_frame(c, f);
			if (f->slot)
				check_cached(c, f);
		} else if (f->slot == 0 || f->rmap != 0) {
			/* Busy and not a user page: only a page being read in from
			 * swap, which is in the swap cache and not yet mapped. */
			problem(c, "frame 0x%08x is busy but neither being read nor written",
				frame_to_pa(f));
		} else {
			check_cached(c, f);
		}
	}
	if (user != reclaim_user_frames() || !reclaim_ring_ok())
		problem(c, "%u user frames, the ring counts %u or is broken", user,
			reclaim_user_frames());
	if (cached != pc_count())
		problem(c, "%u page-cache frames, the cache counts %u", cached, pc_count());
	if (c->rmaps != c->ptes)
		problem(c, "%u reverse-map entries for %u present PTEs", c->rmaps, c->ptes);
	if (!frame_free_list_ok())
		problem(c, "the free list does not match the %s", "frames marked free");
}

/* The slots of the window [c->base, c->base + WINDOW), counted. Up to
 * c->writing of them may hold one extra reference: a write's own. */
static void check_window(struct check *c, uint32_t end)
{
	for (uint32_t slot = c->base; slot < end && slot < c->base + WINDOW; slot++) {
		uint32_t refs = swap_refs(slot);
		const struct frame *f = swap_cache_lookup(slot);
		uint32_t want = counts[slot - c->base] + (f ? 1 : 0);
		if (refs == 0 && f == NULL)
			continue; /* free: any swap entry naming it was shown above */
		if (refs == 0)
			problem(c, "free slot %u is in the swap cache", slot);
		else if (refs == want + 1 && c->writing > 0)
			c->writing--;
		else if (refs != want)
			problem(c, "slot %u has %u references, %u swap entries%s", slot, refs,
				counts[slot - c->base], f ? " and a swap-cache frame" : "");
	}
}

/* The last slot in use, plus one. */
static uint32_t slots_in_use_end(void)
{
	for (uint32_t slot = swap_slots_end() - 1; slot >= 1; slot--)
		if (swap_refs(slot) || swap_cache_lookup(slot))
			return slot + 1;
	return 1;
}

uint32_t vm_check_locked(void)
{
	spin_assert_held(&vm_lock);
	struct check c = { .base = 1 };
	walk_spaces(&c);
	check_frames(&c);
	uint32_t end = slots_in_use_end();
	check_window(&c, end);
	for (c.base = 1 + WINDOW; c.base < end; c.base += WINDOW) {
		walk_spaces(&c);
		check_window(&c, end);
	}
	if (c.problems > SHOWN_MAX)
		kprintf("vmcheck: ... %u problems in all\n", c.problems);
	vm_stats.checks++;
	return c.problems;
}

uint32_t vm_check(void)
{
	spin_lock(&vm_lock);
	uint32_t n = vm_check_locked();
	spin_unlock(&vm_lock);
	return n;
}

void vm_check_after_reclaim(bool on)
{
	after_reclaim = on;
}

void vm_check_reclaim_pass(void)
{
	if (!after_reclaim)
		return;
	uint32_t n = vm_check_locked();
	if (n)
		panic("vmcheck: %u problems after a reclaim pass", n);
}
