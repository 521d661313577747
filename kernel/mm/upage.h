/*
 * User pages, inside mm/: the reverse map (which address spaces map a
 * frame), the replacement ring with its clock or FIFO hand, and eviction
 * to swap. Not for use outside mm/.
 *
 * State is guarded by the kernel running with interrupts off on one hart:
 * the only points where another process can run are the waits for swap
 * I/O, and every caller re-checks what it relies on after one.
 */
#ifndef MM_UPAGE_H
#define MM_UPAGE_H

#include "mm/mm.h"
#include "mm/vm.h"

/* rmap.c: every mapping of a frame is at frame->va; an entry names the space. */
int rmap_init(uint32_t entries);
int rmap_add(struct frame *f, struct addrspace *as); /* 0 or -ENOMEM */
void rmap_remove(struct frame *f, struct addrspace *as);
uint32_t rmap_next(uint32_t entry);
struct addrspace *rmap_space(uint32_t entry);

/* reclaim.c */
enum reclaim_policy { POLICY_CLOCK, POLICY_FIFO };
void reclaim_init(uint32_t max_user_frames, enum reclaim_policy policy);
/* A frame for a new user page, refcnt 1, evicting others first when free
 * frames are low or the maxframes cap is reached. May sleep on swap I/O.
 * Returns 0 when nothing can be freed (out of memory and swap). */
paddr_t upage_alloc(void);
/* Put a frame with one mapping on the ring (called when first installed). */
void upage_ring_add(struct frame *f);
/* Drop one mapping's reference; the last frees the frame (unless swap I/O
 * owns it, which then frees it when done). */
void upage_put(struct frame *f);
/* Sleep while swap I/O owns f. */
void upage_wait(struct frame *f);
uint32_t upage_limit(void);     /* the maxframes cap */
const char *reclaim_policy_name(void);

/* PTE flags for a user page of a region with protection prot. */
uint32_t upage_pte_flags(uint32_t prot);

#endif
