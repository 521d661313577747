/*
 * Sv32 page tables: builds and edits the two-level tables (walk, map,
 * unmap) and replays the hardware walk in software for the fault handler,
 * the tests and the introspection call. Relies on frame_alloc for zeroed
 * table frames and on pa2kva to reach them. Invariant: a pointer PTE is V
 * alone, and every PTE is written with one aligned 32-bit store
 * (pte_store in sv32.h, the only way the kernel writes a live PTE).
 */
#include "riscv/sv32.h"
#include "riscv/csr.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define SV32_LEVELS 2
#define PTE_RWX (PTE_R | PTE_W | PTE_X)
/* D, A and U are reserved in a non-leaf PTE (privileged spec, Sv32). */
#define PTE_NONLEAF_RESERVED (PTE_D | PTE_A | PTE_U)
#define PTE_PPN0_MASK (SV32_PTES - 1)
/* A PPN at or above this names memory beyond 4 GiB, which paddr_t cannot reach. */
#define PPN_PADDR_LIMIT (1u << (32 - PAGE_SHIFT))

static inline uint32_t pte_ppn(pte_t pte)
{
	return pte >> PTE_PPN_SHIFT;
}

static inline uint32_t pte_ppn0(pte_t pte)
{
	return pte_ppn(pte) & PTE_PPN0_MASK;
}

/* W without R is a reserved encoding (privileged spec, Sv32 PTE table). */
static inline bool pte_w_without_r(pte_t pte)
{
	return (pte & PTE_W) && !(pte & PTE_R);
}

static inline bool pte_megapage(pte_t pte)
{
	return pte_valid(pte) && pte_leaf(pte);
}

static inline pte_t *table_of(pte_t pointer)
{
	return pa2kva(pte_pa(pointer));
}

/* Whether flags describe a legal leaf: only flag bits, some of R/W/X (none
 * would make a pointer), and not W without R. */
static inline bool leaf_flags_ok(uint32_t flags)
{
	if (flags & ~PTE_FLAGS_MASK)
		return false;
	if (!(flags & PTE_RWX))
		return false;
	return !pte_w_without_r(flags);
}

static inline uint32_t vpn(uint32_t va, int level)
{
	return level == 1 ? sv32_vpn1(va) : sv32_vpn0(va);
}

/* The level-0 table under the level-1 slot pte1, allocated and linked if
 * missing and alloc is set; NULL if missing, out of frames, or a megapage. */
static pte_t *level0_table(pte_t *pte1, bool alloc)
{
	pte_t e = pte_load(pte1);

	if (pte_valid(e))
		return pte_leaf(e) ? NULL : table_of(e);
	if (!alloc)
		return NULL;

	paddr_t pa = frame_alloc(FRAME_ZERO);
	if (pa == 0)
		return NULL;
	/* Zeroed before it is linked, so a walker never sees stale entries.
	 * V alone: A, D and U are reserved here (PLATFORM.md pitfall 12). */
	pte_store(pte1, pte_make(pa, PTE_V));
	return pa2kva(pa);
}

/* The level-0 slot for va under root, creating its table if alloc is set. */
pte_t *sv32_walk(pte_t *root, uint32_t va, bool alloc)
{
	pte_t *table = level0_table(&root[sv32_vpn1(va)], alloc);

	return table ? &table[sv32_vpn0(va)] : NULL;
}

/* Install a 4 KiB leaf for va -> pa; see sv32.h for the errors. */
int sv32_map_page(pte_t *root, uint32_t va, paddr_t pa, uint32_t flags)
{
	if (!ALIGNED(va, PAGE_SIZE) || !ALIGNED(pa, PAGE_SIZE) || !leaf_flags_ok(flags))
		return -EINVAL;
	if (pte_megapage(pte_load(&root[sv32_vpn1(va)])))
		return -EEXIST;

	pte_t *pte = sv32_walk(root, va, true);
	if (pte == NULL)
		return -ENOMEM;
	if (pte_valid(pte_load(pte)))
		return -EEXIST;
	pte_store(pte, pte_make(pa, flags | PTE_V));
	return 0;
}

/* Install a level-1 leaf for the 4 MiB at va. -EEXIST also covers a va
 * whose 4 MiB already has a level-0 table, even an empty one. */
int sv32_map_mega(pte_t *root, uint32_t va, paddr_t pa, uint32_t flags)
{
	if (!ALIGNED(va, SV32_MEGAPAGE_SIZE) || !ALIGNED(pa, SV32_MEGAPAGE_SIZE))
		return -EINVAL;
	if (!leaf_flags_ok(flags))
		return -EINVAL;

	pte_t *pte1 = &root[sv32_vpn1(va)];
	if (pte_valid(pte_load(pte1)))
		return -EEXIST;
	pte_store(pte1, pte_make(pa, flags | PTE_V));
	return 0;
}

/* Clear the 4 KiB leaf of va, handing back the old PTE; tables stay. */
int sv32_unmap_page(pte_t *root, uint32_t va, pte_t *old)
{
	pte_t *pte = sv32_walk(root, va, false);
	if (pte == NULL)
		return -ENOENT;

	pte_t e = pte_load(pte);
	if (!pte_valid(e) || !pte_leaf(e))
		return -ENOENT;
	if (old)
		*old = e;
	pte_store(pte, 0);
	return 0;
}

/* lab vmprint: begin */
/* The flags of pte as letters, V R W X U G A D, '-' for a clear bit. */
static void flag_letters(pte_t pte, char out[9])
{
	static const char letters[] = "VRWXUGAD";
	for (int i = 0; i < 8; i++)
		out[i] = (pte >> i) & 1 ? letters[i] : '-';
	out[8] = '\0';
}

/* One level-0 entry j of the table under root entry i. */
static void print_leaf(uint32_t i, uint32_t j, pte_t pte)
{
	uint32_t va = (i << SV32_VPN1_SHIFT) | (j << PAGE_SHIFT);
	char flags[9];
	if (!pte_valid(pte)) {
		kprintf(" .. ..%u: pte 0x%08x swap slot %u va 0x%08x\n", j, pte, pte_swap_slot(pte), va);
		return;
	}
	flag_letters(pte, flags);
	kprintf(" .. ..%u: pte 0x%08x pa 0x%08x %s va 0x%08x\n", j, pte, pte_pa(pte), flags, va);
}

void sv32_print(const pte_t *root, uint32_t first, uint32_t end)
{
	kprintf("page table 0x%08x\n", kva2pa(root));
	for (uint32_t i = first; i < end; i++) {
		pte_t pte1 = pte_load(&root[i]);
		char flags[9];
		if (!pte_valid(pte1))
			continue;
		flag_letters(pte1, flags);
		kprintf(" ..%u: pte 0x%08x pa 0x%08x %s\n", i, pte1, pte_pa(pte1), flags);
		if (pte_leaf(pte1))
			continue; /* a megapage */
		const pte_t *table = table_of(pte1);
		for (uint32_t j = 0; j < SV32_PTES; j++) {
			pte_t pte = pte_load(&table[j]);
			if (pte != 0)
				print_leaf(i, j, pte);
		}
	}
}
/* lab vmprint: end */

static uint32_t page_fault_cause(enum sv32_access acc)
{
	switch (acc) {
	case SV32_FETCH:
		return EXC_INST_PAGE_FAULT;
	case SV32_STORE:
		return EXC_STORE_PAGE_FAULT;
	case SV32_LOAD:
	default:
		return EXC_LOAD_PAGE_FAULT;
	}
}

static uint32_t access_fault_cause(enum sv32_access acc)
{
	switch (acc) {
	case SV32_FETCH:
		return EXC_INST_ACCESS;
	case SV32_STORE:
		return EXC_STORE_ACCESS;
	case SV32_LOAD:
	default:
		return EXC_LOAD_ACCESS;
	}
}

/* Whether the U bit lets this mode make this access (privileged spec,
 * "Memory Privilege in sstatus Register"; PLATFORM.md 2.3). */
static bool privilege_ok(pte_t pte, enum sv32_access acc, unsigned who)
{
	if (who & SV32_USER)
		return pte & PTE_U;
	if (!(pte & PTE_U))
		return true;
	/* S-mode never executes a user page, whatever SUM says. */
	if (acc == SV32_FETCH)
		return false;
	return who & SV32_SUM;
}

/* Whether R/W/X allow the access; MXR makes execute-only pages readable
 * and changes nothing else (privileged spec, sstatus.MXR). */
static bool rwx_ok(pte_t pte, enum sv32_access acc, unsigned who)
{
	switch (acc) {
	case SV32_LOAD:
		return (pte & PTE_R) || ((who & SV32_MXR) && (pte & PTE_X));
	case SV32_STORE:
		return pte & PTE_W;
	case SV32_FETCH:
		return pte & PTE_X;
	}
	return false;
}

/* Svade: A clear, or D clear on a store, faults so that software sets the
 * bit (privileged spec, translation step 7). With hardware A/D updates
 * (Svadu, QEMU) the access proceeds. */
static bool ad_ok(pte_t pte, enum sv32_access acc, unsigned who)
{
	if (who & SV32_HWAD)
		return true;
	if (!(pte & PTE_A))
		return false;
	return acc != SV32_STORE || (pte & PTE_D);
}

/* Whether the table a pointer PTE names is RAM the kernel can read; the
 * hardware would take an access fault there (PMP/PMA). */
static bool table_reachable(pte_t pointer)
{
	return pte_ppn(pointer) < PPN_PADDR_LIMIT && frame_of(pte_pa(pointer)) != NULL;
}

static uint32_t xlate_fault(struct sv32_xlate *x, uint32_t cause)
{
	x->cause = cause;
	return cause;
}

static void xlate_record(struct sv32_xlate *x, int level, const pte_t *slot, pte_t pte)
{
	if (level == 1) {
		x->pte1_pa = kva2pa(slot);
		x->pte1 = pte;
	} else {
		x->pte0_pa = kva2pa(slot);
		x->pte0 = pte;
	}
}

/* Steps 5 to 8 of the translation process for the leaf pte found at level. */
static uint32_t xlate_leaf(struct sv32_xlate *x, pte_t pte, int level, uint32_t va,
			   enum sv32_access acc, unsigned who)
{
	x->level = level;
	/* A megapage needs PPN[0] = 0 (privileged spec, step 6; QEMU: 13). */
	if (level == 1 && pte_ppn0(pte) != 0)
		return xlate_fault(x, page_fault_cause(acc));
	if (!privilege_ok(pte, acc, who) || !rwx_ok(pte, acc, who))
		return xlate_fault(x, page_fault_cause(acc));
	if (!ad_ok(pte, acc, who))
		return xlate_fault(x, page_fault_cause(acc));

	uint32_t in_page = level == 1 ? va & (SV32_MEGAPAGE_SIZE - 1) : sv32_offset(va);
	x->pa = pte_pa(pte) | in_page;
	return 0;
}

/* Replay the hardware walk (privileged spec, "Virtual Address Translation
 * Process"; PLATFORM.md 2.2) and record each step in *x. */
uint32_t sv32_translate(const pte_t *root, uint32_t va, enum sv32_access acc,
			unsigned who, struct sv32_xlate *x)
{
	const pte_t *table = root;

	*x = (struct sv32_xlate){ .level = -1 };
	for (int level = SV32_LEVELS - 1;; level--) {
		const pte_t *slot = &table[vpn(va, level)];
		pte_t pte = pte_load(slot);

		xlate_record(x, level, slot, pte);
		if (!pte_valid(pte) || pte_w_without_r(pte))
			return xlate_fault(x, page_fault_cause(acc));
		if (pte_leaf(pte))
			return xlate_leaf(x, pte, level, va, acc, who);
		if (pte & PTE_NONLEAF_RESERVED)
			return xlate_fault(x, page_fault_cause(acc));
		/* A pointer at level 0 would take i below 0 (step 4). */
		if (level == 0)
			return xlate_fault(x, page_fault_cause(acc));
		if (!table_reachable(pte))
			return xlate_fault(x, access_fault_cause(acc));
		table = table_of(pte);
	}
}
