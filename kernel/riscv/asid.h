/*
 * ASIDs (address-space identifiers: the TLB tags that x86 calls PCIDs) and
 * the TLB fences that keep them honest. Only the VM code (mm/vm.c's
 * vm_activate and vm_deactivate, and the PTE changes in mm/) calls these;
 * nothing else writes satp for a user address space or fences a user
 * mapping. The scheme is explained at the top of riscv/asid.c.
 */
#ifndef RISCV_ASID_H
#define RISCV_ASID_H

#include "lib/types.h"

/* Per address space, for the life of one root table: a new root (exec)
 * gets a new, zeroed asid_state, which means "never ran" (gen 0 is never
 * a current generation). */
struct asid_state {
	uint32_t asid;  /* the tag in satp.ASID; meaningful only while gen is current */
	uint32_t gen;   /* the generation asid was handed out in; 0 = never assigned */
	uint32_t harts; /* cpu index bits: the harts that ran it under asid, and may
			 * still hold its entries (asid.c) */
};

struct asid_stats {
	uint32_t switches;    /* satp writes for user address spaces */
	uint32_t full_fences; /* sfence.vma x0, x0: at boot and at rollovers */
	uint32_t asid_fences; /* sfence.vma x0, asid */
	uint32_t page_fences; /* sfence.vma va, asid */
	uint32_t rollovers;   /* generations started because the ASIDs ran out */
	uint32_t generation;  /* the current generation */
	uint32_t idle_fences; /* sfence.vma x0, x0 of a hart about to idle (asid_idle) */
	uint32_t shootdowns;  /* remote fences sent (one SBI call each) */
	uint32_t harts_targeted; /* harts those remote fences named */
};

/* A range longer than this is fenced locally as a whole ASID, not a page
 * at a time. */
#define ASID_FLUSH_PAGES_MAX 16u

/*
 * Start the allocator with asidlen ASID bits (0..9, from the boot probe);
 * enabled false is the asid=off command-line option. With asidlen 0 or
 * ASIDs off, every address space runs with ASID 0. Fences the whole TLB.
 * The boot hart calls it before other harts start; each of those calls
 * asid_init_hart once its TLB is empty.
 */
void asid_init(uint32_t asidlen, bool enabled);
void asid_init_hart(void);

/* Make the address space with state st and root table root current on
 * this hart, fencing only what its ASID needs. */
void asid_activate(struct asid_state *st, paddr_t root);

/* Switch to the kernel's own root (ASID 0), e.g. before freeing the root
 * of the address space that was current. */
void asid_activate_kernel(paddr_t kernel_root);

/* After a user leaf PTE of va in st's address space was cleared or lost
 * permissions: fence what the TLB of every hart may still hold for it
 * (this one directly, the others with one SBI remote fence). On return no
 * hart can reach the old mapping, so its frame may be reused. */
void asid_flush_page(struct asid_state *st, uint32_t va);
/* The same for every page of [va, va + size), in one remote fence. */
void asid_flush_range(struct asid_state *st, uint32_t va, uint32_t size);
/* Fence va of st on this hart only: after its PTE gained a permission (a
 * stale entry with less, on any hart, only faults again) or lost only A
 * (a stale entry elsewhere keeps a page looking young: a hint, no harm). */
void asid_flush_page_local(struct asid_state *st, uint32_t va);
/* The same for every page of [va, va + size). */
void asid_flush_range_local(struct asid_state *st, uint32_t va, uint32_t size);
/* st's space is being freed; panics if a hart still runs it. */
void asid_release(struct asid_state *st);
/* This hart, on the kernel root, is about to idle: with other harts
 * about, fence its whole TLB, so that no shootdown needs to wake it. */
void asid_idle(void);

/* Fence every non-global entry of st's ASID: after a non-leaf PTE changed
 * (a level-0 table was unlinked), or after many leaf PTEs were downgraded
 * at once (fork), where one fence is cheaper than one per page. */
void asid_flush_mm(struct asid_state *st);

/* The counters, for the vmstat call and the tests. */
const struct asid_stats *asid_stats(void);

#ifdef HOST_TEST
/*
 * Test hook: each bit removes one fence, or puts it in the wrong place, so
 * that the tagged-TLB model test can show it would catch that bug.
 */
extern unsigned asid_test_omit;
#define ASID_OMIT_PAGE_FENCE	  (1u << 0) /* asid_flush_page fences nothing */
#define ASID_OMIT_MM_FENCE	  (1u << 1) /* asid_flush_mm fences nothing */
#define ASID_OMIT_ROLLOVER_FENCE  (1u << 2) /* a new generation without sfence.vma x0, x0 */
#define ASID_ROLLOVER_FENCE_FIRST (1u << 3) /* rollover fences before the satp write */
#define ASID_FENCE_WRONG_ASID	  (1u << 4) /* flushes fence the ASID in satp, not st's */
#define ASID_OMIT_SWITCH_FENCE	  (1u << 5) /* ASIDs off: no fence of ASID 0 on a switch */
#define ASID_SWITCH_FENCE_FIRST	  (1u << 6) /* ASIDs off: fence ASID 0 before the satp write */
#define ASID_OMIT_KERNEL_FENCE	  (1u << 7) /* ASIDs off: no fence on asid_activate_kernel */
#define ASID_OMIT_REMOTE_FENCE	  (1u << 8) /* flushes fence this hart only */
#define ASID_OMIT_LOCAL_FENCE	  (1u << 9) /* asid_flush_page_local does nothing */
#define ASID_OMIT_IDLE_FENCE	  (1u << 10) /* asid_idle marks the TLB clean, fences nothing */
/* The generation the TLB of hart index is in (a clean one: the current). */
uint32_t asid_hart_generation(int index);
#endif

#endif
