/*
 * Address spaces and their regions. The kernel half of every root is a
 * copy of the kernel root's entries (all global), so a process costs no
 * kernel leaf tables. User pages are mapped on first touch by vm_fault;
 * unmapping or downgrading a user page fences it in that space's ASID.
 * Invariant: every valid user PTE's frame is counted in as->resident.
 */
#include "mm/vm.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/mm.h"
#include "mm/phys.h"
#include "riscv/cpu.h"
#include "riscv/kvm.h"
#include "riscv/uaccess.h"

#define USER_VPN1_END (USER_TOP >> 22) /* root entries below this are the user half */

struct vm_stats vm_stats;
static struct addrspace spaces[VM_MAX_SPACES];
static bool space_used[VM_MAX_SPACES];

static struct addrspace *space_alloc(void)
{
	for (int i = 0; i < VM_MAX_SPACES; i++) {
		if (!space_used[i]) {
			space_used[i] = true;
			memset(&spaces[i], 0, sizeof(spaces[i]));
			return &spaces[i];
		}
	}
	return NULL;
}

static void space_free(struct addrspace *as)
{
	space_used[as - spaces] = false;
}

/* The PTE flags of a user page in a region with protection prot. A and D
 * are preset so hardware that faults on clear A/D bits need not. */
static uint32_t user_pte_flags(uint32_t prot)
{
	uint32_t f = PTE_U | PTE_A;
	if (prot & VM_R)
		f |= PTE_R;
	if (prot & VM_W)
		f |= PTE_W | PTE_D;
	if (prot & VM_X)
		f |= PTE_X;
	return f;
}

struct addrspace *vm_create(void)
{
	struct addrspace *as = space_alloc();
	if (as == NULL)
		return NULL;
	paddr_t root = frame_alloc(FRAME_ZERO);
	if (root == 0) {
		space_free(as);
		return NULL;
	}
	as->root = pa2kva(root);
	const pte_t *kroot = kvm_root();
	for (uint32_t i = USER_VPN1_END; i < SV32_PTES; i++)
		as->root[i] = kroot[i];
	return as;
}

/* Free the user frames and the level-0 table behind one root entry. */
static void free_table(struct addrspace *as, pte_t pte1)
{
	pte_t *table = pa2kva(pte_pa(pte1));
	for (uint32_t j = 0; j < SV32_PTES; j++) {
		if (pte_valid(table[j])) {
			frame_free(pte_pa(table[j]));
			as->resident--;
		}
	}
	frame_free(pte_pa(pte1));
}

void vm_destroy(struct addrspace *as)
{
	for (uint32_t i = 0; i < USER_VPN1_END; i++)
		if (pte_valid(as->root[i]))
			free_table(as, as->root[i]);
	if (as->resident != 0)
		panic("vm: %u resident pages left after destroy", as->resident);
	frame_free(kva2pa(as->root));
	space_free(as);
}

void vm_activate(struct addrspace *as)
{
	mycpu()->vm = as;
	asid_activate(&as->asid, kva2pa(as->root));
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
	return 0;
}

const struct vm_region *vm_find(const struct addrspace *as, uint32_t va)
{
	int lo = 0, hi = as->nregions;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		const struct vm_region *r = &as->regions[mid];
		if (va < r->start)
			hi = mid;
		else if (va >= r->end)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

/* Fill a new page of region r at page va: file bytes where the region has
 * them, zero elsewhere. */
static void fill_page(const struct vm_region *r, uint32_t va, uint8_t *page)
{
	memset(page, 0, PAGE_SIZE);
	if (r->kind != VMR_FILE)
		return;
	uint32_t lo = MAX(va, r->file_va);
	uint32_t hi = MIN(va + PAGE_SIZE, r->file_va + r->file_size);
	if (lo < hi)
		memcpy(page + (lo - va), r->file_data + (lo - r->file_va), hi - lo);
}

static bool pte_allows(pte_t pte, uint32_t prot)
{
	return ((prot & VM_R) == 0 || (pte & PTE_R)) && ((prot & VM_W) == 0 || (pte & PTE_W)) &&
	       ((prot & VM_X) == 0 || (pte & PTE_X));
}

int vm_fault(struct addrspace *as, uint32_t va, uint32_t prot)
{
	const struct vm_region *r = vm_find(as, va);
	if (r == NULL || (r->prot & prot) != prot)
		return -EFAULT;
	uint32_t page = PAGE_ROUND_DOWN(va);
	pte_t *pte = sv32_walk(as->root, page, true);
	if (pte == NULL)
		return -ENOMEM;
	if (pte_valid(*pte)) {
		/* Mapped already: a stale TLB entry from before the page was
		 * mapped or upgraded. Fence and retry (privileged spec,
		 * SFENCE.VMA: upgrades may be made visible lazily). */
		if (!pte_allows(*pte, prot))
			return -EFAULT;
		asid_flush_page(&as->asid, page);
		return 0;
	}
	paddr_t pa = frame_alloc(0);
	if (pa == 0)
		return -ENOMEM;
	fill_page(r, page, pa2kva(pa));
	if (r->kind == VMR_FILE)
		vm_stats.faults_file++;
	else
		vm_stats.faults_zero++;
	*pte = pte_make(pa, user_pte_flags(r->prot) | PTE_V);
	as->resident++;
	return 0;
}

int vm_copy(struct addrspace *dst, const struct addrspace *src)
{
	memcpy(dst->regions, src->regions, sizeof(src->regions));
	dst->nregions = src->nregions;
	dst->heap_start = src->heap_start;
	dst->brk = src->brk;
	for (uint32_t i = 0; i < USER_VPN1_END; i++) {
		if (!pte_valid(src->root[i]))
			continue;
		const pte_t *table = pa2kva(pte_pa(src->root[i]));
		for (uint32_t j = 0; j < SV32_PTES; j++) {
			if (!pte_valid(table[j]))
				continue;
			uint32_t va = (i << 22) | (j << PAGE_SHIFT);
			pte_t *to = sv32_walk(dst->root, va, true);
			paddr_t pa = frame_alloc(0);
			if (to == NULL || pa == 0) {
				if (pa)
					frame_free(pa);
				return -ENOMEM;
			}
			memcpy(pa2kva(pa), pa2kva(pte_pa(table[j])), PAGE_SIZE);
			*to = pte_make(pa, table[j] & PTE_FLAGS_MASK);
			dst->resident++;
		}
	}
	return 0;
}

/* Unmap and free the user pages in [start, end) of as. */
static void unmap_range(struct addrspace *as, uint32_t start, uint32_t end)
{
	for (uint32_t va = start; va < end; va += PAGE_SIZE) {
		pte_t old;
		if (sv32_unmap_page(as->root, va, &old) != 0)
			continue;
		asid_flush_page(&as->asid, va);
		frame_free(pte_pa(old));
		as->resident--;
	}
}

static struct vm_region *heap_region(struct addrspace *as)
{
	for (int i = 0; i < as->nregions; i++)
		if (as->regions[i].start == as->heap_start && as->regions[i].kind == VMR_ANON)
			return &as->regions[i];
	return NULL;
}

int vm_set_brk(struct addrspace *as, uint32_t new_brk)
{
	struct vm_region *heap = heap_region(as);
	if (heap == NULL || new_brk < as->heap_start || new_brk > USER_TOP)
		return -ENOMEM;
	uint32_t new_end = PAGE_ROUND_UP(new_brk);
	int next = (int)(heap - as->regions) + 1;
	uint32_t limit = USER_TOP;
	if (next < as->nregions) {
		limit = as->regions[next].start;
		if (as->regions[next].kind == VMR_STACK)
			limit -= STACK_GUARD; /* keep the guard gap unmapped */
	}
	if (new_end > heap->end && new_end > limit)
		return -ENOMEM;
	if (new_end < heap->end)
		unmap_range(as, new_end, heap->end);
	heap->end = new_end;
	as->brk = new_brk;
	return 0;
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
	while (len > 0) {
		uint32_t page = PAGE_ROUND_DOWN(va), off = va - page;
		uint32_t n = MIN(len, PAGE_SIZE - off);
		pte_t *pte = sv32_walk(as->root, page, false);
		if (pte == NULL || !pte_valid(*pte)) {
			int err = vm_fault(as, page, VM_W);
			if (err)
				return err;
			pte = sv32_walk(as->root, page, false);
		}
		memcpy((uint8_t *)pa2kva(pte_pa(*pte)) + off, s, n);
		va += n;
		s += n;
		len -= n;
	}
	return 0;
}
