/*
 * Host test of the memory manager on several harts: the real vm.c,
 * mmap.c, fault.c, reclaim.c, pagecache.c, rmap.c and swap.c (host_vm.c)
 * and asid.c over the tagged-TLB model of tlb_model.c, one TLB per hart,
 * driven through seeded random interleavings of what processes do: run,
 * migrate, touch memory, scan a region in order, munmap, mmap of zeroes or
 * of a file (shared or private), msync, mprotect, brk, fork, exec and
 * exit, while a small cap on user frames makes each hart evict (to swap
 * and back, or to the file) the pages of processes that run on the others.
 * User accesses go through the model's TLBs; the other harts' user code
 * runs at every hw_* call the kernel makes, at some of the kernel's PTE
 * reads (hardware sets A and D whenever it likes) and during disk I/O. Checked after every operation,
 * and whenever disk I/O has vm_lock dropped: no hart holds a usable
 * translation that disagrees with the page tables of a space it may run.
 * Checked at every access: a load returns what its process last stored
 * (for a file page, what any process last stored there), through the
 * frame that should hold it, and a fault that vm_fault resolved does not
 * come back. Checked after every write-back of the page cache: the disk
 * holds each file page's last store. Then each fence site, removed on
 * purpose, must be caught.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dev/virtio_blk.h"
#include "lib/kerrno.h"
#include "mm/frame.h"
#include "mm/pagecache.h"
#include "mm/phys.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "riscv/asid.h"
#include "riscv/cpu.h"
#include "riscv/kmap.h"
#include "riscv/tlb.h"
#include "tests/unit/host_vm.h"
#include "tests/unit/model_rng.h"
#include "tests/unit/tlb_model.h"

#define RAM_PAGES  512u
#define SWAP_PAGES 1024u
#define MAX_FRAMES 40u /* user frames: an eighth of what the processes may touch */

/* Each process's user half: three regions, one across a level-0 table
 * boundary, and a heap that brk moves. Every page is a probe the harts
 * walk on their own. */
#define REGIONS	     3
#define REGION_PAGES 8
#define HEAP_VA	     0x20000000u
#define HEAP_PAGES   8
#define NPAGES	     (REGIONS * REGION_PAGES + HEAP_PAGES)
#define UNMAPPED     0xFFu /* upage.prot of a page no region holds */
#define RW	     (VM_R | VM_W)
#define ANON_FIXED   (VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED)

/* The files that mmap maps: runs of blocks of the file-system disk
 * (host_vm.c), as long as a region, so any range of one fits. Their pages
 * start with words no store makes (stamps count up from 1). */
#define NFILES	   2
#define FILE_PAGES REGION_PAGES
#define NFPAGES	   (NFILES * FILE_PAGES)
#define FILE_WORD0 0xF11E0000u

#define MAX_PROCS	  10
#define MIN_PROCS	  3
#define SPEC_FILLS_PER_OP 2 /* speculative walks of every hart after each operation */
#define CONCURRENT_ONE_IN 2 /* another hart's user code acts at one hw_* call in this many */
#define IO_ROUNDS	  4 /* ... and may act this many times while a disk transfer runs */
#define LOCALITY_ONE_IN	  4 /* ... touching a page its TLB may not hold one time in this many */
#define PTE_READ_ONE_IN	  8 /* ... and at one kernel PTE read in this many */

#define RANDOM_OPS   25000u /* operations of each positive run */
#define CATCH_BUDGET 25000u /* operations a broken kernel may run before it must be caught */

static const uint32_t region_va[REGIONS] = {0x00010000u, 0x003FC000u, 0x10000000u};

/* One configuration of the kernel, the harts and the hardware. */
struct config {
	int harts;	    /* ncpus */
	uint32_t asidlen;   /* asid_init's */
	bool asids;	    /* asid=on */
	const char *policy; /* vm.policy: "clock", "fifo" or "2q" */
	bool hw_ad;	    /* the hardware sets A/D (QEMU, Svadu); else it faults (Svade) */
	uint64_t seed;
};

/* A configuration: harts, ASID bits, ASIDs on, policy, hardware A/D,
 * seed. */
#define CFG(h, len, on, pol, ad, s)                                                                \
	{                                                                                          \
		.harts = h, .asidlen = len, .asids = on, .policy = pol, .hw_ad = ad, .seed = s     \
	}

/* Where a page's bytes live. */
enum page_map {
	PG_ANON,    /* the process's own: zeroes, or a private file page after its first store */
	PG_SHARED,  /* MAP_SHARED of a file page: the page-cache page, which stores change */
	PG_PRIVATE, /* MAP_PRIVATE of a file page before its first store: the page-cache page */
};

/* What the test knows of one page of a process. */
struct upage {
	uint8_t prot;	 /* VM_R | VM_W of the region holding it, or UNMAPPED */
	uint8_t map;	 /* enum page_map */
	uint8_t fpage;	 /* a file page's file * FILE_PAGES + index */
	bool resident;	 /* an access succeeded since the test last changed the mapping */
	uint32_t expect; /* PG_ANON: the word it last stored at the page's start; 0: none */
};

/* A process: its space and what the test knows it must hold. */
struct proc {
	bool live;
	int pid;
	struct addrspace *as;
	int hart; /* the hart it runs on, or -1 */
	struct upage pg[NPAGES];
	uint32_t heap_pages; /* the heap is [HEAP_VA, HEAP_VA + heap_pages pages) */
};

/* Counters of one run, to show it did what it claims. */
struct run_stats {
	uint32_t accesses, faults, concurrent, migrations, forks, execs, exits;
	uint32_t file_maps;		/* file mmaps */
	uint32_t file_maps_shared_page; /* ... of a page another space maps too */
	uint32_t syncs, d_cleaned;	/* write-backs; mapped dirty PTEs they found */
	uint32_t mkwrites;		/* stores that made a read-only shared page writable */
	uint32_t cache_refaults;	/* file pages evicted from under a mapping, faulted back */
};

static struct {
	const struct config *cfg;
	bool up;	 /* world_start ran and world_stop has not */
	bool tagged;	 /* ASIDs in use: asids and asidlen > 0 */
	bool running;	 /* the concurrent hook may run user code */
	bool failed;	 /* a violation was found, described in why */
	unsigned op;	 /* the operation running, from 1 */
	unsigned bad_op; /* the one that showed the violation */
	struct proc procs[MAX_PROCS];
	struct proc *on_hart[MAX_HARTS];
	/* The generation each hart's TLB is in, derived from the model: the
	 * current one at its last sfence.vma x0, x0 (asid.c keeps its own in
	 * hart_gen[], which it does not show). */
	uint32_t hart_gen[MAX_HARTS];
	uint32_t full_fences[MAX_HARTS];
	uint32_t next_stamp, next_pid;
	uint32_t frames_at_start, slots_at_start;
	struct pc_stats cache_at_start; /* the cache's counters, which no setup resets */
	struct run_stats stats;
	uint32_t file_word[NFPAGES];  /* the word last stored at each file page's start */
	bool syncing;		      /* a write-back of the cache runs */
	bool stored_in_sync[NFPAGES]; /* ... and a store reached this file page meanwhile */
} w;

static char why[768];
static uint32_t probe_vas[NPAGES];

/* Record the first violation, with the seed and the operation that shows
 * it; returns false, for the caller to return. */
static bool violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool violation(const char *fmt, ...)
{
	if (w.failed)
		return false;
	w.failed = true;
	w.bad_op = w.op;
	int n = snprintf(why, sizeof(why), "seed 0x%llx op %u: ", (unsigned long long)w.cfg->seed,
			 w.op);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why + n, sizeof(why) - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static uint32_t page_va(int page)
{
	if (page >= REGIONS * REGION_PAGES)
		return HEAP_VA + (uint32_t)(page - REGIONS * REGION_PAGES) * PAGE_SIZE;
	return region_va[page / REGION_PAGES] + (uint32_t)(page % REGION_PAGES) * PAGE_SIZE;
}

/* ---------------------------------------------------------------------------
 * User accesses, through the model's TLB of the hart a process runs on
 */

static bool allowed(const struct proc *p, int page, bool store)
{
	uint8_t prot = p->pg[page].prot;
	return prot != UNMAPPED && (prot & (store ? VM_W : VM_R));
}

static uint32_t file_block(uint32_t fpage)
{
	return host_vm_file_block(fpage / FILE_PAGES, fpage % FILE_PAGES);
}

/* Whether an access to page of p may reach frame f: a file page (a
 * private one only for a load: a store needs its copy) is the cache page
 * of its block, any other page a frame outside the cache. */
static bool frame_fits(const struct proc *p, int page, const struct frame *f, bool store)
{
	const struct upage *u = &p->pg[page];
	bool file = u->map == PG_SHARED || (u->map == PG_PRIVATE && !store);
	if (!(f->flags & FRAME_F_CACHE))
		return !file;
	return file && f->va == file_block(u->fpage);
}

/* The word page's start must hold: the process's own, or the file
 * page's, which a private page shows until its first store gives it a
 * copy of its own (a store here records that). */
static uint32_t *expected(struct proc *p, int page, bool store)
{
	struct upage *u = &p->pg[page];
	if (store && u->map == PG_PRIVATE)
		u->map = PG_ANON; /* copy-on-write gave it its own page */
	if (u->map == PG_ANON)
		return &u->expect;
	if (store && w.syncing)
		w.stored_in_sync[u->fpage] = true;
	return &w.file_word[u->fpage];
}

/* Load or store the word at page's start in frame pa, as p: a store
 * writes a stamp no one wrote before, a load must read the last one. The
 * frame must be a user page (else a stale translation reached a page
 * table or a free frame: nothing is written there), and the one that
 * holds the page's bytes. */
static bool touch(struct proc *p, int page, paddr_t pa, bool store, int hart, const char *how)
{
	const struct frame *f = frame_of(pa);
	const char *what = store ? "store" : "load";
	if (f == NULL || f->state != FRAME_USED || !(f->flags & FRAME_F_USER))
		return violation("%s%s by pid %d on hart %d at va 0x%08x reached pa 0x%08x, not a "
				 "user page",
				 how, what, p->pid, hart, page_va(page), pa);
	if (!frame_fits(p, page, f, store))
		return violation("%s%s by pid %d on hart %d at va 0x%08x (%s) reached pa 0x%08x, "
				 "%s",
				 how, what, p->pid, hart, page_va(page),
				 p->pg[page].map == PG_ANON ? "its own page" : "a file page", pa,
				 f->flags & FRAME_F_CACHE ? "a page-cache page of another block"
							  : "not the page cache");
	uint32_t *word = pa2kva(pa), *want = expected(p, page, store);
	if (store) {
		*word = *want = w.next_stamp++;
		return true;
	}
	if (*word != *want)
		return violation(
		    "%sload by pid %d on hart %d at va 0x%08x (pa 0x%08x) read 0x%08x, "
		    "the last store was 0x%08x",
		    how, p->pid, hart, page_va(page), pa, *word, *want);
	return true;
}

/* Which path of fault.c resolved a fault, from the counters it bumps
 * (before: a copy of them from before the call). */
static const char *fault_path(const struct vm_stats *before)
{
	const struct vm_stats *now = &vm_stats;
	if (now->faults_swapin != before->faults_swapin)
		return "swap-in";
	if (now->faults_cow_copy != before->faults_cow_copy)
		return "COW copy";
	if (now->faults_cow_reuse != before->faults_cow_reuse)
		return "COW reuse";
	if (now->faults_zero != before->faults_zero || now->faults_file != before->faults_file)
		return "a new page";
	if (now->faults_cache != before->faults_cache)
		return "mapping a page-cache page";
	if (now->faults_ad != before->faults_ad)
		return "setting A/D";
	return "a stale-entry fence";
}

/* Whether fault number faults (from 0) of an access is allowed: only the
 * first. The kernel promises that a fault it resolved is resolved: the
 * access, made again, succeeds. (fault_swap once answered a store to a
 * page shared after fork with a read-only mapping, so the store faulted
 * again for its copy-on-write; this check found that.) */
static bool fault_allowed(int faults, bool store, const char *path)
{
	(void)store;
	(void)path;
	return faults == 0;
}

/* The PTE of va in as, read as the checks read: no user code runs. */
static bool pte_hook_off; /* the checks read PTEs (sv32_translate): not the kernel */

static pte_t pte_now(const struct addrspace *as, uint32_t va)
{
	bool was = pte_hook_off;
	pte_hook_off = true;
	pte_t *pte = sv32_walk(as->root, va, false);
	pte_t v = pte ? pte_load(pte) : 0;
	pte_hook_off = was;
	return v;
}

/* Count what a fault about to be taken shows of the page cache: a file
 * page mapped before and now gone (evicted from under the mapping), a
 * store that will make a read-only shared page writable in place. */
static void count_cache_fault(const struct proc *p, int page, bool store, const char **path)
{
	const struct upage *u = &p->pg[page];
	pte_t cur = pte_now(p->as, page_va(page));
	if (u->map != PG_ANON && u->resident && cur == 0)
		w.stats.cache_refaults++;
	if (store && u->map == PG_SHARED && pte_valid(cur) && !(cur & PTE_W)) {
		w.stats.mkwrites++;
		*path = "making a shared page writable";
	}
}

/* One access by p on its hart, as user code makes it: a page fault goes
 * to vm_fault, and the access is made again; after vm_fault returned 0 it
 * must not fault a second time. A forbidden access must fault and be
 * refused (the kernel would kill p; here p just goes on). */
static void user_access(struct proc *p, int page, bool store)
{
	uint32_t va = page_va(page);
	enum sv32_access acc = store ? SV32_STORE : SV32_LOAD;
	bool ok = allowed(p, page, store);
	const char *path = "";
	paddr_t pa;
	host_hart = p->hart;
	w.stats.accesses++;
	for (int faults = 0; tlb_model_user_access(p->hart, va, acc, &pa) != 0; faults++) {
		if (!fault_allowed(faults, store, path)) {
			violation(
			    "pid %d on hart %d: the %s at va 0x%08x faults again after vm_fault "
			    "resolved it by %s (PTE 0x%08x)",
			    p->pid, p->hart, store ? "store" : "load", va, path,
			    pte_now(p->as, va));
			return;
		}
		struct vm_stats before = vm_stats;
		const char *mkwrite = NULL;
		if (ok)
			count_cache_fault(p, page, store, &mkwrite);
		int err = vm_fault(p->as, va, store ? VM_W : VM_R);
		path = mkwrite ? mkwrite : fault_path(&before);
		w.stats.faults++;
		if (err != (ok ? 0 : -EFAULT)) {
			violation(
			    "pid %d on hart %d: vm_fault(va 0x%08x, %s) = %d, the regions %s it",
			    p->pid, p->hart, va, store ? "W" : "R", err, ok ? "allow" : "forbid");
			return;
		}
		if (!ok)
			return;
	}
	if (!ok) {
		violation("pid %d on hart %d: the TLB lets a forbidden %s through at va 0x%08x",
			  p->pid, p->hart, store ? "store" : "load", va);
		return;
	}
	if (touch(p, page, pa, store, p->hart, ""))
		p->pg[page].resident = true;
}

/* The page user code on hart h touches next: mostly one its TLB holds
 * (code has locality), else any. */
static int next_page(int h)
{
	uint32_t asid = satp_asid_of(tlb_model_satp(h));
	int page = (int)rnd(NPAGES);
	for (int tries = 0; tries < NPAGES && rnd(LOCALITY_ONE_IN) != 0; tries++) {
		if (tlb_model_holds(h, page_va(page), asid))
			return page;
		page = (page + 1) % NPAGES;
	}
	return page;
}

/* What the processes running on the harts other than host_hart do while
 * the kernel runs there: up to rounds accesses each. One that faults waits
 * for the kernel (in reality, for vm_lock), so it does nothing. */
static void other_harts_run(int rounds)
{
	if (!w.running || w.failed)
		return;
	for (int h = 0; h < ncpus; h++) {
		struct proc *p = w.on_hart[h];
		for (int r = 0; r < rounds && p && h != host_hart && !w.failed; r++) {
			if (rnd(CONCURRENT_ONE_IN) != 0)
				continue;
			int page = next_page(h);
			bool store = rnd(2);
			paddr_t pa;
			if (!allowed(p, page, store) ||
			    tlb_model_user_access(h, page_va(page), store ? SV32_STORE : SV32_LOAD,
						  &pa))
				continue;
			w.stats.concurrent++;
			touch(p, page, pa, store, h, "concurrent ");
		}
	}
}

/* The model's hook: at each hw_* call of the kernel, another hart may
 * make one access. */
static void concurrent_user_code(void)
{
	other_harts_run(1);
}

static void check_all(void);
static void check_all_harts(void);
static void check_books(void);

/* The page of p that va is, or -1. */
static int page_of(const struct proc *p, uint32_t va)
{
	for (int page = 0; page < NPAGES; page++)
		if (page_va(page) == va && p->pg[page].prot != UNMAPPED)
			return page;
	return -1;
}

/* The hart other than host_hart that runs space as, or -1. */
static int other_hart_running(const struct addrspace *as)
{
	for (int h = 0; h < ncpus; h++)
		if (h != host_hart && w.on_hart[h] && w.on_hart[h]->as == as)
			return h;
	return -1;
}

/* The kernel reads the PTE at slot: the process whose page it maps, if it
 * runs on another hart, may use that very page now (a load, or a store
 * that makes its hardware set D), as it may at any moment. The frame's
 * reverse map names the mappings (a page-cache page may have several in
 * one space, at other addresses). */
static void user_code_on_page_read(const pte_t *slot)
{
	pte_t v = *slot;
	const struct frame *f = pte_valid(v) ? frame_of(pte_pa(v)) : NULL;
	if (f == NULL || !(f->flags & FRAME_F_USER))
		return;
	for (uint32_t e = f->rmap; e; e = rmap_next(e)) {
		int h = other_hart_running(rmap_space(e));
		struct proc *p = h >= 0 ? w.on_hart[h] : NULL;
		uint32_t va = rmap_va(e);
		int page = p ? page_of(p, va) : -1;
		if (page < 0 || sv32_walk(p->as->root, va, false) != slot)
			continue;
		bool store = rnd(2);
		paddr_t pa;
		if (allowed(p, page, store) &&
		    tlb_model_user_access(h, va, store ? SV32_STORE : SV32_LOAD, &pa) == 0) {
			w.stats.concurrent++;
			touch(p, page, pa, store, h, "concurrent ");
		}
	}
}

/* The PTE-read hook (kernel/riscv/sv32.h): at one kernel PTE read in
 * PTE_READ_ONE_IN, other harts' user code makes an access, to the page
 * that PTE maps if theirs, so their hardware may set A or D between any
 * two steps of the kernel, not only at its fences. */
static void user_code_at_pte_read(const pte_t *slot)
{
	if (pte_hook_off || !w.running || w.failed || rnd(PTE_READ_ONE_IN) != 0)
		return;
	pte_hook_off = true;
	user_code_on_page_read(slot);
	other_harts_run(1);
	pte_hook_off = false;
}

/* The disks' hook. The kernel waits for disk I/O with vm_lock dropped, so
 * the invariant must hold (another hart may take the lock now), and the
 * transfer takes long enough for several accesses of the other harts. */
static void user_code_during_io(void)
{
	if (!w.running || w.failed)
		return;
	check_all();
	check_books();
	other_harts_run(IO_ROUNDS);
}

/* ---------------------------------------------------------------------------
 * The checks, after every operation
 */

/* The model's owner function: entries of hart tagged (global, asid) must
 * agree with the root its satp holds when the tag is satp's, and, with
 * ASIDs, with the root of the live space holding asid in the current
 * generation if the hart's TLB is of that generation too (it could switch
 * there without a fence). Any other entry can never be hit. */
static bool owner_of(int hart, bool global, uint32_t asid, paddr_t *root)
{
	uint32_t satp = tlb_model_satp(hart);
	uint32_t gen = asid_stats()->generation;
	*root = satp_root_of(satp);
	if (global || asid == satp_asid_of(satp))
		return true;
	/* The kernel's own view counts too: it switches without a fence when
	 * it believes the hart's TLB current (asid_hart_generation). */
	if (!w.tagged || (w.hart_gen[hart] != gen && asid_hart_generation(hart) != gen))
		return false;
	for (int i = 0; i < MAX_PROCS; i++) {
		const struct proc *p = &w.procs[i];
		if (p->live && p->as->asid.gen == gen && p->as->asid.asid == asid) {
			*root = kva2pa(p->as->root);
			return true;
		}
	}
	return false;
}

/* A hart that fenced everything since the last check entered the current
 * generation then (only a switch does so, at most one per check). */
static void hart_gens_update(void)
{
	for (int h = 0; h < ncpus; h++) {
		uint32_t n = tlb_model_hart_stats(h)->calls[HW_SFENCE_ALL];
		if (n != w.full_fences[h]) {
			w.full_fences[h] = n;
			w.hart_gen[h] = asid_stats()->generation;
		}
	}
}

/* satp of hart h holds the root of the space cpus[h].vm says it runs (the
 * one the test put there), or the kernel's, and that space's ASID. */
static bool check_satp(int h)
{
	uint32_t satp = tlb_model_satp(h);
	const struct addrspace *vm = cpus[h].vm;
	const struct addrspace *runs = w.on_hart[h] ? w.on_hart[h]->as : NULL;
	paddr_t want = vm ? kva2pa(vm->root) : kmap_root_pa();
	/* With one hart, an idle hart keeps the last space loaded (vm_idle). */
	if (vm != runs && !(ncpus == 1 && runs == NULL))
		return violation("hart %d: cpus[].vm is not the space the test runs there", h);
	if (satp_root_of(satp) != want)
		return violation("hart %d: satp 0x%08x, but it runs root 0x%08x", h, satp, want);
	if (vm && w.tagged && satp_asid_of(satp) != vm->asid.asid)
		return violation("hart %d: satp 0x%08x, but its space holds ASID %u", h, satp,
				 vm->asid.asid);
	return true;
}

/* The invariant. A/D: an entry may not be dirty where its PTE is clean;
 * an entry may keep A where its PTE lost it only on a hart other than the
 * one that cleared it (clock fences only locally: A is a hint), so the
 * hart whose kernel code just ran, or the only hart, must agree. */
static void check_all(void)
{
	pte_hook_off = true;
	check_all_harts();
	pte_hook_off = false;
}

static void check_all_harts(void)
{
	char model_why[512];
	const char *misuse = tlb_model_misuse();
	if (misuse) {
		violation("%s", misuse);
		return;
	}
	hart_gens_update();
	for (int h = 0; h < ncpus; h++) {
		unsigned young = ncpus == 1 || h == host_hart ? TLB_CHECK_YOUNG : TLB_EXCUSE_YOUNG;
		if (!check_satp(h))
			return;
		if (!tlb_model_check_hart(h, owner_of, TLB_CHECK_DIRTY | young, model_why,
					  sizeof(model_why))) {
			violation("%s", model_why);
			return;
		}
	}
}

/* The memory manager's own books (kernel/mm/vmcheck.c): reference
 * counts, reverse maps, swap slots and the swap cache against the page
 * tables. vm_lock must be free: between operations, or during disk I/O.
 * Every BOOKS_EVERY-th time only (a check walks every page table, and
 * every time would make this test seven times slower); a broken count
 * stays broken, so it is still found within a few operations. */
#define BOOKS_EVERY 8
static void check_books(void)
{
	static unsigned calls;
	if (++calls % BOOKS_EVERY != 0)
		return;
	pte_hook_off = true; /* the check's PTE reads are not the kernel's: no user code runs */
	uint32_t problems = vm_check();
	pte_hook_off = false;
	if (problems)
		violation("vmcheck found %u problems (printed above)", problems);
}

/* The end of one operation: the harts walk on their own, then the checks. */
static void checkpoint(void)
{
	if (!w.failed) {
		tlb_model_speculate(SPEC_FILLS_PER_OP);
		check_all();
		check_books();
	}
	w.op++;
}

/* ---------------------------------------------------------------------------
 * Processes: what the kernel's exec, fork, exit and scheduler do to spaces
 */

/* A fresh space laid out as every process's: three empty anonymous RW
 * regions and an empty heap, as exec leaves one. NULL on failure. */
static struct addrspace *space_new(int pid)
{
	struct addrspace *as = vm_create();
	if (as == NULL) {
		violation("vm_create failed");
		return NULL;
	}
	as->pid = pid;
	for (int r = 0; r < REGIONS; r++) {
		uint32_t out;
		int err = vm_mmap(as, region_va[r], REGION_PAGES * PAGE_SIZE, RW, ANON_FIXED, NULL,
				  0, 0, &out);
		if (err) {
			violation("mmap of a new space's region %d: %d", r, err);
			return as;
		}
	}
	struct vm_region heap = {
	    .start = HEAP_VA, .end = HEAP_VA, .prot = RW, .kind = VMR_ANON, .flags = VMR_F_HEAP};
	if (vm_add_region(as, &heap) != 0)
		violation("the heap region does not fit");
	as->heap_start = as->brk = HEAP_VA;
	return as;
}

/* What the test knows of a fresh space: its regions, all zero. */
static void pages_reset(struct proc *p)
{
	for (int i = 0; i < NPAGES; i++)
		p->pg[i] = (struct upage){.prot = i < REGIONS * REGION_PAGES ? RW : UNMAPPED};
	p->heap_pages = 0;
}

static struct proc *proc_slot(void)
{
	for (int i = 0; i < MAX_PROCS; i++)
		if (!w.procs[i].live)
			return &w.procs[i];
	return NULL;
}

static int live_procs(void)
{
	int n = 0;
	for (int i = 0; i < MAX_PROCS; i++)
		n += w.procs[i].live;
	return n;
}

/* A random live process that runs (on_cpu) or does not, or NULL. */
static struct proc *random_proc(bool on_cpu)
{
	struct proc *pick = NULL;
	uint32_t n = 0;
	for (int i = 0; i < MAX_PROCS; i++) {
		struct proc *p = &w.procs[i];
		if (p->live && (p->hart >= 0) == on_cpu && rnd(++n) == 0)
			pick = p;
	}
	return pick;
}

/* A new process, set up by the kernel on some hart, not running yet. */
static void op_create(void)
{
	struct proc *p = proc_slot();
	if (p == NULL)
		return;
	host_hart = (int)rnd((uint32_t)ncpus);
	*p = (struct proc){.live = true, .pid = (int)w.next_pid++, .hart = -1};
	p->as = space_new(p->pid);
	pages_reset(p);
}

/* The scheduler of hart h: leave what runs there, then run p, or go idle
 * in the kernel's space when p is NULL (vm_activate switches directly, as
 * proc.c's scheduler does). */
static void switch_to(int h, struct proc *p)
{
	struct proc *old = w.on_hart[h];
	host_hart = h;
	if (old)
		old->hart = -1;
	w.on_hart[h] = NULL;
	if (p) {
		vm_activate(p->as);
		p->hart = h;
		w.on_hart[h] = p;
	} else {
		vm_idle(); /* as the scheduler does before wfi */
	}
}

/* A hart picks a process that waits, or idles. */
static void op_sched(void)
{
	struct proc *p = rnd(8) ? random_proc(false) : NULL;
	switch_to((int)rnd((uint32_t)ncpus), p);
}

/* p moves: its hart picks another process or idles, then another hart
 * (the same one, with one hart) runs p. */
static void op_migrate(struct proc *p)
{
	int from = p->hart;
	int to = ncpus == 1 ? from : (from + 1 + (int)rnd((uint32_t)ncpus - 1)) % ncpus;
	switch_to(from, rnd(2) ? random_proc(false) : NULL);
	checkpoint();
	if (w.failed)
		return;
	switch_to(to, p);
	w.stats.migrations++;
}

/* p's own syscalls run on its hart. */
static void syscall_on(const struct proc *p)
{
	host_hart = p->hart;
}

/* A random range [*first, *first + *n) of pages inside one region. */
static void random_range(int *first, int *n)
{
	int r = (int)rnd(REGIONS), i = (int)rnd(REGION_PAGES);
	*first = r * REGION_PAGES + i;
	*n = 1 + (int)rnd((uint32_t)(REGION_PAGES - i));
}

/* The kernel's vfs_sync (msync(MS_SYNC), fsync, sync, and munmap or exit
 * of a shared mapping): every dirty page of the cache is written back,
 * the stores of shared mappings (their D bits) included. Then the disk
 * holds each file page's last store, unless a store reached the page
 * while the write-back ran (other harts run during its writes). */
static void file_sync(void)
{
	memset(w.stored_in_sync, 0, sizeof(w.stored_in_sync));
	for (int i = 0; i < MAX_PROCS; i++) {
		const struct proc *p = &w.procs[i];
		for (int page = 0; page < NPAGES && p->live; page++)
			if (p->pg[page].map == PG_SHARED && (pte_now(p->as, page_va(page)) & PTE_D))
				w.stats.d_cleaned++;
	}
	w.syncing = true;
	int err = pc_sync();
	w.syncing = false;
	w.stats.syncs++;
	if (err) {
		violation("pc_sync = %d", err);
		return;
	}
	for (uint32_t fp = 0; fp < NFPAGES && !w.failed; fp++) {
		uint32_t on_disk = *(const uint32_t *)host_vm_fs_block(file_block(fp));
		if (!w.stored_in_sync[fp] && on_disk != w.file_word[fp])
			violation("after a write-back, block %u (file %u page %u) holds 0x%08x on "
				  "the disk, the last store was 0x%08x",
				  file_block(fp), fp / FILE_PAGES, fp % FILE_PAGES, on_disk,
				  w.file_word[fp]);
	}
}

/* munmap; the kernel writes the cache back after it when the space maps
 * a file shared and writable (sys_munmap). */
static void op_munmap(struct proc *p)
{
	int first, n;
	random_range(&first, &n);
	syscall_on(p);
	bool shared = vm_maps_shared(p->as);
	int err = vm_munmap(p->as, page_va(first), (uint32_t)n * PAGE_SIZE);
	if (err) {
		violation("pid %d: munmap(0x%08x, %d pages) = %d", p->pid, page_va(first), n, err);
		return;
	}
	for (int i = first; i < first + n; i++)
		p->pg[i] = (struct upage){.prot = UNMAPPED};
	if (shared)
		file_sync();
}

/* MAP_FIXED of fresh zero pages over the range, mapped or not. */
static void op_mmap(struct proc *p)
{
	int first, n;
	uint32_t out;
	random_range(&first, &n);
	syscall_on(p);
	int err = vm_mmap(p->as, page_va(first), (uint32_t)n * PAGE_SIZE, RW, ANON_FIXED, NULL, 0,
			  0, &out);
	if (err || out != page_va(first)) {
		violation("pid %d: mmap(0x%08x, %d pages) = %d at 0x%08x", p->pid, page_va(first),
			  n, err, out);
		return;
	}
	for (int i = first; i < first + n; i++)
		p->pg[i] = (struct upage){.prot = RW};
}

/* Whether a space other than p's maps file page fp now (through a
 * mapping that reads the file). */
static bool mapped_elsewhere(const struct proc *p, uint32_t fp)
{
	for (int i = 0; i < MAX_PROCS; i++) {
		const struct proc *q = &w.procs[i];
		for (int page = 0; page < NPAGES && q->live && q != p; page++)
			if (q->pg[page].map != PG_ANON && q->pg[page].fpage == fp &&
			    q->pg[page].prot != UNMAPPED)
				return true;
	}
	return false;
}

/* MAP_FIXED of a run of a file's pages over the range, mapped or not:
 * MAP_SHARED or MAP_PRIVATE, read-write or (less often) read-only, which
 * mprotect may make read-write later. */
static void op_mmap_file(struct proc *p)
{
	int first, n;
	uint32_t out;
	random_range(&first, &n);
	uint32_t file = rnd(NFILES), index = rnd(FILE_PAGES - (uint32_t)n + 1);
	bool shared = rnd(2);
	uint8_t prot = rnd(4) ? RW : VM_R;
	uint32_t flags = (shared ? VM_MAP_SHARED : VM_MAP_PRIVATE) | VM_MAP_FIXED;
	syscall_on(p);
	int err = vm_mmap_vnode(p->as, page_va(first), (uint32_t)n * PAGE_SIZE, prot, flags,
				host_vm_file(file), true, index * PAGE_SIZE, &out);
	if (err || out != page_va(first)) {
		violation("pid %d: mmap(0x%08x, %d pages, %s) of file %u page %u = %d at 0x%08x",
			  p->pid, page_va(first), n, shared ? "shared" : "private", file, index,
			  err, out);
		return;
	}
	bool elsewhere = false;
	for (int i = 0; i < n; i++) {
		uint8_t fp = (uint8_t)(file * FILE_PAGES + index + (uint32_t)i);
		p->pg[first + i] = (struct upage){
		    .prot = prot, .map = shared ? PG_SHARED : PG_PRIVATE, .fpage = fp};
		elsewhere |= mapped_elsewhere(p, fp);
	}
	w.stats.file_maps++;
	w.stats.file_maps_shared_page += elsewhere;
}

/* msync(MS_SYNC), or now and then dropcache(), which frees the clean
 * cache pages nothing maps. */
static void op_msync(struct proc *p)
{
	syscall_on(p);
	file_sync();
	if (rnd(4) == 0)
		pc_drop_clean();
}

/* mprotect of [first, first + n) to prot: -ENOMEM, and no change, when
 * part of the range is not mapped. Whether it was all mapped. */
static bool mprotect_range(struct proc *p, int first, int n, uint8_t prot)
{
	bool holes = false;
	for (int i = first; i < first + n; i++)
		holes |= p->pg[i].prot == UNMAPPED;
	syscall_on(p);
	int err = vm_mprotect(p->as, page_va(first), (uint32_t)n * PAGE_SIZE, prot);
	if (err != (holes ? -ENOMEM : 0)) {
		violation("pid %d: mprotect(0x%08x, %d pages, %u) = %d", p->pid, page_va(first), n,
			  prot, err);
		return false;
	}
	for (int i = first; i < first + n && !holes; i++)
		p->pg[i].prot = prot;
	return !holes;
}

/* To read-only, to PROT_NONE, or back to read-write. */
static void op_mprotect(struct proc *p)
{
	static const uint8_t prots[] = {VM_R, 0, RW, RW};
	int first, n;
	random_range(&first, &n);
	mprotect_range(p, first, n, prots[rnd(sizeof(prots))]);
}

/* A program that write-protects memory while it reads it, then writes
 * again: mprotect to read-only, a load, back to read-write, a store to
 * the same page. A shared file page is then made writable in place
 * (fault_mkwrite), under the read-only entry the load may have left in
 * this hart's TLB. */
static void op_protect_cycle(struct proc *p)
{
	int first, n;
	random_range(&first, &n);
	int page = first + (int)rnd((uint32_t)n);
	if (!mprotect_range(p, first, n, VM_R))
		return;
	checkpoint();
	if (!w.failed)
		user_access(p, page, false);
	checkpoint();
	if (!w.failed && mprotect_range(p, first, n, RW)) {
		checkpoint();
		if (!w.failed)
			user_access(p, page, true);
	}
}

/* Move the heap's end to a random page: shrinking frees pages. */
static void op_brk(struct proc *p)
{
	uint32_t pages = rnd(HEAP_PAGES + 1);
	syscall_on(p);
	int err = vm_set_brk(p->as, HEAP_VA + pages * PAGE_SIZE);
	if (err) {
		violation("pid %d: brk to %u heap pages = %d", p->pid, pages, err);
		return;
	}
	for (uint32_t i = 0; i < HEAP_PAGES; i++) {
		int page = REGIONS * REGION_PAGES + (int)i;
		if (i >= pages || i >= p->heap_pages)
			p->pg[page] = (struct upage){0};
		p->pg[page].prot = i < pages ? RW : UNMAPPED;
	}
	p->heap_pages = pages;
}

/* fork: a child sharing p's pages copy-on-write, not running yet. */
static void op_fork(struct proc *p)
{
	struct proc *c = proc_slot();
	if (c == NULL)
		return;
	syscall_on(p);
	struct addrspace *as = vm_create();
	if (as == NULL) {
		violation("fork: vm_create failed");
		return;
	}
	int err = vm_copy(as, p->as);
	if (err) {
		vm_destroy(as);
		violation("pid %d: fork's vm_copy = %d", p->pid, err);
		return;
	}
	*c = *p;
	c->pid = (int)w.next_pid++;
	c->as = as;
	c->hart = -1;
	as->pid = c->pid;
	w.stats.forks++;
}

/* exec: a fresh space, switched to, and then the old one freed. */
static void op_exec(struct proc *p)
{
	syscall_on(p);
	struct addrspace *old = p->as, *as = space_new(p->pid);
	if (as == NULL)
		return;
	vm_activate(as);
	p->as = as;
	pages_reset(p);
	vm_destroy(old);
	w.stats.execs++;
}

/* exit: a shared mapping's stores go to the disk, then the process
 * leaves the space on its hart and frees it (proc.c's exit). */
static void op_exit(struct proc *p)
{
	syscall_on(p);
	if (vm_maps_shared(p->as))
		file_sync();
	vm_deactivate();
	w.on_hart[p->hart] = NULL;
	vm_destroy(p->as);
	p->live = false;
	w.stats.exits++;
}

/* A running process reads one of its regions in order, each load an
 * operation: sequential major faults grow the readahead window. */
static void op_scan(struct proc *p)
{
	int first = (int)rnd(REGIONS) * REGION_PAGES;
	for (int i = 0; i < REGION_PAGES && !w.failed; i++) {
		user_access(p, first + i, false);
		if (i + 1 < REGION_PAGES)
			checkpoint();
	}
}

/* A burst of user accesses by a running process, each an operation. */
static void op_accesses(struct proc *p)
{
	for (int n = 1 + (int)rnd(4); n > 0 && !w.failed; n--) {
		user_access(p, (int)rnd(NPAGES), rnd(2));
		if (n > 1)
			checkpoint();
	}
}

enum op {
	OP_ACCESS,
	OP_SCAN,
	OP_SCHED,
	OP_MIGRATE,
	OP_MUNMAP,
	OP_MMAP,
	OP_MPROTECT,
	OP_BRK,
	OP_FORK,
	OP_EXEC,
	OP_EXIT,
	OP_CREATE,
	OP_MMAP_FILE,
	OP_MSYNC,
	OP_PROTECT_CYCLE,
	NR_OPS
};

/* Relative frequencies: mostly user accesses (which fault, evict and swap)
 * and scheduling, with enough churn that spaces and ASIDs come and go. */
static const unsigned op_weight[NR_OPS] = {
    [OP_ACCESS] = 40,  [OP_SCAN] = 3,	   [OP_SCHED] = 10,  [OP_MIGRATE] = 6,	     [OP_MUNMAP] = 4,
    [OP_MMAP] = 4,     [OP_MPROTECT] = 6,  [OP_BRK] = 3,	     [OP_FORK] = 4,	     [OP_EXEC] = 2,
    [OP_EXIT] = 3,     [OP_CREATE] = 3,	   [OP_MMAP_FILE] = 5, [OP_MSYNC] = 3,	     [OP_PROTECT_CYCLE] = 2,
};

static enum op random_op(void)
{
	return (enum op)rnd_weighted(op_weight, NR_OPS);
}

/* One random operation; those of a process need one that runs. */
static void op_run(enum op op)
{
	struct proc *p = random_proc(true);
	if (op == OP_CREATE || live_procs() < MIN_PROCS)
		op_create();
	else if (op == OP_SCHED || p == NULL)
		op_sched();
	else if (op == OP_ACCESS)
		op_accesses(p);
	else if (op == OP_SCAN)
		op_scan(p);
	else if (op == OP_MIGRATE)
		op_migrate(p);
	else if (op == OP_MUNMAP)
		op_munmap(p);
	else if (op == OP_MMAP)
		op_mmap(p);
	else if (op == OP_MMAP_FILE)
		op_mmap_file(p);
	else if (op == OP_MSYNC)
		op_msync(p);
	else if (op == OP_PROTECT_CYCLE)
		op_protect_cycle(p);
	else if (op == OP_MPROTECT)
		op_mprotect(p);
	else if (op == OP_BRK)
		op_brk(p);
	else if (op == OP_FORK)
		op_fork(p);
	else if (op == OP_EXEC)
		op_exec(p);
	else if (op == OP_EXIT && live_procs() > MIN_PROCS)
		op_exit(p);
	checkpoint();
}

/* ---------------------------------------------------------------------------
 * Runs
 */

/* What the model holds while no run is on: one quiet hart. */
static void model_quiet(void)
{
	const struct tlb_model_config quiet = {.satp = satp_make(kmap_root_pa(), 0),
					       .kernel_root = kmap_root_pa(),
					       .asid_limit = 1u << 9,
					       .random = rnd};
	tlb_model_reset(&quiet);
}

/* Start the memory manager, the harts and their TLBs in configuration c,
 * with the fence sites of vm_omit and asid_omit removed. */
static void world_start(const struct config *c, unsigned vm_omit, unsigned asid_omit)
{
	memset(&w, 0, sizeof(w));
	w.cfg = c;
	w.tagged = c->asids && c->asidlen > 0;
	w.next_stamp = w.next_pid = w.op = 1;
	rng_state = c->seed;
	model_quiet();
	assert_int_equal(host_vm_setup_policy(RAM_PAGES, SWAP_PAGES, MAX_FRAMES, c->policy), 0);
	assert_int_equal(host_vm_files_setup(NFILES, FILE_PAGES), 0);
	for (uint32_t fp = 0; fp < NFPAGES; fp++) {
		w.file_word[fp] = FILE_WORD0 + fp;
		memcpy(host_vm_fs_block(file_block(fp)), &w.file_word[fp], sizeof(uint32_t));
	}
	memset(&vm_stats, 0, sizeof(vm_stats));
	ncpus = c->harts;
	for (int i = 0; i < NPAGES; i++)
		probe_vas[i] = page_va(i);
	const struct tlb_model_config harts = {
	    .satp = satp_make(kmap_root_pa(), 0), /* as kmap_enable leaves each hart */
	    .kernel_root = kmap_root_pa(),
	    .asid_limit = w.tagged ? 1u << c->asidlen : 1u,
	    .probe_vas = probe_vas,
	    .nprobe = NPAGES,
	    .random = rnd,
	    .nharts = c->harts,
	    .hw_ad = c->hw_ad,
	    .concurrent = concurrent_user_code,
	};
	tlb_model_reset(&harts);
	asid_init(c->asidlen, c->asids);
	vm_test_omit = vm_omit;
	asid_test_omit = asid_omit;
	for (int h = 0; h < MAX_HARTS; h++) {
		w.hart_gen[h] = asid_stats()->generation;
		w.full_fences[h] = tlb_model_hart_stats(h)->calls[HW_SFENCE_ALL];
	}
	w.frames_at_start = frame_count_free();
	w.cache_at_start = pc_stats();
	w.slots_at_start = swap_free_slots();
	host_vm_during_io = user_code_during_io;
	host_pte_read_hook = user_code_at_pte_read;
	w.running = true;
	w.up = true;
}

/* Every hart leaves its space, every space goes, the cache is written
 * back and emptied; with leaks checked, the disk must hold every file
 * page's last store, and every frame, swap slot and file reference must be
 * back. */
static void world_stop(bool check_leaks)
{
	w.up = false;
	w.running = false;
	host_vm_during_io = NULL;
	host_pte_read_hook = NULL;
	for (int h = 0; h < ncpus; h++) {
		switch_to(h, NULL);
		if (cpus[h].vm) /* one hart keeps the last space loaded while idle */
			vm_deactivate();
	}
	for (int i = 0; i < MAX_PROCS; i++) {
		if (w.procs[i].live)
			vm_destroy(w.procs[i].as);
		w.procs[i].live = false;
	}
	file_sync();
	pc_drop_clean();
	uint32_t frames = frame_count_free(), slots = swap_free_slots(), cached = pc_count();
	uint32_t refs = 0;
	for (uint32_t i = 0; i < NFILES; i++)
		refs += host_vm_file_refs(i);
	vm_test_omit = asid_test_omit = 0;
	host_vm_teardown();
	ncpus = 1;
	host_hart = 0;
	model_quiet();
	if (check_leaks) {
		if (w.failed)
			fail_msg("%s", why);
		assert_int_equal(cached, 0);
		assert_int_equal(refs, 0);
		assert_int_equal(frames, w.frames_at_start);
		assert_int_equal(slots, w.slots_at_start);
	}
}

/* Run up to ops random operations, checking after each; the number of the
 * operation that showed a violation (described in why), or 0. */
static unsigned run_random(unsigned ops)
{
	while (w.op <= ops && !w.failed)
		op_run(random_op());
	return w.failed ? w.bad_op : 0;
}

static const char *config_name(const struct config *c)
{
	static char name[96];
	snprintf(name, sizeof(name), "%d hart%s, %s%u, %s, %s", c->harts, c->harts > 1 ? "s" : "",
		 c->asids ? "asidlen " : "asid=off asidlen ", c->asidlen, c->policy,
		 c->hw_ad ? "hardware A/D" : "A/D faults");
	return name;
}

/* A whole run of the correct kernel: no violation, no leak, and enough of
 * what it is meant to exercise. */
static void positive_run(const struct config *c)
{
	world_start(c, 0, 0);
	unsigned bad = run_random(RANDOM_OPS);
	if (bad)
		fail_msg("%s", why);
	const struct asid_stats *a = asid_stats();
	print_message("# %s: %u ops, %u accesses (%u concurrent), %u faults, %u evictions, %u "
		      "swap-outs, %u swap-ins (%u read ahead), %u COW copies, %u COW "
		      "reuses, %u forks, %u migrations, %u rollovers, %u shootdowns\n",
		      config_name(c), RANDOM_OPS, w.stats.accesses, w.stats.concurrent,
		      w.stats.faults, vm_stats.evictions, vm_stats.swapouts, vm_stats.swapins, vm_stats.swap_readahead,
		      vm_stats.faults_cow_copy, vm_stats.faults_cow_reuse, w.stats.forks,
		      w.stats.migrations, a->rollovers, a->shootdowns);
	struct pc_stats pc = pc_stats();
	pc.writebacks -= w.cache_at_start.writebacks;
	pc.misses -= w.cache_at_start.misses;
	print_message("#   page cache: %u file mmaps (%u of a page another space maps), %u cache "
		      "faults, %u mkwrites, %u write-backs of the cache finding %u dirty PTEs, "
		      "%u blocks written, %u read, %u mapped pages evicted and faulted back\n",
		      w.stats.file_maps, w.stats.file_maps_shared_page, vm_stats.faults_cache,
		      w.stats.mkwrites, w.stats.syncs, w.stats.d_cleaned, pc.writebacks, pc.misses,
		      w.stats.cache_refaults);
	assert_true(vm_stats.swapouts > 0 && vm_stats.swapins > 0);
	assert_true(vm_stats.swap_readahead > 0); /* after an exit leaves frames free */
	assert_true(vm_stats.faults_cache > 0 && w.stats.file_maps_shared_page > 0);
	assert_true(w.stats.mkwrites > 0);
	assert_true(w.stats.d_cleaned > 0 && w.stats.cache_refaults > 0);
	assert_true(vm_stats.faults_cow_copy > 0 && vm_stats.faults_cow_reuse > 0);
	if (w.tagged && c->asidlen <= 3)
		assert_true(a->rollovers > 0);
	if (c->harts > 1)
		assert_true(a->shootdowns > 0 && w.stats.concurrent > 0);
	world_stop(true);
}

/* ---------------------------------------------------------------------------
 * The model's own rules for several harts
 */

static const struct config three_harts = {
    .harts = 3, .asidlen = 9, .asids = true, .policy = "clock", .hw_ad = true, .seed = 1};

/* The world of three_harts with a model that never walks on its own, so
 * a test sees exactly what its calls did, and sets A/D or not; one space
 * with pages 0-3 mapped by loads, loaded (asid in *asid) and cached on
 * every hart. It is process 1's (not running), so that world_stop frees
 * it even after a test failed half-way. */
static struct addrspace *model_world(bool hw_ad, uint32_t *asid)
{
	world_start(&three_harts, 0, 0);
	w.running = false; /* no other user code, no checks: the test looks itself */
	const struct tlb_model_config still = {.satp = satp_make(kmap_root_pa(), 0),
					       .kernel_root = kmap_root_pa(),
					       .asid_limit = 1u << 9,
					       .random = rnd,
					       .nharts = 3,
					       .hw_ad = hw_ad};
	tlb_model_reset(&still);
	struct addrspace *as = space_new(1);
	w.procs[0] = (struct proc){.live = true, .pid = 1, .as = as, .hart = -1};
	paddr_t pa;
	for (int i = 0; i < 4; i++)
		assert_int_equal(vm_fault(as, page_va(i), VM_R), 0);
	for (int h = 0; h < 3; h++) {
		host_hart = h;
		vm_activate(as);
		for (int i = 0; i < 4; i++)
			assert_int_equal(tlb_model_user_access(h, page_va(i), SV32_LOAD, &pa), 0);
	}
	*asid = as->asid.asid;
	return as;
}

/* The end of a model_world test: world_stop frees process 1's space. */
static void model_world_stop(void)
{
	world_stop(false);
}

static void test_remote_fence_of_a_range_fences_those_pages_on_the_named_harts(void **state)
{
	(void)state;
	uint32_t asid;
	model_world(true, &asid);
	host_hart = 0;
	hw_remote_sfence(1u << 1, page_va(1) + 12, 2 * PAGE_SIZE - 12, asid);
	assert_null(tlb_model_misuse());
	for (int i = 0; i < 4; i++) {
		assert_true(tlb_model_holds(0, page_va(i), asid));
		assert_int_equal(tlb_model_holds(1, page_va(i), asid), i == 0 || i == 3);
		assert_true(tlb_model_holds(2, page_va(i), asid));
	}
	assert_true(tlb_model_holds_pointer(1, page_va(1), asid));  /* leaves only */
	hw_remote_sfence(1u << 2, page_va(0), PAGE_SIZE, asid + 1); /* another ASID */
	assert_true(tlb_model_holds(2, page_va(0), asid));
	model_world_stop();
}

static void test_remote_fence_of_the_whole_space_fences_every_level_of_the_asid(void **state)
{
	(void)state;
	uint32_t asid;
	model_world(true, &asid);
	host_hart = 0;
	hw_remote_sfence(1u << 1, 0, 0xFFFFFFFFu, asid);
	hw_remote_sfence(1u << 2, 0, 0, asid); /* SBI's other spelling of "everything" */
	assert_null(tlb_model_misuse());
	for (int i = 0; i < 4; i++) {
		assert_true(tlb_model_holds(0, page_va(i), asid));
		assert_false(tlb_model_holds(1, page_va(i), asid));
		assert_false(tlb_model_holds(2, page_va(i), asid));
	}
	assert_false(tlb_model_holds_pointer(1, page_va(0), asid));
	assert_false(tlb_model_holds_pointer(2, page_va(0), asid));
	model_world_stop();
}

static void test_remote_fence_of_itself_or_of_a_hart_not_running_is_misuse(void **state)
{
	(void)state;
	uint32_t asid;
	model_world(true, &asid);
	host_hart = 1;
	hw_remote_sfence(1u << 1, 0, 0, asid);
	assert_non_null(tlb_model_misuse());
	assert_non_null(strstr(tlb_model_misuse(), "itself"));
	model_world_stop();

	model_world(true, &asid);
	hw_remote_sfence(1u << 3, 0, 0, asid); /* ncpus is 3 */
	assert_non_null(tlb_model_misuse());
	assert_non_null(strstr(tlb_model_misuse(), "does not run"));
	model_world_stop();
}

static void test_each_hart_has_its_own_satp_and_tlb(void **state)
{
	(void)state;
	uint32_t asid;
	struct addrspace *as = model_world(true, &asid);
	struct addrspace *other = space_new(2);
	host_hart = 2;
	vm_activate(other);
	assert_int_equal(satp_root_of(tlb_model_satp(2)), kva2pa(other->root));
	assert_int_equal(satp_root_of(tlb_model_satp(1)), kva2pa(as->root));
	hw_sfence_all();
	assert_false(tlb_model_holds(2, page_va(0), asid));
	assert_true(tlb_model_holds(1, page_va(0), asid));
	host_hart = 2;
	vm_deactivate();
	vm_destroy(other);
	model_world_stop();
}

static void test_a_store_through_a_clean_entry_sets_d_or_faults(void **state)
{
	(void)state;
	uint32_t asid;
	paddr_t pa;
	struct addrspace *as = model_world(true, &asid);
	pte_t *pte = sv32_walk(as->root, page_va(0), false);
	assert_false(pte_load(pte) & PTE_D); /* mapped by a load: clean */
	assert_int_equal(tlb_model_user_access(0, page_va(0), SV32_STORE, &pa), 0);
	assert_true(pte_load(pte) & PTE_D);
	model_world_stop();

	/* Without hardware A/D the store faults, and keeps faulting on the
	 * cached clean entry after the kernel set D, until a local fence. */
	as = model_world(false, &asid);
	pte = sv32_walk(as->root, page_va(1), false);
	assert_int_equal(tlb_model_user_access(0, page_va(1), SV32_STORE, &pa), -1);
	assert_false(pte_load(pte) & PTE_D);
	pte_set_bits(pte, PTE_D);
	assert_int_equal(tlb_model_user_access(0, page_va(1), SV32_STORE, &pa), -1);
	host_hart = 0;
	hw_sfence_page_asid(page_va(1), asid);
	assert_int_equal(tlb_model_user_access(0, page_va(1), SV32_STORE, &pa), 0);
	model_world_stop();
}

/* An mprotect that only adds a permission fences this hart: the process's
 * next access here does not fault on the narrower entry its TLB holds (the
 * spurious fault the spec allows after a lazy upgrade). Only other harts
 * may take that fault once; fault_present fences it there. */
static void test_mprotect_that_adds_a_permission_leaves_no_stale_entry_here(void **state)
{
	(void)state;
	uint32_t asid;
	paddr_t pa;
	struct addrspace *as = model_world(true, &asid);
	host_hart = 0;
	assert_int_equal(vm_mprotect(as, page_va(0), PAGE_SIZE, VM_R), 0);
	assert_int_equal(tlb_model_user_access(0, page_va(0), SV32_LOAD, &pa), 0);
	assert_true(tlb_model_holds(0, page_va(0), asid)); /* the read-only entry */
	assert_int_equal(vm_mprotect(as, page_va(0), PAGE_SIZE, RW), 0);
	assert_int_equal(tlb_model_user_access(0, page_va(0), SV32_STORE, &pa), 0);
	assert_null(tlb_model_misuse());
	model_world_stop();
}

/* The page of the file tests, at the start of its file. */
#define FILE_TEST_PAGE 4

/* A store of word at va by hart h, through its TLB (the page must allow
 * it without a fault). */
static void store_word(int h, uint32_t va, uint32_t word)
{
	paddr_t pa;
	assert_int_equal(tlb_model_user_access(h, va, SV32_STORE, &pa), 0);
	*(uint32_t *)pa2kva(pa) = word;
}

/* The model_world space with page FILE_TEST_PAGE also mapping page 0 of
 * file 0 shared and read-write, stored to on each hart in turn (the word
 * 100 + hart), so that each hart caches a dirty entry for it. */
static struct addrspace *file_world(uint32_t *asid)
{
	struct addrspace *as = model_world(true, asid);
	uint32_t va = page_va(FILE_TEST_PAGE), out;
	host_hart = 0;
	assert_int_equal(vm_mmap_vnode(as, va, PAGE_SIZE, RW, VM_MAP_SHARED | VM_MAP_FIXED,
				       host_vm_file(0), true, 0, &out),
			 0);
	assert_int_equal(vm_fault(as, va, VM_W), 0);
	for (int h = 0; h < 3; h++) {
		store_word(h, va, 100 + (uint32_t)h);
		assert_true(tlb_model_holds(h, va, *asid));
	}
	return as;
}

static uint32_t disk_word(uint32_t file, uint32_t index)
{
	return *(const uint32_t *)host_vm_fs_block(host_vm_file_block(file, index));
}

/* A write-back clears D in each mapping of a page and fences it on every
 * hart: no hart keeps a dirty entry for a clean PTE, so the next store,
 * on any hart, sets D again and the next write-back takes it to the disk.
 * (A dirty entry left behind would take the store without a walk: the
 * page would stay clean, and the store never reach the disk.) */
static void test_a_write_back_leaves_no_dirty_entry_on_any_hart(void **state)
{
	(void)state;
	uint32_t asid, va = page_va(FILE_TEST_PAGE);
	struct addrspace *as = file_world(&asid);
	host_hart = 0;
	assert_int_equal(pc_sync(), 0);
	assert_int_equal(disk_word(0, 0), 102);
	assert_false(pte_now(as, va) & PTE_D);
	for (int h = 0; h < 3; h++)
		assert_true(tlb_model_check_hart(h, owner_of, TLB_CHECK_DIRTY, why, sizeof(why)));
	store_word(1, va, 200);
	assert_true(pte_now(as, va) & PTE_D);
	assert_int_equal(pc_sync(), 0);
	assert_int_equal(disk_word(0, 0), 200);
	assert_null(tlb_model_misuse());
	model_world_stop();
}

/* A page-cache page taken from its mappings (here by pc_discard, as when
 * its file shrinks; eviction unmaps the same way) is fenced on every
 * hart before the frame goes: no hart keeps an entry for it, and a load
 * afterwards faults and reads the block from the disk again. */
static void test_a_cache_page_taken_from_its_mappings_leaves_no_entry_on_any_hart(void **state)
{
	(void)state;
	uint32_t asid, va = page_va(FILE_TEST_PAGE);
	paddr_t pa;
	struct addrspace *as = file_world(&asid);
	host_hart = 0;
	pc_discard(host_vm_file_block(0, 0));
	for (int h = 0; h < 3; h++)
		assert_false(tlb_model_holds(h, va, asid));
	assert_int_equal(pte_now(as, va), 0);
	assert_int_equal(tlb_model_user_access(2, va, SV32_LOAD, &pa), -1);
	host_hart = 2;
	assert_int_equal(vm_fault(as, va, VM_R), 0);
	assert_int_equal(tlb_model_user_access(2, va, SV32_LOAD, &pa), 0);
	assert_int_equal(*(const uint32_t *)pa2kva(pa), FILE_WORD0);
	assert_null(tlb_model_misuse());
	model_world_stop();
}

/* A store to a read-only page of a shared file mapping that mprotect made
 * read-write makes the page-cache page itself writable (fault_mkwrite) and
 * fences this hart, so the store, made again, does not fault on the
 * read-only entry the hart held. Another hart's read-only entry may fault
 * once more (the lazy upgrade the spec allows), and its fault fences it
 * there. Both stores reach the file. */
static void test_a_store_to_a_read_only_shared_page_makes_the_cache_page_writable(void **state)
{
	(void)state;
	uint32_t asid, va = page_va(FILE_TEST_PAGE), out;
	paddr_t pa;
	struct addrspace *as = model_world(true, &asid);
	host_hart = 0;
	assert_int_equal(vm_mmap_vnode(as, va, PAGE_SIZE, VM_R, VM_MAP_SHARED | VM_MAP_FIXED,
				       host_vm_file(0), true, 0, &out),
			 0);
	assert_int_equal(vm_fault(as, va, VM_R), 0);
	for (int h = 0; h < 2; h++)
		assert_int_equal(tlb_model_user_access(h, va, SV32_LOAD, &pa), 0);
	assert_int_equal(vm_mprotect(as, va, PAGE_SIZE, RW), 0);
	assert_false(pte_now(as, va) & PTE_W); /* the cache shares the page: no W yet */
	assert_int_equal(tlb_model_user_access(0, va, SV32_STORE, &pa), -1);
	assert_int_equal(vm_fault(as, va, VM_W), 0);
	assert_int_equal(tlb_model_user_access(0, va, SV32_STORE, &pa), 0);
	assert_true(frame_of(pa)->flags & FRAME_F_CACHE); /* in place: no copy */
	*(uint32_t *)pa2kva(pa) = 300;
	assert_int_equal(tlb_model_user_access(1, va, SV32_STORE, &pa), -1);
	host_hart = 1;
	assert_int_equal(vm_fault(as, va, VM_W), 0);
	store_word(1, va, 301);
	assert_int_equal(pc_sync(), 0);
	assert_int_equal(disk_word(0, 0), 301);
	assert_null(tlb_model_misuse());
	model_world_stop();
}

/* ---------------------------------------------------------------------------
 * Swap placement and readahead, on one hart with FIFO replacement (pages
 * leave in the order they were first touched)
 */

static const struct config one_hart_fifo = CFG(1, 9, true, "fifo", true, 0x5EED0A11u);

/* A new process, running on hart 0. */
static struct proc *proc_running(void)
{
	struct proc *p = proc_slot();
	op_create();
	switch_to(0, p);
	return p;
}

/* Two more processes each write every page of their regions and exit:
 * under the cap, every page that was resident before goes to swap, and
 * then the frames are free again. */
static void push_out(void)
{
	struct proc *q[2];
	for (int k = 0; k < 2; k++) {
		q[k] = proc_running();
		for (int page = 0; page < REGIONS * REGION_PAGES; page++)
			user_access(q[k], page, true);
	}
	for (int k = 0; k < 2; k++) {
		switch_to(0, q[k]);
		op_exit(q[k]);
	}
}

/* A new process that writes pages 0 .. n - 1 (in the order given, else
 * in order), which then all go to swap (push_out); running on hart 0. */
static struct proc *proc_swapped_out(const int *order, int n)
{
	struct proc *p = proc_running();
	for (int i = 0; i < n; i++)
		user_access(p, order ? order[i] : i, true);
	push_out();
	switch_to(0, p);
	return p;
}

/* The slot page holds in p's space, or 0 when it is not a swap entry. */
static uint32_t slot_at(const struct proc *p, int page)
{
	pte_t *pte = sv32_walk(p->as->root, page_va(page), false);
	pte_t e = pte ? pte_load(pte) : 0;
	return pte_is_swap(e) ? pte_swap_slot(e) : 0;
}

/* Pages written in a scrambled order leave in that order, yet each takes
 * the slot after its left neighbour's: they are placed by address. */
static void test_pages_evicted_out_of_order_lie_in_address_order_on_the_disk(void **state)
{
	(void)state;
	static const int order[REGION_PAGES] = {5, 2, 7, 0, 3, 6, 1, 4};
	world_start(&one_hart_fifo, 0, 0);
	struct proc *p = proc_swapped_out(order, REGION_PAGES);
	for (int page = 0; page + 1 < REGION_PAGES; page++) {
		assert_int_not_equal(slot_at(p, page), 0);
		assert_int_equal(slot_at(p, page + 1), slot_at(p, page) + 1);
	}
	assert_false(w.failed);
	world_stop(true);
}

/* Every region written in order, swapped out, then read back region by
 * region (the one across a level-0 table boundary first): each major
 * fault reads more of the pages after its own in the same request, every
 * load returns what was stored, and the books balance. */
static void test_sequential_reread_reads_ahead_in_one_request_a_window(void **state)
{
	(void)state;
	static const int regions[REGIONS] = {1, 0, 2};
	const int pages = REGIONS * REGION_PAGES;
	world_start(&one_hart_fifo, 0, 0);
	struct proc *p = proc_swapped_out(NULL, pages);
	assert_int_equal(p->as->swapped, pages);
	uint32_t reads = vblk_stats(vblk_disk(VBLK_SWAP)).reads;
	struct vm_stats before = vm_stats;
	for (int r = 0; r < REGIONS; r++)
		for (int i = 0; i < REGION_PAGES; i++) {
			user_access(p, regions[r] * REGION_PAGES + i, false);
			checkpoint();
		}
	assert_false(w.failed);
	reads = vblk_stats(vblk_disk(VBLK_SWAP)).reads - reads;
	assert_int_equal(vm_stats.swapins - before.swapins, pages);
	assert_int_equal(reads, vm_stats.faults_swapin - before.faults_swapin);
	assert_true(2 * reads <= (uint32_t)pages);
	assert_int_equal(vm_stats.swap_readahead - before.swap_readahead, pages - reads);
	assert_int_equal(p->as->swapped, 0);
	assert_int_equal(vm_check(), 0);
	world_stop(true);
}

/* A region swapped out whole (on neighbouring slots), then split by
 * mprotect: reading the first part in order never maps a page of the
 * second, which is read-only, and a store there is still refused. */
static void test_readahead_stops_at_the_end_of_its_region(void **state)
{
	(void)state;
	const int half = REGION_PAGES / 2;
	world_start(&one_hart_fifo, 0, 0);
	struct proc *p = proc_swapped_out(NULL, REGION_PAGES);
	assert_int_equal(slot_at(p, half), slot_at(p, half - 1) + 1);
	assert_int_equal(vm_mprotect(p->as, page_va(half), half * PAGE_SIZE, VM_R), 0);
	for (int page = half; page < REGION_PAGES; page++)
		p->pg[page].prot = VM_R;
	for (int page = 0; page < half; page++)
		user_access(p, page, false);
	assert_true(vm_stats.swap_readahead > 0);
	for (int page = half; page < REGION_PAGES; page++)
		assert_int_not_equal(slot_at(p, page), 0);
	user_access(p, half, true);
	assert_false(w.failed);
	world_stop(true);
}

/* The counts a short 2q run on two harts ends with, as one line. */
static void fingerprint(char *out, size_t n)
{
	static const struct config c = CFG(2, 9, true, "2q", true, 0x5EED0F1Eu);
	world_start(&c, 0, 0);
	run_random(5000);
	snprintf(out, n, "%u accesses %u faults %u evictions %u ghost hits %u hot", w.stats.accesses,
		 w.stats.faults, vm_stats.evictions, vm_stats.ghost_hits, vm_stats.hot_admissions);
	world_stop(true);
}

/* A seed names one run, so that a violation's "seed S op N" can be
 * replayed: the same seed in two processes, each with its own address
 * layout (ASLR), makes the same run. A 2q ghost key made from the host
 * address of a space once broke this. */
static void test_a_seed_replays_the_same_run_in_another_process(void **state)
{
	(void)state;
	char self[512], cmd[600], got[2][160];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	assert_true(len > 0);
	self[len] = '\0';
	snprintf(cmd, sizeof(cmd), "'%s' --fingerprint", self);
	for (int i = 0; i < 2; i++) {
		FILE *p = popen(cmd, "r");
		assert_non_null(p);
		got[i][0] = '\0'; /* the last line: the kernel's own come first */
		while (fgets(got[i], sizeof(got[i]), p) != NULL && strstr(got[i], " accesses ") == NULL)
			;
		assert_int_equal(pclose(p), 0);
		assert_true(strstr(got[i], " accesses ") != NULL);
	}
	print_message("# %s", got[0]);
	assert_string_equal(got[0], got[1]);
}

/* ---------------------------------------------------------------------------
 * The correct kernel, in every configuration
 */

#define POSITIVE(name, h, len, on, pol, ad, s)                                                     \
	static void test_##name(void **state)                                                      \
	{                                                                                          \
		(void)state;                                                                       \
		static const struct config c = CFG(h, len, on, pol, ad, s);                        \
		positive_run(&c);                                                                  \
	}

POSITIVE(random_1_hart_asidlen_9_clock, 1, 9, true, "clock", true, 0x5EED0101u)
POSITIVE(random_1_hart_asidlen_2_fifo_ad_faults, 1, 2, true, "fifo", false, 0x5EED0102u)
POSITIVE(random_2_harts_asidlen_9_clock, 2, 9, true, "clock", true, 0x5EED0201u)
POSITIVE(random_2_harts_asidlen_2_fifo, 2, 2, true, "fifo", true, 0x5EED0202u)
POSITIVE(random_2_harts_asid_off_ad_faults, 2, 9, false, "clock", false, 0x5EED0203u)
POSITIVE(random_2_harts_asidlen_0, 2, 0, true, "fifo", true, 0x5EED0204u)
POSITIVE(random_4_harts_asidlen_3_clock, 4, 3, true, "clock", true, 0x5EED0401u)
POSITIVE(random_4_harts_asidlen_1_one_user_asid, 4, 1, true, "clock", true, 0x5EED0402u)
POSITIVE(random_4_harts_asidlen_9_fifo_ad_faults, 4, 9, true, "fifo", false, 0x5EED0403u)
POSITIVE(random_4_harts_asid_off_clock, 4, 9, false, "clock", true, 0x5EED0404u)
POSITIVE(random_1_hart_asidlen_9_2q, 1, 9, true, "2q", true, 0x5EED0105u)
POSITIVE(random_2_harts_asidlen_9_2q_ad_faults, 2, 9, true, "2q", false, 0x5EED0205u)
POSITIVE(random_4_harts_asidlen_3_2q, 4, 3, true, "2q", true, 0x5EED0405u)

/* ---------------------------------------------------------------------------
 * Each fence site removed on purpose is caught
 */

/* One removable site, the configuration that exercises it, and how many
 * operations the model needed to catch it. */
struct site {
	const char *name;
	unsigned vm_omit, asid_omit;
	struct config cfg;
	unsigned caught_at;
	char why[sizeof(why)];
};

#define VM_SITE(bit, c)                                                                            \
	{                                                                                          \
		.name = #bit, .vm_omit = bit, .cfg = c                                             \
	}
#define ASID_SITE(bit, c)                                                                          \
	{                                                                                          \
		.name = #bit, .asid_omit = bit, .cfg = c                                           \
	}

static struct site sites[] = {
    VM_SITE(VM_OMIT_FORK_FENCE, CFG(2, 9, true, "clock", true, 0xBAD01)),
    VM_SITE(VM_OMIT_UNMAP_FENCE, CFG(2, 9, true, "clock", true, 0xBAD02)),
    VM_SITE(VM_OMIT_COW_COPY_FENCE, CFG(2, 9, true, "clock", true, 0xBAD03)),
    VM_SITE(VM_OMIT_COW_REUSE_FENCE, CFG(2, 9, true, "clock", true, 0xBAD04)),
    VM_SITE(VM_OMIT_STALE_FENCE, CFG(2, 9, true, "clock", false, 0xBAD05)),
    VM_SITE(VM_OMIT_PROTECT_FENCE, CFG(4, 9, true, "clock", true, 0xBAD06)),
    VM_SITE(VM_OMIT_EVICT_FENCE, CFG(2, 9, true, "clock", true, 0xBAD07)),
    VM_SITE(VM_OMIT_YOUNG_FENCE, CFG(1, 9, true, "clock", true, 0xBAD08)),
    VM_SITE(VM_OMIT_YOUNG_FENCE, CFG(2, 9, true, "clock", true, 0xBAD09)),
    VM_SITE(VM_OMIT_YOUNG_FENCE, CFG(2, 9, true, "2q", true, 0xBAD0B)),
    VM_SITE(VM_OMIT_MPROTECT_FENCE, CFG(2, 9, true, "clock", true, 0xBAD0A)),
    ASID_SITE(ASID_OMIT_PAGE_FENCE, CFG(2, 9, true, "clock", true, 0xBAD11)),
    ASID_SITE(ASID_OMIT_MM_FENCE, CFG(2, 9, true, "clock", true, 0xBAD12)),
    ASID_SITE(ASID_OMIT_ROLLOVER_FENCE, CFG(2, 2, true, "clock", true, 0xBAD13)),
    ASID_SITE(ASID_ROLLOVER_FENCE_FIRST, CFG(2, 2, true, "clock", true, 0xBAD14)),
    ASID_SITE(ASID_FENCE_WRONG_ASID, CFG(2, 9, true, "clock", true, 0xBAD15)),
    ASID_SITE(ASID_OMIT_SWITCH_FENCE, CFG(2, 9, false, "clock", true, 0xBAD16)),
    ASID_SITE(ASID_SWITCH_FENCE_FIRST, CFG(2, 9, false, "clock", true, 0xBAD17)),
    ASID_SITE(ASID_OMIT_KERNEL_FENCE, CFG(2, 9, false, "clock", true, 0xBAD18)),
    ASID_SITE(ASID_OMIT_REMOTE_FENCE, CFG(2, 9, true, "clock", true, 0xBAD19)),
    ASID_SITE(ASID_OMIT_REMOTE_FENCE, CFG(4, 9, false, "fifo", true, 0xBAD1A)),
    ASID_SITE(ASID_OMIT_LOCAL_FENCE, CFG(2, 9, true, "clock", false, 0xBAD1B)),
    ASID_SITE(ASID_OMIT_IDLE_FENCE, CFG(2, 9, true, "clock", true, 0xBAD1C)),
};
#define NSITES ARRAY_SIZE(sites)

/* The kernel with one site removed must show a violation within the
 * budget, and the correct kernel, from the same seed in the same
 * configuration, none in as many operations: the site is the cause. */
static void test_site_is_caught(void **state)
{
	struct site *s = *state;
	world_start(&s->cfg, s->vm_omit, s->asid_omit);
	s->caught_at = run_random(CATCH_BUDGET);
	snprintf(s->why, sizeof(s->why), "%s", why);
	world_stop(false);
	if (s->caught_at == 0)
		fail_msg("%s (%s): not caught in %u operations", s->name, config_name(&s->cfg),
			 CATCH_BUDGET);
	world_start(&s->cfg, 0, 0);
	if (run_random(s->caught_at) != 0)
		fail_msg("%s: the correct kernel fails too: %s", s->name, why);
	world_stop(true);
	print_message("# %s, %s: caught at operation %u: %s\n", s->name, config_name(&s->cfg),
		      s->caught_at, s->why);
}

/* The closing note: every site, where it was caught, and after how long. */
static void test_every_fence_site_is_caught(void **state)
{
	(void)state;
	unsigned missed = 0;
	print_message("# %-26s | %-48s | operations until caught\n", "site", "configuration");
	for (size_t i = 0; i < NSITES; i++) {
		print_message("# %-26s | %-48s | %u\n", sites[i].name, config_name(&sites[i].cfg),
			      sites[i].caught_at);
		missed += sites[i].caught_at == 0;
	}
	assert_int_equal(missed, 0);
}

/* After a test that failed half-way: take its world down, so that the
 * next test starts from nothing. */
static int world_teardown(void **state)
{
	(void)state;
	if (w.up)
		world_stop(false);
	return 0;
}

#define T(t) cmocka_unit_test_teardown(t, world_teardown)

static const struct CMUnitTest fixed_tests[] = {
    T(test_remote_fence_of_a_range_fences_those_pages_on_the_named_harts),
    T(test_remote_fence_of_the_whole_space_fences_every_level_of_the_asid),
    T(test_remote_fence_of_itself_or_of_a_hart_not_running_is_misuse),
    T(test_each_hart_has_its_own_satp_and_tlb),
    T(test_a_store_through_a_clean_entry_sets_d_or_faults),
    T(test_mprotect_that_adds_a_permission_leaves_no_stale_entry_here),
    T(test_a_write_back_leaves_no_dirty_entry_on_any_hart),
    T(test_a_cache_page_taken_from_its_mappings_leaves_no_entry_on_any_hart),
    T(test_a_store_to_a_read_only_shared_page_makes_the_cache_page_writable),
    T(test_pages_evicted_out_of_order_lie_in_address_order_on_the_disk),
    T(test_sequential_reread_reads_ahead_in_one_request_a_window),
    T(test_readahead_stops_at_the_end_of_its_region),
    T(test_random_1_hart_asidlen_9_clock),
    T(test_random_1_hart_asidlen_2_fifo_ad_faults),
    T(test_random_2_harts_asidlen_9_clock),
    T(test_random_2_harts_asidlen_2_fifo),
    T(test_random_2_harts_asid_off_ad_faults),
    T(test_random_2_harts_asidlen_0),
    T(test_random_4_harts_asidlen_3_clock),
    T(test_random_4_harts_asidlen_1_one_user_asid),
    T(test_random_4_harts_asidlen_9_fifo_ad_faults),
    T(test_random_4_harts_asid_off_clock),
    T(test_random_1_hart_asidlen_9_2q),
    T(test_random_2_harts_asidlen_9_2q_ad_faults),
    T(test_random_4_harts_asidlen_3_2q),
    T(test_a_seed_replays_the_same_run_in_another_process),
};
#define NFIXED ARRAY_SIZE(fixed_tests)

/* The fixed tests, one per fence site (named after it), and the closing
 * note, in that order. */
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "--fingerprint") == 0) {
		char line[160];
		fingerprint(line, sizeof(line));
		printf("%s\n", line);
		return 0;
	}
	static char names[NSITES][96];
	struct CMUnitTest tests[NFIXED + NSITES + 1];
	size_t n = 0;
	while (n < NFIXED) {
		tests[n] = fixed_tests[n];
		n++;
	}
	for (size_t i = 0; i < NSITES; i++) {
		snprintf(names[i], sizeof(names[i]), "test_model_catches_%s_%s_%d_harts",
			 sites[i].name, sites[i].cfg.asids ? "asids" : "asid_off",
			 sites[i].cfg.harts);
		tests[n++] = (struct CMUnitTest){.name = names[i],
						 .test_func = test_site_is_caught,
						 .teardown_func = world_teardown,
						 .initial_state = &sites[i]};
	}
	tests[n++] = (struct CMUnitTest)T(test_every_fence_site_is_caught);
	return _cmocka_run_group_tests("smp_model", tests, n, NULL, NULL);
}
