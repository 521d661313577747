/*
 * The page cache (mm/pagecache.h): a hash of the frames that hold blocks
 * of the file-system disk, chained through frame.hnext and keyed by the
 * block number in frame.va. A cache page's refcnt is one for the cache,
 * one per PTE that maps it and one per pin; it leaves the cache only with
 * no mapping and no pin. BUSY marks a read or a write-back in flight,
 * done with vm_lock dropped; whoever needs the page waits on the frame.
 */
#include "mm/pagecache.h"
#include "dev/virtio_blk.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/phys.h"
#include "mm/reclaim.h"
#include "mm/rmap.h"
#include "mm/vm.h"
#include "proc/sleep.h"

#define MIN_BUCKETS 64u
#define FRAMES_PER_BUCKET 8u

static struct vblk *disk;
static uint32_t nblocks;   /* blocks of 4 KiB on the disk */
static uint32_t *buckets;  /* [vm_lock] frame index + 1 of each chain's first page, 0: none */
static uint32_t hash_bits; /* 1 << hash_bits buckets */
static struct pc_stats stats; /* [vm_lock] */

int pc_init(struct vblk *d)
{
	uint32_t want = MAX(frame_count_total() / FRAMES_PER_BUCKET, MIN_BUCKETS);
	hash_bits = 0;
	while ((1u << hash_bits) < want)
		hash_bits++;
	uint32_t bytes = (1u << hash_bits) * (uint32_t)sizeof(uint32_t);
	paddr_t pa = frame_alloc_contig(PAGE_ROUND_UP(bytes) / PAGE_SIZE);
	if (pa == 0)
		return -ENOMEM;
	buckets = pa2kva(pa);
	memset(buckets, 0, bytes);
	nblocks = (uint32_t)MIN(vblk_capacity(d) / VBLK_SECTORS_PER_PAGE, (uint64_t)UINT32_MAX);
	disk = d;
	return 0;
}

/* Whether frame f is a page of the cache (the scans of the whole frame
 * table: sync, drop, the dirty count). */
static bool is_cache_page(const struct frame *f)
{
	return f->state == FRAME_USED && (f->flags & FRAME_F_CACHE);
}

/* Fibonacci hashing: consecutive blocks spread over the buckets. */
static uint32_t *bucket(uint32_t blk)
{
	return &buckets[(blk * 2654435761u) >> (32 - hash_bits)];
}

static struct frame *lookup(uint32_t blk)
{
	for (uint32_t i = *bucket(blk); i != 0;) {
		struct frame *f = frame_linked(i - 1);
		if (f->va == blk)
			return f;
		i = f->hnext;
	}
	return NULL;
}

static void hash_insert(struct frame *f)
{
	uint32_t *b = bucket(f->va);
	f->hnext = *b;
	*b = frame_to_index(f) + 1;
}

static void hash_remove(struct frame *f)
{
	uint32_t me = frame_to_index(f) + 1;
	for (uint32_t *link = bucket(f->va); *link != 0; link = &frame_linked(*link - 1)->hnext) {
		if (*link == me) {
			*link = f->hnext;
			f->hnext = 0;
			return;
		}
	}
	panic("pagecache: block %u is not in its hash chain", f->va);
}

/* Move f's block between the frame and the disk with vm_lock dropped;
 * f is BUSY meanwhile, and its waiters are woken after. */
static int block_io(struct frame *f, bool write)
{
	spin_assert_held(&vm_lock);
	f->flags |= FRAME_F_BUSY;
	spin_unlock(&vm_lock);
	int err = vblk_rw(disk, (uint64_t)f->va * VBLK_SECTORS_PER_PAGE, pa2kva(frame_to_pa(f)),
			  PAGE_SIZE, write);
	spin_lock(&vm_lock);
	f->flags &= ~FRAME_F_BUSY;
	wakeup(f);
	return err;
}

/* Take f out of the cache and free it: it is unmapped and unpinned. */
static void drop(struct frame *f)
{
	hash_remove(f);
	stats.pages--;
	f->flags &= ~(FRAME_F_CACHE | FRAME_F_DIRTY);
	reclaim_put(f); /* the cache's reference, the last */
}

/* A new page for blk, pinned, in the cache and on the ring; NULL without
 * memory, or with *raced set when another caller made one meanwhile. */
static struct frame *new_page(uint32_t blk, bool *raced)
{
	paddr_t pa = reclaim_alloc(); /* may sleep: look again after */
	*raced = pa != 0 && lookup(blk) != NULL;
	if (pa == 0 || *raced) {
		if (pa)
			frame_free(pa);
		return NULL;
	}
	struct frame *f = frame_of(pa);
	if (f == NULL)
		panic("pagecache: frame 0x%08x is outside RAM", pa);
	f->flags = FRAME_F_CACHE;
	f->va = blk;
	f->refcnt = 2; /* the cache's and the caller's pin */
	hash_insert(f);
	reclaim_ring_add(f);
	stats.pages++;
	return f;
}

static int get_locked(uint32_t blk, bool fresh, struct frame **out)
{
	for (;;) {
		struct frame *f = lookup(blk);
		if (f && (f->flags & FRAME_F_BUSY)) {
			reclaim_wait_io(f); /* then look again: it may be gone */
			continue;
		}
		if (f) {
			f->refcnt++;
			f->flags |= FRAME_F_YOUNG;
			stats.hits++;
		} else {
			bool raced;
			if ((f = new_page(blk, &raced)) == NULL) {
				if (raced)
					continue;
				return -ENOMEM;
			}
			if (!fresh) {
				stats.misses++;
				if (block_io(f, false) != 0) {
					f->refcnt--;
					drop(f);
					return -EIO;
				}
			}
		}
		if (fresh) {
			page_zero(pa2kva(frame_to_pa(f)));
			f->flags |= FRAME_F_DIRTY;
		}
		*out = f;
		return 0;
	}
}

int pc_get(uint32_t blk, bool fresh, struct frame **out)
{
	if (disk == NULL || blk >= nblocks)
		return -EIO;
	spin_lock(&vm_lock);
	int err = get_locked(blk, fresh, out);
	spin_unlock(&vm_lock);
	return err;
}

static void put_locked(struct frame *f, bool dirty)
{
	if (dirty)
		f->flags |= FRAME_F_DIRTY;
	if (f->refcnt < 2)
		panic("pagecache: unpin of block %u, which is not pinned", f->va);
	f->refcnt--;
}

void pc_put(struct frame *f, bool dirty)
{
	spin_lock(&vm_lock);
	put_locked(f, dirty);
	spin_unlock(&vm_lock);
}

void pc_put_block(uint32_t blk, bool dirty)
{
	spin_lock(&vm_lock);
	struct frame *f = lookup(blk);
	if (f == NULL)
		panic("pagecache: unpin of block %u, which is not cached", blk);
	put_locked(f, dirty);
	spin_unlock(&vm_lock);
}

/* Write dirty f to its block: clean meanwhile, dirty again if the write
 * failed (a store during the write makes it dirty again too). */
static int write_block(struct frame *f)
{
	f->flags &= ~FRAME_F_DIRTY;
	int err = block_io(f, true);
	if (err)
		f->flags |= FRAME_F_DIRTY;
	else
		stats.writebacks++;
	return err;
}

/* Write f back if it is dirty (its flag, or a store through a mapping,
 * whose D bits are cleared first so that later stores set them again). */
static int write_back(struct frame *f)
{
	if (!reclaim_clean_mappings(f) && !(f->flags & FRAME_F_DIRTY))
		return 0;
	f->refcnt++; /* pinned: it stays through the write */
	int err = write_block(f);
	f->refcnt--;
	return err;
}

int pc_sync(void)
{
	int err = 0;
	if (disk == NULL)
		return 0;
	spin_lock(&vm_lock);
	for (uint32_t i = 0; i < frame_table_len; i++) {
		struct frame *f = frame_at(i);
		if (!is_cache_page(f))
			continue;
		if (f->flags & FRAME_F_BUSY) {
			reclaim_wait_io(f);
			i--; /* look at it again: it may have changed */
			continue;
		}
		int e = write_back(f);
		err = err ? err : e;
	}
	spin_unlock(&vm_lock);
	return err;
}

void pc_discard(uint32_t blk)
{
	spin_lock(&vm_lock);
	struct frame *f;
	while ((f = lookup(blk)) != NULL && (f->flags & FRAME_F_BUSY))
		reclaim_wait_io(f);
	if (f) {
		reclaim_unmap_cache(f);
		f->flags &= ~FRAME_F_DIRTY;
		if (!pc_pinned(f))
			drop(f);
	}
	spin_unlock(&vm_lock);
}

uint32_t pc_drop_clean(void)
{
	uint32_t n = 0;
	spin_lock(&vm_lock);
	for (uint32_t i = 0; i < frame_table_len; i++) {
		struct frame *f = frame_at(i);
		if (is_cache_page(f) && f->rmap == 0 &&
		    !(f->flags & (FRAME_F_BUSY | FRAME_F_DIRTY)) && !pc_pinned(f)) {
			drop(f);
			n++;
		}
	}
	spin_unlock(&vm_lock);
	return n;
}

bool pc_pinned(const struct frame *f)
{
	uint32_t maps = 0;
	for (uint32_t e = f->rmap; e != 0; e = rmap_next(e))
		maps++;
	return f->refcnt > maps + 1;
}

int pc_evict(struct frame *f)
{
	spin_assert_held(&vm_lock);
	if (f->flags & FRAME_F_DIRTY) {
		int err = write_block(f);
		if (err)
			return err;
		/* Used again while it was written: it stays. */
		if (f->rmap != 0 || pc_pinned(f) || (f->flags & FRAME_F_DIRTY))
			return -EAGAIN;
	}
	drop(f);
	return 0;
}

bool pc_frame_ok(const struct frame *f)
{
	return buckets != NULL && lookup(f->va) == f;
}

uint32_t pc_count(void)
{
	return stats.pages;
}

struct pc_stats pc_stats(void)
{
	spin_lock(&vm_lock);
	struct pc_stats s = stats;
	spin_unlock(&vm_lock);
	return s;
}

/* By the hash chains, which hold every cache page: vmstat asks, and a scan
 * of the whole frame table cost it 730,000 instructions at 128 MiB. */
uint32_t pc_count_dirty(void)
{
	uint32_t n = 0;
	if (buckets == NULL)
		return 0; /* no file-system disk: no cache */
	spin_lock(&vm_lock);
	for (uint32_t b = 0; b < (1u << hash_bits); b++) {
		for (uint32_t i = buckets[b]; i != 0;) {
			const struct frame *f = frame_linked(i - 1);
			if (reclaim_frame_dirty(f))
				n++;
			i = f->hnext;
		}
	}
	spin_unlock(&vm_lock);
	return n;
}
