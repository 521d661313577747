/*
 * Swap: the first virtio disk, formatted by mkswap, as page-sized slots.
 * A slot's reference count is the number of swap-entry PTEs naming it,
 * plus one while a resident frame holds the same bytes (the swap cache).
 */
#ifndef MM_SWAP_H
#define MM_SWAP_H

#include "lib/types.h"

struct frame;

/* Find and check the swap area; print what was found or why it is not
 * used. Returns 0 or a negative errno (the kernel then runs without swap). */
int swap_init(void);
bool swap_on(void);
/* Usable slots, free or not, and the free ones; 0 without swap. */
uint32_t swap_total_slots(void);
uint32_t swap_free_slots(void);
/* One past the highest slot handed out since boot (every slot from there
 * on is free); 1 without swap or before the first page went out. */
uint32_t swap_slots_end(void);

/* Add a reference to a slot in use: a new swap-entry PTE names it (fork),
 * or a frame now holds its bytes (the swap cache). Panics on a free slot. */
void swap_ref(uint32_t slot);
/* Drop a reference; the last one frees the slot for reuse. Panics on a
 * free slot. */
void swap_unref(uint32_t slot);
/* The references a slot holds: 0 when free. */
uint32_t swap_refs(uint32_t slot);

/* The swap cache: the resident frame holding slot's bytes, or NULL. */
struct frame *swap_cache_lookup(uint32_t slot);
void swap_cache_set(uint32_t slot, struct frame *f);
void swap_cache_clear(uint32_t slot);

/* Write the page of user frame f to *slot if non-zero (its one reference
 * must be the caller's), else to a new slot (refcount 1) stored in *slot,
 * next to the slots of f's neighbours (ra_place). A slot whose write fails
 * is retired and another tried, so *slot may change; on failure *slot is
 * 0. Returns 0, -ENOSPC (no slot left) or -EIO. May sleep. */
int swap_write_frame(uint32_t *slot, const struct frame *f);

#define SWAP_READ_MAX 16u /* pages one read may bring: VBLK_MAX_BUFS */

/* Read the n pages (1..SWAP_READ_MAX) of slots slot .. slot + n - 1 into
 * frames[0 .. n - 1], in one disk request: 0, -EIO (the request failed,
 * none of them is to be trusted) or -EINVAL for a bad n. May sleep. */
int swap_read_frames(uint32_t slot, struct frame *const frames[], uint32_t n);

#endif
