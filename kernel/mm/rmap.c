/*
 * Reverse maps: for each user frame, the (address space, virtual address)
 * pairs that map it. An anonymous page is mapped at one address in every
 * space (it is shared only by fork); a page-cache page can be mapped at any
 * address, and twice in one space. Entries live in a pool of pages
 * allocated at boot, two entries per frame of RAM; when it runs out, fork
 * and faults fail with ENOMEM.
 */
#include "mm/rmap.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/phys.h"

struct rmap_entry *rmap_pool_pages[RMAP_MAX_POOL_PAGES];
uint32_t rmap_pool_size;
uint32_t rmap_free_head; /* freed entries; entry 0 is never used: it means "none" */
uint32_t rmap_never_used = 1; /* entries from here on have never been handed out */

int rmap_init(uint32_t entries)
{
	uint32_t pages = MIN((entries + RMAP_ENTRIES_PER_PAGE - 1) / RMAP_ENTRIES_PER_PAGE,
			     (uint32_t)RMAP_MAX_POOL_PAGES);
	for (uint32_t p = 0; p < pages; p++) {
		paddr_t pa = frame_alloc(0);
		if (pa == 0)
			return -ENOMEM;
		rmap_pool_pages[p] = pa2kva(pa);
	}
	rmap_pool_size = pages * RMAP_ENTRIES_PER_PAGE;
	rmap_free_head = 0;
	rmap_never_used = 1;
	return 0;
}

void rmap_missing(const struct frame *f, uint32_t va)
{
	panic("rmap: frame 0x%08x is not mapped by that space at 0x%08x", frame_to_pa(f), va);
}

