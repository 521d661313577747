/*
 * The tagged-TLB model of tlb_model.h: riscv/tlb.h's hw_* calls for the
 * host, over the TLB and walk cache of each hart; a call acts on the hart
 * mycpu() names, a remote fence on the harts its mask names. Walks read
 * the simulated RAM through pa2kva() and the kernel's own sv32_translate
 * is the reference. Invariant: only an sfence.vma of the right form on a
 * hart (its own, or one sent to it through SBI) or an eviction removes an
 * entry of that hart; no satp write does. The same for G-stage entries
 * with hfence.gvma, which is all that removes them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlb_model.h"
#include "riscv/cpu.h"
#include "riscv/sv32.h"
#include "riscv/tlb.h"
#include "mm/frame.h"
#include "mm/gstage.h"
#include "mm/phys.h"

#define TLB_ENTRIES	    32
#define WALK_ENTRIES	    8		/* cached level-1 pointer PTEs (a page-walk cache) */
#define GTLB_ENTRIES	    16		/* cached G-stage leaves */
#define SPEC_FILLS_PER_CALL 2		/* speculative walks of each hart after each hw_* call */
#define WHOLE_SPACE	    0xFFFFFFFFu /* a remote fence's size that means every address */

#define PERM_BITS (PTE_R | PTE_W | PTE_X | PTE_U)
#define XLATE_WHO (SV32_SUM | SV32_MXR | SV32_HWAD) /* any valid leaf translates */

/* A cached leaf translation. */
struct tlb_entry {
	bool used;
	bool global;	    /* from a PTE with G on its walk path: matches every ASID */
	uint32_t asid;	    /* satp.ASID when it was filled */
	uint32_t va;	    /* the first VA covered: 4 KiB- or 4 MiB-aligned */
	uint32_t mask;	    /* the VA bits that select it: ~(size - 1) */
	int level;	    /* 0: a 4 KiB page, 1: a 4 MiB megapage */
	pte_t pte;	    /* the leaf as the walk read it */
	bool young_excused; /* its PTE lost A while another hart cleared it (TLB_EXCUSE_YOUNG) */
};

/* A cached level-1 pointer PTE: later walks of vpn1 skip the root. */
struct walk_entry {
	bool used;
	bool global;
	uint32_t asid;
	uint32_t vpn1;
	pte_t pointer;
};

/* A cached G-stage leaf: a guest-physical page of the VMID in hgatp when
 * it was filled. */
struct gtlb_entry {
	bool used;
	uint32_t vmid;
	uint64_t gpa; /* 4 KiB-aligned, up to 34 bits */
	pte_t pte;    /* the leaf as the walk read it */
};

/* One hart's translation state. */
struct hart {
	uint32_t satp;
	const struct gstage *guest; /* what hgatp names, or NULL */
	struct tlb_entry tlb[TLB_ENTRIES];
	struct walk_entry walk[WALK_ENTRIES];
	struct gtlb_entry gtlb[GTLB_ENTRIES];
	struct tlb_model_stats stats; /* the calls this hart made */
};

/* Every hart's state; the hw_* calls act on it. */
static struct {
	struct tlb_model_config cfg;
	struct hart hart[MAX_HARTS];
	struct tlb_model_stats stats;
	const char *misuse; /* the first hw_* call that broke a rule */
	char misuse_text[160];
	struct hw_call log[TLB_MODEL_LOG_CALLS];
	unsigned nlog;
	bool in_concurrent; /* the concurrent hook runs: no hw_* call may come */
} model;

static inline int nharts(void)
{
	return model.cfg.nharts > 0 ? model.cfg.nharts : 1;
}

static inline uint32_t level_size(int level)
{
	return level == 1 ? SV32_MEGAPAGE_SIZE : PAGE_SIZE;
}

static inline bool covers(const struct tlb_entry *e, uint32_t va)
{
	return (va & e->mask) == e->va;
}

/* Whether e covers any byte of [va, va + size). */
static inline bool overlaps(const struct tlb_entry *e, uint32_t va, uint32_t size)
{
	return (uint64_t)e->va < (uint64_t)va + size &&
	       (uint64_t)va < (uint64_t)e->va + level_size(e->level);
}

/* Whether an entry with this tag is used under satp.ASID asid. */
static inline bool tag_matches(bool global, uint32_t tag, uint32_t asid)
{
	return global || tag == asid;
}

static void misused(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void misused(const char *fmt, ...)
{
	if (model.misuse)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(model.misuse_text, sizeof(model.misuse_text), fmt, ap);
	va_end(ap);
	model.misuse = model.misuse_text;
}

/* The hart the kernel code runs on, which a hw_* call acts on. */
static struct hart *calling_hart(void)
{
	int i = mycpu()->index;
	if (i < 0 || i >= nharts()) {
		misused("a hw_* call on hart %d, which the model does not have", i);
		i = 0;
	}
	return &model.hart[i];
}

static int hart_index(const struct hart *h)
{
	return (int)(h - model.hart);
}

/* The next entry of h at or after i that translates va under asid, or -1. */
static int tlb_find(const struct hart *h, uint32_t va, uint32_t asid, int i)
{
	for (; i < TLB_ENTRIES; i++) {
		const struct tlb_entry *e = &h->tlb[i];
		if (covers(e, va) && e->used && tag_matches(e->global, e->asid, asid))
			return i;
	}
	return -1;
}

static const struct walk_entry *walk_find(const struct hart *h, uint32_t vpn1, uint32_t asid)
{
	for (int i = 0; i < WALK_ENTRIES; i++) {
		const struct walk_entry *w = &h->walk[i];
		if (w->used && tag_matches(w->global, w->asid, asid) && w->vpn1 == vpn1)
			return w;
	}
	return NULL;
}

/* A free slot, or a random victim: the hardware may evict at any time. */
static struct tlb_entry *tlb_slot(struct hart *h)
{
	for (int i = 0; i < TLB_ENTRIES; i++)
		if (!h->tlb[i].used)
			return &h->tlb[i];
	return &h->tlb[model.cfg.random(TLB_ENTRIES)];
}

static struct walk_entry *walk_slot(struct hart *h)
{
	for (int i = 0; i < WALK_ENTRIES; i++)
		if (!h->walk[i].used)
			return &h->walk[i];
	return &h->walk[model.cfg.random(WALK_ENTRIES)];
}

/* The entry for a leaf the walk of va found, written over e (a refresh)
 * or over a free slot or a victim. */
static struct tlb_entry *tlb_insert(struct hart *h, struct tlb_entry *e, bool global, uint32_t va,
				    int level, pte_t pte)
{
	uint32_t mask = ~(level_size(level) - 1);
	if (e == NULL)
		e = tlb_slot(h);
	*e = (struct tlb_entry){.used = true,
				.global = global,
				.asid = satp_asid_of(h->satp),
				.va = va & mask,
				.mask = mask,
				.level = level,
				.pte = pte};
	return e;
}

/*
 * What the hardware does to translate va: walk h's satp root (privileged
 * spec, "Virtual Address Translation Process"), through a cached pointer
 * if one matches, caching the pointer it reads otherwise. Returns the
 * valid leaf's slot in the simulated RAM, with its level and whether G was
 * set on the way, or NULL. A root outside RAM (the host kernel's) maps
 * nothing.
 */
static pte_t *walk_leaf(struct hart *h, uint32_t va, int *level, bool *global)
{
	if (!(h->satp & SATP_MODE_SV32))
		return NULL;
	uint32_t asid = satp_asid_of(h->satp);
	const struct walk_entry *w = walk_find(h, sv32_vpn1(va), asid);
	pte_t pointer;
	if (w) {
		pointer = w->pointer;
	} else {
		paddr_t root = satp_root_of(h->satp);
		if (frame_of(root) == NULL)
			return NULL;
		pte_t *pte1 = &((pte_t *)pa2kva(root))[sv32_vpn1(va)];
		if (!pte_valid(*pte1))
			return NULL;
		if (pte_leaf(*pte1)) {
			*level = 1;
			*global = *pte1 & PTE_G;
			return pte1;
		}
		if (frame_of(pte_pa(*pte1)) == NULL)
			return NULL;
		*walk_slot(h) = (struct walk_entry){.used = true,
						    .global = *pte1 & PTE_G,
						    .asid = asid,
						    .vpn1 = sv32_vpn1(va),
						    .pointer = *pte1};
		pointer = *pte1;
	}
	pte_t *pte0 = &((pte_t *)pa2kva(pte_pa(pointer)))[sv32_vpn0(va)];
	if (!pte_valid(*pte0) || !pte_leaf(*pte0))
		return NULL;
	*level = 0;
	*global = (pointer | *pte0) & PTE_G;
	return pte0;
}

/* A walk the hart makes on its own: it caches the leaf for va unless one
 * is cached already. A leaf with A clear is not cached: the hardware
 * would have to fault or set A first, and the model does neither
 * speculatively. */
static void model_fill(struct hart *h, uint32_t va)
{
	if (!(h->satp & SATP_MODE_SV32) || tlb_find(h, va, satp_asid_of(h->satp), 0) >= 0)
		return;
	int level;
	bool global;
	const pte_t *leaf = walk_leaf(h, va, &level, &global);
	if (leaf && (*leaf & PTE_A))
		tlb_insert(h, NULL, global, va, level, *leaf);
}

static void guest_fill(struct hart *h, const struct gstage *gs, uint64_t gpa);

void tlb_model_speculate(int n)
{
	for (int h = 0; h < nharts(); h++) {
		const struct gstage *gs = model.hart[h].guest;
		for (int i = 0; i < n && model.cfg.nprobe; i++)
			model_fill(&model.hart[h],
				   model.cfg.probe_vas[model.cfg.random(model.cfg.nprobe)]);
		for (int i = 0; i < n && gs && gs->ram_size; i++) {
			uint32_t page = model.cfg.random(gs->ram_size / PAGE_SIZE);
			guest_fill(&model.hart[h], gs, gs->ram_gpa + (uint64_t)page * PAGE_SIZE);
		}
	}
}

void tlb_model_reset(const struct tlb_model_config *cfg)
{
	memset(&model, 0, sizeof(model));
	model.cfg = *cfg;
	for (int h = 0; h < MAX_HARTS; h++)
		model.hart[h].satp = cfg->satp;
}

const struct tlb_model_stats *tlb_model_stats(void)
{
	return &model.stats;
}

const struct tlb_model_stats *tlb_model_hart_stats(int hart)
{
	return &model.hart[hart].stats;
}

uint32_t tlb_model_satp(int hart)
{
	return model.hart[hart].satp;
}

bool tlb_model_holds(int hart, uint32_t va, uint32_t asid)
{
	return tlb_find(&model.hart[hart], va, asid, 0) >= 0;
}

bool tlb_model_holds_pointer(int hart, uint32_t va, uint32_t asid)
{
	return walk_find(&model.hart[hart], sv32_vpn1(va), asid) != NULL;
}

const char *tlb_model_misuse(void)
{
	return model.misuse;
}

unsigned tlb_model_log_count(void)
{
	return model.nlog;
}

const struct hw_call *tlb_model_log_entry(unsigned i)
{
	return i < model.nlog ? &model.log[i] : NULL;
}

void tlb_model_log_clear(void)
{
	model.nlog = 0;
}

/* ---------------------------------------------------------------------------
 * User accesses
 */

/* Whether a leaf lets user mode make an access of kind acc (sstatus.MXR
 * clear: a load needs R). */
static bool leaf_allows(pte_t pte, enum sv32_access acc)
{
	uint32_t need = acc == SV32_STORE ? PTE_W : acc == SV32_FETCH ? PTE_X : PTE_R;
	return (pte & PTE_U) && (pte & need);
}

/* The walk of an access that missed, or of a store through an entry with
 * D clear (e, refreshed in place): the leaf must allow the access, and A,
 * and D for a store, are set (hw_ad, one atomic update, as the spec asks)
 * or fault. The entry used, or NULL for a page fault. */
static struct tlb_entry *demand_walk(struct hart *h, uint32_t va, enum sv32_access acc,
				     struct tlb_entry *e)
{
	int level;
	bool global;
	pte_t *leaf = walk_leaf(h, va, &level, &global);
	if (leaf == NULL || !leaf_allows(*leaf, acc))
		return NULL;
	uint32_t ad = PTE_A | (acc == SV32_STORE ? PTE_D : 0);
	if ((*leaf & ad) != ad) {
		if (!model.cfg.hw_ad)
			return NULL;
		__atomic_fetch_or(leaf, ad, __ATOMIC_RELAXED);
	}
	return tlb_insert(h, e, global, va, level, *leaf);
}

int tlb_model_user_access(int hart, uint32_t va, enum sv32_access acc, paddr_t *pa)
{
	struct hart *h = &model.hart[hart];
	if (!(h->satp & SATP_MODE_SV32))
		return -1;
	int i = tlb_find(h, va, satp_asid_of(h->satp), 0);
	struct tlb_entry *e = i >= 0 ? &h->tlb[i] : NULL;
	/* A hit with less permission faults: the spurious fault the spec
	 * allows after a lazy upgrade, which the kernel must fence away. */
	if (e && !leaf_allows(e->pte, acc))
		return -1;
	/* A store through a clean entry: hardware that sets D must do it in
	 * the PTE, so it walks again; hardware that faults instead may fault
	 * on the cached copy, which the kernel must then fence. */
	if (e && acc == SV32_STORE && !(e->pte & PTE_D) && !model.cfg.hw_ad)
		return -1;
	if (e == NULL || (acc == SV32_STORE && !(e->pte & PTE_D)))
		e = demand_walk(h, va, acc, e);
	if (e == NULL)
		return -1;
	*pa = pte_pa(e->pte) + (va & ~e->mask);
	return 0;
}

/* ---------------------------------------------------------------------------
 * The hardware calls
 */

/* After every call: every hart may walk, then the other harts' user code
 * may run (the test's concurrent hook). */
static void after_call(void)
{
	tlb_model_speculate(SPEC_FILLS_PER_CALL);
	if (model.cfg.concurrent && !model.in_concurrent) {
		model.in_concurrent = true;
		model.cfg.concurrent();
		model.in_concurrent = false;
	}
}

static void log_call(struct hart *by, enum hw_op op, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	if (model.in_concurrent)
		misused("a hw_* call from the concurrent hook");
	model.stats.calls[op]++;
	by->stats.calls[op]++;
	if (model.nlog < TLB_MODEL_LOG_CALLS)
		model.log[model.nlog++] = (struct hw_call){op, a, b, c, d, hart_index(by)};
}

static void check_asid_operand(uint32_t asid, const char *what)
{
	if (asid >= model.cfg.asid_limit)
		misused("%s", what);
}

/* Load satp: invalidates nothing (privileged spec, satp; PLATFORM.md 3.1). */
void hw_satp_write(uint32_t satp)
{
	struct hart *h = calling_hart();
	log_call(h, HW_SATP_WRITE, satp, 0, 0, 0);
	check_asid_operand(satp_asid_of(satp), "satp written with an ASID beyond ASIDLEN");
	if (satp_root_of(satp) != model.cfg.kernel_root) {
		model.stats.user_satp_writes++;
		h->stats.user_satp_writes++;
	}
	h->satp = satp;
	after_call();
}

uint32_t hw_satp_read(void)
{
	return calling_hart()->satp;
}

/* sfence.vma x0, x0: everything, global entries and cached pointers too. */
static void fence_all_on(struct hart *h)
{
	memset(h->tlb, 0, sizeof(h->tlb));
	memset(h->walk, 0, sizeof(h->walk));
}

/* sfence.vma x0, asid: every level of asid, except global entries. */
static void fence_asid_on(struct hart *h, uint32_t asid)
{
	for (int i = 0; i < TLB_ENTRIES; i++)
		if (!h->tlb[i].global && h->tlb[i].asid == asid)
			h->tlb[i].used = false;
	for (int i = 0; i < WALK_ENTRIES; i++)
		if (!h->walk[i].global && h->walk[i].asid == asid)
			h->walk[i].used = false;
}

/* sfence.vma va, asid for every page of [va, va + size): the non-global
 * leaves of asid that cover any of it; it orders only leaf PTEs, so cached
 * pointers stay. */
static void fence_range_asid_on(struct hart *h, uint32_t va, uint32_t size, uint32_t asid)
{
	for (int i = 0; i < TLB_ENTRIES; i++) {
		struct tlb_entry *e = &h->tlb[i];
		if (!e->global && e->asid == asid && overlaps(e, va, size))
			e->used = false;
	}
}

void hw_sfence_all(void)
{
	struct hart *h = calling_hart();
	log_call(h, HW_SFENCE_ALL, 0, 0, 0, 0);
	fence_all_on(h);
	after_call();
}

void hw_sfence_asid(uint32_t asid)
{
	struct hart *h = calling_hart();
	log_call(h, HW_SFENCE_ASID, asid, 0, 0, 0);
	check_asid_operand(asid, "sfence.vma with an ASID beyond ASIDLEN");
	fence_asid_on(h, asid);
	after_call();
}

/* sfence.vma va, x0: the leaves for va in every address space, global
 * ones included; cached pointers stay. */
void hw_sfence_page(uint32_t va)
{
	struct hart *h = calling_hart();
	log_call(h, HW_SFENCE_PAGE, va, 0, 0, 0);
	for (int i = 0; i < TLB_ENTRIES; i++)
		if (covers(&h->tlb[i], va))
			h->tlb[i].used = false;
	after_call();
}

void hw_sfence_page_asid(uint32_t va, uint32_t asid)
{
	struct hart *h = calling_hart();
	log_call(h, HW_SFENCE_PAGE_ASID, va, asid, 0, 0);
	check_asid_operand(asid, "sfence.vma with an ASID beyond ASIDLEN");
	fence_range_asid_on(h, va, 1, asid);
	after_call();
}

/* The model's hart with SBI hart id id, among those running (ncpus), or
 * NULL. */
static struct hart *hart_by_id(uint32_t id)
{
	for (int i = 0; i < ncpus && i < nharts(); i++)
		if (cpus[i].hartid == id)
			return &model.hart[i];
	return NULL;
}

/* Hart id of an SBI hart_mask, for a remote fence (what: its name in
 * messages): the hart to fence, or NULL if the mask does not name id, or
 * names a hart that does not run or the caller itself (misuse: the caller
 * fences itself with the local instruction). */
static struct hart *remote_target(struct hart *caller, uint32_t hart_mask, uint32_t id,
				  const char *what)
{
	if (!(hart_mask & (1u << id)))
		return NULL;
	struct hart *t = hart_by_id(id);
	if (t == NULL)
		misused("hart %d: %s of hart id %u, which does not run", hart_index(caller), what, id);
	else if (t == caller)
		misused("hart %d: %s of itself", hart_index(caller), what);
	return t == caller ? NULL : t;
}

/* SBI remote sfence.vma with ASID (SBI spec, RFENCE): each hart of
 * hart_mask fences [va, va + size) in asid, or all of asid when the range
 * is the whole space (va and size 0, or size 2^32 - 1); the call returns
 * once they have. The caller fences itself with sfence.vma, so naming it
 * is misuse, as is naming a hart that does not run the kernel. */
void hw_remote_sfence(uint32_t hart_mask, uint32_t va, uint32_t size, uint32_t asid)
{
	struct hart *caller = calling_hart();
	log_call(caller, HW_REMOTE_SFENCE, hart_mask, asid, va, size);
	check_asid_operand(asid, "a remote fence with an ASID beyond ASIDLEN");
	if (hart_mask == 0)
		misused("hart %d: a remote fence naming no hart", hart_index(caller));
	bool whole = (va == 0 && size == 0) || size == WHOLE_SPACE;
	for (uint32_t id = 0; id < 32; id++) {
		struct hart *t = remote_target(caller, hart_mask, id, "a remote fence");
		if (t && whole)
			fence_asid_on(t, asid);
		else if (t)
			fence_range_asid_on(t, va, size, asid);
	}
	after_call();
}

/* ---------------------------------------------------------------------------
 * The checks
 */

/* Describe a violation in why[0, size); returns false, for the caller to
 * return. */
static bool violation(char *why, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static bool violation(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
	return false;
}

/* The leaf that maps va under root, per the kernel's own sv32_translate;
 * a root outside RAM (the host kernel's) maps nothing. */
static bool table_leaf(paddr_t root, uint32_t va, pte_t *leaf, int *level)
{
	struct sv32_xlate x;
	if (frame_of(root) == NULL ||
	    sv32_translate(pa2kva(root), va, SV32_LOAD, XLATE_WHO, &x) != 0)
		return false;
	*level = x.level;
	*leaf = x.level == 1 ? x.pte1 : x.pte0;
	return true;
}

/* Whether the A bit of e may differ from the leaf's under rules: A is a
 * hint, so an entry whose PTE lost A on another hart may keep it. */
static bool young_agrees(struct tlb_entry *e, pte_t leaf, unsigned rules)
{
	if (leaf & PTE_A) {
		e->young_excused = false;
		return true;
	}
	if (!(e->pte & PTE_A))
		return true;
	if (rules & TLB_EXCUSE_YOUNG)
		e->young_excused = true;
	return e->young_excused || !(rules & TLB_CHECK_YOUNG);
}

/* Whether e maps what root maps, with no more permission: less is the
 * lazy upgrade the spec allows (a spurious fault, fenced and retried). */
static bool entry_agrees(int hart, struct tlb_entry *e, paddr_t root, unsigned rules, char *why,
			 size_t size)
{
	char who[96];
	snprintf(who, sizeof(who), "hart %d: stale entry: va 0x%08x asid %u%s pte 0x%08x", hart,
		 e->va, e->asid, e->global ? " G" : "", e->pte);
	pte_t leaf;
	int level;
	if (!table_leaf(root, e->va, &leaf, &level))
		return violation(why, size, "%s -> 0x%08x, tables 0x%08x map nothing", who,
				 pte_pa(e->pte), root);
	if (level != e->level || pte_pa(leaf) != pte_pa(e->pte))
		return violation(why, size,
				 "%s -> 0x%08x level %d, tables 0x%08x say pte 0x%08x -> 0x%08x "
				 "level %d",
				 who, pte_pa(e->pte), e->level, root, leaf, pte_pa(leaf), level);
	if (e->pte & PERM_BITS & ~leaf)
		return violation(why, size, "%s has permissions 0x%x, the PTE 0x%08x only 0x%x",
				 who, e->pte & PERM_BITS, leaf, leaf & PERM_BITS);
	if ((rules & TLB_CHECK_DIRTY) && (e->pte & PTE_D) && !(leaf & PTE_D))
		return violation(why, size, "%s is dirty, the PTE 0x%08x is clean", who, leaf);
	if (!young_agrees(e, leaf, rules))
		return violation(why, size, "%s is young, the PTE 0x%08x lost A on this hart", who,
				 leaf);
	return true;
}

bool tlb_model_check_hart(int hart, tlb_hart_owner_fn owner, unsigned rules, char *why, size_t size)
{
	struct hart *h = &model.hart[hart];
	for (int i = 0; i < TLB_ENTRIES; i++) {
		struct tlb_entry *e = &h->tlb[i];
		if (!e->used)
			continue;
		paddr_t root;
		if (owner(hart, e->global, e->asid, &root) &&
		    !entry_agrees(hart, e, root, rules, why, size))
			return false;
	}
	for (int i = 0; i < WALK_ENTRIES; i++) {
		const struct walk_entry *w = &h->walk[i];
		if (!w->used)
			continue;
		paddr_t root;
		if (!owner(hart, w->global, w->asid, &root))
			continue;
		pte_t pte1 = frame_of(root) ? ((const pte_t *)pa2kva(root))[w->vpn1] : 0;
		if (!pte_valid(pte1) || pte_leaf(pte1) || pte_pa(pte1) != pte_pa(w->pointer))
			return violation(
			    why, size,
			    "hart %d: stale pointer: vpn1 %u asid %u -> table 0x%08x, root 0x%08x "
			    "has PTE 0x%08x",
			    hart, w->vpn1, w->asid, pte_pa(w->pointer), root, pte1);
	}
	return true;
}

/* The one-hart owner that tlb_model_check_entries was given. */
static tlb_owner_fn one_hart_owner;

static bool one_hart_owner_of(int hart, bool global, uint32_t asid, paddr_t *root)
{
	(void)hart;
	*root = one_hart_owner(global, asid);
	return *root != 0;
}

bool tlb_model_check_entries(tlb_owner_fn owner, char *why, size_t size)
{
	one_hart_owner = owner;
	return tlb_model_check_hart(hart_index(calling_hart()), one_hart_owner_of, 0, why, size);
}

bool tlb_model_check_access(uint32_t va, char *why, size_t size)
{
	struct hart *h = calling_hart();
	uint32_t asid = satp_asid_of(h->satp);
	paddr_t root = satp_root_of(h->satp);
	pte_t leaf;
	int level;
	bool mapped = table_leaf(root, va, &leaf, &level);

	model_fill(h, va);
	int hit = tlb_find(h, va, asid, 0);
	if (hit < 0 && mapped)
		return violation(why, size, "va 0x%08x: the model faults, the tables map 0x%08x",
				 va, pte_pa(leaf));
	for (; hit >= 0; hit = tlb_find(h, va, asid, hit + 1))
		if (!entry_agrees(hart_index(h), &h->tlb[hit], root, 0, why, size))
			return false;
	return true;
}

/* ---------------------------------------------------------------------------
 * The G-stage: guests' second translation stage
 */

#define GPA_LIMIT (1ull << 34) /* Sv32x4: guest-physical addresses have 34 bits */
#define GPA_PAGE(gpa) ((gpa) & ~(uint64_t)(PAGE_SIZE - 1))

static struct gtlb_entry *gtlb_find(struct hart *h, uint64_t gpa, uint32_t vmid)
{
	for (int i = 0; i < GTLB_ENTRIES; i++) {
		struct gtlb_entry *e = &h->gtlb[i];
		if (e->used && e->vmid == vmid && e->gpa == GPA_PAGE(gpa))
			return e;
	}
	return NULL;
}

/* A free slot, or a random victim. */
static struct gtlb_entry *gtlb_slot(struct hart *h)
{
	for (int i = 0; i < GTLB_ENTRIES; i++)
		if (!h->gtlb[i].used)
			return &h->gtlb[i];
	return &h->gtlb[model.cfg.random(GTLB_ENTRIES)];
}

static bool vmid_ok(uint32_t vmid, const char *what)
{
	if (vmid < GUEST_VMID_LIMIT)
		return true;
	misused("%s with VMID %u, beyond hgatp.VMID", what, vmid);
	return false;
}

/*
 * What the hardware does to translate gpa in the G-stage of gs (hypervisor
 * spec, "Guest Physical Address Translation"): the root entry of GPA bits
 * 33:22, then the level-0 entry of bits 21:12. Returns the leaf's slot, or
 * NULL for a guest-page fault: an invalid PTE, a pointer at level 0, a leaf
 * without U (every G-stage access counts as a user access), or W without
 * R. A megapage at the root, or a pointer with A, D or U (reserved there),
 * or tables outside RAM the kernel never makes: misuse.
 */
static pte_t *gstage_walk(const struct gstage *gs, uint64_t gpa)
{
	if (gs->root == NULL || gpa >= GPA_LIMIT)
		return NULL;
	pte_t top = gs->root[gpa >> SV32_VPN1_SHIFT];
	if (!pte_valid(top))
		return NULL;
	if (pte_leaf(top) || (top & (PTE_A | PTE_D | PTE_U)) || frame_of(pte_pa(top)) == NULL) {
		misused("G-stage root entry 0x%08x for gpa 0x%llx: the model walks only pointers "
			"to level-0 tables in RAM",
			top, (unsigned long long)gpa);
		return NULL;
	}
	pte_t *leaf = &((pte_t *)pa2kva(pte_pa(top)))[sv32_vpn0((uint32_t)gpa)];
	pte_t pte = *leaf;
	if (!pte_valid(pte) || !pte_leaf(pte) || !(pte & PTE_U) ||
	    ((pte & PTE_W) && !(pte & PTE_R)))
		return NULL;
	return leaf;
}

static struct gtlb_entry *gtlb_insert(struct hart *h, struct gtlb_entry *e, uint32_t vmid,
				      uint64_t gpa, pte_t pte)
{
	if (e == NULL)
		e = gtlb_slot(h);
	*e = (struct gtlb_entry){.used = true, .vmid = vmid, .gpa = GPA_PAGE(gpa), .pte = pte};
	return e;
}

/* A walk the hart makes on its own: gpa's leaf is cached unless an entry
 * is already, or A is clear (as model_fill). */
static void guest_fill(struct hart *h, const struct gstage *gs, uint64_t gpa)
{
	if (gs->vmid >= GUEST_VMID_LIMIT || gtlb_find(h, gpa, gs->vmid))
		return;
	const pte_t *leaf = gstage_walk(gs, gpa);
	if (leaf && (*leaf & PTE_A))
		gtlb_insert(h, NULL, gs->vmid, gpa, *leaf);
}

void tlb_model_hgatp(int hart, const struct gstage *gs)
{
	model.hart[hart].guest = gs;
}

bool tlb_model_holds_guest(int hart, uint64_t gpa, uint32_t vmid)
{
	return gtlb_find(&model.hart[hart], gpa, vmid) != NULL;
}

static bool guest_leaf_allows(pte_t pte, enum sv32_access acc)
{
	uint32_t need = acc == SV32_STORE ? PTE_W : acc == SV32_FETCH ? PTE_X : PTE_R;
	return (pte & PTE_U) && (pte & need);
}

/* The walk of a guest access that missed, or of a store through an entry
 * with D clear (e, refreshed in place), as demand_walk for user accesses. */
static struct gtlb_entry *guest_demand_walk(struct hart *h, const struct gstage *gs, uint64_t gpa,
					    enum sv32_access acc, struct gtlb_entry *e)
{
	pte_t *leaf = gstage_walk(gs, gpa);
	if (leaf == NULL || !guest_leaf_allows(*leaf, acc))
		return NULL;
	uint32_t ad = PTE_A | (acc == SV32_STORE ? PTE_D : 0);
	if ((*leaf & ad) != ad) {
		if (!model.cfg.hw_ad)
			return NULL;
		__atomic_fetch_or(leaf, ad, __ATOMIC_RELAXED);
	}
	return gtlb_insert(h, e, gs->vmid, gpa, *leaf);
}

/* Whether hart may run gs now: hgatp names it and it is in ran_on, as
 * riscv/hv.c sets both before the guest's first access there. */
static bool guest_runs(int hart, const struct gstage *gs)
{
	if (hart < 0 || hart >= nharts()) {
		misused("a guest access on hart %d, which the model does not have", hart);
		return false;
	}
	if (model.hart[hart].guest != gs) {
		misused("a guest access on hart %d, whose hgatp names another guest", hart);
		return false;
	}
	if (!(__atomic_load_n(&gs->ran_on, __ATOMIC_SEQ_CST) & (1u << hart))) {
		misused("hart %d runs the guest of VMID %u but is not in its ran_on", hart,
			gs->vmid);
		return false;
	}
	return vmid_ok(gs->vmid, "a guest access");
}

int tlb_model_guest_access(int hart, const struct gstage *gs, uint64_t gpa, enum sv32_access acc,
			   paddr_t *pa)
{
	if (!guest_runs(hart, gs))
		return -1;
	struct hart *h = &model.hart[hart];
	struct gtlb_entry *e = gtlb_find(h, gpa, gs->vmid);
	if (e && !guest_leaf_allows(e->pte, acc))
		return -1;
	if (e && acc == SV32_STORE && !(e->pte & PTE_D) && !model.cfg.hw_ad)
		return -1;
	if (e == NULL || (acc == SV32_STORE && !(e->pte & PTE_D)))
		e = guest_demand_walk(h, gs, gpa, acc, e);
	if (e == NULL)
		return -1;
	*pa = pte_pa(e->pte) + (paddr_t)(gpa & (PAGE_SIZE - 1));
	return 0;
}

/* hfence.gvma of every page of [gpa, gpa + size) in vmid on h. */
static void gfence_range_on(struct hart *h, uint64_t gpa, uint64_t size, uint32_t vmid)
{
	for (int i = 0; i < GTLB_ENTRIES; i++) {
		struct gtlb_entry *e = &h->gtlb[i];
		if (e->vmid == vmid && e->gpa < gpa + size && gpa < e->gpa + PAGE_SIZE)
			e->used = false;
	}
}

static void gfence_vmid_on(struct hart *h, uint32_t vmid)
{
	for (int i = 0; i < GTLB_ENTRIES; i++)
		if (h->gtlb[i].vmid == vmid)
			h->gtlb[i].used = false;
}

/* hfence.gvma gpa >> 2, vmid: the G-stage leaves of vmid for gpa's page
 * on this hart (the C call takes the address; the hardware its rs1). */
void hw_hfence_gvma_page(uint32_t gpa, uint32_t vmid)
{
	struct hart *h = calling_hart();
	log_call(h, HW_HFENCE_GVMA_PAGE, gpa, vmid, 0, 0);
	if (vmid_ok(vmid, "hfence.gvma"))
		gfence_range_on(h, GPA_PAGE(gpa), PAGE_SIZE, vmid);
	after_call();
}

void hw_hfence_gvma_vmid(uint32_t vmid)
{
	struct hart *h = calling_hart();
	log_call(h, HW_HFENCE_GVMA_VMID, vmid, 0, 0, 0);
	if (vmid_ok(vmid, "hfence.gvma"))
		gfence_vmid_on(h, vmid);
	after_call();
}

/* The model keeps no VS-stage entries (guests run with it off): only logged. */
void hw_hfence_vvma_all(void)
{
	log_call(calling_hart(), HW_HFENCE_VVMA, 0, 0, 0, 0);
	after_call();
}

/* SBI remote hfence.gvma with VMID (SBI spec, RFENCE): each hart of
 * hart_mask fences [gpa, gpa + size) in vmid, or all of vmid for the whole
 * space (gpa and size 0, or size 2^32 - 1); misuse as for hw_remote_sfence. */
void hw_remote_hfence_gvma(uint32_t hart_mask, uint32_t gpa, uint32_t size, uint32_t vmid)
{
	struct hart *caller = calling_hart();
	log_call(caller, HW_REMOTE_HFENCE_GVMA, hart_mask, vmid, gpa, size);
	bool ok = vmid_ok(vmid, "a remote hfence.gvma");
	if (hart_mask == 0)
		misused("hart %d: a remote hfence.gvma naming no hart", hart_index(caller));
	bool whole = (gpa == 0 && size == 0) || size == WHOLE_SPACE;
	for (uint32_t id = 0; id < 32 && ok; id++) {
		struct hart *t = remote_target(caller, hart_mask, id, "a remote hfence.gvma");
		if (t && whole)
			gfence_vmid_on(t, vmid);
		else if (t)
			gfence_range_on(t, gpa, size, vmid);
	}
	after_call();
}

/* Whether G-stage entry e of hart agrees with the host PTE of its page
 * under host_root, by mm/gstage.h's invariant. */
static bool guest_entry_agrees(int hart, const struct gtlb_entry *e, const struct gstage *gs,
			       paddr_t host_root, char *why, size_t size)
{
	char who[112];
	snprintf(who, sizeof(who), "hart %d: stale G-stage entry: gpa 0x%llx vmid %u pte 0x%08x",
		 hart, (unsigned long long)e->gpa, e->vmid, e->pte);
	pte_t host;
	int level;
	if (e->gpa < gs->ram_gpa || e->gpa - gs->ram_gpa >= gs->ram_size)
		return violation(why, size, "%s: outside the guest's RAM", who);
	uint32_t hva = gs->ram_hva + (uint32_t)(e->gpa - gs->ram_gpa);
	if (!table_leaf(host_root, hva, &host, &level))
		return violation(why, size, "%s -> 0x%08x, the host maps nothing at hva 0x%08x",
				 who, pte_pa(e->pte), hva);
	paddr_t frame = pte_pa(host) + (hva & (level_size(level) - 1) & ~(PAGE_SIZE - 1));
	if (pte_pa(e->pte) != frame)
		return violation(why, size,
				 "%s -> 0x%08x, the host PTE 0x%08x of hva 0x%08x -> 0x%08x", who,
				 pte_pa(e->pte), host, hva, frame);
	if (!(host & PTE_A))
		return violation(why, size, "%s: the host PTE 0x%08x of hva 0x%08x has A clear",
				 who, host, hva);
	if (e->pte & (PTE_R | PTE_X) & ~host)
		return violation(why, size, "%s has R/X 0x%x, the host PTE 0x%08x only 0x%x", who,
				 e->pte & (PTE_R | PTE_X), host, host & (PTE_R | PTE_X));
	if ((e->pte & PTE_W) && (host & (PTE_W | PTE_D)) != (PTE_W | PTE_D))
		return violation(why, size, "%s is writable, the host PTE 0x%08x of hva 0x%08x "
				 "is %s",
				 who, host, hva, host & PTE_W ? "clean" : "read-only");
	return true;
}

bool tlb_model_check_guest(const struct gstage *gs, paddr_t host_root, char *why, size_t size)
{
	for (int hart = 0; hart < nharts(); hart++) {
		const struct hart *h = &model.hart[hart];
		for (int i = 0; i < GTLB_ENTRIES; i++) {
			const struct gtlb_entry *e = &h->gtlb[i];
			if (e->used && e->vmid == gs->vmid &&
			    !guest_entry_agrees(hart, e, gs, host_root, why, size))
				return false;
		}
	}
	return true;
}
