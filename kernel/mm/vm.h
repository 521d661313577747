/*
 * Process address spaces: an Sv32 root table whose kernel half is copied
 * from the kernel's root, an ASID, and a sorted array of regions. A user
 * page is mapped only when first touched (vm_fault); a region says what
 * may be there and where its bytes come from.
 */
#ifndef MM_VM_H
#define MM_VM_H

#include "lib/spinlock.h"
#include "lib/types.h"
#include "mm/gstage.h"
#include "riscv/asid.h"
#include "riscv/sv32.h"

#define USER_BASE 0x00001000u   /* page 0 is never mapped (NULL) */
#define USER_TOP 0x80000000u    /* the kernel half starts here */
#define STACK_MAX (8u << 20)    /* the stack grows on demand up to this */
#define STACK_GUARD (1u << 20)  /* unmapped gap kept below the stack */
#define VM_MAX_REGIONS 64

/* Region protections */
#define VM_R 1u
#define VM_W 2u
#define VM_X 4u

enum vm_kind {
	VMR_ANON,  /* zero-filled: bss, heap */
	VMR_FILE,  /* bytes from a file (the initramfs, or the page cache), the rest zero */
	VMR_STACK, /* zero-filled, at the top of user space */
};

/* The protection a region really gets for prot: writable or executable
 * memory is also readable, as on Linux. Sv32 has no write-only page (W
 * without R is a reserved encoding that always faults), and a readable
 * text is what every loader expects. */
static inline uint32_t vm_prot_implied(uint32_t prot)
{
	return prot & (VM_W | VM_X) ? prot | VM_R : prot;
}

/* Region flags */
#define VMR_F_HEAP 1u   /* the brk heap: never merged with a neighbour */
#define VMR_F_NOWRITE 2u /* a shared file mapping: can never be made writable */
#define VMR_F_SHARED 4u  /* MAP_SHARED of a page-cache file: stores reach the file */

/* A file whose pages are in the page cache (fs/vfs.c). mm/ holds one
 * reference per region that maps it; these calls never sleep. */
struct vnode;
struct frame;
void vnode_hold(struct vnode *vn);
void vnode_put(struct vnode *vn);
/* Pin the cache page of file page index of vn for a mapping (may sleep;
 * called without vm_lock). With alloc, a hole gets a disk block. 0 with
 * the page in *out; 1 for a hole (the page reads as zeroes); -ENXIO for a
 * page wholly past the end of the file or one the disk could not read
 * (the process dies of SIGBUS); -ENOMEM, -ENOSPC. */
int vnode_map_page(struct vnode *vn, uint32_t index, bool alloc, struct frame **out);

struct vm_region {
	uint32_t start, end; /* page-aligned, end exclusive */
	uint8_t prot;
	uint8_t kind;
	uint8_t flags;
	/* VMR_FILE: the page at va holds file bytes where va lies in
	 * [file_lo, file_hi): file byte n appears at file_base + n, which can
	 * be below 0 (a mapping from a file offset above its address). All
	 * other bytes read as zero. Absolute, so a split needs no change. The
	 * bytes are at file_data (an initramfs file) or in the page cache of
	 * vn (which the region holds a reference to). */
	const uint8_t *file_data;
	struct vnode *vn;
	int64_t file_base;
	uint32_t file_lo, file_hi;
};

#define USER_TABLES (USER_TOP >> 22) /* root entries of the user half, one per 4 MiB */

struct addrspace {
	pte_t *root;
	uint32_t tables[USER_TABLES / 32]; /* bit i: root entry i links a level-0 table */
	struct asid_state asid;
	int nregions;
	uint32_t find_hint;       /* the region vm_find found last (checked before use) */
	uint32_t heap_start, brk; /* the heap region is [heap_start, PAGE_ROUND_UP(brk)) */
	uint32_t resident;        /* PTEs that map a frame */
	uint32_t swapped;         /* PTEs that hold a swap entry */
	uint32_t committed;       /* pages reserved against memory plus swap (mmap.c) */
	uint32_t ra_next;         /* readahead.c: the page after the last swap read */
	uint32_t ra_window;       /* readahead.c: the pages that read could bring */
	int pid;                  /* the owner, for messages and the fault trace */
	uint32_t serial;          /* no other space since boot had it: its name in the ghost table */
	struct gstage *gstage;    /* the G-stage of the guest it hosts (riscv/hv.c), or NULL */
	uint32_t check_mark;      /* vmcheck.c's scratch */
	struct addrspace *next, *prev; /* [vm_lock] the list of every space */
	/* Last, so that a new space zeroes only what comes before: entries
	 * past nregions are never read. */
	struct vm_region regions[VM_MAX_REGIONS]; /* sorted by start, disjoint */
};

/* Fence the host TLB after a user PTE of as was cleared or downgraded
 * (asid.c), and drop the G-stage leaves of a guest it hosts that the PTE
 * backed (mm/gstage.h): of one page, of a range, or of the whole space.
 * The _local forms of asid.c, for upgrades, need no G-stage change: a
 * leaf never has more than its PTE. */
static inline void vm_fence_page(struct addrspace *as, uint32_t va)
{
	asid_flush_page(&as->asid, va);
	if (as->gstage)
		gstage_unmap(as, va, PAGE_SIZE);
}

static inline void vm_fence_range(struct addrspace *as, uint32_t va, uint32_t size)
{
	asid_flush_range(&as->asid, va, size);
	if (as->gstage)
		gstage_unmap(as, va, size);
}

static inline void vm_fence_mm(struct addrspace *as)
{
	asid_flush_mm(&as->asid);
	if (as->gstage)
		gstage_unmap(as, 0, 0);
}

/* Page-fault and replacement counters, for vmstat. */
struct vm_stats {
	uint32_t faults_zero;      /* zero-filled pages */
	uint32_t faults_file;      /* pages filled from a file */
	uint32_t faults_swapin;    /* pages mapped from swap (read or swap cache) */
	uint32_t faults_cow_copy;  /* copy-on-write by copying */
	uint32_t faults_cow_reuse; /* copy-on-write by taking over the last reference */
	uint32_t faults_ad;        /* A/D bits set by software */
	uint32_t faults_cache;     /* page-cache pages mapped */
	uint32_t faults_kill;      /* processes killed for a fault of any kind */
	uint32_t swapins, swapouts; /* page reads and writes */
	uint32_t evictions;        /* pages taken from a process */
	uint32_t evictions_clean;  /* ... without a write */
	uint32_t checks;           /* consistency checks run (vmcheck.c) */
	uint32_t reclaim_examined; /* frames whose A bits a replacement hand tested */
	uint32_t ghost_hits;       /* 2q: pages faulted in that the ghost table remembered */
	uint32_t hot_admissions;   /* 2q: pages that joined the hot ring */
	uint32_t swap_readahead;   /* pages read from swap with another page's fault (in swapins) */
};
extern struct vm_stats vm_stats;

/* --- vm.c: address spaces, regions, fork's copy, user copies ------------ */

/* Boot-time setup of reverse maps, replacement and swap. */
void vm_init(const char *policy, uint32_t maxframes);

/* A new address space with only the kernel half, or NULL without memory. */
struct addrspace *vm_create(void);
/* Free every user frame and table, then the root. The address space must
 * not be current on any hart. */
void vm_destroy(struct addrspace *as);
/* Whether as has a writable shared file mapping (whose stores must reach
 * the disk when it goes). */
bool vm_maps_shared(const struct addrspace *as);
/* Make as current on this hart (satp with its ASID). The only way, with
 * vm_deactivate, that code outside mm/ and riscv/ changes satp. */
void vm_activate(struct addrspace *as);
/* Leave the current address space for the kernel's own tables (ASID 0), so
 * that it can be destroyed. */
void vm_deactivate(void);
/* This hart has nothing to run: leave any user space (it may run and end
 * on another hart meanwhile) and, with other harts about, empty the TLB of
 * user entries, so that no TLB shootdown has to wake this hart. */
void vm_idle(void);

/* Add a region; -EINVAL if misaligned or overlapping, -ENOMEM if full. */
int vm_add_region(struct addrspace *as, const struct vm_region *r);
/* The region holding va, or NULL. */
const struct vm_region *vm_find(const struct addrspace *as, uint32_t va);
/* Check that [va, va + len) lies inside regions allowing prot. */
bool vm_range_ok(const struct addrspace *as, uint32_t va, uint32_t len, uint32_t prot);

/* Share every user page of src with dst copy-on-write (fork): both map
 * the same frames read-only, swap entries gain a reference. 0 or -ENOMEM
 * (dst then holds what was shared so far; vm_destroy releases it). */
int vm_copy(struct addrspace *dst, struct addrspace *src);
/* Record that the user PTE of va is about to be set, so fork and teardown
 * scan only the used part of its level-0 table (which must exist);
 * vm_lock held. */
void vm_note_pte(struct addrspace *as, uint32_t va);
/* The level-0 slot of user address va, its table allocated if missing
 * and marked in as->tables, so that fork and teardown visit the few
 * tables a space has instead of all 512 root entries. NULL without a
 * frame; vm_lock held. */
pte_t *vm_user_pte(struct addrspace *as, uint32_t va);
/* Release the pages (frames and swap slots) in [start, end) of as, a
 * frame only after a fence of its page on every hart; vm_lock held. The
 * regions stay. */
void vm_unmap_range(struct addrspace *as, uint32_t start, uint32_t end);
/* What a space holds, for ps. */
struct vm_usage {
	uint32_t resident, swapped; /* pages */
	uint32_t swapcached;  /* resident pages that also hold a swap slot; O(pages) */
	uint32_t cache;       /* resident pages that are page-cache pages; O(pages) */
	uint32_t table_bytes; /* its root and user level-0 tables (the kernel
			       * half's tables are the kernel's, shared by all) */
};
/* Fill *u for as if it is still process pid's space: another process may
 * ask while pid execs or exits, so it names the space it saw and this
 * checks, under the lock, that the space is still pid's. 0 or -ESRCH. */
int vm_usage(const struct addrspace *as, int pid, struct vm_usage *u);
/* Print as's page table, the user half, on the console (sv32_print). */
void vm_print(const struct addrspace *as);

/* Copy between kernel and the current address space's user memory.
 * Return 0 or -EFAULT; never fault the kernel. */
int copyin(void *dst, uint32_t usrc, uint32_t len);
int copyout(uint32_t udst, const void *src, uint32_t len);
/* Copy a NUL-terminated string of at most max bytes (with the NUL):
 * its length, -EFAULT, or -ENAMETOOLONG. */
int copyinstr(char *dst, uint32_t usrc, uint32_t max);
/* Write to a page of as that need not be current (exec building the new
 * stack): maps the page on demand. 0 or a negative errno. */
int vm_write(struct addrspace *as, uint32_t va, const void *src, uint32_t len);

/* --- for mm/ only -------------------------------------------------------- */

/* Guards the page tables, the list of spaces, reverse maps, replacement
 * ring, swap slots and swap cache (vm.c says what and why). */
extern struct spinlock vm_lock;
/* Every space, for the checker: walk with for (as = vm_space_first(); as;
 * as = vm_space_next(as)); and whether as is a space in use (each lives
 * in a frame of its own, marked FRAME_F_SPACE). vm_lock held. */
struct addrspace *vm_space_first(void);
struct addrspace *vm_space_next(const struct addrspace *as);
bool vm_space_live(const struct addrspace *as);
/* vm_fault with vm_lock held (it may drop it around swap I/O). */
int vm_fault_locked(struct addrspace *as, uint32_t va, uint32_t prot);

/* Host tests remove a TLB fence call site of the memory manager on purpose
 * (a set bit skips it), to see the tagged-TLB model catch the bug; in the
 * kernel the test never holds and the branches compile away. */
#ifdef HOST_TEST
extern unsigned vm_test_omit;
#define vm_fence_omitted(site) ((vm_test_omit & (site)) != 0)
#else
#define vm_fence_omitted(site) false
#endif
#define VM_OMIT_FORK_FENCE	(1u << 0) /* vm_copy: the parent's downgrade to COW */
#define VM_OMIT_UNMAP_FENCE	(1u << 1) /* vm_unmap_range: munmap, brk, MAP_FIXED */
#define VM_OMIT_COW_COPY_FENCE	(1u << 2) /* fault.c: a COW copy replaces the frame */
#define VM_OMIT_COW_REUSE_FENCE (1u << 3) /* fault.c: a COW page made writable in place */
#define VM_OMIT_STALE_FENCE	(1u << 4) /* fault.c: a fault on a present, allowed page */
#define VM_OMIT_PROTECT_FENCE	(1u << 5) /* reclaim.c: write-protect before swap-out */
#define VM_OMIT_EVICT_FENCE	(1u << 6) /* reclaim.c: unmap an evicted frame */
#define VM_OMIT_YOUNG_FENCE	(1u << 7) /* reclaim.c: clock clears A */
#define VM_OMIT_MPROTECT_FENCE	(1u << 8) /* mmap.c: mprotect changes present PTEs */

/* --- vmcheck.c: the consistency checker --------------------------------- */

/* Check the memory manager's books against every page table (vmcheck.c
 * lists what must hold); print a line for each of the first problems
 * found and return how many there were, 0 when all is well. vm_check
 * takes vm_lock; vm_check_locked is for a caller that holds it. */
uint32_t vm_check(void);
uint32_t vm_check_locked(void);
/* vm.check=1: check after every reclaim pass that evicted, and panic on a
 * problem (a kernel bug). vm_check_reclaim_pass is reclaim.c's hook. */
void vm_check_after_reclaim(bool on);
void vm_check_reclaim_pass(void);

/* --- fault.c: page faults ----------------------------------------------- */

/* Resolve a page fault at va for an access needing prot (VM_R, VM_W or
 * VM_X): 0 when the page is now mapped, -EFAULT when the access is not
 * allowed (the caller kills), -ENOMEM when no frame is left, -EIO when
 * the page could not be read back from swap. May sleep on swap I/O. */
int vm_fault(struct addrspace *as, uint32_t va, uint32_t prot);
/* PTE flags for a user page of a region with protection prot: U, A and
 * the region's R/W/X. */
uint32_t vm_pte_flags(uint32_t prot);
/* Print one line per page fault (vm.trace=1). */
void vm_trace(bool on);
/* The most pages one major fault reads from swap, its own included
 * (vm.readahead=N, readahead.c): 1 turns readahead off; 0, or more than
 * 16, gives 16. */
void vm_readahead(uint32_t pages);

/* --- mmap.c: mmap, munmap, mprotect, brk, and commit accounting --------- */

/* mmap flags and protections, as <sys/mman.h> numbers them (Linux values). */
#define VM_MAP_SHARED 0x01u
#define VM_MAP_PRIVATE 0x02u
#define VM_MAP_FIXED 0x10u
#define VM_MAP_ANONYMOUS 0x20u

/* POSIX mmap of anonymous memory (data NULL) or of a read-only file's
 * bytes [data, data + size) from offset off. The address goes to *out.
 * Errors as POSIX: -EINVAL, -ENOMEM, -EACCES. */
int vm_mmap(struct addrspace *as, uint32_t addr, uint32_t len, uint32_t prot, uint32_t flags,
	    const uint8_t *data, uint32_t size, uint32_t off, uint32_t *out);
/* The same for a page-cache file vn (the region takes its own reference);
 * writable: the file was opened for writing, so MAP_SHARED may store. */
int vm_mmap_vnode(struct addrspace *as, uint32_t addr, uint32_t len, uint32_t prot,
		  uint32_t flags, struct vnode *vn, bool writable, uint32_t off, uint32_t *out);
/* POSIX munmap: remove [addr, addr + len rounded up to pages) from the
 * regions, splitting those it cuts, and release its pages and their
 * reservation. Unmapped parts are no error. 0, -EINVAL (addr not
 * page-aligned, len 0, the range outside user space) or -ENOMEM (a split
 * needs a region slot and there is none). */
int vm_munmap(struct addrspace *as, uint32_t addr, uint32_t len);
/* POSIX mprotect: give [addr, addr + len rounded up) protection prot,
 * splitting and merging regions, reserving pages that become writable and
 * fencing every present page whose PTE changes (a shared page gains W only
 * through copy-on-write). 0; -EINVAL (addr not aligned, unknown prot
 * bits); -ENOMEM (part of the range unmapped, or no memory to reserve);
 * -EACCES (PROT_WRITE on a shared file mapping). */
int vm_mprotect(struct addrspace *as, uint32_t addr, uint32_t len, uint32_t prot);
/* Move the heap's end to new_brk: 0, or -ENOMEM. Shrinking frees pages. */
int vm_set_brk(struct addrspace *as, uint32_t new_brk);

/* Reserve pages against memory plus swap (fails with -ENOMEM when the
 * system could not hold them all), and give them back. */
int vm_commit(struct addrspace *as, uint32_t pages);
void vm_uncommit(struct addrspace *as, uint32_t pages);
/* Pages a region reserves: the writable private ones (not the stack,
 * which grows on demand and is limited by STACK_MAX). */
uint32_t vm_region_commit(const struct vm_region *r);

#endif
