/*
 * The G-stage: a guest's second translation stage, guest-physical to
 * host-physical, in Sv32x4 tables (hypervisor spec, "Two-Stage Address
 * Translation"; PLATFORM.md 10.2). This is the architecture's EPT or NPT.
 *
 * A guest's RAM is an anonymous region of the process that runs it (the
 * hypervisor is riscv/hv.c), so a guest-physical page gpa is the host
 * virtual page hva = ram_hva + (gpa - ram_gpa) of that process, and the
 * host's demand paging, copy-on-write and swap work on it unchanged. The
 * G-stage only caches that process's own page table for the RAM window:
 *
 *   Invariant: a valid G-stage leaf for gpa maps the frame that the host
 *   PTE of its hva maps, that PTE is valid with A set, and the leaf is
 *   writable only if the PTE is writable with D set.
 *
 * So the host learns of every guest access it must know of (A for the
 * replacement policy, D before a swap-out) by the guest-page faults that
 * build leaves, and every host change that could break the invariant
 * (eviction, clearing A, write-protection, copy-on-write, unmapping) is
 * one that already fences the host TLB: the memory manager calls
 * gstage_unmap() beside each such fence (vm.h, vm_fence_page).
 */
#ifndef MM_GSTAGE_H
#define MM_GSTAGE_H

#include "lib/types.h"
#include "riscv/sv32.h"

#define GSTAGE_ROOT_PTES 4096u               /* Sv32x4: GPA bits 33:22 */
#define GSTAGE_ROOT_SIZE (GSTAGE_ROOT_PTES * 4u) /* 16 KiB, and so aligned */

struct addrspace;

struct gstage {
	pte_t *root;         /* GSTAGE_ROOT_SIZE bytes, 16 KiB aligned */
	uint32_t ram_gpa;    /* the guest-physical base of its RAM */
	uint32_t ram_hva;    /* where that RAM is in the owner's address space */
	uint32_t ram_size;   /* bytes, a whole number of pages */
	uint32_t vmid;       /* hgatp.VMID of generation vmid_gen (riscv/hv.c) */
	uint32_t vmid_gen;
	uint32_t ran_on;     /* cpu index bits: harts that may hold its entries */
	uint32_t leaves;     /* valid G-stage leaves */
	uint32_t faults;     /* guest-page faults resolved */
};

/* A G-stage for RAM of size bytes at guest-physical gpa, held at hva in
 * the owner's space: 0, -EINVAL, or -ENOMEM. */
int gstage_init(struct gstage *gs, uint32_t gpa, uint32_t hva, uint32_t size);
/* Free its tables (no leaf may still be in use by a hart: the owner is
 * gone, or its VMID is fenced everywhere). */
void gstage_free(struct gstage *gs);

/* The host virtual address of guest-physical gpa (34 bits, as htval << 2
 * gives it), or 0 if gpa is not in the guest's RAM. */
uint32_t gstage_hva(const struct gstage *gs, uint64_t gpa);

/* Resolve a guest-page fault at gpa (in RAM) for an access needing prot
 * (VM_R, VM_W or VM_X): fault the page into the host space as and map it
 * in the G-stage. 0, or what vm_fault returns (-ENOMEM, -EIO, ...). */
int gstage_fault(struct addrspace *as, struct gstage *gs, uint64_t gpa, uint32_t prot);

/* The host PTEs of [va, va + size) of as changed or went, or (size 0)
 * all of them did: drop the G-stage leaves they back and fence them on
 * every hart that may hold them. vm_lock held. */
void gstage_unmap(struct addrspace *as, uint32_t va, uint32_t size);

/* The G-stage leaf of gpa (a copy; 0 if none), for the nested walk. */
pte_t gstage_leaf(const struct gstage *gs, uint64_t gpa);

#ifdef HOST_TEST
/* Host tests leave out gstage_unmap's local or remote hfence.gvma on
 * purpose, to see the tagged-TLB model catch it (tests/unit/test_gstage.c). */
extern bool gstage_test_omit_local_fence, gstage_test_omit_remote_fence;
#endif

#endif
