/*
 * Reverse maps, inside mm/: for each user frame, the (space, virtual
 * address) pairs that map it; entries come from a pool made at boot. An
 * anonymous frame's entries all have its va; a page-cache frame's may
 * differ.
 */
#ifndef MM_RMAP_H
#define MM_RMAP_H

#include "lib/kerrno.h"
#include "mm/frame.h"

struct addrspace;

/* Make the pool: room for entries mappings. 0 or -ENOMEM. */
int rmap_init(uint32_t entries);

/* The pool (rmap.c), here so that add and remove below are inline: fork
 * and teardown call them for every page, and a call each cost
 * fork_exit_wait_4m some 10 instructions a page (make profile). */
struct rmap_entry {
	struct addrspace *as;
	uint32_t va;
	uint32_t next;   /* index of the next entry; 0 ends the chain */
	uint32_t unused; /* 16 bytes: a page holds a power of two of them, so
			  * finding entry i takes shifts, not a division */
};
#define RMAP_ENTRIES_PER_PAGE (PAGE_SIZE / sizeof(struct rmap_entry))
#define RMAP_MAX_POOL_PAGES 2048
extern struct rmap_entry *rmap_pool_pages[RMAP_MAX_POOL_PAGES];
extern uint32_t rmap_pool_size;
extern uint32_t rmap_free_head;  /* freed entries; entry 0 is never used: it means "none" */
extern uint32_t rmap_never_used; /* entries from here on have never been handed out */

static inline struct rmap_entry *rmap_entry(uint32_t i)
{
	return &rmap_pool_pages[i / RMAP_ENTRIES_PER_PAGE][i % RMAP_ENTRIES_PER_PAGE];
}

/* Record that as maps f at va. 0, or -ENOMEM when the pool is used up.
 * Freed entries first, then ones never used: the pool needs no free list
 * built at boot. */
static inline int rmap_add(struct frame *f, struct addrspace *as, uint32_t va)
{
	uint32_t i = rmap_free_head;
	if (i != 0)
		rmap_free_head = rmap_entry(i)->next;
	else if (rmap_never_used < rmap_pool_size)
		i = rmap_never_used++;
	else
		return -ENOMEM;
	struct rmap_entry *e = rmap_entry(i);
	*e = (struct rmap_entry){ .as = as, .va = va, .next = f->rmap };
	f->rmap = i;
	return 0;
}

/* A kernel bug: f has no mapping by that space at va. Panics. */
void rmap_missing(const struct frame *f, uint32_t va) __attribute__((noreturn));

/* Forget as's mapping of f at va; panics if there is none. */
static inline void rmap_remove(struct frame *f, struct addrspace *as, uint32_t va)
{
	for (uint32_t *link = &f->rmap; *link;) {
		uint32_t i = *link;
		struct rmap_entry *e = rmap_entry(i);
		if (e->as == as && e->va == va) {
			*link = e->next;
			e->as = NULL;
			e->next = rmap_free_head;
			rmap_free_head = i;
			return;
		}
		link = &e->next;
	}
	rmap_missing(f, va);
}
/* Walk f's mappings: for (e = f->rmap; e; e = rmap_next(e)) rmap_space(e),
 * rmap_va(e). */
static inline uint32_t rmap_next(uint32_t entry)
{
	return rmap_entry(entry)->next;
}

static inline struct addrspace *rmap_space(uint32_t entry)
{
	return rmap_entry(entry)->as;
}

static inline uint32_t rmap_va(uint32_t entry)
{
	return rmap_entry(entry)->va;
}

#endif
