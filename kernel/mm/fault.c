/*
 * Page-fault decisions, by the state of the PTE (DESIGN.md section 4):
 *   0                    -> fill from the region: file bytes or zeroes
 *   swap entry           -> swap in (or find the page in the swap cache)
 *   valid, store, not W  -> copy-on-write: copy, or take over the last reference
 *   valid, A or D clear  -> set them (hardware that faults instead of setting)
 *   valid and allowed    -> a stale TLB entry: fence and retry
 * Anything the region forbids is refused (-EFAULT) and the caller kills.
 * A sleep on swap I/O can change the world (vm_lock is dropped for it,
 * and other harts and processes run): each path re-checks the PTE after
 * one and retries from the top if it moved.
 */
#include "mm/vm.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/spinlock.h"
#include "mm/phys.h"
#include "mm/readahead.h"
#include "mm/swap.h"
#include "mm/reclaim.h"
#include "mm/rmap.h"
#include "proc/sleep.h"

#define FAULT_RETRY 1 /* internal: the PTE changed under a sleep, decide again */

static bool trace_on;

void vm_trace(bool on)
{
	trace_on = on;
}

static void trace(struct addrspace *as, uint32_t va, uint32_t prot, const char *action,
		  uint32_t slot)
{
	if (!trace_on)
		return;
	const char *cause = prot == VM_W ? "store" : prot == VM_X ? "fetch" : "load";
	if (slot)
		kprintf("vm: pid %d va 0x%08x %s: %s slot %u\n", as->pid, va, cause, action, slot);
	else
		kprintf("vm: pid %d va 0x%08x %s: %s\n", as->pid, va, cause, action);
}

uint32_t vm_pte_flags(uint32_t prot)
{
	uint32_t f = PTE_U | PTE_A;
	if (prot & VM_R)
		f |= PTE_R;
	if (prot & VM_W)
		f |= PTE_W;
	if (prot & VM_X)
		f |= PTE_X;
	return f;
}

/* Map f at page through pte with flags; the caller holds the reference
 * this mapping will own. */
static int install(struct addrspace *as, pte_t *pte, uint32_t page, struct frame *f,
		   uint32_t flags)
{
	if (rmap_add(f, as, page) != 0)
		return -ENOMEM;
	vm_note_pte(as, page);
	if (!(f->flags & FRAME_F_CACHE))
		f->va = page;
	pte_store(pte, pte_make(frame_to_pa(f), flags | PTE_V));
	if (!(f->flags & FRAME_F_USER))
		reclaim_ring_add(f);
	as->resident++;
	return 0;
}

/* A frame for a new page whose PTE is pte: 0 with the frame in *pa,
 * -ENOMEM, or FAULT_RETRY when the PTE changed while the allocation slept. */
static int new_frame(pte_t *pte, paddr_t *pa)
{
	*pa = reclaim_alloc();
	if (*pa == 0)
		return -ENOMEM;
	if (pte_load(pte) != 0) { /* it changed while we slept: decide again */
		frame_free(*pa);
		return FAULT_RETRY;
	}
	return 0;
}

/* Map the new, filled frame pa at page with r's protection. D stays clear
 * unless this access writes: a page never written can be dropped and
 * recreated instead of going to swap. */
static int map_new(struct addrspace *as, const struct vm_region *r, uint32_t page, pte_t *pte,
		   uint32_t prot, paddr_t pa)
{
	uint32_t flags = vm_pte_flags(r->prot) | (prot == VM_W ? PTE_D : 0);
	int err = install(as, pte, page, frame_of(pa), flags);
	if (err)
		frame_free(pa);
	return err;
}

/* lab lazy: begin */
/* The first touch of a page of an anonymous region or of the stack: map a
 * fresh page of zeroes. */
static int fault_zero(struct addrspace *as, const struct vm_region *r, uint32_t page, pte_t *pte,
		      uint32_t prot)
{
	paddr_t pa;
	int err = new_frame(pte, &pa);
	if (err)
		return err;
	page_zero(pa2kva(pa));
	err = map_new(as, r, page, pte, prot, pa);
	if (err)
		return err;
	vm_stats.faults_zero++;
	trace(as, page, prot, "zero", 0);
	return 0;
}
/* lab lazy: end */

/* Map a new private page at page: zeroes, and the file bytes [lo, hi) of
 * it copied from src (which holds byte lo) when lo < hi. */
static int map_file_copy(struct addrspace *as, const struct vm_region *r, uint32_t page,
			 pte_t *pte, uint32_t prot, const uint8_t *src, uint32_t lo, uint32_t hi)
{
	paddr_t pa;
	int err = new_frame(pte, &pa);
	if (err)
		return err;
	uint8_t *bytes = pa2kva(pa);
	if (lo == page && hi == page + PAGE_SIZE) {
		page_copy(bytes, src); /* a whole page of the file: nothing to zero */
	} else if (lo < hi) {
		memset(bytes, 0, lo - page);
		memcpy(bytes + (lo - page), src, hi - lo);
		memset(bytes + (hi - page), 0, page + PAGE_SIZE - hi);
	} else {
		page_zero(bytes);
	}
	err = map_new(as, r, page, pte, prot, pa);
	if (err)
		return err;
	if (lo < hi)
		vm_stats.faults_file++;
	else
		vm_stats.faults_zero++;
	trace(as, page, prot, lo < hi ? "file" : "zero", 0);
	return 0;
}

/* The first touch of a page of an initramfs file region: the file's bytes
 * where the region has them, zeroes elsewhere (bss after data, a file's
 * tail). */
static int fault_file(struct addrspace *as, const struct vm_region *r, uint32_t page, pte_t *pte,
		      uint32_t prot)
{
	uint32_t lo = MAX(page, r->file_lo), hi = MIN(page + PAGE_SIZE, r->file_hi);
	const uint8_t *src = lo < hi ? r->file_data + ((int64_t)lo - r->file_base) : NULL;
	return map_file_copy(as, r, page, pte, prot, src, lo, hi);
}

/* Map f, whose reference the caller holds, at page with r's protection,
 * but writable only if writable; a store sets D at once, as a fresh
 * page's does (map_new). On failure the reference is dropped. */
static int install_held(struct addrspace *as, const struct vm_region *r, uint32_t page,
			pte_t *pte, uint32_t prot, struct frame *f, bool writable)
{
	uint32_t flags = vm_pte_flags(r->prot);
	if (!writable)
		flags &= ~PTE_W;
	else if (prot == VM_W)
		flags |= PTE_D;
	int err = install(as, pte, page, f, flags);
	if (err)
		reclaim_put(f);
	return err;
}

/* Map pinned cache page f at page; the pin becomes the mapping's
 * reference. Writable only in a shared writable mapping: a private one
 * copies on its first store. */
static int map_cache_page(struct addrspace *as, const struct vm_region *r, uint32_t page,
			  pte_t *pte, uint32_t prot, struct frame *f)
{
	bool writable = r->flags & VMR_F_SHARED;
	int err = install_held(as, r, page, pte, prot, f, writable);
	if (err)
		return err;
	vm_stats.faults_cache++;
	trace(as, page, prot, "cache", 0);
	return prot == VM_W && !writable ? FAULT_RETRY : 0; /* then copy-on-write */
}

/* Give page a private copy of the file bytes [lo, hi) of its part of the
 * pinned cache page f (an ELF segment's first or last page), zeroes
 * around them; f is unpinned. */
static int copy_cache_part(struct addrspace *as, const struct vm_region *r, uint32_t page,
			   pte_t *pte, uint32_t prot, struct frame *f, uint32_t lo, uint32_t hi)
{
	uint32_t at = (uint32_t)(((int64_t)lo - r->file_base) % PAGE_SIZE);
	const uint8_t *src = (const uint8_t *)pa2kva(frame_to_pa(f)) + at;
	int err = map_file_copy(as, r, page, pte, prot, src, lo, hi);
	reclaim_put(f);
	return err;
}

/*
 * The first touch of a page of a page-cache file region. vm_lock is
 * dropped while the file system finds the page (it may read the disk);
 * only this process changes its own regions and only reclaim its PTEs,
 * which never makes a 0 entry non-zero, so the region found before is
 * still the one after. A page wholly of file bytes at a page offset maps
 * the cache page itself; a page partly file, partly zero gets a copy.
 */
static int fault_vnode(struct addrspace *as, const struct vm_region *r, uint32_t page, pte_t *pte,
		       uint32_t prot)
{
	uint32_t lo = MAX(page, r->file_lo), hi = MIN(r->file_hi, page + PAGE_SIZE);
	if (lo >= hi)
		return fault_zero(as, r, page, pte, prot);
	int64_t off = (int64_t)lo - r->file_base;
	bool whole = lo == page && hi == page + PAGE_SIZE && off % PAGE_SIZE == 0;
	bool alloc = (r->flags & VMR_F_SHARED) && (r->prot & VM_W);
	struct frame *f = NULL;
	/* The region's reference keeps its vnode meanwhile: only this
	 * process could unmap the region, and it is here. */
	spin_unlock(&vm_lock);
	int err = vnode_map_page(r->vn, (uint32_t)(off / PAGE_SIZE), alloc, &f);
	spin_lock(&vm_lock);
	if (err == 1)
		return fault_zero(as, r, page, pte, prot); /* a hole */
	if (err)
		return err;
	if (pte_load(pte) != 0) {
		reclaim_put(f);
		return FAULT_RETRY;
	}
	if (!whole)
		return copy_cache_part(as, r, page, pte, prot, f, lo, hi);
	return map_cache_page(as, r, page, pte, prot, f);
}

/* A store to a present cache page of a shared writable mapping, mapped
 * read-only (mprotect gave W back): make it writable in place, no copy. */
static int fault_mkwrite(struct addrspace *as, uint32_t page, pte_t *pte, uint32_t prot)
{
	pte_set_bits(pte, PTE_W | PTE_D | PTE_A);
	asid_flush_page_local(&as->asid, page); /* other harts' read-only entries only fault */
	trace(as, page, prot, "mkwrite", 0);
	return 0;
}

/* Enter the n new frames of run in the swap cache for slot, slot + 1,
 * ..., busy until their read ends. */
static void cache_run(struct frame **run, uint32_t slot, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		struct frame *f = run[k];
		f->flags |= FRAME_F_BUSY;
		f->slot = slot + k;
		swap_ref(slot + k); /* the swap cache's reference */
		swap_cache_set(slot + k, f);
	}
}

/* Read the frames of run from slot on, in one request, and end their
 * busy state; on failure they leave the cache and are freed. */
static int read_run(struct frame **run, uint32_t slot, uint32_t n)
{
	int err = swap_read_frames(slot, run, n);
	for (uint32_t k = 0; k < n; k++) {
		struct frame *f = run[k];
		f->flags &= ~FRAME_F_BUSY;
		wakeup(f);
		if (err) {
			swap_cache_clear(f->slot);
			swap_unref(f->slot);
			f->slot = 0;
			f->flags = 0;
			frame_free(frame_to_pa(f));
		}
	}
	return err;
}

/* Up to n free frames for pages read ahead, taken without eviction
 * (ra_plan counted them free): how many it got. */
static uint32_t take_frames(struct frame **run, uint32_t n)
{
	for (uint32_t k = 0; k < n; k++) {
		paddr_t pa = frame_alloc(0);
		if (pa == 0)
			return k;
		run[k] = frame_of(pa);
	}
	return n;
}

/* Map f, which holds the bytes of the slot pte names, at page with
 * flags, but neither writable nor dirty if anything else shares the
 * frame or the slot (copy-on-write decides on a store). The PTE's
 * reference moves from the slot to the frame, whose reference the caller
 * holds (dropped on failure). 1 when mapped writable, 0 read-only, or
 * -ENOMEM. */
static int map_slot_frame(struct addrspace *as, uint32_t page, pte_t *pte, struct frame *f,
			  uint32_t flags)
{
	uint32_t slot = f->slot;
	bool exclusive = f->refcnt == 1 && swap_refs(slot) == 2;
	if (!exclusive)
		flags &= ~(PTE_W | PTE_D);
	int err = install(as, pte, page, f, flags);
	if (err) {
		reclaim_put(f);
		return err;
	}
	swap_unref(slot);
	as->swapped--;
	return exclusive;
}

/* Map the n frames read ahead after page at their pages, clean and with
 * A clear, so that the clock takes one never used first; one whose PTE
 * no longer names its slot is dropped. */
static void map_ahead(struct addrspace *as, const struct vm_region *r, uint32_t page,
		      struct frame **run, uint32_t n)
{
	if (n == 0)
		return;
	uint32_t flags = vm_pte_flags(r->prot) & ~PTE_A;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t va = page + (k + 1) * PAGE_SIZE;
		pte_t *pte = sv32_walk(as->root, va, false);
		if (pte == NULL || pte_load(pte) != pte_swap_make(run[k]->slot))
			reclaim_put(run[k]);
		else
			(void)map_slot_frame(as, va, pte, run[k], flags);
	}
}

/* Read slot into a new frame entered in the swap cache, and in the same
 * disk request the pages after page that ra_plan finds on the slots
 * after slot, which are mapped too. */
static int swap_in_frame(struct addrspace *as, const struct vm_region *r, uint32_t page,
			 uint32_t slot, struct frame **out)
{
	struct frame *run[SWAP_READ_MAX];
	paddr_t pa = reclaim_alloc();
	if (pa == 0)
		return -ENOMEM;
	if (swap_cache_lookup(slot)) { /* someone read it while we slept */
		frame_free(pa);
		return FAULT_RETRY;
	}
	run[0] = frame_of(pa);
	uint32_t n = 1 + take_frames(run + 1, ra_plan(as, r, page, slot));
	cache_run(run, slot, n);
	if (read_run(run, slot, n) != 0) {
		if (n == 1)
			return -EIO;
		ra_failed(as); /* the bad sector may be a neighbour's: the page alone next */
		return FAULT_RETRY;
	}
	vm_stats.swapins += n;
	vm_stats.swap_readahead += n - 1;
	map_ahead(as, r, page, run + 1, n - 1);
	*out = run[0];
	return 0;
}

/* Not inlined into vm_fault_locked: the registers and buffers of a swap
 * read would cost every other fault their saving. */
static __attribute__((noinline)) int fault_swap(struct addrspace *as, const struct vm_region *r,
						uint32_t page, pte_t *pte, uint32_t prot)
{
	pte_t old = pte_load(pte);
	uint32_t slot = pte_swap_slot(old);
	struct frame *f = swap_cache_lookup(slot);
	bool shared = f != NULL;
	if (f && (f->flags & FRAME_F_BUSY)) {
		reclaim_wait_io(f);
		return FAULT_RETRY;
	}
	if (f == NULL) {
		int err = swap_in_frame(as, r, page, slot, &f);
		if (err)
			return err;
		if (pte_load(pte) != old) { /* changed while we read: drop the page, decide again */
			reclaim_put(f);
			return FAULT_RETRY;
		}
	} else {
		frame_ref(frame_to_pa(f));
	}
	/* A store to a page mapped writable sets D at once, as a fresh
	 * page's does (map_new). */
	int writable =
	    map_slot_frame(as, page, pte, f, vm_pte_flags(r->prot) | (prot == VM_W ? PTE_D : 0));
	if (writable < 0)
		return writable;
	vm_stats.faults_swapin++;
	trace(as, page, prot, shared ? "swap-cache" : "swap-in", slot);
	/* A store to a page still shared is not done yet: decide again, and
	 * copy-on-write will, in this same fault. */
	return prot == VM_W && !writable ? FAULT_RETRY : 0;
}

/* lab cow: begin */
/* Copy-on-write when f has no other reference: take the page over. Its
 * swap copy (if any) goes stale, so it leaves the swap cache. */
static int cow_take_over(struct addrspace *as, uint32_t page, pte_t *pte, struct frame *f,
			 uint32_t prot)
{
	if (f->slot) {
		swap_cache_clear(f->slot);
		swap_unref(f->slot);
		f->slot = 0;
	}
	pte_set_bits(pte, PTE_W | PTE_D | PTE_A);
	if (!vm_fence_omitted(VM_OMIT_COW_REUSE_FENCE))
		asid_flush_page_local(&as->asid, page); /* an upgrade: other harts' entries only fault */
	vm_stats.faults_cow_reuse++;
	trace(as, page, prot, "cow-reuse", 0);
	return 0;
}

/* Copy-on-write when others share f: map a private copy in its place. */
static int cow_copy(struct addrspace *as, uint32_t page, pte_t *pte, struct frame *f,
		    uint32_t prot)
{
	pte_t old = pte_load(pte);
	paddr_t pa = reclaim_alloc();
	if (pa == 0)
		return -ENOMEM;
	if (pte_load(pte) != old) {
		frame_free(pa);
		return FAULT_RETRY;
	}
	page_copy(pa2kva(pa), pa2kva(frame_to_pa(f)));
	struct frame *copy = frame_of(pa);
	copy->flags |= FRAME_F_DIRTY; /* nothing else holds these bytes */
	rmap_remove(f, as, page);
	as->resident--;
	int err = install(as, pte, page, copy, (old & PTE_FLAGS_MASK & ~PTE_V) | PTE_W | PTE_D | PTE_A);
	if (err) {
		/* Put the old mapping back as it was. */
		pte_store(pte, old);
		rmap_add(f, as, page);
		as->resident++;
		frame_free(pa);
		return err;
	}
	if (!vm_fence_omitted(VM_OMIT_COW_COPY_FENCE))
		vm_fence_page(as, page); /* the PTE names another frame: every hart */
	reclaim_put(f);
	vm_stats.faults_cow_copy++;
	trace(as, page, prot, "cow-copy", 0);
	return 0;
}

/* A store to a read-only page of a writable region: copy-on-write. */
static int fault_cow(struct addrspace *as, uint32_t page, pte_t *pte, struct frame *f,
		     uint32_t prot)
{
	if (f->flags & FRAME_F_BUSY) {
		reclaim_wait_io(f);
		return FAULT_RETRY;
	}
	if (f->refcnt == 1)
		return cow_take_over(as, page, pte, f, prot);
	return cow_copy(as, page, pte, f, prot);
}
/* lab cow: end */

static int fault_present(struct addrspace *as, const struct vm_region *r, uint32_t page,
			 pte_t *pte, uint32_t prot)
{
	pte_t cur = pte_load(pte);
	struct frame *f = frame_of(pte_pa(cur));
	if (prot == VM_W && !(cur & PTE_W) && (f->flags & FRAME_F_CACHE) &&
	    (r->flags & VMR_F_SHARED))
		return fault_mkwrite(as, page, pte, prot);
	if (prot == VM_W && !(cur & PTE_W))
		return fault_cow(as, page, pte, f, prot);
	if ((prot == VM_X && !(cur & PTE_X)) || (prot == VM_R && !(cur & PTE_R)))
		return -EFAULT;
	uint32_t want = PTE_A | (prot == VM_W ? PTE_D : 0);
	if ((cur & want) != want) {
		pte_set_bits(pte, want);
		vm_stats.faults_ad++;
		trace(as, page, prot, "set-ad", 0);
	}
	/* A stale TLB entry of this hart from before the page was mapped or
	 * upgraded: fence and retry (privileged spec, SFENCE.VMA). */
	if (!vm_fence_omitted(VM_OMIT_STALE_FENCE))
		asid_flush_page_local(&as->asid, page);
	return 0;
}

int vm_fault(struct addrspace *as, uint32_t va, uint32_t prot)
{
	spin_lock(&vm_lock);
	int err = vm_fault_locked(as, va, prot);
	spin_unlock(&vm_lock);
	return err;
}

int vm_fault_locked(struct addrspace *as, uint32_t va, uint32_t prot)
{
	spin_assert_held(&vm_lock);
	for (;;) {
		const struct vm_region *r = vm_find(as, va);
		if (r == NULL || (r->prot & prot) != prot)
			return -EFAULT;
		uint32_t page = PAGE_ROUND_DOWN(va);
		pte_t *pte = vm_user_pte(as, page);
		if (pte == NULL)
			return -ENOMEM;
		int err;
		pte_t cur = pte_load(pte);
		if (cur == 0 && r->kind == VMR_FILE && r->vn)
			err = fault_vnode(as, r, page, pte, prot);
		else if (cur == 0 && r->kind == VMR_FILE)
			err = fault_file(as, r, page, pte, prot);
		else if (cur == 0)
			err = fault_zero(as, r, page, pte, prot);
		else if (pte_is_swap(cur))
			err = fault_swap(as, r, page, pte, prot);
		else
			err = fault_present(as, r, page, pte, prot);
		if (err != FAULT_RETRY)
			return err;
	}
}
