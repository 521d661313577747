/*
 * A model of one hart's ASID-tagged TLB for the host tests: it implements
 * riscv/tlb.h's hw_* calls, keeps every leaf and level-1 pointer it walked
 * until an sfence.vma of the right form removes it (privileged spec,
 * SFENCE.VMA; PLATFORM.md 3.2), walks on its own after every call, logs the
 * calls, and checks that no entry the hart can still hit is stale.
 */
#ifndef TESTS_UNIT_TLB_MODEL_H
#define TESTS_UNIT_TLB_MODEL_H

#include <stddef.h>

#include "lib/types.h"
#include "riscv/csr.h"

/*
 * What the model keeps, and why a missing fence shows. The TLB holds a
 * few leaf entries (4 KiB pages and 4 MiB megapages), each tagged with the
 * satp.ASID it was filled under or global when G was set on its walk; a
 * walk cache holds a few level-1 pointer PTEs the same way. A miss walks
 * the tables of the current satp, through a cached pointer if one matches;
 * invalid PTEs are never cached. Entries leave only by an sfence.vma that
 * covers them or by eviction of a random victim; a satp write removes
 * nothing (QEMU flushes everything instead, so it hides these bugs). After
 * every hw_* call the model fills a few random probe VAs, as a hart may
 * walk speculatively at any time. The model is small on purpose, so
 * entries are evicted and refilled all the time.
 */

/* The hw_* calls of riscv/tlb.h that change state, as the log names them. */
enum hw_op {
	HW_SATP_WRITE,
	HW_SFENCE_ALL,
	HW_SFENCE_ASID,
	HW_SFENCE_PAGE,
	HW_SFENCE_PAGE_ASID,
	HW_OPS
};

/* One logged call. */
struct hw_call {
	enum hw_op op;
	uint32_t a, b; /* satp; -; asid; va; va and asid */
};

/* Calls the log keeps after each tlb_model_log_clear(); later ones are
 * only counted. */
#define TLB_MODEL_LOG_CALLS 16

/* What the model starts from; tlb_model_reset() copies it. */
struct tlb_model_config {
	uint32_t satp;		   /* what satp holds at reset */
	paddr_t kernel_root;	   /* a satp write of any other root is a user switch */
	uint32_t asid_limit;	   /* ASIDs satp and fences may name: 2^ASIDLEN, or 1 */
	const uint32_t *probe_vas; /* the VAs the hart walks on its own; must outlive the run */
	unsigned nprobe;
	uint32_t (*random)(uint32_t n); /* a choice in [0, n): victims and speculative walks */
};

/* Counted since the last reset. */
struct tlb_model_stats {
	uint32_t calls[HW_OPS];	   /* hw_* calls of each kind */
	uint32_t user_satp_writes; /* satp writes of a root other than kernel_root */
};

/* The root table that entries tagged (global, asid) must agree with, or 0
 * when no satp that can be loaded before the next full fence carries the
 * tag (such entries can never be hit, so they may be stale). */
typedef paddr_t (*tlb_owner_fn)(bool global, uint32_t asid);

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

/* Start over as a fresh hart under cfg: an empty TLB and walk cache, an
 * empty log, zero counters, no misuse, and satp holding cfg->satp. */
void tlb_model_reset(const struct tlb_model_config *cfg);

/* Let the hart walk n random probe VAs under the current satp, as it may
 * at any time; the test calls this between its own page-table edits. */
void tlb_model_speculate(int n);

const struct tlb_model_stats *tlb_model_stats(void);

/* The first hw_* call since the reset with an ASID operand at or beyond
 * asid_limit, described, or NULL. */
const char *tlb_model_misuse(void);

/* The calls logged since the last clear (at most TLB_MODEL_LOG_CALLS),
 * the i-th of them (i below the count), and the clear. */
unsigned tlb_model_log_count(void);
const struct hw_call *tlb_model_log_entry(unsigned i);
void tlb_model_log_clear(void);

/*
 * The "no usable stale translation" checks; each returns true, or false
 * with the first problem described in why[0, size). Entries: every cached
 * leaf and pointer whose owner (by its tag) is a root maps what that root
 * maps now, with no more permission than its PTE. Access: an access to va
 * now, a hit or a walk and fill, translates as sv32_translate does
 * through the current satp's root.
 */
bool tlb_model_check_entries(tlb_owner_fn owner, char *why, size_t size);
bool tlb_model_check_access(uint32_t va, char *why, size_t size);

#endif
