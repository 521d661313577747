/*
 * The ASID allocator: owns the generation counter, the next free ASID and
 * the TLB counters, and is the only code that writes satp for a user
 * address space or fences user mappings, on this hart or (through SBI)
 * on others. Relies on riscv/tlb.h for satp, sfence.vma and remote fences. Invariant: a TLB entry that a running address space can
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
 * "No ASIDs used"). Then only the space last loaded on a hart can have
 * entries in that hart's TLB, and only it needs fences there after edits.
 *
 * Several harts. Each has its own TLB; a fence reaches only the hart that
 * runs it. An address space therefore records the harts that may hold its
 * entries (harts: set when a hart runs it). A PTE change fences locally
 * and sends the others of that set one SBI remote fence for the ASID
 * (the TLB shootdown; SBI spec, RFENCE), which returns once they have
 * fenced, so the caller may then reuse the frame. The generation is one,
 * global; a hart that starts a new one fences only its own TLB. Every
 * other hart notices at its next switch (its hart_gen is behind) and
 * fences itself then, after its satp write: no IPIs at a rollover. Until
 * it has, a hart may still hold entries of old-generation spaces, so a
 * space's set counts a hart only while that hart's generation is the
 * space's.
 *
 * An idle hart would otherwise be woken by every shootdown of a space it
 * once ran. So a hart about to idle (with other harts about) fences its
 * whole TLB once and is marked clean: it holds no user entry of any
 * space, so no set counts it, and its next switch needs no fence even if
 * a rollover came meanwhile. (Linux on x86 skips its lazy-TLB CPUs for
 * the same reason.)
 *
 * The generation is 32 bits and 0 means "never"; after 2^32 - 1 rollovers
 * it wraps to 1. A space that slept through exactly that many rollovers
 * (at least as many switches, 511 times more with 9 ASID bits) would then
 * look current with a stale ASID; that is accepted as out of reach.
 */
#include "riscv/asid.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "riscv/tlb.h"
#include "lib/klib.h"
#include "lib/spinlock.h"

#define KERNEL_ASID	 0u
#define FIRST_USER_ASID	 1u
#define ASIDLEN_MAX	 9u /* satp.ASID on RV32 (privileged spec, satp) */
#define NO_GENERATION	 0u
#define FIRST_GENERATION 1u
#define WHOLE_SPACE	 0xFFFFFFFFu /* an SBI remote fence of every address */

/*
 * asid_lock guards everything below and every space's asid_state. It is
 * the innermost lock: taken under proc_lock (switches) and vm_lock (PTE
 * changes), and nothing is taken under it. A remote fence is an SBI call
 * made with it held; the other harts answer in M-mode, whatever they hold.
 */
static struct spinlock asid_lock = SPINLOCK_INIT("asid");

/* asid_lock, when there is another hart to race with. With one, two of
 * these functions never run at once (the kernel runs with interrupts
 * off), and one hart's figures keep their cost. ncpus grows only while
 * the boot hart waits for the hart it started, which runs here alone. */
static inline void lock_harts(void)
{
	if (ncpus > 1)
		spin_lock(&asid_lock);
}

static inline void unlock_harts(void)
{
	if (ncpus > 1)
		spin_unlock(&asid_lock);
}
static bool tagged;		/* ASIDs in use: ASIDLEN > 0 and not asid=off */
static uint32_t nr_asids;	/* 2^ASIDLEN: user ASIDs are 1 .. nr_asids - 1 */
static uint32_t next_asid;	/* the next ASID to hand out in this generation */
static struct asid_stats stats; /* stats.generation is the current generation */
/* Per hart, by cpu index: the generation the hart's TLB is in (it fenced
 * everything when it entered it), and the space whose root its satp holds
 * (NULL: the kernel's). Without ASIDs that is also the one space whose
 * entries its TLB may hold under ASID 0. */
static uint32_t hart_gen[MAX_HARTS];
static struct asid_state *running[MAX_HARTS];
static bool clean[MAX_HARTS]; /* the hart's TLB holds no user entry (asid_idle) */

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

static inline uint32_t my_bit(void)
{
	return 1u << mycpu()->index;
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

/* Reset the allocator for asidlen tag bits, with ASIDs on or off. The
 * boot hart calls it, before any other hart runs. */
void asid_init(uint32_t asidlen, bool enabled)
{
	asidlen = MIN(asidlen, ASIDLEN_MAX);
	tagged = enabled && asidlen > 0;
	nr_asids = 1u << asidlen;
	next_asid = FIRST_USER_ASID;
	for (int i = 0; i < MAX_HARTS; i++) {
		running[i] = NULL;
		hart_gen[i] = FIRST_GENERATION;
		clean[i] = false;
	}
	stats = (struct asid_stats){.generation = FIRST_GENERATION};
	/* Whatever boot left in the TLB was tagged before this allocator
	 * counted anything: start from an empty one. */
	fence_all();
}

/* A hart just started, its TLB emptied (kmap_enable_hart): it is in the
 * current generation. */
void asid_init_hart(void)
{
	lock_harts();
	hart_gen[mycpu()->index] = stats.generation;
	unlock_harts();
}

/* Switch with every space sharing ASID 0: a new root means the old root's
 * entries must go, global ones excepted (PLATFORM.md 3.2, "No ASIDs used").
 * The old owner's entries are gone from this hart after the fence. */
static void activate_untagged(struct asid_state *st, paddr_t root)
{
	int me = mycpu()->index;
	st->asid = KERNEL_ASID;
	st->gen = stats.generation;
	st->harts |= my_bit();

	uint32_t satp = satp_make(root, KERNEL_ASID);
	clean[me] = false;
	if (running[me] == st && hw_satp_read() == satp)
		return;
	if (running[me])
		running[me]->harts &= ~my_bit();
	running[me] = st;
	if (omitted(ASID_SWITCH_FENCE_FIRST))
		fence_asid(KERNEL_ASID);
	satp_load(satp);
	if (!omitted(ASID_OMIT_SWITCH_FENCE | ASID_SWITCH_FENCE_FIRST))
		fence_asid(KERNEL_ASID);
}

/* lab asid: begin */
/* Give st the next ASID of the current generation (one must be left). No
 * hart holds entries under that number yet: every hart fences everything
 * before it runs a space of a new generation. */
static void asid_assign(struct asid_state *st)
{
	st->asid = next_asid++;
	st->gen = stats.generation;
	st->harts = 0;
}

/* The ASIDs have run out: start a new generation. This hart fences when it
 * switches (activate_tagged); the others at their own next switch. */
static void new_generation(void)
{
	stats.generation = generation_after(stats.generation);
	stats.rollovers++;
	next_asid = FIRST_USER_ASID;
}

/* The switch with ASIDs: a space whose ASID is of this generation just
 * loads satp; one that has none takes the next number, starting a new
 * generation when they have run out. A hart whose TLB is of an older
 * generation fences everything, after the satp write: before it, the
 * hardware could refill entries of the old root under its old tag
 * (PLATFORM.md 3.2, "Recycled an ASID"). */
static void activate_tagged(struct asid_state *st, paddr_t root)
{
	int me = mycpu()->index;
	bool rolled = false;
	running[me] = st;
	if (st->gen != stats.generation) {
		if (next_asid == nr_asids) {
			new_generation();
			rolled = true;
		}
		asid_assign(st);
	}
	st->harts |= my_bit();
	if (hart_gen[me] == stats.generation || clean[me]) {
		satp_switch(satp_make(root, st->asid));
		hart_gen[me] = stats.generation;
		clean[me] = false;
		return;
	}
	if (rolled && omitted(ASID_ROLLOVER_FENCE_FIRST))
		fence_all();
	satp_load(satp_make(root, st->asid));
	if (!(rolled && omitted(ASID_OMIT_ROLLOVER_FENCE | ASID_ROLLOVER_FENCE_FIRST)))
		fence_all();
	hart_gen[me] = stats.generation;
}
/* lab asid: end */

/* Make st's space current on this hart: no fence if its ASID is of this
 * generation and this hart's TLB is too. */
void asid_activate(struct asid_state *st, paddr_t root)
{
	/* Back to the space this hart still runs (after a sleep or a tick):
	 * nothing to do. Only the hart that runs st switches to it, so this
	 * needs no lock; a rollover meanwhile elsewhere leaves st's ASID of
	 * the old generation, which is this hart's too, and its next switch
	 * to another space fences. */
	if (running[mycpu()->index] == st && hw_satp_read() == satp_make(root, st->asid))
		return;
	lock_harts();
	if (tagged)
		activate_tagged(st, root);
	else
		activate_untagged(st, root);
	unlock_harts();
}

/* Switch to the kernel root under ASID 0. With ASIDs, no user space owns
 * ASID 0 and the kernel's mappings are global, so nothing can be stale.
 * Without, the TLB may hold the old user root's entries under ASID 0, and
 * the kernel could hit them through a user address: fence them. */
void asid_activate_kernel(paddr_t kernel_root)
{
	uint32_t satp = satp_make(kernel_root, KERNEL_ASID);
	int me = mycpu()->index;

	lock_harts();
	if (hw_satp_read() != satp) {
		hw_satp_write(satp);
		if (!tagged && !omitted(ASID_OMIT_KERNEL_FENCE)) {
			fence_asid(KERNEL_ASID);
			if (running[me])
				running[me]->harts &= ~my_bit();
		}
	}
	running[me] = NULL;
	unlock_harts();
}

/* Whether hart i's TLB may hold entries of st under st->asid: it ran the
 * space, while still in its generation, and has not been emptied since
 * (asid_idle). */
static inline bool held_on(const struct asid_state *st, int i)
{
	return (st->harts & (1u << i)) && !clean[i] &&
	       (!tagged || (hart_gen[i] == st->gen && st->gen != NO_GENERATION));
}

static inline bool held_here(const struct asid_state *st)
{
	return held_on(st, mycpu()->index);
}

/* This hart runs the kernel root and is about to wait for work: with
 * other harts about, empty its TLB so that no shootdown has to wake it. */
void asid_idle(void)
{
	int me = mycpu()->index;
	lock_harts();
	if (ncpus > 1 && !clean[me] && running[me] == NULL) {
		if (!omitted(ASID_OMIT_IDLE_FENCE)) {
			hw_sfence_all();
			stats.idle_fences++;
		}
		clean[me] = true;
	}
	unlock_harts();
}

/* The harts (cpu index bits) whose TLBs may hold entries of st's space
 * under st->asid (held_on). */
static uint32_t live_harts(const struct asid_state *st)
{
	uint32_t live = 0;
	for (int i = 0; i < ncpus; i++)
		if (held_on(st, i))
			live |= 1u << i;
	return live;
}

#ifdef HOST_TEST
uint32_t asid_hart_generation(int index)
{
	return clean[index] ? stats.generation : hart_gen[index];
}
#endif

/* The ASID to fence for st: its own (or, under the test hook, the one in
 * satp, a plausible bug when st is not the running space). */
static uint32_t fence_target(const struct asid_state *st)
{
	if (omitted(ASID_FENCE_WRONG_ASID))
		return satp_asid(hw_satp_read());
	return st->asid;
}

/* Send the harts of others (cpu index bits) one remote fence of
 * [va, va + size) in asid, and count the shootdown. */
static void shoot_down(uint32_t others, uint32_t va, uint32_t size, uint32_t asid)
{
	if (others == 0)
		return;
	uint32_t mask = 0;
	int n = 0;
	for (int i = 0; i < ncpus; i++) {
		if (others & (1u << i)) {
			mask |= 1u << cpus[i].hartid;
			n++;
		}
	}
	if (n == 0 || omitted(ASID_OMIT_REMOTE_FENCE))
		return;
	hw_remote_sfence(mask, va, size, asid);
	stats.shootdowns++;
	stats.harts_targeted += (uint32_t)n;
}

/* This hart's fences of [va, va + size) in asid: page fences (privileged
 * spec, SFENCE.VMA: rs1 = va, rs2 = asid keeps global entries), or one
 * ASID fence for a long range. */
static void fence_here(uint32_t va, uint32_t size, uint32_t asid)
{
	if (size > ASID_FLUSH_PAGES_MAX * PAGE_SIZE) {
		fence_asid(asid);
	} else {
		for (uint32_t off = 0; off < size; off += PAGE_SIZE)
			fence_page(va + off, asid);
	}
}

/* Fence [va, va + size) of st wherever the TLB may hold it: here
 * (fence_here), and one remote fence for the other harts. */
void asid_flush_range(struct asid_state *st, uint32_t va, uint32_t size)
{
	lock_harts();
	uint32_t live = live_harts(st);
	uint32_t asid = fence_target(st);
	if ((live & my_bit()) && !omitted(ASID_OMIT_PAGE_FENCE))
		fence_here(va, size, asid);
	shoot_down(live & ~my_bit(), va, size, asid);
	unlock_harts();
}

void asid_flush_page(struct asid_state *st, uint32_t va)
{
	asid_flush_range(st, va, PAGE_SIZE);
}

/* Only this hart's TLB: PTEs gained a permission, or lost only A. Another
 * hart's entry with less permission than the PTE only faults, and the
 * fault fences it there (fault_present). No lock: for the space this hart
 * runs nothing can change meanwhile; for another (clock clearing A) a
 * switch of it on another hart may make this miss an entry of its old
 * ASID, which then keeps A set: a hint, no harm. */
void asid_flush_range_local(struct asid_state *st, uint32_t va, uint32_t size)
{
	if (held_here(st) && !omitted(ASID_OMIT_LOCAL_FENCE))
		fence_here(va, size, fence_target(st));
}

void asid_flush_page_local(struct asid_state *st, uint32_t va)
{
	asid_flush_range_local(st, va, PAGE_SIZE);
}

/* The harts (cpu index bits) whose satp holds st's root. */
static uint32_t running_harts(const struct asid_state *st)
{
	uint32_t on = 0;
	for (int i = 0; i < ncpus; i++)
		if (running[i] == st)
			on |= 1u << i;
	return on;
}

/* Fence all of st's ASID wherever the TLB may hold it: a changed non-leaf
 * PTE needs rs1 = x0 (privileged spec, SFENCE.VMA; PLATFORM.md 3.2).
 * After it, a hart that does not run st holds none of its entries, so it
 * leaves st's set. */
void asid_flush_mm(struct asid_state *st)
{
	lock_harts();
	uint32_t live = live_harts(st);
	uint32_t asid = fence_target(st);
	if ((live & my_bit()) && !omitted(ASID_OMIT_MM_FENCE))
		fence_asid(asid);
	shoot_down(live & ~my_bit(), 0, WHOLE_SPACE, asid);
	if (tagged)
		st->harts &= ~live | running_harts(st);
	unlock_harts();
}

/* A space is being freed: no hart may still run it. */
void asid_release(struct asid_state *st)
{
	lock_harts();
	uint32_t on = running_harts(st);
	unlock_harts();
	if (on)
		panic("asid: freeing an address space that a hart still runs (harts 0x%x)", on);
}

/* The live counters; callers only read them. */
const struct asid_stats *asid_stats(void)
{
	return &stats;
}
