/*
 * The tagged-TLB model of tlb_model.h: riscv/tlb.h's hw_* calls for the
 * host, over one hart's TLB and walk cache. Walks read the simulated RAM
 * through pa2kva() and the kernel's own sv32_translate is the reference.
 * Invariant: only an sfence.vma of the right form or an eviction removes
 * an entry; no satp write does.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlb_model.h"
#include "riscv/sv32.h"
#include "riscv/tlb.h"
#include "mm/frame.h"
#include "mm/phys.h"

#define TLB_ENTRIES	    32
#define WALK_ENTRIES	    8 /* cached level-1 pointer PTEs (a page-walk cache) */
#define SPEC_FILLS_PER_CALL 2 /* speculative walks after each hw_* call */

#define PERM_BITS (PTE_R | PTE_W | PTE_X | PTE_U)
#define XLATE_WHO (SV32_SUM | SV32_MXR | SV32_HWAD) /* any valid leaf translates */

/* A cached leaf translation. */
struct tlb_entry {
	bool used;
	bool global;   /* from a PTE with G on its walk path: matches every ASID */
	uint32_t asid; /* satp.ASID when it was filled */
	uint32_t va;   /* the first VA covered: 4 KiB- or 4 MiB-aligned */
	uint32_t mask; /* the VA bits that select it: ~(size - 1) */
	int level;     /* 0: a 4 KiB page, 1: a 4 MiB megapage */
	pte_t pte;     /* the leaf as the walk read it */
};

/* A cached level-1 pointer PTE: later walks of vpn1 skip the root. */
struct walk_entry {
	bool used;
	bool global;
	uint32_t asid;
	uint32_t vpn1;
	pte_t pointer;
};

/* The one hart's translation state; the hw_* calls act on it. */
static struct {
	struct tlb_model_config cfg;
	uint32_t satp;
	struct tlb_entry tlb[TLB_ENTRIES];
	struct walk_entry walk[WALK_ENTRIES];
	struct tlb_model_stats stats;
	const char *misuse; /* the first hw_* call with an operand out of range */
	struct hw_call log[TLB_MODEL_LOG_CALLS];
	unsigned nlog;
} model;

static inline uint32_t level_size(int level)
{
	return level == 1 ? SV32_MEGAPAGE_SIZE : PAGE_SIZE;
}

static inline bool covers(const struct tlb_entry *e, uint32_t va)
{
	return (va & e->mask) == e->va;
}

/* Whether an entry with this tag is used under satp.ASID asid. */
static inline bool tag_matches(bool global, uint32_t tag, uint32_t asid)
{
	return global || tag == asid;
}

/* The next entry at or after i that translates va under asid, or -1. */
static int tlb_find(uint32_t va, uint32_t asid, int i)
{
	for (; i < TLB_ENTRIES; i++) {
		const struct tlb_entry *e = &model.tlb[i];
		if (covers(e, va) && e->used && tag_matches(e->global, e->asid, asid))
			return i;
	}
	return -1;
}

static const struct walk_entry *walk_find(uint32_t vpn1, uint32_t asid)
{
	for (int i = 0; i < WALK_ENTRIES; i++) {
		const struct walk_entry *w = &model.walk[i];
		if (w->used && tag_matches(w->global, w->asid, asid) && w->vpn1 == vpn1)
			return w;
	}
	return NULL;
}

/* A free slot, or a random victim: the hardware may evict at any time. */
static struct tlb_entry *tlb_slot(void)
{
	for (int i = 0; i < TLB_ENTRIES; i++)
		if (!model.tlb[i].used)
			return &model.tlb[i];
	return &model.tlb[model.cfg.random(TLB_ENTRIES)];
}

static struct walk_entry *walk_slot(void)
{
	for (int i = 0; i < WALK_ENTRIES; i++)
		if (!model.walk[i].used)
			return &model.walk[i];
	return &model.walk[model.cfg.random(WALK_ENTRIES)];
}

static void tlb_insert(uint32_t asid, bool global, uint32_t va, int level, pte_t pte)
{
	uint32_t mask = ~(level_size(level) - 1);

	*tlb_slot() = (struct tlb_entry){.used = true,
					 .global = global,
					 .asid = asid,
					 .va = va & mask,
					 .mask = mask,
					 .level = level,
					 .pte = pte};
}

/*
 * What the hardware does on a miss for va: walk the current satp's root
 * (privileged spec, "Virtual Address Translation Process"), through a
 * cached pointer if one matches, and cache the valid leaf it finds under
 * satp.ASID, global if G is set on the way. Invalid PTEs are not cached.
 */
static void model_fill(uint32_t va)
{
	if (!(model.satp & SATP_MODE_SV32))
		return;
	uint32_t asid = satp_asid_of(model.satp);
	if (tlb_find(va, asid, 0) >= 0)
		return;

	const struct walk_entry *w = walk_find(sv32_vpn1(va), asid);
	pte_t pointer;
	if (w) {
		pointer = w->pointer;
	} else {
		const pte_t *root = pa2kva(satp_root_of(model.satp));
		pte_t pte1 = root[sv32_vpn1(va)];
		if (!pte_valid(pte1))
			return;
		if (pte_leaf(pte1)) {
			tlb_insert(asid, pte1 & PTE_G, va, 1, pte1);
			return;
		}
		if (frame_of(pte_pa(pte1)) == NULL)
			return;
		*walk_slot() = (struct walk_entry){.used = true,
						   .global = pte1 & PTE_G,
						   .asid = asid,
						   .vpn1 = sv32_vpn1(va),
						   .pointer = pte1};
		pointer = pte1;
	}
	const pte_t *table = pa2kva(pte_pa(pointer));
	pte_t pte0 = table[sv32_vpn0(va)];
	if (pte_valid(pte0) && pte_leaf(pte0))
		tlb_insert(asid, (pointer | pte0) & PTE_G, va, 0, pte0);
}

void tlb_model_speculate(int n)
{
	if (model.cfg.nprobe == 0)
		return;
	for (int i = 0; i < n; i++)
		model_fill(model.cfg.probe_vas[model.cfg.random(model.cfg.nprobe)]);
}

void tlb_model_reset(const struct tlb_model_config *cfg)
{
	memset(&model, 0, sizeof(model));
	model.cfg = *cfg;
	model.satp = cfg->satp;
}

const struct tlb_model_stats *tlb_model_stats(void)
{
	return &model.stats;
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
 * The hardware calls
 */

static void log_call(enum hw_op op, uint32_t a, uint32_t b)
{
	model.stats.calls[op]++;
	if (model.nlog < TLB_MODEL_LOG_CALLS)
		model.log[model.nlog++] = (struct hw_call){op, a, b};
}

static void check_asid_operand(uint32_t asid, const char *what)
{
	if (asid >= model.cfg.asid_limit && model.misuse == NULL)
		model.misuse = what;
}

/* Load satp: invalidates nothing (privileged spec, satp; PLATFORM.md 3.1). */
void hw_satp_write(uint32_t satp)
{
	log_call(HW_SATP_WRITE, satp, 0);
	check_asid_operand(satp_asid_of(satp), "satp written with an ASID beyond ASIDLEN");
	if (satp_root_of(satp) != model.cfg.kernel_root)
		model.stats.user_satp_writes++;
	model.satp = satp;
	tlb_model_speculate(SPEC_FILLS_PER_CALL);
}

uint32_t hw_satp_read(void)
{
	return model.satp;
}

/* sfence.vma x0, x0: everything, global entries and cached pointers too. */
void hw_sfence_all(void)
{
	log_call(HW_SFENCE_ALL, 0, 0);
	memset(model.tlb, 0, sizeof(model.tlb));
	memset(model.walk, 0, sizeof(model.walk));
	tlb_model_speculate(SPEC_FILLS_PER_CALL);
}

/* sfence.vma x0, asid: every level of asid, except global entries. */
void hw_sfence_asid(uint32_t asid)
{
	log_call(HW_SFENCE_ASID, asid, 0);
	check_asid_operand(asid, "sfence.vma with an ASID beyond ASIDLEN");
	for (int i = 0; i < TLB_ENTRIES; i++)
		if (!model.tlb[i].global && model.tlb[i].asid == asid)
			model.tlb[i].used = false;
	for (int i = 0; i < WALK_ENTRIES; i++)
		if (!model.walk[i].global && model.walk[i].asid == asid)
			model.walk[i].used = false;
	tlb_model_speculate(SPEC_FILLS_PER_CALL);
}

/* sfence.vma va, x0: the leaves for va in every address space, global
 * ones included; it orders only leaf PTEs, so cached pointers stay. */
void hw_sfence_page(uint32_t va)
{
	log_call(HW_SFENCE_PAGE, va, 0);
	for (int i = 0; i < TLB_ENTRIES; i++)
		if (covers(&model.tlb[i], va))
			model.tlb[i].used = false;
	tlb_model_speculate(SPEC_FILLS_PER_CALL);
}

/* sfence.vma va, asid: the non-global leaves for va in asid. */
void hw_sfence_page_asid(uint32_t va, uint32_t asid)
{
	log_call(HW_SFENCE_PAGE_ASID, va, asid);
	check_asid_operand(asid, "sfence.vma with an ASID beyond ASIDLEN");
	for (int i = 0; i < TLB_ENTRIES; i++) {
		struct tlb_entry *e = &model.tlb[i];
		if (!e->global && e->asid == asid && covers(e, va))
			e->used = false;
	}
	tlb_model_speculate(SPEC_FILLS_PER_CALL);
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

/* The leaf that maps va under root, per the kernel's own sv32_translate. */
static bool table_leaf(paddr_t root, uint32_t va, pte_t *leaf, int *level)
{
	struct sv32_xlate x;
	if (sv32_translate(pa2kva(root), va, SV32_LOAD, XLATE_WHO, &x) != 0)
		return false;
	*level = x.level;
	*leaf = x.level == 1 ? x.pte1 : x.pte0;
	return true;
}

/* Whether e maps what root maps, with no more permission: less is the
 * lazy upgrade the spec allows (a spurious fault, fenced and retried). */
static bool entry_agrees(const struct tlb_entry *e, paddr_t root, char *why, size_t size)
{
	pte_t leaf;
	int level;
	if (!table_leaf(root, e->va, &leaf, &level))
		return violation(
		    why, size,
		    "stale entry: va 0x%08x asid %u%s -> 0x%08x, tables 0x%08x map nothing", e->va,
		    e->asid, e->global ? " G" : "", pte_pa(e->pte), root);
	if (level != e->level || pte_pa(leaf) != pte_pa(e->pte))
		return violation(why, size,
				 "stale entry: va 0x%08x asid %u -> 0x%08x level %d, tables 0x%08x "
				 "say 0x%08x level %d",
				 e->va, e->asid, pte_pa(e->pte), e->level, root, pte_pa(leaf),
				 level);
	if (e->pte & PERM_BITS & ~leaf)
		return violation(
		    why, size,
		    "stale entry: va 0x%08x asid %u has permissions 0x%x, the PTE only 0x%x", e->va,
		    e->asid, e->pte & PERM_BITS, leaf & PERM_BITS);
	return true;
}

bool tlb_model_check_entries(tlb_owner_fn owner, char *why, size_t size)
{
	for (int i = 0; i < TLB_ENTRIES; i++) {
		const struct tlb_entry *e = &model.tlb[i];
		if (!e->used)
			continue;
		paddr_t root = owner(e->global, e->asid);
		if (root && !entry_agrees(e, root, why, size))
			return false;
	}
	for (int i = 0; i < WALK_ENTRIES; i++) {
		const struct walk_entry *w = &model.walk[i];
		if (!w->used)
			continue;
		paddr_t root = owner(w->global, w->asid);
		if (root == 0)
			continue;
		const pte_t *table = pa2kva(root);
		pte_t pte1 = table[w->vpn1];
		if (!pte_valid(pte1) || pte_leaf(pte1) || pte_pa(pte1) != pte_pa(w->pointer))
			return violation(
			    why, size,
			    "stale pointer: vpn1 %u asid %u -> table 0x%08x, root 0x%08x "
			    "has PTE 0x%08x",
			    w->vpn1, w->asid, pte_pa(w->pointer), root, pte1);
	}
	return true;
}

bool tlb_model_check_access(uint32_t va, char *why, size_t size)
{
	uint32_t asid = satp_asid_of(model.satp);
	paddr_t root = satp_root_of(model.satp);
	pte_t leaf;
	int level;
	bool mapped = table_leaf(root, va, &leaf, &level);

	model_fill(va);
	int hit = tlb_find(va, asid, 0);
	if (hit < 0 && mapped)
		return violation(why, size, "va 0x%08x: the model faults, the tables map 0x%08x",
				 va, pte_pa(leaf));
	for (; hit >= 0; hit = tlb_find(va, asid, hit + 1))
		if (!entry_agrees(&model.tlb[hit], root, why, size))
			return false;
	return true;
}
