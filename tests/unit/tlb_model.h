/*
 * A model of the ASID-tagged TLBs of up to MAX_HARTS harts for the host
 * tests: it implements riscv/tlb.h's hw_* calls for the hart mycpu() runs
 * on, keeps every leaf and level-1 pointer each hart walked until an
 * sfence.vma of the right form on that hart removes it (privileged spec,
 * SFENCE.VMA; PLATFORM.md 3.2), lets every hart walk on its own after
 * every call, logs the calls, and checks that no entry a hart can still
 * hit is stale. Each hart also has a G-stage TLB for guests (VMID-tagged,
 * filled from the real Sv32x4 tables of mm/gstage.h, emptied only by
 * hfence.gvma), checked against the host page table it caches.
 */
#ifndef TESTS_UNIT_TLB_MODEL_H
#define TESTS_UNIT_TLB_MODEL_H

#include <stddef.h>

#include "lib/types.h"
#include "riscv/csr.h"
#include "riscv/sv32.h"

/*
 * What the model keeps, and why a missing fence shows. Each hart has its
 * own satp, a few leaf entries (4 KiB pages and 4 MiB megapages), each
 * tagged with the satp.ASID it was filled under or global when G was set
 * on its walk, and a walk cache of a few level-1 pointer PTEs tagged the
 * same way. A miss walks the tables of that hart's satp, through a cached
 * pointer if one matches; invalid PTEs are never cached, nor leaves with A
 * clear. Entries leave only by an sfence.vma on their own hart (a local
 * one, or a remote fence sent through SBI) that covers them, or by
 * eviction of a random victim; a satp write removes nothing (QEMU flushes
 * everything instead, so it hides these bugs). After every hw_* call every
 * hart walks a few random probe VAs, since all harts run at once and any
 * of them may refill an entry between a PTE store and the fence; then the
 * test's concurrent hook may let other harts' user code run. The model is
 * small on purpose, so entries are evicted and refilled all the time.
 */

/* The hw_* calls of riscv/tlb.h that change state, as the log names them. */
enum hw_op {
	HW_SATP_WRITE,
	HW_SFENCE_ALL,
	HW_SFENCE_ASID,
	HW_SFENCE_PAGE,
	HW_SFENCE_PAGE_ASID,
	HW_REMOTE_SFENCE,
	HW_HFENCE_GVMA_PAGE,
	HW_HFENCE_GVMA_VMID,
	HW_HFENCE_VVMA,
	HW_REMOTE_HFENCE_GVMA,
	HW_OPS
};

/* One logged call, by hart (a cpu index). */
struct hw_call {
	enum hw_op op;
	/* satp; -; asid; va; va and asid; hart mask and asid; then the
	 * G-stage's: gpa and vmid; vmid; -; hart mask and vmid */
	uint32_t a, b;
	uint32_t c, d; /* a remote fence's va (gpa) and size */
	int hart;
};

/* Calls the log keeps after each tlb_model_log_clear(); later ones are
 * only counted. */
#define TLB_MODEL_LOG_CALLS 16

/* What the model starts from; tlb_model_reset() copies it. */
struct tlb_model_config {
	uint32_t satp;		   /* what satp holds at reset, on every hart */
	paddr_t kernel_root;	   /* a satp write of any other root is a user switch */
	uint32_t asid_limit;	   /* ASIDs satp and fences may name: 2^ASIDLEN, or 1 */
	const uint32_t *probe_vas; /* the VAs the harts walk on their own; must outlive the run */
	unsigned nprobe;
	uint32_t (*random)(uint32_t n); /* a choice in [0, n): victims and speculative walks */
	int nharts;			/* harts, cpus[0 .. nharts - 1]; 0 means 1 */
	bool hw_ad; /* user accesses set A and D in the PTE (Svadu, as QEMU); else they fault */
	/* Called after each hw_* call and the speculative walks that follow
	 * it: what the other harts' user code does meanwhile. It may call
	 * tlb_model_user_access, but no hw_* call. NULL: nothing. */
	void (*concurrent)(void);
};

/* Counted since the last reset, for all harts or one. */
struct tlb_model_stats {
	uint32_t calls[HW_OPS];	   /* hw_* calls of each kind */
	uint32_t user_satp_writes; /* satp writes of a root other than kernel_root */
};

/* The root table that entries tagged (global, asid) must agree with, or 0
 * when no satp that can be loaded before the next full fence carries the
 * tag (such entries can never be hit, so they may be stale). */
typedef paddr_t (*tlb_owner_fn)(bool global, uint32_t asid);
/* The same for the entries of one hart: false when they may be stale,
 * else true with the root in *root (which may lie outside RAM, as the
 * host kernel's does: a root that maps nothing). */
typedef bool (*tlb_hart_owner_fn)(int hart, bool global, uint32_t asid, paddr_t *root);

/* The ASID field of a satp value. */
static inline uint32_t satp_asid_of(uint32_t satp)
{
	return (satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
}

/* The physical address of the root table a satp value names. */
static inline paddr_t satp_root_of(uint32_t satp)
{
	return (satp & SATP_PPN_MASK) << PAGE_SHIFT;
}

/* Start over as fresh harts under cfg: empty TLBs and walk caches, an
 * empty log, zero counters, no misuse, and satp holding cfg->satp. */
void tlb_model_reset(const struct tlb_model_config *cfg);

/* Let every hart walk n random probe VAs under its current satp, as it
 * may at any time; the test calls this between its own page-table edits. */
void tlb_model_speculate(int n);

/* The counters of all harts, and of one (the calls it made). */
const struct tlb_model_stats *tlb_model_stats(void);
const struct tlb_model_stats *tlb_model_hart_stats(int hart);

/* What a hart's satp holds. */
uint32_t tlb_model_satp(int hart);

/* Whether hart holds a leaf entry for va, or a pointer for its 4 MiB,
 * that an access under satp.ASID asid would use. */
bool tlb_model_holds(int hart, uint32_t va, uint32_t asid);
bool tlb_model_holds_pointer(int hart, uint32_t va, uint32_t asid);

/* The first hw_* call since the reset that broke a rule (an ASID operand
 * at or beyond asid_limit, a remote fence of the caller or of a hart that
 * does not run), described, or NULL. */
const char *tlb_model_misuse(void);

/* The calls logged since the last clear (at most TLB_MODEL_LOG_CALLS),
 * the i-th of them (i below the count), and the clear. */
unsigned tlb_model_log_count(void);
const struct hw_call *tlb_model_log_entry(unsigned i);
void tlb_model_log_clear(void);

/*
 * A user-mode access of kind acc to va by hart, as the hardware makes it:
 * a TLB hit that allows it, or a walk of the hart's satp that fills an
 * entry. With cfg.hw_ad a walk sets A (and D for a store) in the PTE,
 * atomically, and a store through an entry with D clear walks again, since
 * D may only be set in the PTE (privileged spec, Sv32 step 7); without, A
 * or D clear faults, in the PTE or in the entry. Returns 0 with the
 * physical address in *pa, or -1 for a page fault, which leaves the TLB as
 * it was.
 */
int tlb_model_user_access(int hart, uint32_t va, enum sv32_access acc, paddr_t *pa);

/*
 * The "no usable stale translation" checks; each returns true, or false
 * with the first problem described in why[0, size). Entries: every cached
 * leaf and pointer whose owner (by its tag) is a root maps what that root
 * maps now, with no more permission (R, W, X, U) than its PTE. The rules
 * add the A/D bits. Access: an access to va now, a hit or a walk and fill,
 * translates as sv32_translate does through the current satp's root.
 * tlb_model_check_entries and tlb_model_check_access look at the hart
 * mycpu() runs on, with no A/D rules.
 */
#define TLB_CHECK_DIRTY	 1u /* an entry with D needs D in its PTE: else a store goes unseen */
#define TLB_CHECK_YOUNG	 2u /* an entry with A needs A in its PTE, unless excused */
#define TLB_EXCUSE_YOUNG 4u /* instead: excuse each entry whose PTE lost A, until it has A again   \
			     */
bool tlb_model_check_hart(int hart, tlb_hart_owner_fn owner, unsigned rules, char *why,
			  size_t size);
bool tlb_model_check_entries(tlb_owner_fn owner, char *why, size_t size);
bool tlb_model_check_access(uint32_t va, char *why, size_t size);

/*
 * The G-stage (hypervisor spec, "Two-Stage Address Translation"; mm/gstage.h).
 * Each hart has its own small G-stage TLB of entries (VMID, guest-physical
 * page) -> (host frame, R/W/X), filled by walks of the real Sv32x4 tables
 * of a struct gstage (root indexed by GPA bits 33:22, 4 KiB level-0
 * tables, every leaf with U; a root leaf, a megapage, the model does not
 * have: misuse). An entry leaves only by an hfence.gvma on its hart that
 * covers it (of its page or of its whole VMID, local or sent through SBI)
 * or by eviction of a random victim: no sfence.vma and no hgatp write
 * touches it. A hart whose hgatp names a guest walks a few random pages of
 * its RAM after every hw_* call, as tlb_model_speculate does for satp.
 * VMIDs are below GUEST_VMID_LIMIT (hgatp.VMID has 7 bits on RV32).
 */
#define GUEST_VMID_LIMIT 128u

struct gstage;

/* What hart's hgatp names: the guest whose tables it walks, or NULL. The
 * test sets it where riscv/hv.c would write hgatp, after adding the hart
 * to gs->ran_on. */
void tlb_model_hgatp(int hart, const struct gstage *gs);

/* Whether hart holds a G-stage entry for gpa under vmid. */
bool tlb_model_holds_guest(int hart, uint64_t gpa, uint32_t vmid);

/*
 * A guest access of kind acc to guest-physical gpa by hart, which runs gs
 * (its hgatp, and in gs->ran_on: else misuse): a hit in the hart's G-stage
 * TLB under gs->vmid that allows it, or a walk of gs's tables that fills
 * an entry. A hit with less permission faults (the spurious fault the spec
 * allows after a lazy upgrade: the kernel must fence it away), and so does
 * a store through an entry with D clear unless cfg.hw_ad, which walks again
 * and sets A (and D) in the leaf as for user accesses. Returns 0 with the
 * host physical address in *pa, or -1 for a guest-page fault, which leaves
 * the TLB as it was.
 */
int tlb_model_guest_access(int hart, const struct gstage *gs, uint64_t gpa, enum sv32_access acc,
			   paddr_t *pa);

/*
 * The G-stage check (mm/gstage.h's invariant) for the live guest gs, whose
 * host space's root table is host_root: every entry of gs->vmid that any
 * hart holds is for a page of its RAM, maps the frame that the host PTE of
 * that page's hva maps, that PTE valid with A set, with no more R or X
 * than the PTE and W only if the PTE has W and D. True, or false with the
 * first problem described in why[0, size).
 */
bool tlb_model_check_guest(const struct gstage *gs, paddr_t host_root, char *why, size_t size);

#endif
