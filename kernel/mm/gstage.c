/*
 * G-stage tables (Sv32x4) kept as a cache of the owner's page table for
 * the guest's RAM window; mm/gstage.h states the invariant. Everything
 * here runs under vm_lock, as the host page-table edits it follows do.
 *
 * Sv32x4 differs from Sv32 only at the root: 4096 entries indexed by GPA
 * bits 33:22, 16 KiB and 16 KiB aligned, and every leaf must have U set
 * (a G-stage access counts as a user access). Level-0 tables are the
 * ordinary 4 KiB ones.
 */
#include "mm/gstage.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "riscv/cpu.h"
#include "riscv/tlb.h"

#define ROOT_FRAMES (GSTAGE_ROOT_SIZE / PAGE_SIZE)
#define RAM_GPA_LIMIT (1ull << 32) /* RAM stays below 4 GiB: root entries 0-1023 */

/* Host tests remove fence()'s local or remote hfence.gvma on purpose
 * (tests/unit/test_gstage.c), to see the tagged-TLB model catch it, as
 * vm_test_omit does for the host's fences (mm/vm.h); in the kernel both
 * are false and the branches compile away. */
#ifdef HOST_TEST
bool gstage_test_omit_local_fence, gstage_test_omit_remote_fence;
#else
#define gstage_test_omit_local_fence false
#define gstage_test_omit_remote_fence false
#endif

int gstage_init(struct gstage *gs, uint32_t gpa, uint32_t hva, uint32_t size)
{
	if (size == 0 || !ALIGNED(gpa, PAGE_SIZE) || !ALIGNED(hva, PAGE_SIZE) ||
	    !ALIGNED(size, PAGE_SIZE) || (uint64_t)gpa + size > RAM_GPA_LIMIT ||
	    (uint64_t)hva + size > USER_TOP)
		return -EINVAL;
	paddr_t root = frame_alloc_aligned(ROOT_FRAMES, ROOT_FRAMES);
	if (root == 0)
		return -ENOMEM;
	*gs = (struct gstage){ .root = pa2kva(root), .ram_gpa = gpa, .ram_hva = hva,
			       .ram_size = size };
	memset(gs->root, 0, GSTAGE_ROOT_SIZE);
	return 0;
}

void gstage_free(struct gstage *gs)
{
	if (gs->root == NULL)
		return;
	for (uint32_t i = 0; i < GSTAGE_ROOT_PTES; i++)
		if (pte_valid(gs->root[i]))
			frame_free(pte_pa(gs->root[i]));
	paddr_t root = kva2pa(gs->root);
	for (uint32_t i = 0; i < ROOT_FRAMES; i++)
		frame_free(root + i * PAGE_SIZE);
	gs->root = NULL;
}

uint32_t gstage_hva(const struct gstage *gs, uint64_t gpa)
{
	if (gpa < gs->ram_gpa || gpa - gs->ram_gpa >= gs->ram_size)
		return 0;
	return gs->ram_hva + (uint32_t)(gpa - gs->ram_gpa);
}

/* The level-0 slot of gpa (in RAM), its table added from *spare if
 * missing (the caller allocated it, since no frame is taken under
 * vm_lock here); NULL if missing and no spare. */
static pte_t *slot_of(const struct gstage *gs, uint32_t gpa, paddr_t *spare)
{
	pte_t *top = &gs->root[gpa >> SV32_VPN1_SHIFT];
	if (!pte_valid(pte_load(top))) {
		if (spare == NULL || *spare == 0)
			return NULL;
		pte_store(top, pte_make(*spare, PTE_V));
		*spare = 0;
	}
	pte_t *table = pa2kva(pte_pa(pte_load(top)));
	return &table[sv32_vpn0(gpa)];
}

/* hart_mask of SBI (hart ids) for cpu index bits. */
static uint32_t hart_ids(uint32_t cpu_bits)
{
	uint32_t mask = 0;
	for (int i = 0; i < ncpus; i++)
		if (cpu_bits & (1u << i))
			mask |= 1u << cpus[i].hartid;
	return mask;
}

/* Fence gpa (or, whole, every page of the VMID) on every hart that may
 * hold entries of gs: this one with hfence.gvma, the others through SBI.
 * A hart that enters the guest adds itself to ran_on before its first
 * walk, and the leaf is cleared before ran_on is read here, so a hart
 * either is fenced or walks the cleared table. */
static void fence(const struct gstage *gs, uint32_t gpa, bool whole)
{
	uint32_t ran_on = __atomic_load_n(&gs->ran_on, __ATOMIC_SEQ_CST);
	uint32_t me = 1u << mycpu()->index;
	if ((ran_on & me) && !gstage_test_omit_local_fence) {
		if (whole)
			hw_hfence_gvma_vmid(gs->vmid);
		else
			hw_hfence_gvma_page(gpa, gs->vmid);
	}
	if ((ran_on & ~me) && !gstage_test_omit_remote_fence)
		hw_remote_hfence_gvma(hart_ids(ran_on & ~me), whole ? 0 : gpa,
				      whole ? 0xFFFFFFFFu : PAGE_SIZE, gs->vmid);
}

void gstage_unmap(struct addrspace *as, uint32_t va, uint32_t size)
{
	struct gstage *gs = as->gstage;
	if (gs == NULL)
		return;
	uint32_t lo = gs->ram_hva, hi = gs->ram_hva + gs->ram_size;
	if (size != 0) {
		lo = MAX(lo, PAGE_ROUND_DOWN(va));
		hi = MIN(hi, va + size < va ? hi : va + size);
	}
	uint32_t cleared = 0, last = 0;
	for (uint32_t hva = lo; hva < hi;) {
		uint32_t gpa = gs->ram_gpa + (hva - gs->ram_hva);
		pte_t *slot = slot_of(gs, gpa, NULL);
		if (slot == NULL) { /* no table: skip to the next 4 MiB of guest-physical space */
			uint32_t next = (gpa | (SV32_MEGAPAGE_SIZE - 1)) + 1;
			hva += next - gpa;
			continue;
		}
		if (pte_valid(pte_load(slot))) {
			pte_store(slot, 0);
			gs->leaves--;
			cleared++;
			last = gpa;
		}
		hva += PAGE_SIZE;
	}
	if (cleared > 0)
		fence(gs, last, cleared > 1);
}

/* lab gstage: begin */
/* The G-stage flags for a host PTE that allows prot: what the host PTE
 * allows, but writable only when the page is dirty already or this is
 * the store that dirties it (mm/gstage.h). */
static uint32_t leaf_flags(pte_t host, uint32_t prot)
{
	uint32_t f = PTE_V | PTE_U | PTE_A | (host & (PTE_R | PTE_X));
	if ((host & PTE_W) && ((host & PTE_D) || prot == VM_W))
		f |= PTE_W | PTE_D;
	return f;
}

static uint32_t prot_bit(uint32_t prot)
{
	return prot == VM_W ? PTE_W : prot == VM_X ? PTE_X : PTE_R;
}

int gstage_fault(struct addrspace *as, struct gstage *gs, uint64_t gpa, uint32_t prot)
{
	uint32_t hva = PAGE_ROUND_DOWN(gstage_hva(gs, gpa));
	uint32_t page = (uint32_t)PAGE_ROUND_DOWN(gpa);
	paddr_t spare = 0;
	if (hva == 0)
		return -EFAULT;
	if (slot_of(gs, page, NULL) == NULL && (spare = frame_alloc(FRAME_ZERO)) == 0)
		return -ENOMEM;
	spin_lock(&vm_lock);
	int err;
	pte_t *host;
	/* vm_fault_locked maps the page as prot needs; with vm_lock held
	 * since, the PTE is still what it left. Decide again if not. */
	while ((err = vm_fault_locked(as, hva, prot)) == 0) {
		host = sv32_walk(as->root, hva, false);
		if (host && pte_valid(pte_load(host)) && (pte_load(host) & prot_bit(prot)))
			break;
	}
	/* The table was there, or spare is its frame: tables never go. */
	pte_t *slot = err ? NULL : slot_of(gs, page, &spare);
	if (slot == NULL && err == 0)
		err = -ENOMEM;
	if (err == 0) {
		pte_set_bits(host, PTE_A | (prot == VM_W ? PTE_D : 0));
		pte_t h = pte_load(host);
		pte_t old = pte_load(slot), leaf = pte_make(pte_pa(h), leaf_flags(h, prot));
		if (!pte_valid(old))
			gs->leaves++;
		pte_store(slot, leaf);
		if (old == leaf) /* a stale entry of this hart: the leaf was there */
			hw_hfence_gvma_page(page, gs->vmid);
		gs->faults++;
	}
	spin_unlock(&vm_lock);
	if (spare)
		frame_free(spare);
	return err;
}

/* lab gstage: end */

pte_t gstage_leaf(const struct gstage *gs, uint64_t gpa)
{
	if (gpa >= RAM_GPA_LIMIT || gs->root == NULL)
		return 0;
	pte_t top = gs->root[(uint32_t)gpa >> SV32_VPN1_SHIFT];
	if (!pte_valid(top))
		return 0;
	const pte_t *table = pa2kva(pte_pa(top));
	return table[sv32_vpn0((uint32_t)gpa)];
}
