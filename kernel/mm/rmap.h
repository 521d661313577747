/*
 * Reverse maps, inside mm/: for each user frame, the (space, virtual
 * address) pairs that map it; entries come from a pool made at boot. An
 * anonymous frame's entries all have its va; a page-cache frame's may
 * differ.
 */
#ifndef MM_RMAP_H
#define MM_RMAP_H

#include "mm/frame.h"

struct addrspace;

/* Make the pool: room for entries mappings. 0 or -ENOMEM. */
int rmap_init(uint32_t entries);
/* Record that as maps f at va. 0, or -ENOMEM when the pool is used up. */
int rmap_add(struct frame *f, struct addrspace *as, uint32_t va);
/* Forget as's mapping of f at va; panics if there is none (a kernel bug). */
void rmap_remove(struct frame *f, struct addrspace *as, uint32_t va);
/* Walk f's mappings: for (e = f->rmap; e; e = rmap_next(e)) rmap_space(e),
 * rmap_va(e). */
uint32_t rmap_next(uint32_t entry);
struct addrspace *rmap_space(uint32_t entry);
uint32_t rmap_va(uint32_t entry);

#endif
