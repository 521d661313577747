/*
 * Process address spaces: an Sv32 root table whose kernel half is copied
 * from the kernel's root, an ASID, and a sorted array of regions. A user
 * page is mapped only when first touched (vm_fault); a region says what
 * may be there and where its bytes come from.
 */
#ifndef MM_VM_H
#define MM_VM_H

#include "lib/types.h"
#include "riscv/asid.h"
#include "riscv/sv32.h"

#define USER_BASE 0x00001000u   /* page 0 is never mapped (NULL) */
#define USER_TOP 0x80000000u    /* the kernel half starts here */
#define STACK_MAX (8u << 20)    /* the stack grows on demand up to this */
#define STACK_GUARD (1u << 20)  /* unmapped gap kept below the stack */
#define VM_MAX_REGIONS 16
#define VM_MAX_SPACES 80 /* a process has two while it execs */

/* Region protections */
#define VM_R 1u
#define VM_W 2u
#define VM_X 4u

enum vm_kind {
	VMR_ANON,  /* zero-filled: bss, heap */
	VMR_FILE,  /* bytes from a file in the initramfs, the rest zero */
	VMR_STACK, /* zero-filled, at the top of user space */
};

struct vm_region {
	uint32_t start, end; /* page-aligned, end exclusive */
	uint8_t prot;
	uint8_t kind;
	/* VMR_FILE: virtual addresses [file_va, file_va + file_size) hold the
	 * bytes at file_data; everything else in the region reads as zero. */
	uint32_t file_va, file_size;
	const uint8_t *file_data;
};

struct addrspace {
	pte_t *root;
	struct asid_state asid;
	struct vm_region regions[VM_MAX_REGIONS]; /* sorted by start, disjoint */
	int nregions;
	uint32_t heap_start, brk; /* the heap region is [heap_start, PAGE_ROUND_UP(brk)) */
	uint32_t resident;        /* user pages mapped */
};

/* Page-fault counters, for vmstat. */
struct vm_stats {
	uint32_t faults_zero; /* zero-filled pages */
	uint32_t faults_file; /* pages filled from a file */
	uint32_t faults_kill; /* faults that killed the process */
};
extern struct vm_stats vm_stats;

/* A new address space with only the kernel half, or NULL without memory. */
struct addrspace *vm_create(void);
/* Free every user frame and table, then the root. The address space must
 * not be current on any hart. */
void vm_destroy(struct addrspace *as);
/* Make as current on this hart (satp with its ASID). */
void vm_activate(struct addrspace *as);

/* Add a region; -EINVAL if misaligned or overlapping, -ENOMEM if full. */
int vm_add_region(struct addrspace *as, const struct vm_region *r);
/* The region holding va, or NULL. */
const struct vm_region *vm_find(const struct addrspace *as, uint32_t va);

/* Resolve a page fault at va for an access needing prot (VM_R, VM_W or
 * VM_X): 0 when the page is now mapped, -EFAULT when the access is not
 * allowed (the caller kills), -ENOMEM when no frame is left. */
int vm_fault(struct addrspace *as, uint32_t va, uint32_t prot);

/* Copy every mapped user page of src into dst (fork). */
int vm_copy(struct addrspace *dst, const struct addrspace *src);

/* Move the heap's end to new_brk: 0, or -ENOMEM. Shrinking frees pages. */
int vm_set_brk(struct addrspace *as, uint32_t new_brk);

/* Check that [va, va + len) lies inside regions allowing prot. */
bool vm_range_ok(const struct addrspace *as, uint32_t va, uint32_t len, uint32_t prot);

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

#endif
