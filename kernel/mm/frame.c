/*
 * The frame allocator: owns the frame table (one struct frame per 4 KiB
 * frame of RAM, kept in RAM itself) and the free list threaded through the
 * descriptors' next fields. Relies on pa2kva() to reach the table and to
 * zero frames. Invariant: a frame is on the free list exactly when its
 * state is FRAME_FREE, and nfree is the length of that list.
 */
#include "mm/frame.h"
#include "mm/phys.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/spinlock.h"

/*
 * frame_lock guards the free list, nfree, and the [frame_lock] fields of
 * every descriptor (frame.h). frame_alloc, frame_free and frame_ref hold
 * it only for their descriptor and list updates; zeroing a frame needs no
 * lock, since the frame already belongs to the caller.
 */
static struct spinlock frame_lock = SPINLOCK_INIT("frame");
struct frame *frame_table;  /* the table, reached through pa2kva() */
paddr_t frame_table_base;   /* the RAM it describes starts here... */
uint32_t frame_table_len;   /* ...and has this many frames */
static uint32_t free_head = FRAME_NONE;
static uint32_t nfree;

#define REFCNT_MAX UINT16_MAX
#define PADDR_LIMIT ((uint64_t)1 << 32) /* paddr_t names only the low 4 GiB */

static inline paddr_t frame_pa(uint32_t i)
{
	return frame_table_base + (i << PAGE_SHIFT);
}

static inline uint32_t frame_index(const struct frame *f)
{
	return (uint32_t)(f - frame_table);
}

/* Whether the frame at pa overlaps r; the ends are 64-bit so that a range
 * reaching 4 GiB does not wrap around. */
static bool frame_overlaps(paddr_t pa, const struct phys_range *r)
{
	uint64_t end = (uint64_t)pa + PAGE_SIZE;
	uint64_t rend = (uint64_t)r->base + r->size;

	return r->size != 0 && r->base < end && pa < rend;
}

/* Whether the frame at pa must stay RESERVED. */
static bool frame_is_reserved(paddr_t pa, const struct phys_range *res, int nres)
{
	/* frame_alloc returns 0 for "none left", so a frame at 0 is never given out. */
	if (pa == 0)
		return true;
	for (int i = 0; i < nres; i++)
		if (frame_overlaps(pa, &res[i]))
			return true;
	return false;
}

/* Index of the first run of n frames that no reserved range touches, or
 * FRAME_NONE. */
static uint32_t find_free_run(struct phys_range ram, uint32_t n,
			      const struct phys_range *res, int nres)
{
	uint32_t total = ram.size >> PAGE_SHIFT;
	uint32_t run = 0;

	for (uint32_t i = 0; i < total; i++) {
		paddr_t pa = ram.base + (i << PAGE_SHIFT);

		run = frame_is_reserved(pa, res, nres) ? 0 : run + 1;
		if (run == n)
			return i + 1 - n;
	}
	return FRAME_NONE;
}

/* Mark the frames that overlap range r RESERVED (frame_table is set up). */
static void mark_reserved(struct phys_range r)
{
	if (r.size == 0)
		return;
	uint64_t lo = r.base, hi = (uint64_t)r.base + r.size;
	uint64_t ram_lo = frame_table_base, ram_hi = (uint64_t)frame_table_base + ((uint64_t)frame_table_len << PAGE_SHIFT);
	if (hi <= ram_lo || lo >= ram_hi)
		return;
	lo = lo < ram_lo ? ram_lo : lo;
	hi = hi > ram_hi ? ram_hi : hi;
	uint32_t first = (uint32_t)((lo - ram_lo) >> PAGE_SHIFT);
	uint32_t last = (uint32_t)((hi - ram_lo + PAGE_SIZE - 1) >> PAGE_SHIFT);
	for (uint32_t i = first; i < last; i++)
		frame_table[i].state = FRAME_RESERVED;
}

/* Put frame i on the free list; frame_lock held. */
static void free_list_push(uint32_t i)
{
	spin_assert_held(&frame_lock);
	frame_table[i].state = FRAME_FREE;
	frame_table[i].refcnt = 0;
	frame_table[i].next = free_head;
	free_head = i;
	nfree++;
}

/* Take the free list's head, which must exist; frame_lock held. */
static uint32_t free_list_pop(void)
{
	spin_assert_held(&frame_lock);
	uint32_t i = free_head;

	free_head = frame_table[i].next;
	frame_table[i].next = FRAME_NONE;
	nfree--;
	return i;
}

/* Make the free list of every FREE frame, pushed from the top down so
 * that the lowest frames are handed out first. Only frame_init calls it,
 * on a table it has just zeroed, so refcnt is 0 already; frame_lock held. */
static void free_list_build(void)
{
	spin_assert_held(&frame_lock);
	free_head = FRAME_NONE;
	nfree = 0;
	for (uint32_t i = frame_table_len; i-- > 0;) {
		struct frame *f = &frame_table[i];
		if (f->state != FRAME_FREE)
			continue;
		f->next = free_head;
		free_head = i;
		nfree++;
	}
}

static void allocator_clear(void)
{
	frame_table = NULL;
	frame_table_base = 0;
	frame_table_len = 0;
	free_head = FRAME_NONE;
	nfree = 0;
}

/* Build the table and free list for ram; on error the allocator is left
 * empty (no RAM, nothing to allocate). */
int frame_init(struct phys_range ram, const struct phys_range *res, int nres)
{
	allocator_clear();
	if (!ALIGNED(ram.base, PAGE_SIZE) || !ALIGNED(ram.size, PAGE_SIZE))
		return -EINVAL;
	if (ram.size == 0 || (uint64_t)ram.base + ram.size > PADDR_LIMIT || nres < 0)
		return -EINVAL;

	uint32_t total = ram.size >> PAGE_SHIFT;
	uint32_t table_pages = PAGE_ROUND_UP(total * (uint32_t)sizeof(struct frame)) >> PAGE_SHIFT;
	uint32_t table_first = find_free_run(ram, table_pages, res, nres);
	if (table_first == FRAME_NONE)
		return -ENOMEM;

	frame_table_base = ram.base;
	frame_table_len = total;
	frame_table = pa2kva(frame_pa(table_first));

	/* All FREE (0) at first; then the reserved ranges are marked. One
	 * pass over the ranges, not ranges per frame: boot pays for this
	 * once per frame of RAM. */
	bulk_zero(frame_table, table_pages * PAGE_SIZE);
	for (int r = 0; r < nres; r++)
		mark_reserved(res[r]);
	for (uint32_t i = table_first; i < table_first + table_pages; i++)
		frame_table[i].state = FRAME_RESERVED;
	if (ram.base == 0)
		frame_table[0].state = FRAME_RESERVED; /* frame_alloc's 0 means "none" */

	spin_lock(&frame_lock);
	free_list_build();
	spin_unlock(&frame_lock);
	return 0;
}

/* Pop the free list head and hand it out with refcnt 1, zeroed on request. */
paddr_t frame_alloc(unsigned flags)
{
	spin_lock(&frame_lock);
	if (free_head == FRAME_NONE) {
		spin_unlock(&frame_lock);
		return 0;
	}
	uint32_t i = free_list_pop();
	frame_table[i].state = FRAME_USED;
	frame_table[i].refcnt = 1;
	spin_unlock(&frame_lock);
	/* A frame's last use may have left its user-page or table fields;
	 * they are the new owner's now. */
	frame_table[i].flags = 0;
	frame_table[i].va = 0;
	frame_table[i].rmap = 0;
	frame_table[i].slot = 0;
	frame_table[i].hnext = 0;

	paddr_t pa = frame_pa(i);
	if (flags & FRAME_ZERO)
		page_zero(pa2kva(pa));
	return pa;
}

/* Take the free frames [first, first + n) off the free list, in one walk
 * that stops when the last is off: at boot, when the list is in address
 * order and the run is its lowest, after about n steps (a rebuild was
 * O(frames) each time: 260,000 instructions at 128 MiB); frame_lock held. */
static void free_list_take_run(uint32_t first, uint32_t n)
{
	uint32_t *link = &free_head;
	for (uint32_t left = n; left > 0;) {
		uint32_t i = *link;
		if (i >= first && i < first + n) {
			*link = frame_table[i].next;
			frame_table[i].next = FRAME_NONE;
			left--;
		} else {
			link = &frame_table[i].next;
		}
	}
	nfree -= n;
}

/* Take n physically contiguous free frames: scan for a run and take it
 * off the free list, whose order stays as it was; frame_lock held. */
static paddr_t contig_locked(uint32_t n, uint32_t align)
{
	uint32_t run = 0, first = FRAME_NONE;
	for (uint32_t i = 0; i < frame_table_len && first == FRAME_NONE; i++) {
		if (run == 0 && !ALIGNED(frame_pa(i), align * PAGE_SIZE))
			continue; /* a run starts only at an aligned frame */
		run = frame_table[i].state == FRAME_FREE ? run + 1 : 0;
		if (run == n)
			first = i + 1 - n;
	}
	if (n == 0 || first == FRAME_NONE)
		return 0;
	free_list_take_run(first, n);
	for (uint32_t i = first; i < first + n; i++) {
		frame_table[i].state = FRAME_USED;
		frame_table[i].refcnt = 1;
	}
	return frame_pa(first);
}

/* O(frames) at worst: for boot-time tables only. */
paddr_t frame_alloc_contig(uint32_t n)
{
	return frame_alloc_aligned(n, 1);
}

paddr_t frame_alloc_aligned(uint32_t n, uint32_t align)
{
	spin_lock(&frame_lock);
	paddr_t pa = contig_locked(n, align);
	spin_unlock(&frame_lock);
	return pa;
}

/* Drop a reference; the last one puts the frame back on the free list. */
void frame_free(paddr_t pa)
{
	struct frame *f = frame_of(pa);

	if (f == NULL)
		panic("frame: free of 0x%08x, outside RAM", (unsigned)pa);
	if (f->state == FRAME_RESERVED)
		panic("frame: free of reserved frame 0x%08x", (unsigned)pa);
	if (f->state == FRAME_FREE)
		panic("frame: double free of 0x%08x", (unsigned)pa);
	spin_lock(&frame_lock);
	if (--f->refcnt == 0)
		free_list_push(frame_index(f));
	spin_unlock(&frame_lock);
}

/* Add a reference to an allocated frame (a second mapping, a shared page). */
void frame_ref(paddr_t pa)
{
	struct frame *f = frame_of(pa);

	if (f == NULL || f->state != FRAME_USED)
		panic("frame: ref of 0x%08x, not an allocated frame", (unsigned)pa);
	if (f->refcnt == REFCNT_MAX)
		panic("frame: refcnt overflow on 0x%08x", (unsigned)pa);
	spin_lock(&frame_lock);
	f->refcnt++;
	spin_unlock(&frame_lock);
}

bool frame_free_list_ok(void)
{
	spin_lock(&frame_lock);
	uint32_t listed = 0, marked = 0;
	for (uint32_t i = free_head; i != FRAME_NONE && listed <= nfree; i = frame_table[i].next) {
		if (i >= frame_table_len || frame_table[i].state != FRAME_FREE)
			break;
		listed++;
	}
	for (uint32_t i = 0; i < frame_table_len; i++)
		marked += frame_table[i].state == FRAME_FREE;
	bool ok = listed == nfree && marked == nfree;
	spin_unlock(&frame_lock);
	return ok;
}

uint32_t frame_count_free(void)
{
	return nfree;
}

uint32_t frame_count_total(void)
{
	return frame_table_len;
}
