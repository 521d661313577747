/*
 * Changing an address space's regions: mmap, munmap, mprotect and brk,
 * with POSIX semantics for anonymous private mappings and read-only file
 * mappings. Regions are split where a change begins or ends and merged
 * again with identical neighbours. Every writable private page is
 * reserved against memory plus swap when it is mapped, so a reservation
 * the system could never hold fails here with ENOMEM rather than later.
 * The calls take vm_lock; the reservations have their own leaf lock, as
 * exec reserves without vm_lock.
 */
#include "mm/vm.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/spinlock.h"
#include "mm/frame.h"
#include "mm/swap.h"
#include "mm/reclaim.h"

#define MMAP_TOP (USER_TOP - STACK_MAX - STACK_GUARD) /* mappings go below the stack's gap */
#define VM_PROT_ALL (VM_R | VM_W | VM_X)

static struct spinlock commit_lock = SPINLOCK_INIT("commit");
static uint32_t committed_total; /* [commit_lock], as is every space's committed */

static uint32_t commit_limit(void)
{
	return reclaim_user_frames_max() + swap_total_slots();
}

int vm_commit(struct addrspace *as, uint32_t pages)
{
	uint32_t limit = commit_limit();
	int err = -ENOMEM;
	spin_lock(&commit_lock);
	if (pages <= limit && committed_total <= limit - pages) {
		committed_total += pages;
		as->committed += pages;
		err = 0;
	}
	spin_unlock(&commit_lock);
	return err;
}

void vm_uncommit(struct addrspace *as, uint32_t pages)
{
	spin_lock(&commit_lock);
	committed_total -= pages;
	as->committed -= pages;
	spin_unlock(&commit_lock);
}

uint32_t vm_region_commit(const struct vm_region *r)
{
	if (!(r->prot & VM_W) || r->kind == VMR_STACK || (r->flags & VMR_F_SHARED))
		return 0; /* a shared mapping's pages go back to its file, not to swap */
	return (r->end - r->start) / PAGE_SIZE;
}

static int region_index(const struct addrspace *as, uint32_t va)
{
	for (int i = 0; i < as->nregions; i++)
		if (va >= as->regions[i].start && va < as->regions[i].end)
			return i;
	return -1;
}

/* Make va a region boundary, splitting the region that spans it. */
static int split_at(struct addrspace *as, uint32_t va)
{
	int i = region_index(as, va);
	if (i < 0 || as->regions[i].start == va)
		return 0;
	if (as->nregions == VM_MAX_REGIONS)
		return -ENOMEM;
	memmove(&as->regions[i + 1], &as->regions[i], (as->nregions - i) * sizeof(as->regions[0]));
	as->nregions++;
	as->regions[i].end = va;
	as->regions[i + 1].start = va;
	if (as->regions[i].vn)
		vnode_hold(as->regions[i].vn); /* two regions map it now */
	return 0;
}

static bool mergeable(const struct vm_region *a, const struct vm_region *b)
{
	return a->end == b->start && a->prot == b->prot && a->kind == b->kind &&
	       a->flags == b->flags && !(a->flags & VMR_F_HEAP) && a->file_data == b->file_data &&
	       a->vn == b->vn &&
	       a->file_base == b->file_base && a->file_lo == b->file_lo && a->file_hi == b->file_hi;
}

/* Merge every pair of identical neighbours. */
static void merge_all(struct addrspace *as)
{
	int i = 0;
	while (i + 1 < as->nregions) {
		if (!mergeable(&as->regions[i], &as->regions[i + 1])) {
			i++;
			continue;
		}
		as->regions[i].end = as->regions[i + 1].end;
		if (as->regions[i + 1].vn)
			vnode_put(as->regions[i + 1].vn);
		memmove(&as->regions[i + 1], &as->regions[i + 2],
			(as->nregions - i - 2) * sizeof(as->regions[0]));
		as->nregions--;
	}
}

/* Whether r lies inside [start, end). An empty region (the heap before
 * its first brk) is a position, inside only when start <= it < end: a
 * change of the pages just below the heap leaves the heap alone. */
static bool region_inside(const struct vm_region *r, uint32_t start, uint32_t end)
{
	return r->start >= start && r->end <= end && (r->start < r->end || r->start < end);
}

/* Remove [start, end) from the regions, releasing its pages and reservations. */
static int remove_range(struct addrspace *as, uint32_t start, uint32_t end)
{
	int err = split_at(as, start);
	if (err == 0)
		err = split_at(as, end);
	if (err)
		return err;
	int i = 0;
	while (i < as->nregions) {
		struct vm_region *r = &as->regions[i];
		if (region_inside(r, start, end)) {
			vm_uncommit(as, vm_region_commit(r));
			if (r->vn)
				vnode_put(r->vn);
			memmove(r, r + 1, (as->nregions - i - 1) * sizeof(*r));
			as->nregions--;
		} else {
			i++;
		}
	}
	vm_unmap_range(as, start, end);
	return 0;
}

/* Whether [start, end) meets no region. */
static bool range_free(const struct addrspace *as, uint32_t start, uint32_t end)
{
	for (int i = 0; i < as->nregions; i++)
		if (as->regions[i].start < end && start < as->regions[i].end)
			return false;
	return true;
}

/* The highest free gap of len bytes below MMAP_TOP, or 0. */
static uint32_t find_gap(const struct addrspace *as, uint32_t len)
{
	uint32_t top = MMAP_TOP;
	for (int i = as->nregions - 1; i >= -1; i--) {
		uint32_t floor = i >= 0 ? as->regions[i].end : USER_BASE;
		if (i >= 0 && as->regions[i].start >= top)
			continue;
		if (floor <= top && top - floor >= len)
			return top - len;
		if (i >= 0)
			top = MIN(top, as->regions[i].start);
	}
	return 0;
}

/* Check mmap's arguments as POSIX asks; the length rounded up to whole
 * pages goes to *span. 0, -EINVAL, -EACCES or -ENOMEM. */
static int mmap_check(uint32_t len, uint32_t prot, uint32_t flags, uint32_t off, uint32_t *span)
{
	uint32_t share = flags & (VM_MAP_SHARED | VM_MAP_PRIVATE);
	bool anon = flags & VM_MAP_ANONYMOUS;
	if (len == 0 || (prot & ~VM_PROT_ALL) ||
	    (flags & ~(VM_MAP_SHARED | VM_MAP_PRIVATE | VM_MAP_FIXED | VM_MAP_ANONYMOUS)) ||
	    (share != VM_MAP_SHARED && share != VM_MAP_PRIVATE) || !ALIGNED(off, PAGE_SIZE))
		return -EINVAL;
	if (anon && share == VM_MAP_SHARED)
		return -EINVAL; /* shared anonymous memory is not supported */
	*span = PAGE_ROUND_UP(len);
	return *span < len ? -ENOMEM : 0;
}

/* Where span bytes go: at addr with MAP_FIXED (which must be a legal
 * place), at the hint addr if it is free, else in the highest gap that
 * fits. The start goes to *start; 0, -EINVAL or -ENOMEM. */
static int mmap_place(const struct addrspace *as, uint32_t addr, uint32_t span, bool fixed,
		      uint32_t *start)
{
	if (fixed) {
		if (!ALIGNED(addr, PAGE_SIZE) || addr < USER_BASE || addr > USER_TOP ||
		    span > USER_TOP - addr)
			return -EINVAL;
		*start = addr;
	} else if (ALIGNED(addr, PAGE_SIZE) && addr >= USER_BASE && addr < MMAP_TOP &&
		   span <= MMAP_TOP - addr && range_free(as, addr, addr + span)) {
		*start = addr; /* the hint is free: take it */
	} else if ((*start = find_gap(as, span)) == 0) {
		return -ENOMEM;
	}
	return 0;
}

/* Reserve r's pages, replace what a MAP_FIXED mapping covers, add r and
 * merge it with identical neighbours. */
static int mmap_install(struct addrspace *as, const struct vm_region *r, bool fixed)
{
	int err = vm_commit(as, vm_region_commit(r));
	if (err)
		return err;
	if (fixed && (err = remove_range(as, r->start, r->end)) != 0) {
		vm_uncommit(as, vm_region_commit(r));
		return err;
	}
	if ((err = vm_add_region(as, r)) != 0) {
		vm_uncommit(as, vm_region_commit(r));
		return err == -EINVAL ? -ENOMEM : err;
	}
	merge_all(as);
	return 0;
}

/* Where a file mapping's bytes come from: an initramfs file's bytes, or a
 * page-cache file (writable: opened for writing, so a shared mapping may
 * store to it). */
struct mmap_source {
	const uint8_t *data;
	uint32_t size;
	struct vnode *vn;
	bool writable;
};

/* The file part of a new mapping r of src from offset off. An initramfs
 * file's bytes end at its size, zeroes after; a page-cache file's every
 * page is the file's, and a page wholly past its end is SIGBUS at the
 * fault (the file can grow and shrink meanwhile). */
static void mmap_file_part(struct vm_region *r, const struct mmap_source *src, uint32_t off,
			   bool shared)
{
	uint32_t span = r->end - r->start;
	r->file_data = src->data;
	r->vn = src->vn;
	r->file_base = (int64_t)r->start - off;
	r->file_lo = r->start;
	if (src->vn)
		r->file_hi = r->end;
	else
		r->file_hi = off < src->size ? r->start + MIN(span, src->size - off) : r->start;
	if (!shared)
		r->flags = 0;
	else if (src->vn)
		r->flags = VMR_F_SHARED | (src->writable ? 0 : VMR_F_NOWRITE);
	else
		r->flags = VMR_F_NOWRITE;
}

static int mmap_locked(struct addrspace *as, uint32_t addr, uint32_t len, uint32_t prot,
		       uint32_t flags, const struct mmap_source *src, uint32_t off, uint32_t *out)
{
	uint32_t span;
	int err = mmap_check(len, prot, flags, off, &span);
	bool anon = flags & VM_MAP_ANONYMOUS, fixed = flags & VM_MAP_FIXED;
	bool shared = flags & VM_MAP_SHARED;
	if (err == 0 && !anon && shared && (prot & VM_W) && !(src->vn && src->writable))
		err = -EACCES; /* the file is read-only */
	if (err)
		return err;
	prot = vm_prot_implied(prot);
	struct vm_region r = { .prot = (uint8_t)prot, .kind = anon ? VMR_ANON : VMR_FILE };
	if ((err = mmap_place(as, addr, span, fixed, &r.start)) != 0)
		return err;
	r.end = r.start + span;
	if (!anon)
		mmap_file_part(&r, src, off, shared);
	if ((err = mmap_install(as, &r, fixed)) != 0)
		return err;
	*out = r.start;
	return 0;
}

int vm_mmap(struct addrspace *as, uint32_t addr, uint32_t len, uint32_t prot, uint32_t flags,
	    const uint8_t *data, uint32_t size, uint32_t off, uint32_t *out)
{
	struct mmap_source src = { .data = data, .size = size };
	spin_lock(&vm_lock);
	int err = mmap_locked(as, addr, len, prot, flags, &src, off, out);
	spin_unlock(&vm_lock);
	return err;
}

int vm_mmap_vnode(struct addrspace *as, uint32_t addr, uint32_t len, uint32_t prot,
		  uint32_t flags, struct vnode *vn, bool writable, uint32_t off, uint32_t *out)
{
	struct mmap_source src = { .vn = vn, .writable = writable };
	spin_lock(&vm_lock);
	int err = mmap_locked(as, addr, len, prot, flags, &src, off, out);
	spin_unlock(&vm_lock);
	return err;
}

int vm_munmap(struct addrspace *as, uint32_t addr, uint32_t len)
{
	uint32_t span = PAGE_ROUND_UP(len);
	if (len == 0 || !ALIGNED(addr, PAGE_SIZE) || span < len || addr < USER_BASE ||
	    addr > USER_TOP || span > USER_TOP - addr)
		return -EINVAL;
	spin_lock(&vm_lock);
	int err = remove_range(as, addr, addr + span);
	spin_unlock(&vm_lock);
	return err;
}

/* The PTE flags a present page gets under prot: writable only when no one
 * else shares its frame or its swap copy (else copy-on-write decides). */
static pte_t reprotect(pte_t pte, uint32_t prot)
{
	struct frame *f = frame_of(pte_pa(pte));
	bool exclusive = f->refcnt == 1 && (f->slot == 0 || swap_refs(f->slot) == 1) &&
			 !(f->flags & FRAME_F_BUSY);
	uint32_t flags = vm_pte_flags(prot) & ~PTE_A;
	if (!exclusive)
		flags &= ~PTE_W;
	return (pte & ~(PTE_R | PTE_W | PTE_X)) | (flags & (PTE_R | PTE_W | PTE_X));
}

/* Whether the regions inside [addr, end) may take prot: a shared file
 * mapping can never become writable. */
static int mprotect_allowed(const struct addrspace *as, uint32_t addr, uint32_t end,
			    uint32_t prot)
{
	for (int i = 0; i < as->nregions; i++) {
		const struct vm_region *r = &as->regions[i];
		if (region_inside(r, addr, end) && (prot & VM_W) && (r->flags & VMR_F_NOWRITE))
			return -EACCES;
	}
	return 0;
}

/* Give the regions inside [addr, end) protection prot, reserving the pages
 * that become writable and giving back those that stop being so. */
static int mprotect_regions(struct addrspace *as, uint32_t addr, uint32_t end, uint32_t prot)
{
	for (int i = 0; i < as->nregions; i++) {
		struct vm_region *r = &as->regions[i];
		if (!region_inside(r, addr, end))
			continue;
		uint32_t before = vm_region_commit(r);
		uint8_t old = r->prot;
		r->prot = (uint8_t)prot;
		uint32_t after = vm_region_commit(r);
		if (after > before && vm_commit(as, after - before) != 0) {
			r->prot = old;
			return -ENOMEM;
		}
		if (before > after)
			vm_uncommit(as, before - after);
	}
	return 0;
}

/* Bring the present pages of [addr, end) to prot (a page gains W only
 * where no one shares it), then fence the pages that changed, in one
 * range: mprotect returns when no hart can use the old permissions. If
 * no page lost one, other harts' entries can only fault (fault_present
 * fences them there): a local fence is enough. */
static void mprotect_pages(struct addrspace *as, uint32_t addr, uint32_t end, uint32_t prot)
{
	uint32_t lo = end, hi = addr;
	bool lost = false;
	for (uint32_t va = addr; va < end; va += PAGE_SIZE) {
		pte_t *pte = sv32_walk(as->root, va, false);
		pte_t cur = pte ? pte_load(pte) : 0;
		if (!pte_valid(cur))
			continue;
		pte_t want = reprotect(cur, prot);
		if (want != cur) {
			pte_store(pte, want);
			lost |= (cur & ~want & (PTE_R | PTE_W | PTE_X)) != 0;
			lo = MIN(lo, va);
			hi = va + PAGE_SIZE;
		}
	}
	if (lo >= hi || vm_fence_omitted(VM_OMIT_MPROTECT_FENCE))
		return;
	if (lost)
		vm_fence_range(as, lo, hi - lo);
	else
		asid_flush_range_local(&as->asid, lo, hi - lo);
}

static int mprotect_locked(struct addrspace *as, uint32_t addr, uint32_t len, uint32_t prot)
{
	uint32_t span = PAGE_ROUND_UP(len);
	if (!ALIGNED(addr, PAGE_SIZE) || (prot & ~VM_PROT_ALL) || span < len)
		return -EINVAL;
	if (len == 0)
		return 0;
	prot = vm_prot_implied(prot);
	uint32_t end = addr + span;
	if (end < addr || end > USER_TOP || !vm_range_ok(as, addr, span, 0))
		return -ENOMEM; /* part of the range is not mapped */
	if (prot & VM_X)
		prot |= VM_R;
	int err = split_at(as, addr);
	if (err == 0)
		err = split_at(as, end);
	if (err == 0)
		err = mprotect_allowed(as, addr, end, prot);
	if (err == 0)
		err = mprotect_regions(as, addr, end, prot);
	if (err)
		return err;
	mprotect_pages(as, addr, end, prot);
	merge_all(as);
	return 0;
}

int vm_mprotect(struct addrspace *as, uint32_t addr, uint32_t len, uint32_t prot)
{
	spin_lock(&vm_lock);
	int err = mprotect_locked(as, addr, len, prot);
	spin_unlock(&vm_lock);
	return err;
}

static struct vm_region *heap_region(struct addrspace *as)
{
	for (int i = 0; i < as->nregions; i++)
		if (as->regions[i].flags & VMR_F_HEAP)
			return &as->regions[i];
	return NULL;
}

/* Move the heap region's end to new_end, reserving or giving back only
 * what vm_region_commit counts (nothing while mprotect has made the heap
 * read-only). 0 or -ENOMEM. */
static int resize_heap(struct addrspace *as, struct vm_region *heap, uint32_t new_end)
{
	struct vm_region resized = *heap;
	resized.end = new_end;
	uint32_t before = vm_region_commit(heap), after = vm_region_commit(&resized);
	if (after > before && vm_commit(as, after - before) != 0)
		return -ENOMEM;
	if (new_end < heap->end)
		vm_unmap_range(as, new_end, heap->end);
	if (before > after)
		vm_uncommit(as, before - after);
	heap->end = new_end;
	return 0;
}

static int set_brk_locked(struct addrspace *as, uint32_t new_brk)
{
	struct vm_region *heap = heap_region(as);
	if (heap == NULL || new_brk < as->heap_start || new_brk > USER_TOP)
		return -ENOMEM;
	/* munmap may have taken the heap's first pages: the region then
	 * starts above heap_start, and never ends below its own start. */
	uint32_t new_end = MAX(PAGE_ROUND_UP(new_brk), heap->start);
	int next = (int)(heap - as->regions) + 1;
	uint32_t limit = USER_TOP;
	if (next < as->nregions) {
		limit = as->regions[next].start;
		if (as->regions[next].kind == VMR_STACK)
			limit -= STACK_GUARD; /* keep the guard gap unmapped */
	}
	if (new_end > heap->end && new_end > limit)
		return -ENOMEM;
	if (resize_heap(as, heap, new_end) != 0)
		return -ENOMEM;
	as->brk = new_brk;
	return 0;
}

int vm_set_brk(struct addrspace *as, uint32_t new_brk)
{
	spin_lock(&vm_lock);
	int err = set_brk_locked(as, new_brk);
	spin_unlock(&vm_lock);
	return err;
}
