/*
 * Page replacement: the rings of user frames with their hands (clock,
 * FIFO or 2q), the user-frame cap (maxframes=), and eviction to swap. Used
 * by mm/; outside it, only the counters and the policy name (vmstat).
 * State is guarded by the kernel running with interrupts off on one hart:
 * the only points where another process can run are the waits for swap
 * I/O, and every caller re-checks what it relies on after one.
 */
#ifndef MM_RECLAIM_H
#define MM_RECLAIM_H

#include "mm/frame.h"

enum reclaim_policy { POLICY_CLOCK, POLICY_FIFO, POLICY_2Q };

/* Cap user frames at max_user_frames (0: no cap) and choose the policy. */
void reclaim_init(uint32_t max_user_frames, enum reclaim_policy policy);
const char *reclaim_policy_name(void);

/* A frame for a new user page, refcnt 1, evicting others first when free
 * frames are low or the cap is reached. May sleep on swap I/O. Returns 0
 * when nothing can be freed (out of memory and swap). */
paddr_t reclaim_alloc(void);
/* Put a frame with one mapping on a ring (called when first installed):
 * under 2q, the hot ring if it is a refault that wins its place. */
void reclaim_ring_add(struct frame *f);
/* Drop one mapping's reference; the last frees the frame (unless swap I/O
 * owns it, which then frees it when done). */
void reclaim_put(struct frame *f);
/* Sleep while swap I/O owns f. */
void reclaim_wait_io(struct frame *f);
/* Whether f's bytes differ from their copy on disk: its DIRTY flag, or D
 * in a mapping. */
bool reclaim_frame_dirty(const struct frame *f);
/* Unmap page-cache page f from every space, fencing each entry: whether a
 * mapping had stored to it. */
bool reclaim_unmap_cache(struct frame *f);
/* Clear D in every mapping of f, fencing each: true if any had it. */
bool reclaim_clean_mappings(struct frame *f);

/* User frames in use, and the most there may be: the cap, or every frame
 * of RAM without one. */
uint32_t reclaim_user_frames(void);
/* Whether the rings are well linked, hold only user frames (marked HOT on
 * the hot ring only), and as many as counted (for the consistency checker). */
bool reclaim_ring_ok(void);
uint32_t reclaim_user_frames_max(void);

#endif
