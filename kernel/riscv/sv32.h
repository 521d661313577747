/*
 * Sv32 page tables: the PTE format and the two-level walk (the RISC-V
 * counterpart of x86's 10/10/12 split with CR3 -> page directory -> page
 * table). Privileged spec, "Sv32: Page-Based 32-bit Virtual-Memory Systems".
 * Tables are reached through pa2kva(), so the same code runs in the host
 * unit tests over simulated RAM.
 */
#ifndef RISCV_SV32_H
#define RISCV_SV32_H

#include "lib/types.h"

typedef uint32_t pte_t;

#define PTE_V (1u << 0) /* valid */
#define PTE_R (1u << 1) /* readable */
#define PTE_W (1u << 2) /* writable */
#define PTE_X (1u << 3) /* executable */
#define PTE_U (1u << 4) /* user-accessible */
#define PTE_G (1u << 5) /* global: present in every address space */
#define PTE_A (1u << 6) /* accessed */
#define PTE_D (1u << 7) /* dirty */
#define PTE_RSW_SHIFT 8 /* two bits the hardware ignores */
#define PTE_PPN_SHIFT 10
#define PTE_FLAGS_MASK 0x3FFu

#define SV32_PTES 1024u                  /* entries per table */
#define SV32_MEGAPAGE_SIZE (1u << 22)    /* what a level-1 leaf maps: 4 MiB */

#define SV32_VPN1_SHIFT 22

static inline uint32_t sv32_vpn1(uint32_t va) { return va >> SV32_VPN1_SHIFT; }
static inline uint32_t sv32_vpn0(uint32_t va) { return (va >> 12) & 0x3FFu; }
static inline uint32_t sv32_offset(uint32_t va) { return va & 0xFFFu; }

static inline pte_t pte_make(paddr_t pa, uint32_t flags)
{
	return ((pa >> PAGE_SHIFT) << PTE_PPN_SHIFT) | flags;
}

static inline paddr_t pte_pa(pte_t pte)
{
	return (pte >> PTE_PPN_SHIFT) << PAGE_SHIFT;
}

static inline bool pte_valid(pte_t pte) { return pte & PTE_V; }

/*
 * The one way to read and write a page-table entry the hardware may use.
 * Read once: the hardware may set A/D under us. Write with a single
 * aligned 32-bit store: the hardware may walk the table at any moment
 * (privileged spec, Sv32). The caller fences what the TLB may still hold.
 */
#ifdef HOST_TEST
/* Host tests may let other harts' user code run at any PTE read: their
 * hardware sets A and D at any moment, not only where the kernel fences. */
extern void (*host_pte_read_hook)(const pte_t *slot);
#endif

static inline pte_t pte_load(const pte_t *slot)
{
#ifdef HOST_TEST
	if (host_pte_read_hook)
		host_pte_read_hook(slot);
#endif
	return *(const volatile pte_t *)slot;
}

static inline void pte_store(pte_t *slot, pte_t pte)
{
	*(volatile pte_t *)slot = pte;
}

/* Set or clear flag bits with one atomic read-modify-write (amoor.w,
 * amoand.w), so an A or D bit the hardware sets at the same moment on
 * another hart is not lost. */
static inline void pte_set_bits(pte_t *slot, uint32_t bits)
{
	__atomic_fetch_or(slot, bits, __ATOMIC_RELAXED);
}

static inline void pte_clear_bits(pte_t *slot, uint32_t bits)
{
	__atomic_fetch_and(slot, ~bits, __ATOMIC_RELAXED);
}

/* Store pte if the entry still holds old (amoswap would lose a D bit set
 * meanwhile; a compare-and-swap sees it): true if it was stored. */
static inline bool pte_replace(pte_t *slot, pte_t old, pte_t pte)
{
	return __atomic_compare_exchange_n(slot, &old, pte, false, __ATOMIC_RELAXED,
					   __ATOMIC_RELAXED);
}

/*
 * A swap entry: a PTE with V clear names the swap slot that holds the
 * page (the hardware ignores every other bit of an invalid PTE). RSW bit 0
 * marks it, so a swap entry is never 0, the value of "never touched".
 */
#define PTE_SWAP (1u << PTE_RSW_SHIFT)

static inline pte_t pte_swap_make(uint32_t slot) { return (slot << PTE_PPN_SHIFT) | PTE_SWAP; }
static inline bool pte_is_swap(pte_t pte) { return !(pte & PTE_V) && (pte & PTE_SWAP); }
static inline uint32_t pte_swap_slot(pte_t pte) { return pte >> PTE_PPN_SHIFT; }

/* A valid PTE with R, W or X set is a leaf; with none, it points to a table. */
static inline bool pte_leaf(pte_t pte) { return pte & (PTE_R | PTE_W | PTE_X); }

/*
 * Return the level-0 PTE slot for va under root. With alloc, a missing
 * level-0 table is taken from frame_alloc (zeroed) and linked with a
 * pointer PTE of V alone (PLATFORM.md pitfall 12). Returns NULL if the
 * table is missing and alloc is false or no frame is left, or if va lies
 * in a megapage.
 */
pte_t *sv32_walk(pte_t *root, uint32_t va, bool alloc);

/*
 * Map the 4 KiB page at va to pa with flags (R/W/X/U/G/A/D; V is added).
 * Returns 0, -EINVAL if va or pa is not page-aligned or flags is not a
 * legal leaf (no R/W/X, or W without R), -EEXIST if va is already mapped,
 * -ENOMEM if a table could not be allocated.
 */
int sv32_map_page(pte_t *root, uint32_t va, paddr_t pa, uint32_t flags);

/* Map a 4 MiB megapage with a level-1 leaf. Same errors as sv32_map_page;
 * -EINVAL also when va or pa is not 4 MiB-aligned. */
int sv32_map_mega(pte_t *root, uint32_t va, paddr_t pa, uint32_t flags);

/* Clear the 4 KiB mapping of va; the old PTE goes to *old if old is not
 * NULL. Returns 0, or -ENOENT if va was not mapped by a 4 KiB leaf. The
 * caller fences the TLB. */
int sv32_unmap_page(pte_t *root, uint32_t va, pte_t *old);

/*
 * Print, on the console, every non-zero entry of the root entries
 * [first, end) of root and of the level-0 tables they point to, as a
 * tree (the idea of xv6's vmprint):
 *   page table 0x80213000
 *    ..0: pte 0x20084801 pa 0x80212000 V-------
 *    .. ..16: pte 0x2008485b pa 0x80216000 VR-XU-A- va 0x00010000
 *    .. ..17: pte 0x00000c00 swap slot 3 va 0x00011000
 * Flags are V R W X U G A D, a letter when set.
 */
void sv32_print(const pte_t *root, uint32_t first, uint32_t end);

/* Access kinds for sv32_translate. */
enum sv32_access { SV32_LOAD, SV32_STORE, SV32_FETCH };

/* Who accesses, for the U/SUM/MXR checks. */
#define SV32_USER 1u /* U-mode access (else S-mode) */
#define SV32_SUM 2u  /* sstatus.SUM */
#define SV32_MXR 4u  /* sstatus.MXR */
#define SV32_HWAD 8u /* hardware sets A/D (Svadu, QEMU): no A/D faults */

/* The steps of one walk, for tests and for the teaching introspection call. */
struct sv32_xlate {
	paddr_t pte1_pa; /* where the level-1 PTE lives */
	pte_t pte1;
	paddr_t pte0_pa; /* where the level-0 PTE lives; 0 if the walk stopped at level 1 */
	pte_t pte0;
	int level;       /* level of the leaf: 1 (megapage) or 0; -1 if none */
	paddr_t pa;      /* the translation, when cause is 0 */
	uint32_t cause;  /* 0, or the scause the hardware would raise: 12, 13, 15,
			  * or 1, 5, 7 if a pointer PTE names a table outside RAM */
};

/*
 * Walk the tables as the hardware does (privileged spec, "Virtual Address
 * Translation Process") for an access of kind acc by who (SV32_USER |
 * SV32_SUM | SV32_MXR | SV32_HWAD). Fills *x and returns x->cause. Without
 * SV32_HWAD, A/D are checked as Svade does (A clear, or D clear on a store,
 * faults); with it, they are not checked and *x keeps the PTEs as read.
 */
uint32_t sv32_translate(const pte_t *root, uint32_t va, enum sv32_access acc,
			unsigned who, struct sv32_xlate *x);

#endif
