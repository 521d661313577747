/*
 * Address spaces and their regions. The kernel half of every root is a
 * copy of the kernel root's entries (all global), so a process costs no
 * kernel leaf tables. User pages are mapped on first touch by vm_fault;
 * unmapping or downgrading a user page fences it in that space's ASID on
 * every hart that may hold it (asid_flush_range), before its frame can be
 * reused. Invariant: every valid user PTE's frame is counted in
 * as->resident.
 *
 * vm_lock guards the page tables of every space, their counters
 * (resident, swapped), the list of spaces, the reverse maps, the
 * replacement ring and the swap slots and swap cache: what a fault or an
 * eviction by one process can change in another's space. Every entry
 * point below takes it; it is dropped only around swap I/O (swap.c),
 * where the code re-checks what it saw, as it always did around a sleep.
 * A space's regions, heap and brk belong to its process alone (only it
 * reads or changes them, or its creator before it first runs).
 */
#include "mm/vm.h"
#include "riscv/hv.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/spinlock.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "riscv/cpu.h"
#include "riscv/kmap.h"
#include "riscv/uaccess.h"
#include "mm/swap.h"
#include "mm/reclaim.h"
#include "mm/rmap.h"

#define USER_VPN1_END (USER_TOP >> SV32_VPN1_SHIFT) /* root entries below this are the user half */

_Static_assert(USER_TOP == KMAP_BASE, "the user half ends where the kernel half begins");

/* The most PTEs vm_unmap_range clears before one fence lets it free their
 * frames: one remote fence per call for any range up to 256 KiB. */
#define UNMAP_BATCH 64

struct spinlock vm_lock = SPINLOCK_INIT("vm");
#ifdef HOST_TEST
unsigned vm_test_omit;
#endif
struct vm_stats vm_stats;                /* [vm_lock] but faults_kill: [proc_lock] */
static struct addrspace *spaces; /* [vm_lock] every space, linked by next/prev */
static uint32_t spaces_made;     /* [vm_lock] spaces created since boot: the next serial */

_Static_assert(sizeof(struct addrspace) <= PAGE_SIZE, "a space fits in its frame");

/* A zeroed space (but for its regions, none in use) in a frame of its
 * own, marked FRAME_F_SPACE, on the list. */
static struct addrspace *space_alloc(void)
{
	spin_assert_held(&vm_lock);
	paddr_t pa = frame_alloc(0);
	if (pa == 0)
		return NULL;
	frame_of(pa)->flags |= FRAME_F_SPACE;
	struct addrspace *as = pa2kva(pa);
	memset(as, 0, offsetof(struct addrspace, regions));
	as->serial = ++spaces_made;
	as->next = spaces;
	if (spaces)
		spaces->prev = as;
	spaces = as;
	return as;
}

static void space_free(struct addrspace *as)
{
	spin_assert_held(&vm_lock);
	if (as->prev)
		as->prev->next = as->next;
	else
		spaces = as->next;
	if (as->next)
		as->next->prev = as->prev;
	paddr_t pa = kva2pa(as);
	frame_of(pa)->flags &= ~FRAME_F_SPACE;
	frame_free(pa);
}

struct addrspace *vm_space_first(void)
{
	return spaces;
}

struct addrspace *vm_space_next(const struct addrspace *as)
{
	return as->next;
}

bool vm_space_live(const struct addrspace *as)
{
	paddr_t pa = kva2pa(as);
	const struct frame *f = ALIGNED(pa, PAGE_SIZE) ? frame_of(pa) : NULL;
	return f && f->state == FRAME_USED && (f->flags & FRAME_F_SPACE);
}

struct addrspace *vm_create(void)
{
	spin_lock(&vm_lock);
	struct addrspace *as = space_alloc();
	paddr_t root = as ? frame_alloc(0) : 0;
	if (as && root == 0) {
		space_free(as);
		as = NULL;
	}
	if (as) {
		as->root = pa2kva(root);
		bulk_zero(as->root, USER_VPN1_END * sizeof(pte_t)); /* the user half: empty */
		kmap_share_kernel_half(as->root);
	}
	spin_unlock(&vm_lock);
	return as;
}

/* Release what one user PTE holds: a frame's mapping or a slot reference.
 * The caller clears the PTE and fences. */
/* Always inline: teardown calls it for every PTE, and a call each cost
 * fork_exit_wait_4m 35,000 instructions (make bench). */
static inline __attribute__((always_inline)) void release_pte(struct addrspace *as, uint32_t va,
							      pte_t pte)
{
	if (pte_valid(pte)) {
		struct frame *f = frame_of(pte_pa(pte));
		if ((pte & PTE_D) && (f->flags & FRAME_F_CACHE))
			f->flags |= FRAME_F_DIRTY; /* a shared mapping's stores: the file must get them */
		rmap_remove(f, as, va);
		as->resident--;
		reclaim_put(f);
	} else if (pte_is_swap(pte)) {
		swap_unref(pte_swap_slot(pte));
		as->swapped--;
	}
}

/* One level-0 table of a user half: its root index, its entries, and the
 * part of them ever set (vm_note_pte), outside which every entry is 0. */
struct user_table {
	uint32_t vpn1;
	pte_t *ptes;
	uint32_t lo, hi;
};

/* Find the first level-0 table of as's user half at root index *vpn1 or
 * above, by the bitmap as->tables (vm_user_pte); false when there is none.
 * Loop with for (uint32_t i = 0; next_user_table(as, &i, &t); i++).
 * Always inline: fork and teardown step it for every table, and a call
 * for each cost fork_exit_wait 1,400 instructions (make bench). */
static inline __attribute__((always_inline)) bool
next_user_table(const struct addrspace *as, uint32_t *vpn1, struct user_table *t)
{
	for (uint32_t i = *vpn1; i < USER_VPN1_END; i++) {
		uint32_t bits = as->tables[i / 32] >> (i % 32);
		if (bits == 0) {
			i |= 31; /* none left in this word */
			continue;
		}
		if (!(bits & 1))
			continue;
		pte_t pte1 = pte_load(&as->root[i]);
		const struct frame *f = frame_of(pte_pa(pte1));
		*t = (struct user_table){ i, pa2kva(pte_pa(pte1)), f->used.lo, f->used.hi };
		*vpn1 = i;
		return true;
	}
	return false;
}

void vm_note_pte(struct addrspace *as, uint32_t va)
{
	spin_assert_held(&vm_lock);
	struct frame *t = frame_of(pte_pa(pte_load(&as->root[sv32_vpn1(va)])));
	uint16_t j = (uint16_t)sv32_vpn0(va);
	if (t->used.lo == t->used.hi) {
		t->used.lo = j;
		t->used.hi = j + 1;
	} else if (j < t->used.lo) {
		t->used.lo = j;
	} else if (j >= t->used.hi) {
		t->used.hi = j + 1;
	}
}

pte_t *vm_user_pte(struct addrspace *as, uint32_t va)
{
	spin_assert_held(&vm_lock);
	pte_t *pte = sv32_walk(as->root, va, true);
	if (pte)
		as->tables[sv32_vpn1(va) / 32] |= 1u << (sv32_vpn1(va) % 32);
	return pte;
}

/* No fence: no hart runs the space now, and its entries left in any TLB
 * are never hit again. With ASIDs they carry its tag, which no space gets
 * again in this generation, and every hart fences everything before it
 * runs a space of the next; without, a hart fences ASID 0 whenever it
 * leaves a root. */
void vm_destroy(struct addrspace *as)
{
	struct user_table t;
	hv_destroy(as); /* the guest it hosts, if any, and its G-stage, first */
	spin_lock(&vm_lock);
	for (uint32_t i = 0; next_user_table(as, &i, &t); i++) {
		for (uint32_t j = t.lo; j < t.hi; j++) {
			pte_t pte = pte_load(&t.ptes[j]);
			if (pte != 0) /* most of a table's used range may be empty again */
				release_pte(as, t.vpn1 << SV32_VPN1_SHIFT | j << PAGE_SHIFT, pte);
		}
		frame_free(kva2pa(t.ptes));
	}
	if (as->resident != 0 || as->swapped != 0)
		panic("vm: %u resident and %u swapped pages left after destroy", as->resident,
		      as->swapped);
	vm_uncommit(as, as->committed);
	for (int i = 0; i < as->nregions; i++)
		if (as->regions[i].vn)
			vnode_put(as->regions[i].vn);
	frame_free(kva2pa(as->root));
	asid_release(&as->asid);
	space_free(as);
	spin_unlock(&vm_lock);
}

/* Resident pages of as that also hold a swap slot (the swap cache), and
 * those that are page-cache pages. */
static void count_cached(const struct addrspace *as, struct vm_usage *u)
{
	struct user_table t;
	for (uint32_t i = 0; next_user_table(as, &i, &t); i++) {
		for (uint32_t j = t.lo; j < t.hi; j++) {
			pte_t pte = pte_load(&t.ptes[j]);
			const struct frame *f = pte_valid(pte) ? frame_of(pte_pa(pte)) : NULL;
			u->swapcached += f && f->slot;
			u->cache += f && (f->flags & FRAME_F_CACHE);
		}
	}
}

/* Bytes of page tables as spends: its root and its user level-0 tables. */
static uint32_t table_bytes(const struct addrspace *as)
{
	uint32_t tables = 1; /* the root */
	struct user_table t;
	for (uint32_t i = 0; next_user_table(as, &i, &t); i++)
		tables++;
	return tables * PAGE_SIZE;
}

int vm_usage(const struct addrspace *as, int pid, struct vm_usage *u)
{
	int err = -ESRCH;
	spin_lock(&vm_lock);
	if (vm_space_live(as) && as->pid == pid) {
		*u = (struct vm_usage){ .resident = as->resident,
					.swapped = as->swapped,
					.table_bytes = table_bytes(as) };
		count_cached(as, u);
		err = 0;
	}
	spin_unlock(&vm_lock);
	return err;
}

void vm_print(const struct addrspace *as)
{
	spin_lock(&vm_lock);
	sv32_print(as->root, 0, USER_VPN1_END);
	spin_unlock(&vm_lock);
}

void vm_activate(struct addrspace *as)
{
	mycpu()->vm = as;
	asid_activate(&as->asid, kva2pa(as->root));
}

void vm_deactivate(void)
{
	mycpu()->vm = NULL;
	asid_activate_kernel(kmap_root_pa());
}

/* With one hart the space stays loaded: nothing can run it elsewhere
 * meanwhile, and the switch back to it is then free. */
void vm_idle(void)
{
	if (ncpus == 1)
		return;
	if (mycpu()->vm)
		vm_deactivate();
	asid_idle();
}

int vm_add_region(struct addrspace *as, const struct vm_region *r)
{
	if (!ALIGNED(r->start, PAGE_SIZE) || !ALIGNED(r->end, PAGE_SIZE) || r->end < r->start ||
	    r->start < USER_BASE || r->end > USER_TOP)
		return -EINVAL;
	if (as->nregions == VM_MAX_REGIONS)
		return -ENOMEM;
	int i = 0;
	while (i < as->nregions && as->regions[i].start < r->start)
		i++;
	if (i > 0 && as->regions[i - 1].end > r->start)
		return -EINVAL;
	if (i < as->nregions && r->end > as->regions[i].start)
		return -EINVAL;
	memmove(&as->regions[i + 1], &as->regions[i], (as->nregions - i) * sizeof(*r));
	as->regions[i] = *r;
	as->nregions++;
	if (r->vn)
		vnode_hold(r->vn);
	return 0;
}

/* The last region found is tried first: a system call's buffer, a loop's
 * pages, usually lie in the region the last look found (a binary search
 * cost each pipe round trip 368 instructions, make bench). The hint is
 * only a guess, checked against the regions as they are now: regions are
 * disjoint, so one that holds va is the one. */
const struct vm_region *vm_find(const struct addrspace *as, uint32_t va)
{
	uint32_t hint = as->find_hint;
	if (hint < (uint32_t)as->nregions && va >= as->regions[hint].start &&
	    va < as->regions[hint].end)
		return &as->regions[hint];
	int lo = 0, hi = as->nregions;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		const struct vm_region *r = &as->regions[mid];
		if (va < r->start) {
			hi = mid;
		} else if (va >= r->end) {
			lo = mid + 1;
		} else {
			((struct addrspace *)as)->find_hint = (uint32_t)mid; /* a cache, not state */
			return r;
		}
	}
	return NULL;
}

/* Share one user PTE of src with dst: a swap entry gains a reference, a
 * frame gains a mapping, and a writable page becomes copy-on-write in both.
 * to is in dst's new table, which no hart walks yet. */
static int share_pte(struct addrspace *dst, uint32_t va, pte_t *from, pte_t *to,
		     bool *downgraded)
{
	pte_t pte = pte_load(from);
	if (pte_is_swap(pte)) {
		swap_ref(pte_swap_slot(pte));
		dst->swapped++;
		pte_store(to, pte);
		return 0;
	}
	struct frame *f = frame_of(pte_pa(pte));
	if (rmap_add(f, dst, va) != 0)
		return -ENOMEM;
	f->refcnt++;
	if ((pte & PTE_W) && !(f->flags & FRAME_F_CACHE)) {
		pte &= ~PTE_W;
		pte_clear_bits(from, PTE_W);
		*downgraded = true;
	}
	pte_store(to, pte);
	dst->resident++;
	return 0;
}

/* Share the used part of src's level-0 table t with dst, in a new table
 * made at its first entry: a table whose pages are all gone (munmap) is
 * not copied, so a child costs only the tables it needs. */
static int share_table(struct addrspace *dst, const struct user_table *t, bool *downgraded)
{
	pte_t *to = NULL;
	for (uint32_t j = t->lo; j < t->hi; j++) {
		if (pte_load(&t->ptes[j]) == 0)
			continue;
		uint32_t va = t->vpn1 << SV32_VPN1_SHIFT | j << PAGE_SHIFT;
		if (to == NULL) {
			pte_t *first = vm_user_pte(dst, va);
			if (first == NULL)
				return -ENOMEM;
			to = first - j; /* the new table's entry 0 */
			frame_of(kva2pa(to))->used = frame_of(kva2pa(t->ptes))->used;
		}
		int err = share_pte(dst, va, &t->ptes[j], &to[j], downgraded);
		if (err)
			return err;
	}
	return 0;
}

bool vm_maps_shared(const struct addrspace *as)
{
	for (int i = 0; i < as->nregions; i++)
		if ((as->regions[i].flags & VMR_F_SHARED) && (as->regions[i].prot & VM_W))
			return true;
	return false;
}

int vm_copy(struct addrspace *dst, struct addrspace *src)
{
	spin_lock(&vm_lock);
	memcpy(dst->regions, src->regions, sizeof(src->regions[0]) * src->nregions);
	dst->nregions = src->nregions;
	for (int i = 0; i < dst->nregions; i++)
		if (dst->regions[i].vn)
			vnode_hold(dst->regions[i].vn);
	dst->heap_start = src->heap_start;
	dst->brk = src->brk;
	int err = vm_commit(dst, src->committed);
	bool downgraded = false;
	struct user_table t;
	for (uint32_t i = 0; err == 0 && next_user_table(src, &i, &t); i++)
		err = share_table(dst, &t, &downgraded);
	/* One fence of the parent's ASID, on every hart that may hold it,
	 * covers every page made read-only. */
	if (downgraded && !vm_fence_omitted(VM_OMIT_FORK_FENCE))
		vm_fence_mm(src);
	spin_unlock(&vm_lock);
	return err;
}

/* A cleared PTE whose frame waits for the fence. */
struct held_pte {
	uint32_t va;
	pte_t pte;
};

/* The frames of n cleared PTEs held, mapped somewhere in [lo, hi): fence
 * the range on every hart that may hold it, then let them go. */
static void release_batch(struct addrspace *as, const struct held_pte held[], uint32_t n,
			  uint32_t lo, uint32_t hi)
{
	if (n == 0)
		return;
	if (!vm_fence_omitted(VM_OMIT_UNMAP_FENCE))
		vm_fence_range(as, lo, hi - lo);
	for (uint32_t i = 0; i < n; i++)
		release_pte(as, held[i].va, held[i].pte);
}

/* A swap entry goes at once (no TLB holds an invalid PTE); a frame waits
 * in a batch for the fence that makes it unreachable. */
void vm_unmap_range(struct addrspace *as, uint32_t start, uint32_t end)
{
	spin_assert_held(&vm_lock);
	struct held_pte held[UNMAP_BATCH];
	uint32_t n = 0, lo = 0, hi = 0;
	for (uint32_t va = start; va < end; va += PAGE_SIZE) {
		pte_t *pte = sv32_walk(as->root, va, false);
		if (pte == NULL) {
			va = (va | (SV32_MEGAPAGE_SIZE - 1)) + 1 - PAGE_SIZE; /* no table: skip it */
			continue;
		}
		pte_t old = pte_load(pte);
		if (old == 0)
			continue;
		pte_store(pte, 0);
		if (!pte_valid(old)) {
			release_pte(as, va, old);
			continue;
		}
		if (n == 0)
			lo = va;
		hi = va + PAGE_SIZE;
		held[n++] = (struct held_pte){ va, old };
		if (n == UNMAP_BATCH) {
			release_batch(as, held, n, lo, hi);
			n = 0;
		}
	}
	release_batch(as, held, n, lo, hi);
}

bool vm_range_ok(const struct addrspace *as, uint32_t va, uint32_t len, uint32_t prot)
{
	if (len == 0)
		return true;
	if (va + len < va || va + len > USER_TOP)
		return false;
	uint32_t end = va + len;
	while (va < end) {
		const struct vm_region *r = vm_find(as, va);
		if (r == NULL || (r->prot & prot) != prot)
			return false;
		va = r->end;
	}
	return true;
}

int copyin(void *dst, uint32_t usrc, uint32_t len)
{
	struct addrspace *as = mycpu()->vm;
	if (as == NULL || !vm_range_ok(as, usrc, len, VM_R))
		return -EFAULT;
	return uaccess_copy(dst, (const void *)(uintptr_t)usrc, len);
}

int copyout(uint32_t udst, const void *src, uint32_t len)
{
	struct addrspace *as = mycpu()->vm;
	if (as == NULL || !vm_range_ok(as, udst, len, VM_W))
		return -EFAULT;
	return uaccess_copy((void *)(uintptr_t)udst, src, len);
}

int copyinstr(char *dst, uint32_t usrc, uint32_t max)
{
	struct addrspace *as = mycpu()->vm;
	if (as == NULL || max == 0)
		return -EFAULT;
	/* Check region by region: the string may end before a bad page. */
	uint32_t done = 0;
	while (done < max) {
		uint32_t va = usrc + done;
		const struct vm_region *r = va < usrc ? NULL : vm_find(as, va);
		if (r == NULL || !(r->prot & VM_R))
			return -EFAULT;
		uint32_t chunk = MIN(max - done, r->end - va);
		int n = uaccess_strcpy(dst + done, (const char *)(uintptr_t)va, chunk);
		if (n < 0 && n != -ENAMETOOLONG)
			return n;
		if (n >= 0)
			return (int)done + n;
		done += chunk;
	}
	return -ENAMETOOLONG;
}

int vm_write(struct addrspace *as, uint32_t va, const void *src, uint32_t len)
{
	const uint8_t *s = src;
	int err = 0;
	spin_lock(&vm_lock);
	while (len > 0 && err == 0) {
		uint32_t page = PAGE_ROUND_DOWN(va), off = va - page;
		uint32_t n = MIN(len, PAGE_SIZE - off);
		pte_t *pte = sv32_walk(as->root, page, false);
		if (pte == NULL || !pte_valid(pte_load(pte))) {
			err = vm_fault_locked(as, page, VM_W);
			if (err)
				break;
			pte = sv32_walk(as->root, page, false);
		}
		memcpy((uint8_t *)pa2kva(pte_pa(pte_load(pte))) + off, s, n);
		va += n;
		s += n;
		len -= n;
	}
	spin_unlock(&vm_lock);
	return err;
}

void vm_init(const char *policy, uint32_t maxframes)
{
	enum reclaim_policy p = POLICY_2Q;
	if (policy && strcmp(policy, "fifo") == 0)
		p = POLICY_FIFO;
	else if (policy && strcmp(policy, "clock") == 0)
		p = POLICY_CLOCK;
	else if (policy && strcmp(policy, "2q") != 0)
		kprintf("vm: unknown vm.policy=%s, using 2q\n", policy);
	/* Two reverse-map entries per frame: room for every page to be
	 * shared once after a fork, and more when pages are not all mapped. */
	if (rmap_init(2 * frame_count_total()) != 0)
		panic("vm: no memory for the reverse map");
	reclaim_init(maxframes, p);
	swap_init();
}
