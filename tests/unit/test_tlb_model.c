/*
 * Host test for kernel/riscv/asid.c over the tagged-TLB model of
 * tlb_model.c, which keeps every entry until an sfence.vma of the right
 * form removes it (PLATFORM.md 3.2 and pitfall 9): drives the allocator
 * with random page-table edits, address-space churn and switches. QEMU
 * flushes its whole TLB on every satp write and fence, so only the model
 * can show a fence that is missing, misdirected or misplaced. Invariant
 * checked after every operation: no entry that can still be hit disagrees
 * with its tables.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "riscv/asid.h"
#include "riscv/csr.h"
#include "riscv/sv32.h"
#include "riscv/tlb.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "host_ram.h"
#include "model_rng.h"
#include "tlb_model.h"

#define RAM_BASE       0x80000000u
#define RAM_PAGES      768u
#define FIRMWARE_PAGES 2u

#define SPEC_FILLS_PER_OP  2	     /* speculative walks after each operation of the driver */
#define CHECKED_VAS_PER_OP 3	     /* VAs translated through the model after each operation */
#define ASID_LIMIT	   (1u << 9) /* 2^ASIDMAX on RV32 */

/* A fake kernel half, copied into every root like the real kernel's: G
 * megapages, and G pages in a level-0 table shared through a G pointer. */
#define KERNEL_VA	 0xC0000000u
#define KERNEL_MEGAPAGES 3u
#define KERNEL_PAGES_VA	 (KERNEL_VA + KERNEL_MEGAPAGES * SV32_MEGAPAGE_SIZE)
#define KERNEL_PAGES	 4u
#define KERNEL_PA	 RAM_BASE
#define KERNEL_LEAF	 (PTE_R | PTE_W | PTE_X | PTE_G | PTE_A | PTE_D)

/* The user half that the driver edits: 4 KiB pages in a few 4 MiB regions
 * and a few megapage slots. A and D are always set, so a walk never has
 * to write a PTE (hardware A/D updating, PLATFORM.md 2.4). */
#define USER_REGIONS	 4u
#define PAGES_PER_REGION 8u
#define PAGE_STRIDE	 37u /* spreads a region's pages over its level-0 table */
#define USER_PAGES	 (USER_REGIONS * PAGES_PER_REGION)
#define USER_MEGAPAGES	 2u
#define USER_LEAVES	 (USER_PAGES + USER_MEGAPAGES)
#define MEGA_PA_BASE	 0x20000000u /* outside RAM: a leaf's PA need not be RAM */
#define MEGA_PA_CHOICES	 4u
#define USER_FLAGS	 (PTE_U | PTE_A | PTE_D)
#define MAX_SPACES	 8

#define TEST_VA 0x00400000u

/* How many random operations run in the whole binary, at least. */
#define TOTAL_OPS_MIN 1000000ul
/* How long a broken allocator may run before the model must have caught it. */
#define CATCH_BUDGET 50000u

static const uint32_t user_region_va[USER_REGIONS] = {0x00400000u, 0x00800000u, 0x10000000u,
						      0x7FC00000u};
static const uint32_t user_mega_va[USER_MEGAPAGES] = {0x40000000u, 0x40400000u};
/* Legal leaf permissions (no W without R: privileged spec, Sv32 PTE table). */
static const uint32_t leaf_perms[] = {PTE_R, PTE_R | PTE_W, PTE_R | PTE_X, PTE_X,
				      PTE_R | PTE_W | PTE_X};

static paddr_t kernel_root;

/* VAs of every leaf the test may map: the model walks them on its own,
 * and check_all translates a few of them after each operation. */
static uint32_t probe_vas[USER_LEAVES * 2 + KERNEL_MEGAPAGES + KERNEL_PAGES];
static unsigned nprobe;

/* ---------------------------------------------------------------------------
 * The world: simulated RAM, the kernel half, and the address spaces
 */

struct space {
	bool live;
	paddr_t root;
	struct asid_state st;
};

static struct space spaces[MAX_SPACES];
static uint32_t frames_free_at_start;
static bool asids_on;		/* the configuration tags entries with ASIDs */
static uint32_t asid_limit;	/* ASIDs the configuration may load: 2^ASIDLEN, or 1 */
static unsigned long total_ops; /* random operations run by the positive tests */

static pte_t *table_at(paddr_t pa)
{
	return pa2kva(pa);
}

static uint32_t page_va(unsigned i)
{
	return user_region_va[i / PAGES_PER_REGION] +
	       (i % PAGES_PER_REGION) * PAGE_STRIDE * PAGE_SIZE;
}

/* The kernel root: G megapages, and G pages under a G pointer (legal on a
 * non-leaf PTE, PLATFORM.md 2.1). */
static int kernel_half_build(void)
{
	kernel_root = frame_alloc(FRAME_ZERO);
	paddr_t table = frame_alloc(FRAME_ZERO);
	if (kernel_root == 0 || table == 0)
		return -1;
	pte_t *root = table_at(kernel_root);
	for (uint32_t i = 0; i < KERNEL_MEGAPAGES; i++) {
		uint32_t off = i * SV32_MEGAPAGE_SIZE;
		if (sv32_map_mega(root, KERNEL_VA + off, KERNEL_PA + off, KERNEL_LEAF) != 0)
			return -1;
	}
	root[sv32_vpn1(KERNEL_PAGES_VA)] = pte_make(table, PTE_V | PTE_G);
	for (uint32_t i = 0; i < KERNEL_PAGES; i++) {
		uint32_t off = i * PAGE_SIZE;
		if (sv32_map_page(root, KERNEL_PAGES_VA + off, KERNEL_PA + off, KERNEL_LEAF) != 0)
			return -1;
	}
	return 0;
}

static void probe_vas_build(void)
{
	nprobe = 0;
	for (unsigned i = 0; i < USER_PAGES; i++)
		probe_vas[nprobe++] = page_va(i);
	for (unsigned i = 0; i < USER_MEGAPAGES; i++) {
		probe_vas[nprobe++] = user_mega_va[i];
		probe_vas[nprobe++] = user_mega_va[i] + SV32_MEGAPAGE_SIZE - PAGE_SIZE;
	}
	for (uint32_t i = 0; i < KERNEL_MEGAPAGES; i++)
		probe_vas[nprobe++] = KERNEL_VA + i * SV32_MEGAPAGE_SIZE + PAGE_SIZE;
	for (uint32_t i = 0; i < KERNEL_PAGES; i++)
		probe_vas[nprobe++] = KERNEL_PAGES_VA + i * PAGE_SIZE;
}

static int world_setup(void **state)
{
	(void)state;
	const struct phys_range firmware = {.base = RAM_BASE, .size = FIRMWARE_PAGES * PAGE_SIZE};

	if (host_ram_setup(RAM_BASE, RAM_PAGES, &firmware, 1) != 0)
		return -1;
	if (kernel_half_build() != 0)
		return -1;
	probe_vas_build();
	memset(spaces, 0, sizeof(spaces));
	asid_test_omit = 0;
	frames_free_at_start = frame_count_free();
	return 0;
}

static int world_teardown(void **state)
{
	(void)state;
	host_ram_teardown();
	asid_test_omit = 0;
	return 0;
}

/* Start the model and the allocator in a configuration; the model counts
 * from here. */
static void world_start(uint32_t asidlen, bool enabled, unsigned omit, uint64_t seed)
{
	rng_state = seed;
	asids_on = enabled && asidlen > 0;
	asid_limit = asids_on ? 1u << asidlen : 1u;
	const struct tlb_model_config hart = {
	    .satp = satp_make(kernel_root, 0), /* as kmap_enable leaves it */
	    .kernel_root = kernel_root,
	    .asid_limit = asid_limit,
	    .probe_vas = probe_vas,
	    .nprobe = nprobe,
	    .random = rnd,
	};
	tlb_model_reset(&hart);
	asid_test_omit = omit;
	asid_init(asidlen, enabled);
}

static struct space *space_create(void)
{
	for (int i = 0; i < MAX_SPACES; i++) {
		struct space *s = &spaces[i];
		if (s->live)
			continue;
		paddr_t root = frame_alloc(FRAME_ZERO);
		if (root == 0)
			return NULL;
		uint32_t first = sv32_vpn1(KERNEL_VA);
		memcpy(&table_at(root)[first], &table_at(kernel_root)[first],
		       (SV32_PTES - first) * sizeof(pte_t));
		*s = (struct space){.live = true, .root = root};
		return s;
	}
	return NULL;
}

static struct space *current_space(void)
{
	for (int i = 0; i < MAX_SPACES; i++)
		if (spaces[i].live && spaces[i].root == satp_root_of(hw_satp_read()))
			return &spaces[i];
	return NULL;
}

static struct space *random_space_other_than(const struct space * not )
{
	int n = 0;
	struct space *pick = NULL;
	for (int i = 0; i < MAX_SPACES; i++)
		if (spaces[i].live && &spaces[i] != not &&rnd(++n) == 0)
			pick = &spaces[i];
	return pick;
}

static void space_activate(struct space *s)
{
	asid_activate(&s->st, s->root);
}

/* Leave s before its tables go: to the kernel root or to another space. */
static void switch_away(struct space *s)
{
	struct space *other = rnd(2) ? random_space_other_than(s) : NULL;
	if (other)
		space_activate(other);
	else
		asid_activate_kernel(kernel_root);
}

/* Free the level-0 table of a user region and the frames it maps; the
 * caller has made sure that no TLB entry the hardware may use needs them. */
static void region_free(pte_t pointer, unsigned region)
{
	pte_t *table = table_at(pte_pa(pointer));
	for (unsigned i = region * PAGES_PER_REGION; i < (region + 1) * PAGES_PER_REGION; i++) {
		pte_t pte = table[sv32_vpn0(page_va(i))];
		if (pte_valid(pte))
			frame_free(pte_pa(pte));
	}
	frame_free(pte_pa(pointer));
}

/* Destroy s: switch away if it is current, then free its tables and
 * frames. With ASIDs its ASID dies with it: nothing reuses it before the
 * next rollover fence. Without, its entries went at the switch away. */
static void space_destroy(struct space *s)
{
	if (s == current_space())
		switch_away(s);
	pte_t *root = table_at(s->root);
	for (unsigned r = 0; r < USER_REGIONS; r++) {
		pte_t pte1 = root[sv32_vpn1(user_region_va[r])];
		if (pte_valid(pte1))
			region_free(pte1, r);
	}
	frame_free(s->root);
	s->live = false;
}

static void world_stop(void)
{
	asid_activate_kernel(kernel_root);
	for (int i = 0; i < MAX_SPACES; i++)
		if (spaces[i].live)
			space_destroy(&spaces[i]);
	asid_test_omit = 0;
}

/* ---------------------------------------------------------------------------
 * The checks
 */

static char why[256];

static bool violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool violation(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

/* Which tables a TLB tag must agree with, for each ASID: 0 for a tag that
 * no live space holds in the current generation (it cannot be loaded
 * before a full fence, so its entries are harmless). */
static paddr_t owner_of[ASID_LIMIT];

static bool owners_build(void)
{
	memset(owner_of, 0, asid_limit * sizeof(owner_of[0]));
	if (!asids_on) {
		/* All spaces share ASID 0: whatever is cached may be hit now. */
		owner_of[0] = satp_root_of(hw_satp_read());
		return true;
	}
	owner_of[0] = kernel_root;
	uint32_t gen = asid_stats()->generation;
	for (int i = 0; i < MAX_SPACES; i++) {
		const struct space *s = &spaces[i];
		if (!s->live || s->st.gen != gen)
			continue;
		if (s->st.asid == 0 || s->st.asid >= asid_limit)
			return violation("space %d holds ASID %u", i, s->st.asid);
		if (owner_of[s->st.asid])
			return violation("ASID %u held twice in generation %u", s->st.asid, gen);
		owner_of[s->st.asid] = s->root;
	}
	return true;
}

/* The tables entries tagged (global, asid) must agree with: the model's
 * tlb_owner_fn. */
static paddr_t owner_root(bool global, uint32_t asid)
{
	if (global)
		return kernel_root;
	return asid < asid_limit ? owner_of[asid] : 0;
}

/* satp holds the kernel root under ASID 0, or a live space's root under
 * the ASID that space holds now. */
static bool check_satp(void)
{
	uint32_t satp = hw_satp_read();
	paddr_t root = satp_root_of(satp);
	uint32_t asid = satp_asid_of(satp);
	if (!(satp & SATP_MODE_SV32))
		return violation("satp 0x%08x: paging off", satp);
	if (asids_on) {
		if (owner_root(false, asid) != root)
			return violation("satp 0x%08x: ASID %u is not this root's", satp, asid);
		return true;
	}
	if (asid != 0)
		return violation("satp 0x%08x: ASID %u with ASIDs off", satp, asid);
	if (root != kernel_root && current_space() == NULL)
		return violation("satp 0x%08x: not a live root", satp);
	return true;
}

/* The invariant, after an operation. */
static bool check_all(void)
{
	const char *misuse = tlb_model_misuse();
	if (misuse)
		return violation("%s", misuse);
	if (!owners_build() || !check_satp() ||
	    !tlb_model_check_entries(owner_root, why, sizeof(why)))
		return false;
	for (int i = 0; i < CHECKED_VAS_PER_OP; i++)
		if (!tlb_model_check_access(probe_vas[rnd(nprobe)], why, sizeof(why)))
			return false;
	return true;
}

/* ---------------------------------------------------------------------------
 * The random driver: what the VM code and the scheduler do
 */

static uint32_t random_perms(void)
{
	return leaf_perms[rnd(ARRAY_SIZE(leaf_perms))];
}

/* The slot of user leaf i (a page, or a megapage after USER_PAGES) in s,
 * or NULL if its table is missing. */
static pte_t *leaf_slot(struct space *s, unsigned i, uint32_t *va)
{
	pte_t *root = table_at(s->root);
	if (i >= USER_PAGES) {
		*va = user_mega_va[i - USER_PAGES];
		return &root[sv32_vpn1(*va)];
	}
	*va = page_va(i);
	return sv32_walk(root, *va, false);
}

/* A VA inside the leaf at va: fences name any address the leaf covers. */
static uint32_t some_va_in(uint32_t va, pte_t *slot, struct space *s)
{
	if (slot == &table_at(s->root)[sv32_vpn1(va)])
		return va + rnd(SV32_PTES) * PAGE_SIZE;
	return va;
}

static void op_map_page(struct space *s)
{
	uint32_t va = page_va(rnd(USER_PAGES));
	paddr_t pa = frame_alloc(0);
	if (pa == 0)
		return;
	/* Invalid to valid needs no fence: nothing invalid is cached. */
	if (sv32_map_page(table_at(s->root), va, pa, random_perms() | USER_FLAGS) != 0)
		frame_free(pa);
}

static void op_map_mega(struct space *s)
{
	uint32_t va = user_mega_va[rnd(USER_MEGAPAGES)];
	paddr_t pa = MEGA_PA_BASE + rnd(MEGA_PA_CHOICES) * SV32_MEGAPAGE_SIZE;
	sv32_map_mega(table_at(s->root), va, pa, random_perms() | USER_FLAGS);
}

/* Clear a leaf, fence, and only then free its frame (PLATFORM.md 3.2). */
static void op_unmap(struct space *s)
{
	uint32_t va;
	unsigned i = rnd(USER_LEAVES);
	pte_t *slot = leaf_slot(s, i, &va);
	if (slot == NULL || !pte_valid(*slot) || !pte_leaf(*slot))
		return;
	pte_t old = *slot;
	*slot = 0;
	tlb_model_speculate(SPEC_FILLS_PER_OP);
	asid_flush_page(&s->st, some_va_in(va, slot, s));
	if (i < USER_PAGES)
		frame_free(pte_pa(old));
}

/* Change a leaf's permissions: a fence if any was taken away, none if
 * only added (privileged spec: upgrades may be done lazily). */
static void op_protect(struct space *s)
{
	uint32_t va;
	pte_t *slot = leaf_slot(s, rnd(USER_LEAVES), &va);
	if (slot == NULL || !pte_valid(*slot) || !pte_leaf(*slot))
		return;
	pte_t old = *slot;
	uint32_t perms = random_perms();
	*slot = (old & ~(PTE_R | PTE_W | PTE_X)) | perms;
	tlb_model_speculate(SPEC_FILLS_PER_OP);
	if (old & (PTE_R | PTE_W | PTE_X) & ~perms)
		asid_flush_page(&s->st, some_va_in(va, slot, s));
}

/* Point a page at another frame, as copy-on-write does. */
static void op_remap(struct space *s)
{
	uint32_t va = page_va(rnd(USER_PAGES));
	pte_t *slot = sv32_walk(table_at(s->root), va, false);
	if (slot == NULL || !pte_valid(*slot))
		return;
	paddr_t pa = frame_alloc(0);
	if (pa == 0)
		return;
	pte_t old = *slot;
	*slot = pte_make(pa, old & PTE_FLAGS_MASK);
	tlb_model_speculate(SPEC_FILLS_PER_OP);
	asid_flush_page(&s->st, va);
	frame_free(pte_pa(old));
}

/* Unmap a whole region: clear its leaves, unlink its level-0 table, one
 * fence of the ASID (a non-leaf PTE changed), then free everything. */
static void op_free_region(struct space *s)
{
	unsigned r = rnd(USER_REGIONS);
	pte_t *pte1 = &table_at(s->root)[sv32_vpn1(user_region_va[r])];
	pte_t pointer = *pte1;
	if (!pte_valid(pointer) || pte_leaf(pointer))
		return;
	pte_t *table = table_at(pte_pa(pointer));
	pte_t old[PAGES_PER_REGION];
	for (unsigned i = 0; i < PAGES_PER_REGION; i++) {
		pte_t *slot = &table[sv32_vpn0(page_va(r * PAGES_PER_REGION + i))];
		old[i] = *slot;
		*slot = 0;
	}
	*pte1 = 0;
	tlb_model_speculate(SPEC_FILLS_PER_OP);
	asid_flush_mm(&s->st);
	for (unsigned i = 0; i < PAGES_PER_REGION; i++)
		if (pte_valid(old[i]))
			frame_free(pte_pa(old[i]));
	frame_free(pte_pa(pointer));
}

enum op {
	OP_MAP_PAGE,
	OP_MAP_MEGA,
	OP_UNMAP,
	OP_PROTECT,
	OP_REMAP,
	OP_FREE_REGION,
	OP_CREATE,
	OP_DESTROY,
	OP_SWITCH,
	OP_TO_KERNEL,
	NR_OPS
};

/* Relative frequencies: mostly edits and switches, enough churn that
 * ASIDs run out and tables and frames are recycled. */
static const unsigned op_weight[NR_OPS] = {
    [OP_MAP_PAGE] = 22, [OP_MAP_MEGA] = 3,    [OP_UNMAP] = 12, [OP_PROTECT] = 12,
    [OP_REMAP] = 6,	[OP_FREE_REGION] = 3, [OP_CREATE] = 4, [OP_DESTROY] = 3,
    [OP_SWITCH] = 24,	[OP_TO_KERNEL] = 3,
};

static enum op random_op(void)
{
	return (enum op)rnd_weighted(op_weight, NR_OPS);
}

/* The space an edit goes to: often the running one, else any. */
static struct space *edit_target(void)
{
	struct space *cur = current_space();
	if (cur && rnd(2))
		return cur;
	return random_space_other_than(NULL);
}

static void op_run(enum op op)
{
	struct space *s = op == OP_CREATE || op == OP_TO_KERNEL ? NULL : edit_target();
	if (s == NULL && op != OP_TO_KERNEL) {
		space_create();
		return;
	}
	switch (op) {
	case OP_MAP_PAGE:
		op_map_page(s);
		break;
	case OP_MAP_MEGA:
		op_map_mega(s);
		break;
	case OP_UNMAP:
		op_unmap(s);
		break;
	case OP_PROTECT:
		op_protect(s);
		break;
	case OP_REMAP:
		op_remap(s);
		break;
	case OP_FREE_REGION:
		op_free_region(s);
		break;
	case OP_DESTROY:
		space_destroy(s);
		break;
	case OP_SWITCH:
		space_activate(random_space_other_than(NULL));
		break;
	case OP_TO_KERNEL:
		asid_activate_kernel(kernel_root);
		break;
	case OP_CREATE:
	case NR_OPS:
		break;
	}
}

/* Run up to ops random operations, checking the invariant after each;
 * returns how many ran before the first violation (described in why). */
static unsigned run_random(unsigned ops)
{
	for (unsigned n = 0; n < ops; n++) {
		op_run(random_op());
		tlb_model_speculate(SPEC_FILLS_PER_OP);
		if (!check_all())
			return n;
	}
	return ops;
}

/* The allocator's counters equal what the model saw. */
static void assert_stats_match_model(void)
{
	const struct asid_stats *st = asid_stats();
	const struct tlb_model_stats *hw = tlb_model_stats();
	assert_int_equal(st->switches, hw->user_satp_writes);
	assert_int_equal(st->full_fences, hw->calls[HW_SFENCE_ALL]);
	assert_int_equal(st->asid_fences, hw->calls[HW_SFENCE_ASID]);
	assert_int_equal(st->page_fences, hw->calls[HW_SFENCE_PAGE_ASID]);
	assert_int_equal(hw->calls[HW_SFENCE_PAGE], 0); /* user pages are never global */
	assert_int_equal(st->generation, 1 + st->rollovers);
}

/* A whole positive run in one configuration. */
static void random_run(uint32_t asidlen, bool enabled, unsigned ops, uint64_t seed)
{
	world_start(asidlen, enabled, 0, seed);
	unsigned done = run_random(ops);
	if (done != ops)
		fail_msg("after %u operations: %s", done, why);
	assert_stats_match_model();
	const struct asid_stats *st = asid_stats();
	print_message(
	    "# asidlen %u%s: %u ops, %u switches, %u rollovers, %u full / %u asid / %u page "
	    "fences\n",
	    asidlen, enabled ? "" : " asid=off", done, st->switches, st->rollovers, st->full_fences,
	    st->asid_fences, st->page_fences);
	/* Churn uses up even 511 ASIDs now and then; few ASIDs, constantly. */
	if (!asids_on)
		assert_int_equal(st->rollovers, 0);
	else if (asidlen <= 3)
		assert_true(st->rollovers > ops / 100);
	else
		assert_true(st->rollovers > 0);
	world_stop();
	assert_int_equal(frame_count_free(), frames_free_at_start);
	total_ops += done;
}

/* A run with one fence broken on purpose: the model must catch it. */
static void caught_run(uint32_t asidlen, bool enabled, unsigned omit, uint64_t seed)
{
	world_start(asidlen, enabled, omit, seed);
	unsigned done = run_random(CATCH_BUDGET);
	if (done == CATCH_BUDGET)
		fail_msg("omit 0x%x, asidlen %u%s: not caught in %u operations", omit, asidlen,
			 enabled ? "" : " asid=off", CATCH_BUDGET);
	print_message("# omit 0x%x, asidlen %u%s: caught after %u ops: %s\n", omit, asidlen,
		      enabled ? "" : " asid=off", done + 1, why);
}

/* ---------------------------------------------------------------------------
 * Small deterministic tests
 */

static void expect_call(unsigned i, enum hw_op op, uint32_t a, uint32_t b)
{
	assert_true(i < tlb_model_log_count());
	const struct hw_call *call = tlb_model_log_entry(i);
	assert_int_equal(call->op, op);
	assert_int_equal(call->a, a);
	assert_int_equal(call->b, b);
}

static struct space *new_space(void)
{
	struct space *s = space_create();
	assert_non_null(s);
	assert_int_equal(s->st.gen, 0);
	return s;
}

static void test_first_run_takes_the_next_asid_without_a_fence(void **state)
{
	(void)state;
	world_start(9, true, 0, 1);
	struct space *a = new_space(), *b = new_space();
	tlb_model_log_clear();
	space_activate(a);
	space_activate(b);
	assert_int_equal(a->st.asid, 1);
	assert_int_equal(b->st.asid, 2);
	assert_int_equal(tlb_model_log_count(), 2);
	expect_call(0, HW_SATP_WRITE, satp_make(a->root, 1), 0);
	expect_call(1, HW_SATP_WRITE, satp_make(b->root, 2), 0);
}

static void test_switch_in_current_generation_writes_satp_and_no_fence(void **state)
{
	(void)state;
	world_start(9, true, 0, 2);
	struct space *a = new_space(), *b = new_space();
	space_activate(a);
	space_activate(b);
	tlb_model_log_clear();
	space_activate(a);
	assert_int_equal(tlb_model_log_count(), 1);
	expect_call(0, HW_SATP_WRITE, satp_make(a->root, 1), 0);
	assert_true(check_all());
}

static void test_switch_to_the_space_in_satp_does_nothing(void **state)
{
	(void)state;
	world_start(9, true, 0, 3);
	struct space *a = new_space();
	space_activate(a);
	uint32_t switches = asid_stats()->switches;
	tlb_model_log_clear();
	space_activate(a);
	assert_int_equal(tlb_model_log_count(), 0);
	assert_int_equal(asid_stats()->switches, switches);
}

static void test_rollover_fences_all_once_after_the_satp_write(void **state)
{
	(void)state;
	world_start(2, true, 0, 4); /* user ASIDs 1, 2, 3 */
	struct space *s[4];
	for (int i = 0; i < 4; i++)
		s[i] = new_space();
	for (int i = 0; i < 3; i++)
		space_activate(s[i]);
	assert_int_equal(asid_stats()->rollovers, 0);

	tlb_model_log_clear();
	space_activate(s[3]);
	assert_int_equal(tlb_model_log_count(), 2);
	expect_call(0, HW_SATP_WRITE, satp_make(s[3]->root, 1), 0);
	expect_call(1, HW_SFENCE_ALL, 0, 0);
	assert_int_equal(asid_stats()->rollovers, 1);
	assert_int_equal(asid_stats()->generation, 2);
	assert_int_equal(s[3]->st.gen, 2);

	/* The others get new numbers lazily, with no more fences. */
	tlb_model_log_clear();
	space_activate(s[0]);
	assert_int_equal(tlb_model_log_count(), 1);
	expect_call(0, HW_SATP_WRITE, satp_make(s[0]->root, 2), 0);
	assert_int_equal(s[0]->st.gen, 2);
	assert_true(check_all());
}

static void test_asid_off_fences_asid0_after_every_switch_to_another_root(void **state)
{
	(void)state;
	world_start(9, false, 0, 5);
	struct space *a = new_space(), *b = new_space();
	for (int round = 0; round < 3; round++) {
		tlb_model_log_clear();
		space_activate(a);
		assert_int_equal(tlb_model_log_count(), 2);
		expect_call(0, HW_SATP_WRITE, satp_make(a->root, 0), 0);
		expect_call(1, HW_SFENCE_ASID, 0, 0); /* rs2 a register holding 0, not x0 */
		tlb_model_log_clear();
		space_activate(b);
		assert_int_equal(tlb_model_log_count(), 2);
		expect_call(0, HW_SATP_WRITE, satp_make(b->root, 0), 0);
		expect_call(1, HW_SFENCE_ASID, 0, 0);
	}
	tlb_model_log_clear();
	space_activate(b);
	assert_int_equal(tlb_model_log_count(), 0);
	assert_int_equal(asid_stats()->rollovers, 0);
}

static void test_asidlen_0_behaves_as_asid_off(void **state)
{
	(void)state;
	world_start(0, true, 0, 6);
	struct space *s[MAX_SPACES];
	for (int i = 0; i < MAX_SPACES; i++)
		s[i] = new_space();
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < MAX_SPACES; i++) {
			tlb_model_log_clear();
			space_activate(s[i]);
			assert_int_equal(s[i]->st.asid, 0);
			assert_int_equal(tlb_model_log_count(), 2);
			expect_call(0, HW_SATP_WRITE, satp_make(s[i]->root, 0), 0);
			expect_call(1, HW_SFENCE_ASID, 0, 0);
		}
	}
	assert_int_equal(asid_stats()->rollovers, 0);
	assert_int_equal(asid_stats()->generation, 1);

	/* Only the space in satp can have entries, so only it is fenced. */
	tlb_model_log_clear();
	asid_flush_page(&s[0]->st, TEST_VA);
	asid_flush_mm(&s[0]->st);
	assert_int_equal(tlb_model_log_count(), 0);
	asid_flush_page(&s[MAX_SPACES - 1]->st, TEST_VA);
	asid_flush_mm(&s[MAX_SPACES - 1]->st);
	assert_int_equal(tlb_model_log_count(), 2);
	expect_call(0, HW_SFENCE_PAGE_ASID, TEST_VA, 0);
	expect_call(1, HW_SFENCE_ASID, 0, 0);
	assert_int_equal(run_random(20000), 20000);
}

static void test_asid_off_kernel_switch_fences_asid0(void **state)
{
	(void)state;
	world_start(9, false, 0, 7);
	struct space *a = new_space();
	space_activate(a);
	tlb_model_log_clear();
	asid_activate_kernel(kernel_root);
	assert_int_equal(tlb_model_log_count(), 2);
	expect_call(0, HW_SATP_WRITE, satp_make(kernel_root, 0), 0);
	expect_call(1, HW_SFENCE_ASID, 0, 0);
	tlb_model_log_clear();
	asid_flush_page(&a->st, TEST_VA);
	assert_int_equal(tlb_model_log_count(), 0);
}

static void test_kernel_switch_with_asids_does_not_fence(void **state)
{
	(void)state;
	world_start(9, true, 0, 8);
	struct space *a = new_space();
	space_activate(a);
	uint32_t switches = asid_stats()->switches;
	tlb_model_log_clear();
	asid_activate_kernel(kernel_root);
	assert_int_equal(tlb_model_log_count(), 1);
	expect_call(0, HW_SATP_WRITE, satp_make(kernel_root, 0), 0);
	assert_int_equal(asid_stats()->switches, switches); /* not a user switch */
	tlb_model_log_clear();
	space_activate(a);
	assert_int_equal(tlb_model_log_count(), 1);
	expect_call(0, HW_SATP_WRITE, satp_make(a->root, 1), 0);
}

static void test_flush_fences_a_current_generation_space_even_when_not_running(void **state)
{
	(void)state;
	world_start(9, true, 0, 9);
	struct space *a = new_space(), *b = new_space();
	space_activate(a);
	space_activate(b);
	tlb_model_log_clear();
	asid_flush_page(&a->st, TEST_VA);
	asid_flush_mm(&a->st);
	assert_int_equal(tlb_model_log_count(), 2);
	expect_call(0, HW_SFENCE_PAGE_ASID, TEST_VA, a->st.asid);
	expect_call(1, HW_SFENCE_ASID, a->st.asid, 0);
}

static void test_flush_of_old_generation_or_never_run_space_does_nothing(void **state)
{
	(void)state;
	world_start(1, true, 0, 10); /* a single user ASID: every new space rolls over */
	struct space *a = new_space(), *b = new_space(), *never = new_space();
	space_activate(a);
	space_activate(b);
	assert_int_equal(asid_stats()->rollovers, 1);
	assert_int_equal(a->st.gen, 1);
	tlb_model_log_clear();
	asid_flush_page(&a->st, TEST_VA);
	asid_flush_mm(&a->st);
	asid_flush_page(&never->st, TEST_VA);
	asid_flush_mm(&never->st);
	assert_int_equal(tlb_model_log_count(), 0);
	asid_flush_page(&b->st, TEST_VA);
	assert_int_equal(tlb_model_log_count(), 1);
	expect_call(0, HW_SFENCE_PAGE_ASID, TEST_VA, 1);
}

static void test_counters_match_the_hardware_calls(void **state)
{
	(void)state;
	world_start(2, true, 0, 11);
	struct space *s[5];
	for (int i = 0; i < 5; i++)
		s[i] = new_space();
	for (int round = 0; round < 4; round++)
		for (int i = 0; i < 5; i++) {
			space_activate(s[i]);
			asid_flush_page(&s[(i + 1) % 5]->st, TEST_VA);
			asid_flush_mm(&s[(i + 2) % 5]->st);
			asid_activate_kernel(kernel_root);
		}
	const struct asid_stats *st = asid_stats();
	assert_stats_match_model();
	/* Every activation follows a kernel switch, so each writes satp; 4
	 * rounds of 5 spaces over 3 ASIDs: a new generation every third. */
	assert_int_equal(st->switches, 20);
	assert_int_equal(st->rollovers, 6);
	assert_int_equal(st->full_fences, 1 + 6); /* asid_init's, then one per rollover */
	assert_int_equal(st->generation, 7);
}

/* ---------------------------------------------------------------------------
 * Random runs: at least TOTAL_OPS_MIN operations in all
 */

static void test_random_asidlen_2_rolls_over_constantly(void **state)
{
	(void)state;
	random_run(2, true, 250000, 0x5EED0002u);
}

static void test_random_asidlen_1_one_user_asid(void **state)
{
	(void)state;
	random_run(1, true, 50000, 0x5EED0001u);
}

static void test_random_asidlen_3(void **state)
{
	(void)state;
	random_run(3, true, 200000, 0x5EED0003u);
}

static void test_random_asidlen_9(void **state)
{
	(void)state;
	random_run(9, true, 250000, 0x5EED0009u);
}

static void test_random_asid_off(void **state)
{
	(void)state;
	random_run(9, false, 150000, 0x5EED00FFu);
}

static void test_random_asidlen_0(void **state)
{
	(void)state;
	random_run(0, true, 100000, 0x5EED0000u);
}

static void test_random_runs_total_at_least_a_million_operations(void **state)
{
	(void)state;
	print_message("# %lu random operations in all\n", total_ops);
	assert_true(total_ops >= TOTAL_OPS_MIN);
}

/* ---------------------------------------------------------------------------
 * The model catches each fence removed on purpose
 */

static void test_model_catches_missing_page_fence(void **state)
{
	(void)state;
	caught_run(3, true, ASID_OMIT_PAGE_FENCE, 0xBAD00001u);
}

static void test_model_catches_missing_page_fence_asid_off(void **state)
{
	(void)state;
	caught_run(9, false, ASID_OMIT_PAGE_FENCE, 0xBAD00002u);
}

static void test_model_catches_missing_mm_fence(void **state)
{
	(void)state;
	caught_run(3, true, ASID_OMIT_MM_FENCE, 0xBAD00003u);
}

static void test_model_catches_missing_mm_fence_asid_off(void **state)
{
	(void)state;
	caught_run(9, false, ASID_OMIT_MM_FENCE, 0xBAD00004u);
}

static void test_model_catches_missing_rollover_fence(void **state)
{
	(void)state;
	caught_run(2, true, ASID_OMIT_ROLLOVER_FENCE, 0xBAD00005u);
}

static void test_model_catches_rollover_fence_before_satp_write(void **state)
{
	(void)state;
	caught_run(2, true, ASID_ROLLOVER_FENCE_FIRST, 0xBAD00006u);
}

static void test_model_catches_fence_of_wrong_asid(void **state)
{
	(void)state;
	caught_run(3, true, ASID_FENCE_WRONG_ASID, 0xBAD00007u);
}

static void test_model_catches_missing_switch_fence_asid_off(void **state)
{
	(void)state;
	caught_run(9, false, ASID_OMIT_SWITCH_FENCE, 0xBAD00008u);
}

static void test_model_catches_switch_fence_before_satp_write_asid_off(void **state)
{
	(void)state;
	caught_run(9, false, ASID_SWITCH_FENCE_FIRST, 0xBAD00009u);
}

static void test_model_catches_missing_kernel_switch_fence_asid_off(void **state)
{
	(void)state;
	caught_run(9, false, ASID_OMIT_KERNEL_FENCE, 0xBAD0000Au);
}

static void test_model_catches_missing_switch_fence_asidlen_0(void **state)
{
	(void)state;
	caught_run(0, true, ASID_OMIT_SWITCH_FENCE, 0xBAD0000Bu);
}

#define TLB_TEST(t) cmocka_unit_test_setup_teardown(t, world_setup, world_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TLB_TEST(test_first_run_takes_the_next_asid_without_a_fence),
	    TLB_TEST(test_switch_in_current_generation_writes_satp_and_no_fence),
	    TLB_TEST(test_switch_to_the_space_in_satp_does_nothing),
	    TLB_TEST(test_rollover_fences_all_once_after_the_satp_write),
	    TLB_TEST(test_asid_off_fences_asid0_after_every_switch_to_another_root),
	    TLB_TEST(test_asidlen_0_behaves_as_asid_off),
	    TLB_TEST(test_asid_off_kernel_switch_fences_asid0),
	    TLB_TEST(test_kernel_switch_with_asids_does_not_fence),
	    TLB_TEST(test_flush_fences_a_current_generation_space_even_when_not_running),
	    TLB_TEST(test_flush_of_old_generation_or_never_run_space_does_nothing),
	    TLB_TEST(test_counters_match_the_hardware_calls),
	    TLB_TEST(test_random_asidlen_2_rolls_over_constantly),
	    TLB_TEST(test_random_asidlen_1_one_user_asid),
	    TLB_TEST(test_random_asidlen_3),
	    TLB_TEST(test_random_asidlen_9),
	    TLB_TEST(test_random_asid_off),
	    TLB_TEST(test_random_asidlen_0),
	    TLB_TEST(test_random_runs_total_at_least_a_million_operations),
	    TLB_TEST(test_model_catches_missing_page_fence),
	    TLB_TEST(test_model_catches_missing_page_fence_asid_off),
	    TLB_TEST(test_model_catches_missing_mm_fence),
	    TLB_TEST(test_model_catches_missing_mm_fence_asid_off),
	    TLB_TEST(test_model_catches_missing_rollover_fence),
	    TLB_TEST(test_model_catches_rollover_fence_before_satp_write),
	    TLB_TEST(test_model_catches_fence_of_wrong_asid),
	    TLB_TEST(test_model_catches_missing_switch_fence_asid_off),
	    TLB_TEST(test_model_catches_switch_fence_before_satp_write_asid_off),
	    TLB_TEST(test_model_catches_missing_kernel_switch_fence_asid_off),
	    TLB_TEST(test_model_catches_missing_switch_fence_asidlen_0),
	};
	return cmocka_run_group_tests_name("tlb_model", tests, NULL, NULL);
}
