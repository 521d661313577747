/*
 * Swap locality: a region's neighbouring pages on neighbouring slots, and
 * read back together. An evicted page takes the slot its neighbours'
 * placement implies (the slot of a neighbour in its aligned run of
 * SWAP_CLUSTER pages, moved by their distance), else its own offset in a
 * fresh cluster; so a region goes out in order whatever order its pages
 * leave in. A major fault then reads the pages after its own whose PTEs
 * name the slots after its own, in the same request, and maps them: a
 * window per space, doubled while major faults come where the last read
 * ended and halved when they do not, as Linux's swap readahead does.
 * Invariant: a page is read ahead only where its own PTE names that very
 * slot, so nothing is ever mapped at a page other than the one swapped out
 * from it. vm_lock held throughout.
 */
#include "mm/readahead.h"
#include "lib/klib.h"
#include "mm/reclaim.h"
#include "mm/rmap.h"
#include "mm/swap_area.h"

/* Free frames a read ahead leaves: twice reclaim.c's low mark, so that a
 * guess never brings on an eviction. */
#define RA_RESERVE 64

static uint32_t window_max = RA_WINDOW_MAX;

void vm_readahead(uint32_t pages)
{
	window_max = pages == 0 || pages > RA_WINDOW_MAX ? RA_WINDOW_MAX : pages;
}

/* The slot a PTE's page holds on the disk: its swap entry's, or the
 * swap-cache slot of the anonymous frame it maps; 0 for none. */
static uint32_t slot_of(pte_t pte)
{
	if (pte_is_swap(pte))
		return pte_swap_slot(pte);
	if (!pte_valid(pte))
		return 0;
	const struct frame *f = frame_of(pte_pa(pte));
	return f && !(f->flags & FRAME_F_CACHE) ? f->slot : 0;
}

/* The slot page index `near` of r implies for page index `page`, from the
 * PTE of `near` (ptes[near - first]); 0 when it implies none. */
static uint32_t implied(const struct vm_region *r, const pte_t *ptes, uint32_t first,
			uint32_t near, uint32_t page)
{
	uint32_t va = near << PAGE_SHIFT;
	if (va < r->start || va >= r->end)
		return 0;
	uint32_t slot = slot_of(pte_load(&ptes[near - first]));
	if (slot == 0 || (near > page && slot <= near - page))
		return 0;
	return slot + page - near;
}

struct swap_place ra_place(const struct frame *f)
{
	uint32_t page = f->va >> PAGE_SHIFT;
	struct swap_place at = { 0, page % SWAP_CLUSTER };
	if (f->rmap == 0 || (f->flags & FRAME_F_CACHE))
		return at;
	struct addrspace *as = rmap_space(f->rmap);
	const struct vm_region *r = vm_find(as, f->va);
	uint32_t first = page - at.offset;
	/* An aligned run of SWAP_CLUSTER pages never crosses a level-0 table. */
	const pte_t *ptes = r ? sv32_walk(as->root, first << PAGE_SHIFT, false) : NULL;
	for (uint32_t d = 1; ptes && d < SWAP_CLUSTER && at.want == 0; d++) {
		if (at.offset >= d)
			at.want = implied(r, ptes, first, page - d, page);
		if (at.want == 0 && at.offset + d < SWAP_CLUSTER)
			at.want = implied(r, ptes, first, page + d, page);
	}
	return at;
}

/* The next window of as for a major fault at page: doubled when the fault
 * comes where the last read ended, halved otherwise. */
static uint32_t next_window(struct addrspace *as, uint32_t page)
{
	uint32_t win = as->ra_window ? as->ra_window : 1;
	win = page == as->ra_next ? MIN(2 * win, window_max) : MAX(win / 2, 1u);
	as->ra_window = win;
	return win;
}

/* Frames that are free beyond the reserve and under the user-frame cap,
 * the fault's own (taken, not yet on the ring) counted. With memory full,
 * as it is while a process swaps, the first test says no. */
static uint32_t frames_spare(void)
{
	uint32_t users = reclaim_user_frames() + 1, max = reclaim_user_frames_max();
	if (users >= max)
		return 0;
	uint32_t free = frame_count_free();
	return free > RA_RESERVE ? MIN(free - RA_RESERVE, max - users) : 0;
}

/* How many pages after page, at most max, follow it on the disk: each in
 * r, its PTE the swap entry of the slot after the previous one's, that
 * slot in no frame. Not inlined: most faults never get here, and its
 * registers would make every ra_plan save them. */
static __attribute__((noinline)) uint32_t run_after(struct addrspace *as, const struct vm_region *r, uint32_t page,
			  uint32_t slot, uint32_t max)
{
	uint32_t n = 0;
	pte_t *pte = NULL;
	for (uint32_t va = page + PAGE_SIZE; n < max && va < r->end; va += PAGE_SIZE, n++) {
		bool same_table = pte && va % SV32_MEGAPAGE_SIZE != 0;
		pte = same_table ? pte + 1 : sv32_walk(as->root, va, false);
		uint32_t next = slot + n + 1;
		if (pte == NULL || pte_load(pte) != pte_swap_make(next) || swap_cache_lookup(next))
			break;
	}
	return n;
}

uint32_t ra_plan(struct addrspace *as, const struct vm_region *r, uint32_t page, uint32_t slot)
{
	uint32_t win = next_window(as, page), n = 0;
	uint32_t room = win > 1 ? frames_spare() : 0;
	if (room > 0)
		n = run_after(as, r, page, slot, MIN(win - 1, room));
	as->ra_next = page + (n + 1) * PAGE_SIZE;
	return n;
}

void ra_failed(struct addrspace *as)
{
	as->ra_window = 1;
	as->ra_next = 0;
}
