/*
 * Host test of the G-stage (kernel/mm/gstage.c) over the real memory
 * manager (host_vm.c) and the tagged-TLB model's G-stage TLBs
 * (tlb_model.c), one per hart. A host process's anonymous region is a
 * guest's RAM; guest accesses go through the model and, on a guest-page
 * fault, through gstage_fault on the hart that took it, as riscv/hv.c
 * does. After each host operation that must take leaves away (eviction to
 * swap, the clock clearing A, copy-on-write after fork, munmap, mprotect),
 * no hart may hold a G-stage entry that disagrees with the host page table
 * (mm/gstage.h's invariant), and words stored on either side read back on
 * the other. Then each of gstage.c's fences, removed on purpose, must be
 * caught.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "lib/kerrno.h"
#include "mm/frame.h"
#include "mm/gstage.h"
#include "mm/phys.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "riscv/kmap.h"
#include "riscv/tlb.h"
#include "tests/unit/host_vm.h"
#include "tests/unit/model_rng.h"
#include "tests/unit/tlb_model.h"

#define RAM_PAGES  512u
#define SWAP_PAGES 256u
#define CAP	   24u /* user frames, for the tests that evict: RAM and a few more */
#define SEED	   0x65CA9Eu

/* The guest's RAM: GUEST_PAGES pages at guest-physical GUEST_GPA, across a
 * 4 MiB boundary there (so two level-0 tables), held at GUEST_HVA in the
 * host process. OTHER_HVA is more of its memory, not the guest's: touching
 * it under the cap evicts. */
#define GUEST_PAGES 16
#define GUEST_GPA   0x803F8000u
#define GUEST_HVA   0x10000000u
#define OTHER_HVA   0x20000000u
#define OTHER_PAGES 64u
#define VMID	    5u
#define HARTS	    3
#define ALL_HARTS   ((1u << HARTS) - 1)
#define MAX_FAULTS  2 /* per access: the fault, and one on a narrower entry it fences */
#define FIRST_WORD  0x600D0001u /* the words stored count up from here */
#define CHILD_WORD  0xC41DC41Du /* one the fork stores, which no other store makes */

#define RW	   (VM_R | VM_W)
#define RWX	   (VM_R | VM_W | VM_X)
#define ANON_FIXED (VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED)

static struct {
	bool up;
	struct addrspace *as;	 /* the host process, which runs the guest */
	struct addrspace *child; /* its fork, or NULL */
	struct gstage gs;
	uint8_t prot[GUEST_PAGES];  /* the host region's VM_R/W/X of each page; 0: unmapped */
	uint32_t want[GUEST_PAGES]; /* the word at each page's start: 0 before a store */
	uint32_t next_word;
	uint32_t faults; /* guest-page faults gstage_fault resolved */
	uint32_t frames_at_start, slots_at_start;
} w;

static char why[512];

static bool violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool violation(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return false;
}

static uint64_t gpa_of(int page)
{
	return GUEST_GPA + (uint64_t)page * PAGE_SIZE;
}

static uint32_t hva_of(int page)
{
	return GUEST_HVA + (uint32_t)page * PAGE_SIZE;
}

static pte_t host_pte(const struct addrspace *as, uint32_t va)
{
	pte_t *pte = sv32_walk(as->root, va, false);
	return pte ? pte_load(pte) : 0;
}

/* ---------------------------------------------------------------------------
 * The world: the memory manager on HARTS harts, a host process and its guest
 */

/* The host process with the guest's RAM (RWX) and more memory, a G-stage
 * for that RAM of VMID, no hart in the guest yet; user frames capped at
 * maxframes (0: none) under policy. */
static void world_start(uint32_t maxframes, const char *policy)
{
	const struct tlb_model_config harts = {
	    .satp = satp_make(kmap_root_pa(), 0), /* as kmap_enable leaves each hart */
	    .kernel_root = kmap_root_pa(),
	    .asid_limit = 1u << 9,
	    .random = rnd,
	    .nharts = HARTS,
	    .hw_ad = true,
	};
	memset(&w, 0, sizeof(w));
	rng_state = SEED;
	tlb_model_reset(&harts);
	assert_int_equal(host_vm_setup_policy(RAM_PAGES, SWAP_PAGES, maxframes, policy), 0);
	ncpus = HARTS;
	tlb_model_reset(&harts);
	memset(&vm_stats, 0, sizeof(vm_stats));
	w.frames_at_start = frame_count_free();
	w.slots_at_start = swap_free_slots();
	w.up = true;
	w.next_word = FIRST_WORD;
	w.as = vm_create();
	assert_non_null(w.as);
	uint32_t at;
	assert_int_equal(vm_mmap(w.as, GUEST_HVA, GUEST_PAGES * PAGE_SIZE, RWX, ANON_FIXED, NULL, 0,
				 0, &at),
			 0);
	assert_int_equal(
	    vm_mmap(w.as, OTHER_HVA, OTHER_PAGES * PAGE_SIZE, RW, ANON_FIXED, NULL, 0, 0, &at), 0);
	assert_int_equal(gstage_init(&w.gs, GUEST_GPA, GUEST_HVA, GUEST_PAGES * PAGE_SIZE), 0);
	w.gs.vmid = VMID;
	w.gs.vmid_gen = 1;
	w.as->gstage = &w.gs;
	memset(w.prot, RWX, sizeof(w.prot));
}

/* The guest stops, its process (and the fork) goes, then its G-stage, as
 * hv_destroy and vm_destroy do; with leaks checked, every frame and swap
 * slot must be back. */
static void world_stop(bool check_leaks)
{
	host_hart = 0;
	gstage_test_omit_local_fence = gstage_test_omit_remote_fence = false;
	for (int h = 0; h < HARTS; h++)
		tlb_model_hgatp(h, NULL);
	if (w.child)
		vm_destroy(w.child);
	if (w.as)
		vm_destroy(w.as); /* host_vm.c's hv_destroy: as->gstage goes first */
	gstage_free(&w.gs);
	uint32_t frames = frame_count_free(), slots = swap_free_slots();
	host_vm_teardown();
	ncpus = 1;
	w.up = false;
	if (check_leaks) {
		assert_int_equal(frames, w.frames_at_start);
		assert_int_equal(slots, w.slots_at_start);
	}
}

static int world_teardown(void **state)
{
	(void)state;
	if (w.up)
		world_stop(false);
	return 0;
}

/* Hart h enters the guest, as riscv/hv.c's load_guest: into ran_on
 * before its first walk, then hgatp. */
static void enter(int h)
{
	__atomic_or_fetch(&w.gs.ran_on, 1u << h, __ATOMIC_SEQ_CST);
	tlb_model_hgatp(h, &w.gs);
}

/* ---------------------------------------------------------------------------
 * Accesses: the guest's through the model, the host's through its PTEs
 */

static uint32_t prot_of(enum sv32_access acc)
{
	return acc == SV32_STORE ? VM_W : acc == SV32_FETCH ? VM_X : VM_R;
}

/* A guest access of kind acc to page by hart h: a guest-page fault goes to
 * gstage_fault on h, then the access again. 0 with the host frame's
 * address in *pa, what gstage_fault returned, or -ELOOP when the access
 * still faults after MAX_FAULTS resolved faults. */
static int guest_access(int h, int page, enum sv32_access acc, paddr_t *pa)
{
	int err = -ELOOP;
	host_hart = h;
	for (int faults = 0;; faults++) {
		if (tlb_model_guest_access(h, &w.gs, gpa_of(page), acc, pa) == 0) {
			err = 0;
			break;
		}
		if (faults == MAX_FAULTS)
			break;
		err = gstage_fault(w.as, &w.gs, gpa_of(page), prot_of(acc));
		if (err)
			break;
		w.faults++;
	}
	host_hart = 0;
	return err;
}

/* Whether pa, which a guest access by h to page reached, is the frame the
 * host PTE of page maps now. */
static bool host_frame(int h, int page, paddr_t pa, const char *what)
{
	pte_t host = host_pte(w.as, hva_of(page));
	if (pte_valid(host) && pte_pa(host) == PAGE_ROUND_DOWN(pa))
		return true;
	return violation("a guest %s by hart %d of page %d reached 0x%08x, the host PTE is 0x%08x",
			 what, h, page, pa, host);
}

/* A guest load of page's first word by hart h, into *word. */
static bool guest_load(int h, int page, uint32_t *word)
{
	paddr_t pa;
	int err = guest_access(h, page, SV32_LOAD, &pa);
	if (err)
		return violation("a guest load by hart %d of page %d: %d", h, page, err);
	*word = *(const uint32_t *)pa2kva(pa);
	return true;
}

/* A guest store of a new word to page by hart h: it must reach the frame
 * the host maps there (else nothing is written). */
static bool guest_store(int h, int page)
{
	paddr_t pa;
	int err = guest_access(h, page, SV32_STORE, &pa);
	if (err)
		return violation("a guest store by hart %d of page %d: %d", h, page, err);
	if (!host_frame(h, page, pa, "store"))
		return false;
	w.want[page] = w.next_word++;
	*(uint32_t *)pa2kva(pa) = w.want[page];
	return true;
}

/* The first word of page as the host process reaches it for prot (VM_R
 * or VM_W), faulting the page in and setting A (and D) as its own access
 * would. */
static uint32_t *host_word(struct addrspace *as, int page, uint32_t prot)
{
	uint32_t need = PTE_V | PTE_A | (prot == VM_W ? PTE_W | PTE_D : PTE_R);
	host_hart = 0;
	if ((host_pte(as, hva_of(page)) & need) != need)
		assert_int_equal(vm_fault(as, hva_of(page), prot), 0);
	pte_t pte = host_pte(as, hva_of(page));
	assert_int_equal(pte & need, need);
	return pa2kva(pte_pa(pte));
}

/* The host process stores a new word to page through its own PTE. */
static void host_store(int page)
{
	w.want[page] = w.next_word++;
	*host_word(w.as, page, VM_W) = w.want[page];
}

/* ---------------------------------------------------------------------------
 * The checks
 */

/* Whether the G-stage leaf of page agrees with its host PTE. */
static bool leaf_agrees(int page, pte_t leaf)
{
	pte_t host = host_pte(w.as, hva_of(page));
	if (!pte_valid(host) || pte_pa(host) != pte_pa(leaf) || !(host & PTE_A) || !(leaf & PTE_U))
		return violation("page %d: leaf 0x%08x, host PTE 0x%08x", page, leaf, host);
	if ((leaf & PTE_W) && (host & (PTE_W | PTE_D)) != (PTE_W | PTE_D))
		return violation("page %d: writable leaf 0x%08x, host PTE 0x%08x", page, leaf,
				 host);
	return true;
}

/* No misuse of the model; every entry any hart holds, and every leaf of
 * the tables, agree with the host page table; the books balance. */
static bool consistent(void)
{
	if (tlb_model_misuse())
		return violation("%s", tlb_model_misuse());
	if (!tlb_model_check_guest(&w.gs, kva2pa(w.as->root), why, sizeof(why)))
		return false;
	uint32_t leaves = 0;
	for (int page = 0; page < GUEST_PAGES; page++) {
		pte_t leaf = gstage_leaf(&w.gs, gpa_of(page));
		if (pte_valid(leaf) && !leaf_agrees(page, leaf))
			return false;
		leaves += pte_valid(leaf);
	}
	if (leaves != w.gs.leaves)
		return violation("%u valid leaves, gs.leaves says %u", leaves, w.gs.leaves);
	if (vm_check() != 0)
		return violation("vm_check found problems");
	return true;
}

/* Whether every hart of harts loads want from page. */
static bool loads_see(uint32_t harts, int page, uint32_t want)
{
	for (int h = 0; h < HARTS; h++) {
		uint32_t word;
		if (!(harts & (1u << h)))
			continue;
		if (!guest_load(h, page, &word))
			return false;
		if (word != want)
			return violation("hart %d loads 0x%08x from page %d, 0x%08x was stored", h,
					 word, page, want);
	}
	return true;
}

/* Every page the host maps holds its last store for each hart of harts;
 * on a writable page a word the host stores now is what they load, and a
 * word the first of them stores is what the host loads. */
static bool data_agrees(uint32_t harts)
{
	int first = __builtin_ctz(harts);
	for (int page = 0; page < GUEST_PAGES; page++) {
		if (w.prot[page] == 0)
			continue;
		if (!loads_see(harts, page, w.want[page]))
			return false;
		if (!(w.prot[page] & VM_W))
			continue;
		host_store(page);
		if (!loads_see(harts, page, w.want[page]) || !guest_store(first, page))
			return false;
		uint32_t word = *host_word(w.as, page, VM_R);
		if (word != w.want[page])
			return violation("the host loads 0x%08x from page %d, hart %d stored "
					 "0x%08x",
					 word, page, first, w.want[page]);
	}
	return true;
}

static void checkpoint(const char *after, uint32_t harts)
{
	if (!consistent() || !data_agrees(harts) || !consistent())
		fail_msg("after %s: %s", after, why);
}

static void must(bool ok)
{
	if (!ok)
		fail_msg("%s", why);
}

/* Each hart of harts enters the guest; each page is stored by one of them
 * in turn and loaded by all, so every hart holds an entry for every page,
 * writable. */
static void guest_runs_on(uint32_t harts)
{
	int on[HARTS], n = 0;
	for (int h = 0; h < HARTS; h++)
		if (harts & (1u << h)) {
			enter(h);
			on[n++] = h;
		}
	for (int page = 0; page < GUEST_PAGES; page++) {
		must(guest_store(on[page % n], page));
		must(loads_see(harts, page, w.want[page]));
	}
}

static bool held_anywhere(int page)
{
	for (int h = 0; h < HARTS; h++)
		if (tlb_model_holds_guest(h, gpa_of(page), VMID))
			return true;
	return false;
}

/* ---------------------------------------------------------------------------
 * Host operations, on hart 0, that must take leaves away
 */

/* The host process stores to n pages of its other memory from first:
 * under the cap, each fault past it evicts. */
static void host_touch_other(uint32_t first, uint32_t n)
{
	host_hart = 0;
	for (uint32_t i = first; i < first + n; i++)
		assert_int_equal(vm_fault(w.as, OTHER_HVA + i * PAGE_SIZE, VM_W), 0);
}

/* Evict all of the guest's RAM (FIFO: it was touched first). */
static void op_evict(void)
{
	host_touch_other(0, CAP);
}

/* Host memory the clock's world touches before the guest runs: with the
 * guest's RAM it fills the cap, and it is first on the ring. */
#define CLOCK_FIRST (CAP - GUEST_PAGES)

/* Evict once past the cap (clock): the hand clears A in every frame, the
 * guest's included, then evicts the first it passed, not the guest's. */
static void op_clock(void)
{
	host_touch_other(CLOCK_FIRST, 1);
}

static void op_fork(void)
{
	host_hart = 0;
	w.child = vm_create();
	assert_non_null(w.child);
	assert_int_equal(vm_copy(w.child, w.as), 0);
}

static void unmap_pages(int first, int n)
{
	host_hart = 0;
	assert_int_equal(vm_munmap(w.as, hva_of(first), (uint32_t)n * PAGE_SIZE), 0);
	memset(&w.prot[first], 0, (size_t)n);
}

static void op_munmap(void)
{
	unmap_pages(4, 4);
}

static void op_munmap_page(void)
{
	unmap_pages(10, 1);
}

static void protect_pages(int first, int n, uint8_t prot)
{
	host_hart = 0;
	assert_int_equal(vm_mprotect(w.as, hva_of(first), (uint32_t)n * PAGE_SIZE, prot), 0);
	memset(&w.prot[first], prot, (size_t)n);
}

static void op_mprotect(void)
{
	protect_pages(0, 8, VM_R | VM_X);
}

/* ---------------------------------------------------------------------------
 * The tests
 */

static void test_a_guest_page_faults_once_then_each_hart_that_runs_the_guest_walks_it(void **state)
{
	(void)state;
	world_start(0, "clock");
	enter(0);
	for (int page = 0; page < GUEST_PAGES; page++)
		must(guest_store(0, page));
	assert_int_equal(w.faults, GUEST_PAGES);
	assert_int_equal(w.gs.leaves, GUEST_PAGES);
	assert_true(pte_valid(w.gs.root[GUEST_GPA >> SV32_VPN1_SHIFT]));
	assert_true(pte_valid(w.gs.root[(GUEST_GPA >> SV32_VPN1_SHIFT) + 1])); /* two tables */
	enter(1);
	enter(2);
	for (int page = 0; page < GUEST_PAGES; page++)
		must(loads_see(ALL_HARTS, page, w.want[page]));
	assert_int_equal(w.faults, GUEST_PAGES); /* the leaves were there: walks, no faults */
	for (int h = 0; h < HARTS; h++)
		for (int page = 0; page < GUEST_PAGES; page++)
			assert_true(tlb_model_holds_guest(h, gpa_of(page), VMID));
	checkpoint("accesses on three harts", ALL_HARTS);
	world_stop(true);
}

static void assert_writable_leaf(int page, bool writable)
{
	pte_t leaf = gstage_leaf(&w.gs, gpa_of(page));
	assert_true(pte_valid(leaf));
	assert_int_equal((leaf & PTE_W) != 0, writable);
}

static void test_a_leaf_is_writable_only_after_a_store_fault_or_once_dirty(void **state)
{
	(void)state;
	world_start(0, "clock");
	enter(0);
	enter(1);
	must(loads_see(0x3, 0, 0)); /* a fresh page of zeroes, mapped writable but clean */
	must(consistent());
	assert_writable_leaf(0, false);
	assert_true(host_pte(w.as, hva_of(0)) & PTE_W);
	assert_false(host_pte(w.as, hva_of(0)) & PTE_D);
	/* Hart 0's read-only entry faults once more after the store fault made
	 * the leaf writable: that second fault finds the leaf as it wants it
	 * and fences the stale entry (the lazy upgrade). */
	uint32_t faults = w.faults;
	must(guest_store(0, 0));
	assert_int_equal(w.faults - faults, 2);
	assert_writable_leaf(0, true);
	assert_true(host_pte(w.as, hva_of(0)) & PTE_D);
	faults = w.faults;
	must(guest_store(1, 0)); /* hart 1's read-only entry: one fault, which fences it */
	assert_int_equal(w.faults - faults, 1);
	faults = w.faults;
	must(guest_store(0, 1)); /* first touched by a store: writable at once */
	assert_int_equal(w.faults - faults, 1);
	assert_writable_leaf(1, true);
	host_store(2); /* dirty in the host already: a load fault may give W */
	must(loads_see(0x1, 2, w.want[2]));
	assert_writable_leaf(2, true);
	checkpoint("loads and stores", 0x3);
	world_stop(true);
}

static void test_a_read_only_host_mapping_gives_a_read_only_leaf_and_refuses_stores(void **state)
{
	(void)state;
	paddr_t pa;
	world_start(0, "clock");
	enter(0);
	host_store(4); /* page 4 dirty, page 3 never touched */
	protect_pages(3, 2, VM_R | VM_X);
	must(loads_see(0x1, 3, 0));
	assert_writable_leaf(3, false);
	assert_int_equal(guest_access(0, 3, SV32_FETCH, &pa), 0);
	assert_int_equal(guest_access(0, 3, SV32_STORE, &pa), -EFAULT);
	must(loads_see(0x1, 4, w.want[4]));
	assert_writable_leaf(4, false); /* dirty, but the host PTE has no W */
	assert_int_equal(guest_access(0, 4, SV32_STORE, &pa), -EFAULT);
	checkpoint("guest accesses to read-only pages", 0x1);
	world_stop(true);
}

static void test_eviction_to_swap_drops_the_leaves_on_every_hart(void **state)
{
	(void)state;
	world_start(CAP, "fifo");
	guest_runs_on(ALL_HARTS);
	op_evict();
	assert_true(vm_stats.swapouts >= GUEST_PAGES);
	for (int page = 0; page < GUEST_PAGES; page++) {
		assert_false(pte_valid(host_pte(w.as, hva_of(page))));
		assert_false(held_anywhere(page));
	}
	assert_int_equal(w.gs.leaves, 0);
	checkpoint("eviction of the guest's RAM to swap", ALL_HARTS);
	assert_true(vm_stats.swapins > 0);
	world_stop(true);
}

/* A page read back from swap by a guest load is clean, its swap copy
 * kept: the leaf must stay read-only, so that the guest's store reaches
 * the host PTE's D and the next swap-out writes it. */
static void test_a_guest_store_to_a_page_read_back_from_swap_reaches_swap_again(void **state)
{
	(void)state;
	world_start(CAP, "fifo");
	guest_runs_on(0x1);
	op_evict();
	must(loads_see(0x1, 0, w.want[0]));
	assert_false(host_pte(w.as, hva_of(0)) & PTE_D);
	must(consistent());
	must(guest_store(0, 0));
	assert_true(host_pte(w.as, hva_of(0)) & PTE_D);
	host_touch_other(CAP, CAP); /* all of it out again */
	assert_false(pte_valid(host_pte(w.as, hva_of(0))));
	must(loads_see(0x1, 0, w.want[0]));
	checkpoint("a second swap-out", 0x1);
	world_stop(true);
}

static void test_the_clock_clearing_a_drops_the_leaf_of_a_page_it_keeps(void **state)
{
	(void)state;
	world_start(CAP, "clock");
	host_touch_other(0, CLOCK_FIRST);
	guest_runs_on(0x3);
	op_clock();
	assert_int_equal(vm_stats.evictions, 1);
	for (int page = 0; page < GUEST_PAGES; page++) {
		pte_t host = host_pte(w.as, hva_of(page));
		assert_true(pte_valid(host));
		assert_false(host & PTE_A);
		assert_false(pte_valid(gstage_leaf(&w.gs, gpa_of(page))));
		assert_false(held_anywhere(page));
	}
	checkpoint("the clock's pass", 0x3);
	world_stop(true);
}

static void test_copy_on_write_after_fork_drops_the_writable_leaves(void **state)
{
	(void)state;
	uint32_t before[GUEST_PAGES];
	world_start(0, "clock");
	guest_runs_on(0x3);
	memcpy(before, w.want, sizeof(before));
	op_fork();
	for (int page = 0; page < GUEST_PAGES; page++)
		assert_false(gstage_leaf(&w.gs, gpa_of(page)) & PTE_W);
	must(consistent());
	for (int page = 0; page < GUEST_PAGES; page++)
		must(loads_see(0x3, page, w.want[page])); /* the shared frames, read-only */
	must(guest_store(1, 0)); /* copies the page for the parent */
	host_store(1);		 /* so does the parent's own store */
	/* The child copies page 2, which is then the parent's alone: the
	 * guest's store takes it over in place. */
	*host_word(w.child, 2, VM_W) = CHILD_WORD;
	must(guest_store(0, 2));
	assert_true(vm_stats.faults_cow_copy >= 3 && vm_stats.faults_cow_reuse >= 1);
	checkpoint("copy-on-write after fork", 0x3);
	for (int page = 0; page < GUEST_PAGES; page++) {
		uint32_t child = *host_word(w.child, page, VM_R);
		assert_int_equal(child, page == 2 ? CHILD_WORD : before[page]);
	}
	world_stop(true);
}

static void test_munmap_of_part_of_the_ram_drops_its_leaves(void **state)
{
	(void)state;
	paddr_t pa;
	world_start(0, "clock");
	guest_runs_on(ALL_HARTS);
	op_munmap();
	assert_int_equal(w.gs.leaves, GUEST_PAGES - 4);
	for (int page = 4; page < 8; page++)
		assert_false(held_anywhere(page));
	assert_int_equal(guest_access(1, 5, SV32_LOAD, &pa), -EFAULT);
	checkpoint("munmap of four pages", ALL_HARTS);
	/* One page cleared: a fence of that page alone, here and on the others. */
	const struct tlb_model_stats *st = tlb_model_stats();
	uint32_t pages = st->calls[HW_HFENCE_GVMA_PAGE], remote = st->calls[HW_REMOTE_HFENCE_GVMA];
	uint32_t whole = st->calls[HW_HFENCE_GVMA_VMID];
	op_munmap_page();
	assert_int_equal(st->calls[HW_HFENCE_GVMA_PAGE], pages + 1);
	assert_int_equal(st->calls[HW_REMOTE_HFENCE_GVMA], remote + 1);
	assert_int_equal(st->calls[HW_HFENCE_GVMA_VMID], whole);
	assert_false(held_anywhere(10));
	for (int h = 0; h < HARTS; h++)
		assert_true(tlb_model_holds_guest(h, gpa_of(9), VMID));
	checkpoint("munmap of one page", ALL_HARTS);
	world_stop(true);
}

static void test_mprotect_removing_w_drops_the_writable_leaves(void **state)
{
	(void)state;
	paddr_t pa;
	world_start(0, "clock");
	guest_runs_on(ALL_HARTS);
	op_mprotect();
	for (int page = 0; page < 8; page++)
		assert_false(gstage_leaf(&w.gs, gpa_of(page)) & PTE_W);
	assert_int_equal(guest_access(2, 2, SV32_STORE, &pa), -EFAULT);
	checkpoint("mprotect removing W", ALL_HARTS);
	protect_pages(0, 8, RWX);
	must(guest_store(2, 2));
	checkpoint("mprotect giving W back", ALL_HARTS);
	world_stop(true);
}

/* Everything the guest held goes back: its RAM's frames and swap slots
 * (some shared with a fork) with vm_destroy, its tables with gstage_free;
 * world_stop counts them. */
static void test_frames_and_swap_slots_come_back_after_gstage_free_and_vm_destroy(void **state)
{
	(void)state;
	world_start(CAP, "fifo");
	guest_runs_on(ALL_HARTS);
	op_evict();
	op_fork();
	for (int page = 0; page < GUEST_PAGES; page += 3)
		must(loads_see(0x1, page, w.want[page]));
	assert_true(w.gs.leaves > 0);
	assert_true(swap_free_slots() < w.slots_at_start);
	assert_true(frame_count_free() < w.frames_at_start);
	must(consistent());
	world_stop(true);
}

/* ---------------------------------------------------------------------------
 * The model's own rules for the G-stage
 */

static void test_g_stage_entries_leave_only_by_an_hfence_gvma_that_covers_them(void **state)
{
	(void)state;
	world_start(0, "clock");
	guest_runs_on(ALL_HARTS);
	for (int h = 0; h < HARTS; h++)
		tlb_model_hgatp(h, NULL); /* no walks of their own: only what the calls do */
	host_hart = 0;
	hw_sfence_all();
	hw_hfence_vvma_all();
	hw_hfence_gvma_vmid(VMID + 1);
	assert_true(tlb_model_holds_guest(0, gpa_of(3), VMID));
	hw_hfence_gvma_page((uint32_t)gpa_of(3) + 8, VMID);
	assert_false(tlb_model_holds_guest(0, gpa_of(3), VMID));
	assert_true(tlb_model_holds_guest(0, gpa_of(2), VMID));
	assert_true(tlb_model_holds_guest(0, gpa_of(4), VMID));
	assert_true(tlb_model_holds_guest(1, gpa_of(3), VMID));
	hw_remote_hfence_gvma(1u << 1, (uint32_t)gpa_of(5) + 12, 2 * PAGE_SIZE - 12, VMID);
	for (int page = 4; page < 8; page++) {
		bool kept = page == 4 || page == 7;
		assert_int_equal(tlb_model_holds_guest(1, gpa_of(page), VMID), kept);
		assert_true(tlb_model_holds_guest(2, gpa_of(page), VMID));
	}
	hw_remote_hfence_gvma(1u << 2, 0, 0, VMID);		/* all of the VMID */
	hw_remote_hfence_gvma(1u << 1, 0, 0xFFFFFFFFu, VMID); /* SBI's other spelling */
	hw_hfence_gvma_vmid(VMID);
	for (int page = 0; page < GUEST_PAGES; page++)
		assert_false(held_anywhere(page));
	assert_null(tlb_model_misuse());
	world_stop(true);
}

static void expect_misuse(const char *words)
{
	assert_non_null(tlb_model_misuse());
	assert_non_null(strstr(tlb_model_misuse(), words));
	world_stop(false);
}

static void test_a_remote_hfence_gvma_of_itself_no_hart_or_one_not_running_is_misuse(void **state)
{
	(void)state;
	world_start(0, "clock");
	host_hart = 1;
	hw_remote_hfence_gvma(1u << 1, 0, 0, VMID);
	expect_misuse("itself");
	world_start(0, "clock");
	hw_remote_hfence_gvma(0, 0, 0, VMID);
	expect_misuse("no hart");
	world_start(0, "clock");
	hw_remote_hfence_gvma(1u << HARTS, 0, 0, VMID);
	expect_misuse("does not run");
	world_start(0, "clock");
	hw_hfence_gvma_vmid(GUEST_VMID_LIMIT);
	expect_misuse("beyond hgatp.VMID");
}

static void test_a_guest_access_on_a_hart_not_in_ran_on_is_misuse(void **state)
{
	(void)state;
	paddr_t pa;
	world_start(0, "clock");
	tlb_model_hgatp(2, &w.gs); /* hgatp written, but not in ran_on first */
	assert_int_equal(tlb_model_guest_access(2, &w.gs, gpa_of(0), SV32_LOAD, &pa), -1);
	expect_misuse("ran_on");
}

/* ---------------------------------------------------------------------------
 * Each of fence()'s hfence.gvma, removed on purpose, is caught
 */

/* A host operation, on hart 0, after which a stale entry must show, and
 * its world: the cap, the policy, and the host memory touched first. */
struct host_op {
	const char *name;
	uint32_t maxframes;
	const char *policy;
	uint32_t other_first;
	void (*run)(void);
};

static const struct host_op host_ops[] = {
    {"eviction to swap", CAP, "fifo", 0, op_evict},
    {"the clock clearing A", CAP, "clock", CLOCK_FIRST, op_clock},
    {"copy-on-write after fork", 0, "clock", 0, op_fork},
    {"munmap of four pages", 0, "clock", 0, op_munmap},
    {"munmap of one page", 0, "clock", 0, op_munmap_page},
    {"mprotect removing W", 0, "clock", 0, op_mprotect},
};

/* The guest runs on harts 0 and 1, then op runs on hart 0 with fence()'s
 * local or remote hfence.gvma removed as asked: whether the check or the
 * data showed a problem (described in why). The correct kernel's run must
 * leak nothing too. */
static bool op_shows_a_problem(const struct host_op *op, bool omit_local, bool omit_remote)
{
	world_start(op->maxframes, op->policy);
	host_touch_other(0, op->other_first);
	guest_runs_on(0x3);
	gstage_test_omit_local_fence = omit_local;
	gstage_test_omit_remote_fence = omit_remote;
	op->run();
	bool ok = consistent() && data_agrees(0x3);
	world_stop(!omit_local && !omit_remote);
	return !ok;
}

static void omission_is_caught(bool local, bool remote, const char *what)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_ops); i++) {
		const struct host_op *op = &host_ops[i];
		if (op_shows_a_problem(op, false, false))
			fail_msg("after %s the correct kernel fails: %s", op->name, why);
		if (!op_shows_a_problem(op, local, remote))
			fail_msg("%s omitted, then %s: not caught", what, op->name);
		print_message("# %s omitted, then %s: caught: %s\n", what, op->name, why);
	}
}

static void test_model_catches_an_omitted_local_hfence_gvma(void **state)
{
	(void)state;
	omission_is_caught(true, false, "the local hfence.gvma");
}

static void test_model_catches_an_omitted_remote_hfence_gvma(void **state)
{
	(void)state;
	omission_is_caught(false, true, "the remote hfence.gvma");
}

#define T(t) cmocka_unit_test_teardown(t, world_teardown)

int main(void)
{
	static const struct CMUnitTest tests[] = {
	    T(test_a_guest_page_faults_once_then_each_hart_that_runs_the_guest_walks_it),
	    T(test_a_leaf_is_writable_only_after_a_store_fault_or_once_dirty),
	    T(test_a_read_only_host_mapping_gives_a_read_only_leaf_and_refuses_stores),
	    T(test_eviction_to_swap_drops_the_leaves_on_every_hart),
	    T(test_a_guest_store_to_a_page_read_back_from_swap_reaches_swap_again),
	    T(test_the_clock_clearing_a_drops_the_leaf_of_a_page_it_keeps),
	    T(test_copy_on_write_after_fork_drops_the_writable_leaves),
	    T(test_munmap_of_part_of_the_ram_drops_its_leaves),
	    T(test_mprotect_removing_w_drops_the_writable_leaves),
	    T(test_frames_and_swap_slots_come_back_after_gstage_free_and_vm_destroy),
	    T(test_g_stage_entries_leave_only_by_an_hfence_gvma_that_covers_them),
	    T(test_a_remote_hfence_gvma_of_itself_no_hart_or_one_not_running_is_misuse),
	    T(test_a_guest_access_on_a_hart_not_in_ran_on_is_misuse),
	    T(test_model_catches_an_omitted_local_hfence_gvma),
	    T(test_model_catches_an_omitted_remote_hfence_gvma),
	};
	return cmocka_run_group_tests_name("gstage", tests, NULL, NULL);
}
