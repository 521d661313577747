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

struct rmap_entry {
	struct addrspace *as;
	uint32_t va;
	uint32_t next; /* index of the next entry; 0 ends the chain */
};

#define ENTRIES_PER_PAGE (PAGE_SIZE / sizeof(struct rmap_entry))
#define MAX_POOL_PAGES 2048

static struct rmap_entry *pool_pages[MAX_POOL_PAGES];
static uint32_t pool_size;
static uint32_t free_head; /* freed entries; entry 0 is never used: it means "none" */
static uint32_t never_used = 1; /* entries from here on have never been handed out */

static struct rmap_entry *entry(uint32_t i)
{
	return &pool_pages[i / ENTRIES_PER_PAGE][i % ENTRIES_PER_PAGE];
}

int rmap_init(uint32_t entries)
{
	uint32_t pages = MIN((entries + ENTRIES_PER_PAGE - 1) / ENTRIES_PER_PAGE,
			     (uint32_t)MAX_POOL_PAGES);
	for (uint32_t p = 0; p < pages; p++) {
		paddr_t pa = frame_alloc(0);
		if (pa == 0)
			return -ENOMEM;
		pool_pages[p] = pa2kva(pa);
	}
	pool_size = pages * ENTRIES_PER_PAGE;
	free_head = 0;
	never_used = 1;
	return 0;
}

int rmap_add(struct frame *f, struct addrspace *as, uint32_t va)
{
	/* Freed entries first, then ones never used: the pool needs no
	 * free list built at boot. */
	uint32_t i = free_head;
	if (i != 0)
		free_head = entry(i)->next;
	else if (never_used < pool_size)
		i = never_used++;
	else
		return -ENOMEM;
	entry(i)->as = as;
	entry(i)->va = va;
	entry(i)->next = f->rmap;
	f->rmap = i;
	return 0;
}

void rmap_remove(struct frame *f, struct addrspace *as, uint32_t va)
{
	for (uint32_t *link = &f->rmap; *link; link = &entry(*link)->next) {
		uint32_t i = *link;
		if (entry(i)->as != as || entry(i)->va != va)
			continue;
		*link = entry(i)->next;
		entry(i)->as = NULL;
		entry(i)->next = free_head;
		free_head = i;
		return;
	}
	panic("rmap: frame 0x%08x is not mapped by that space at 0x%08x", frame_to_pa(f), va);
}

uint32_t rmap_next(uint32_t i)
{
	return entry(i)->next;
}

struct addrspace *rmap_space(uint32_t i)
{
	return entry(i)->as;
}

uint32_t rmap_va(uint32_t i)
{
	return entry(i)->va;
}
