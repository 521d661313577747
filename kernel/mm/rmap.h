/*
 * Reverse maps, inside mm/: for each user frame, the address spaces that
 * map it. Every mapping of a frame is at frame->va (pages are shared only
 * by fork), so an entry names just the space; entries come from a pool
 * made at boot.
 */
#ifndef MM_RMAP_H
#define MM_RMAP_H

#include "mm/frame.h"

struct addrspace;

/* Make the pool: room for entries mappings. 0 or -ENOMEM. */
int rmap_init(uint32_t entries);
/* Record that as maps f. 0, or -ENOMEM when the pool is used up. */
int rmap_add(struct frame *f, struct addrspace *as);
/* Forget as's mapping of f; panics if there is none (a kernel bug). */
void rmap_remove(struct frame *f, struct addrspace *as);
/* Walk f's mappings: for (e = f->rmap; e; e = rmap_next(e)) rmap_space(e). */
uint32_t rmap_next(uint32_t entry);
struct addrspace *rmap_space(uint32_t entry);

#endif
