/*
 * The page cache: frames that hold 4 KiB blocks of the file-system disk,
 * one frame per block, found by block number. File data, directories,
 * inodes and bitmaps all live here, so read(), write(), mmap() and the
 * file system share one copy of every block. A page is pinned while the
 * kernel uses its bytes; unpinned pages sit on the replacement ring with
 * the anonymous ones, and reclaim writes them back (if dirty) and drops
 * them. State is under vm_lock; every call may sleep on the disk, so the
 * caller holds no spinlock.
 */
#ifndef MM_PAGECACHE_H
#define MM_PAGECACHE_H

#include "mm/frame.h"
#include "mm/phys.h"

struct vblk;

/* Counters for vmstat. */
struct pc_stats {
	uint32_t pages, hits, misses, writebacks;
};

/* Make the hash table and use disk for every block; 0 or -ENOMEM. */
int pc_init(struct vblk *disk);

/*
 * Pin the page of block blk: read it from the disk unless it is cached
 * (or, with fresh set, give it zeroed and dirty without a read: a block
 * just allocated). 0, -ENOMEM, or -EIO when the read failed.
 */
int pc_get(uint32_t blk, bool fresh, struct frame **out);
/* Unpin f; dirty: its bytes changed and must reach the disk. */
void pc_put(struct frame *f, bool dirty);
/* The same, for the pinned page of block blk. */
void pc_put_block(uint32_t blk, bool dirty);
/* The bytes of a pinned page. */
static inline void *pc_bytes(const struct frame *f)
{
	return pa2kva(frame_to_pa(f));
}

/* Write every dirty page back, pages mapped by shared mappings included,
 * and wait for the writes. 0, or -EIO if one failed (it stays dirty). */
int pc_sync(void);
/* Drop every clean page-cache page that is neither mapped nor pinned:
 * how many went. */
uint32_t pc_drop_clean(void);
/* Block blk is about to be freed (a file shrank): its page leaves every
 * mapping and the cache (unless pinned; its bytes are never written). */
void pc_discard(uint32_t blk);

/* For reclaim (vm_lock held): whether f is pinned by the kernel, and the
 * eviction of an unmapped, unpinned page (written back first if dirty;
 * may sleep). 0 when the frame was freed. */
bool pc_pinned(const struct frame *f);
int pc_evict(struct frame *f);
/* For the consistency checker (vm_lock held): f is the cached page of its
 * block, and the cache counts every page. */
bool pc_frame_ok(const struct frame *f);
uint32_t pc_count(void);

struct pc_stats pc_stats(void);
uint32_t pc_count_dirty(void);

#endif
