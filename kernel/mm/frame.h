/*
 * Physical memory: the frame table (one descriptor per 4 KiB frame of RAM)
 * and the frame allocator built on it. Frames are named by physical
 * address; pa2kva() (mm/phys.h) turns one into a pointer.
 */
#ifndef MM_FRAME_H
#define MM_FRAME_H

#include "lib/types.h"

/* A physical address range [base, base + size). */
struct phys_range {
	paddr_t base;
	uint32_t size;
};

enum frame_state {
	FRAME_FREE = 0,     /* on the free list (0: a zeroed table starts all free) */
	FRAME_RESERVED,     /* firmware, kernel image, device tree, initrd, frame table */
	FRAME_USED,         /* handed out by frame_alloc */
};

/*
 * One descriptor per frame. refcnt counts the references to a USED frame:
 * for an anonymous user page, the page-table entries that map it; for a
 * page-cache page, those plus one for the cache and one for each kernel
 * user of its bytes (a pin); otherwise its one owner. User and page-cache
 * pages are on a replacement ring (next/prev), their mappings listed by
 * the reverse map starting at rmap. An anonymous page is mapped at one
 * virtual address, va, in every space (sharing comes only from fork); a
 * page-cache page holds disk block va of the file-system disk, found by
 * hash through hnext (mm/pagecache.c), and is mapped anywhere.
 *
 * Locks: [frame_lock] fields belong to the allocator (frame.c). [vm]
 * fields belong to the memory manager, which serialises them by running
 * with interrupts off on one hart (mm/reclaim.h); the allocator only
 * clears them when it hands a frame out. refcnt changes under frame_lock
 * in frame_free and frame_ref, and for a user page also in mm/, which owns
 * every reference to it.
 */
struct frame {
	uint16_t refcnt; /* [frame_lock], and [vm] for a user page */
	uint8_t state;   /* [frame_lock] */
	uint8_t flags;   /* [vm] FRAME_F_* */
	uint32_t next;   /* FREE: next free frame [frame_lock]; user page: next on the ring [vm] */
	uint32_t prev;   /* [vm] user page: previous on the ring */
	uint32_t va;     /* [vm] user page: its virtual address; cache page: its disk block */
	uint32_t rmap;   /* [vm] user page: first reverse-map entry, 0 for none */
	uint32_t hnext;  /* [vm] cache page: next frame index + 1 in its hash chain, 0 ends */
	union {
		uint32_t slot; /* user page: swap slot holding the same bytes (swap cache), 0 for none */
		struct {
			uint16_t lo, hi; /* level-0 table: entries [lo, hi) have ever been set */
		} used;
	};
};

#define FRAME_F_USER 1u  /* a user page, on the replacement ring */
#define FRAME_F_BUSY 2u  /* being read from or written to swap: wait */
#define FRAME_F_DIRTY 4u /* differs from its file, zero page or swap copy */
#define FRAME_F_SPACE 8u /* holds a struct addrspace (vm.c) */
#define FRAME_F_CACHE 16u /* a page-cache page: a block of the file-system disk */
#define FRAME_F_YOUNG 32u /* a cache page used by the kernel since the clock hand passed */
#define FRAME_F_HOT 64u   /* a user page on 2q's hot ring (mm/reclaim.c) */

#define FRAME_NONE 0xFFFFFFFFu

/* frame_alloc flags */
#define FRAME_ZERO 1u /* fill the frame with zeroes */

/*
 * Build the frame table for RAM [ram.base, ram.base + ram.size): every frame
 * that overlaps one of the nres reserved ranges stays RESERVED, the rest go
 * on the free list. The table itself is placed in the first free run that
 * can hold it, and that run is reserved. Returns 0, or -ENOMEM when no run
 * is large enough, or -EINVAL for a RAM range that is not page-aligned.
 */
int frame_init(struct phys_range ram, const struct phys_range *res, int nres);

/* Take a free frame, with refcnt 1. Returns its physical address, or 0 when
 * none is left. */
paddr_t frame_alloc(unsigned flags);

/* Take n physically contiguous frames, each refcnt 1; 0 if no run is
 * free. Scans the whole table: at boot, or once per guest (G-stage root). */
paddr_t frame_alloc_contig(uint32_t n);
/* The same, the first frame's address a multiple of align frames (a
 * power of two): a G-stage root, 4 frames on a 16 KiB boundary. */
paddr_t frame_alloc_aligned(uint32_t n, uint32_t align);

/* Drop one reference to a USED frame; at zero it goes back on the free
 * list. Freeing a frame that is not USED (double free, reserved, outside
 * RAM) panics: it is a kernel bug, never a user error. */
void frame_free(paddr_t pa);

/* Add a reference to a USED frame. */
void frame_ref(paddr_t pa);

/* The frame table, for the inline lookup below; frame.c owns it. */
extern struct frame *frame_table;
extern paddr_t frame_table_base;
extern uint32_t frame_table_len;

/* The descriptor of the frame that holds pa, or NULL outside RAM. Inline:
 * fork and teardown call it for every page. */
static inline struct frame *frame_of(paddr_t pa)
{
	uint32_t i = (pa - frame_table_base) >> PAGE_SHIFT;
	if (pa < frame_table_base || i >= frame_table_len)
		return NULL;
	return &frame_table[i];
}
/* The physical address and table index of a descriptor, and back (NULL
 * past the table). Inline too: the page cache's hash chains and the ring
 * link frames by index. */
static inline paddr_t frame_to_pa(const struct frame *f)
{
	return frame_table_base + ((uint32_t)(f - frame_table) << PAGE_SHIFT);
}
static inline uint32_t frame_to_index(const struct frame *f)
{
	return (uint32_t)(f - frame_table);
}
static inline struct frame *frame_at(uint32_t index)
{
	return index < frame_table_len ? &frame_table[index] : NULL;
}
/* The frame of an index the kernel took from frame_to_index itself and
 * keeps as a link (a hash chain, a ring, the swap cache): always in the
 * table, so there is nothing to check. */
static inline struct frame *frame_linked(uint32_t index)
{
	return &frame_table[index];
}

uint32_t frame_count_free(void);
/* Whether the free list holds exactly the frames marked FREE, as many as
 * counted (for the consistency checker; O(frames)). */
bool frame_free_list_ok(void);
uint32_t frame_count_total(void); /* frames of RAM, all states */

#endif
