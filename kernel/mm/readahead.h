/*
 * Swap locality, inside mm/: neighbouring pages of a region go to
 * neighbouring swap slots, and a major fault reads the neighbours after
 * its page in the same disk request (readahead). vm_lock held throughout.
 */
#ifndef MM_READAHEAD_H
#define MM_READAHEAD_H

#include "mm/frame.h"
#include "mm/swap.h"
#include "mm/vm.h"

#define RA_WINDOW_MAX SWAP_READ_MAX /* pages one major fault may read, its own included */

/* Where a page's new slot should go (swap_area_alloc_near): want, the
 * slot its neighbours' placement implies (0 for none), and offset, the
 * page's place in its aligned run of SWAP_CLUSTER pages. */
struct swap_place {
	uint32_t want;
	uint32_t offset;
};

/* Where dirty user frame f, about to be written to a new slot, should go:
 * next to a neighbour's slot in its aligned run of SWAP_CLUSTER pages, in
 * the same region of the space of its first mapping (swap_area_alloc_near). */
struct swap_place ra_place(const struct frame *f);

/*
 * A major fault of as at page, whose PTE names slot in region r, is about
 * to read it: grow the space's window if the fault follows where the last
 * read ended (sequential), else shrink it, and return how many pages after
 * page to read with it. Each lies in r, its PTE names the slot after the
 * previous one's, and that slot is in no frame yet; they fit the window
 * (less the fault's own page) and the frames that are free now, beyond
 * the one the fault took and a reserve kept from the low mark, so a read
 * ahead never makes anything be evicted.
 */
uint32_t ra_plan(struct addrspace *as, const struct vm_region *r, uint32_t page, uint32_t slot);

/* The read planned for a fault of as failed: the next try reads the
 * fault's page alone (a bad sector may be a neighbour's). */
void ra_failed(struct addrspace *as);

#endif
