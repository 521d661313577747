/*
 * The ASID allocator: owns the generation counter, the next free ASID and
 * the TLB counters, and is the only code that writes satp for a user
 * address space or fences user mappings. Relies on riscv/tlb.h for satp
 * and sfence.vma. Invariant: a TLB entry that a running address space can
 * hit never disagrees with that space's page tables by more than a
 * permission not yet granted.
 *
 * How it works. The TLB tags each non-global entry with satp.ASID, so a
 * switch between address spaces with different ASIDs needs no fence: the
 * entries of one are invisible to the other (privileged spec, "Supervisor
 * Address Translation and Protection Register"; PLATFORM.md 3.1). There
 * are only 2^ASIDLEN tags (at most 512, ASID 0 being the kernel's), fewer
 * than there may be address spaces, so tags are handed out in generations:
 *
 *  - A generation is a number. An address space records the ASID it got
 *    and the generation it got it in (struct asid_state). The ASID is its
 *    own for as long as that generation is the current one.
 *  - Within a generation, ASIDs 1, 2, 3, ... are handed out in order, each
 *    at most once, the first time a space runs in that generation. A space
 *    that dies keeps its number until the generation ends; nothing reuses
 *    it, so its leftover TLB entries can never be hit.
 *  - When the numbers run out, a new generation starts: every space's
 *    ASID is now stale, the space being switched to takes ASID 1, satp is
 *    written, and then one sfence.vma x0, x0 empties the whole TLB. Only
 *    after that fence may a number from the old generation be reused,
 *    since its old entries are gone. The order matters: a fence before the
 *    satp write would leave a window in which the hardware can refill
 *    entries for the old root under its old tag, which a new space may
 *    receive later in this generation (PLATFORM.md 3.2, "Recycled an ASID").
 *  - Others get new numbers lazily, when they next run.
 *
 * Fences after page-table edits follow from this. Clearing or downgrading
 * a user leaf fences that page in the space's ASID, whether or not the
 * space is running, provided its ASID is of the current generation; if it
 * is not, the rollover fence already removed its entries and the space has
 * not run since. Unlinking a level-0 table does the same with the
 * whole-ASID fence, since the hardware may cache the pointer too. Adding
 * or upgrading a mapping needs no fence: a stale entry then has less
 * permission than the PTE, and the fault handler fences and retries.
 *
 * Without ASIDs (ASIDLEN 0, or asid=off) every space runs with ASID 0, so
 * every switch to another root is followed by sfence.vma x0, rZero: all
 * non-global entries go and the kernel's global ones stay (PLATFORM.md 3.2,
 * "No ASIDs used"). Then only the space now in satp can have entries in
 * the TLB, and only it needs fences after edits.
 *
 * The generation is 32 bits and 0 means "never"; after 2^32 - 1 rollovers
 * it wraps to 1. A space that slept through exactly that many rollovers
 * (at least as many switches, 511 times more with 9 ASID bits) would then
 * look current with a stale ASID; that is accepted as out of reach.
 */
#include "riscv/asid.h"
#include "riscv/csr.h"
#include "riscv/tlb.h"
#include "lib/klib.h"

#define KERNEL_ASID	 0u
#define FIRST_USER_ASID	 1u
#define ASIDLEN_MAX	 9u /* satp.ASID on RV32 (privileged spec, satp) */
#define NO_GENERATION	 0u
#define FIRST_GENERATION 1u

/*
 * Shared state. With more harts, an asid_lock would protect all of it
 * (tagged, nr_asids, next_asid, stats) and the asid_state of a space
 * while it is given a number; a rollover would then also have to mark
 * every other hart to fence before its next user switch, and the flushes
 * would fence remote harts through SBI. One hart today, so no lock yet.
 */
static bool tagged;		/* ASIDs in use: ASIDLEN > 0 and not asid=off */
static uint32_t nr_asids;	/* 2^ASIDLEN: user ASIDs are 1 .. nr_asids - 1 */
static uint32_t next_asid;	/* the next ASID to hand out in this generation */
static struct asid_stats stats; /* stats.generation is the current generation */

/* Per hart (struct cpu once there are more): without ASIDs, the space
 * whose entries the TLB may hold under ASID 0; NULL for the kernel root. */
static struct asid_state *untagged_owner;

#ifdef HOST_TEST
unsigned asid_test_omit;
static inline bool omitted(unsigned bug)
{
	return asid_test_omit & bug;
}
#else
/* The test hook does not exist in the kernel; the bit names are never
 * expanded, so the branches on them compile away. */
#define omitted(bug) false
#endif

/* The ASID field of a satp value. */
static inline uint32_t satp_asid(uint32_t satp)
{
	return (satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
}

/* The fences, counted: everything, global entries too. */
static void fence_all(void)
{
	hw_sfence_all();
	stats.full_fences++;
}

/* Every non-global entry of asid, at every level. */
static void fence_asid(uint32_t asid)
{
	hw_sfence_asid(asid);
	stats.asid_fences++;
}

/* The non-global leaf entries of va in asid. */
static void fence_page(uint32_t va, uint32_t asid)
{
	hw_sfence_page_asid(va, asid);
	stats.page_fences++;
}

/* Load satp for a user space. */
static void satp_load(uint32_t satp)
{
	hw_satp_write(satp);
	stats.switches++;
}

/* Load satp for a user space unless it already holds that value. */
static void satp_switch(uint32_t satp)
{
	if (hw_satp_read() != satp)
		satp_load(satp);
}

/* The generation after the current one, skipping 0 ("never assigned"). */
static uint32_t generation_after(uint32_t gen)
{
	return gen + 1 == NO_GENERATION ? FIRST_GENERATION : gen + 1;
}

/* Reset the allocator for asidlen tag bits, with ASIDs on or off. */
void asid_init(uint32_t asidlen, bool enabled)
{
	asidlen = MIN(asidlen, ASIDLEN_MAX);
	tagged = enabled && asidlen > 0;
	nr_asids = 1u << asidlen;
	next_asid = FIRST_USER_ASID;
	untagged_owner = NULL;
	stats = (struct asid_stats){.generation = FIRST_GENERATION};
	/* Whatever boot left in the TLB was tagged before this allocator
	 * counted anything: start from an empty one. */
	fence_all();
}

/* Switch with every space sharing ASID 0: a new root means the old root's
 * entries must go, global ones excepted (PLATFORM.md 3.2, "No ASIDs used"). */
static void activate_untagged(struct asid_state *st, paddr_t root)
{
	st->asid = KERNEL_ASID;
	st->gen = stats.generation;
	untagged_owner = st;

	uint32_t satp = satp_make(root, KERNEL_ASID);
	if (hw_satp_read() == satp)
		return;
	if (omitted(ASID_SWITCH_FENCE_FIRST))
		fence_asid(KERNEL_ASID);
	satp_load(satp);
	if (!omitted(ASID_OMIT_SWITCH_FENCE | ASID_SWITCH_FENCE_FIRST))
		fence_asid(KERNEL_ASID);
}

/* lab asid: begin */
/* Give st the next ASID of the current generation (one must be left). */
static void asid_assign(struct asid_state *st)
{
	st->asid = next_asid++;
	st->gen = stats.generation;
}

/* Start a new generation with st as its first space and switch to it. */
static void asid_rollover(struct asid_state *st, paddr_t root)
{
	stats.generation = generation_after(stats.generation);
	stats.rollovers++;
	next_asid = FIRST_USER_ASID;
	asid_assign(st);

	if (omitted(ASID_ROLLOVER_FENCE_FIRST))
		fence_all();
	/* satp first, then the fence (PLATFORM.md 3.2, "Recycled an ASID"). */
	satp_load(satp_make(root, st->asid));
	if (!omitted(ASID_OMIT_ROLLOVER_FENCE | ASID_ROLLOVER_FENCE_FIRST))
		fence_all();
}

/* The switch with ASIDs: a space whose ASID is of this generation just
 * loads satp; one that has none takes the next number, starting a new
 * generation when they have run out. */
static void activate_tagged(struct asid_state *st, paddr_t root)
{
	if (st->gen == stats.generation) {
		satp_switch(satp_make(root, st->asid));
		return;
	}
	if (next_asid == nr_asids) {
		asid_rollover(st, root);
		return;
	}
	asid_assign(st);
	/* A number not yet handed out in this generation has no entries: the
	 * rollover fence (or asid_init's) removed them all. */
	satp_switch(satp_make(root, st->asid));
}
/* lab asid: end */

/* Make st's space current: no fence if its ASID is of this generation. */
void asid_activate(struct asid_state *st, paddr_t root)
{
	if (tagged)
		activate_tagged(st, root);
	else
		activate_untagged(st, root);
}

/* Switch to the kernel root under ASID 0. With ASIDs, no user space owns
 * ASID 0 and the kernel's mappings are global, so nothing can be stale.
 * Without, the TLB may hold the old user root's entries under ASID 0, and
 * the kernel could hit them through a user address: fence them. */
void asid_activate_kernel(paddr_t kernel_root)
{
	uint32_t satp = satp_make(kernel_root, KERNEL_ASID);

	untagged_owner = NULL;
	if (hw_satp_read() == satp)
		return;
	hw_satp_write(satp);
	if (!tagged && !omitted(ASID_OMIT_KERNEL_FENCE))
		fence_asid(KERNEL_ASID);
}

/* Whether the TLB may hold entries of st's space under st->asid. */
static bool asid_live(const struct asid_state *st)
{
	if (tagged)
		return st->gen == stats.generation;
	return st == untagged_owner;
}

/* The ASID to fence for st: its own (or, under the test hook, the one in
 * satp, a plausible bug when st is not the running space). */
static uint32_t fence_target(const struct asid_state *st)
{
	if (omitted(ASID_FENCE_WRONG_ASID))
		return satp_asid(hw_satp_read());
	return st->asid;
}

/* Fence va in st's ASID if the TLB may hold it (privileged spec,
 * SFENCE.VMA: rs1 = va, rs2 = asid keeps global entries). */
void asid_flush_page(struct asid_state *st, uint32_t va)
{
	if (!asid_live(st) || omitted(ASID_OMIT_PAGE_FENCE))
		return;
	fence_page(va, fence_target(st));
}

/* Fence all of st's ASID if the TLB may hold it: a changed non-leaf PTE
 * needs rs1 = x0 (privileged spec, SFENCE.VMA; PLATFORM.md 3.2). */
void asid_flush_mm(struct asid_state *st)
{
	if (!asid_live(st) || omitted(ASID_OMIT_MM_FENCE))
		return;
	fence_asid(fence_target(st));
}

/* The live counters; callers only read them. */
const struct asid_stats *asid_stats(void)
{
	return &stats;
}
