/*
 * The memory manager on the host: the real vm.c, mmap.c, fault.c,
 * reclaim.c, pagecache.c, rmap.c, swap.c and swap_area.c over simulated
 * RAM (host_ram.c), with a RAM disk formatted as swap in place of
 * virtio-blk and, if asked for, a file-system RAM disk whose files the
 * page cache holds (the vnode layer's part, without a file system).
 * The TLB hooks come from host_fences.c, which counts them, or from the
 * tagged-TLB model (tlb_model.c). I/O completes at once, so nothing ever
 * sleeps; the kernel's own copyin/copyout are not available (host tests
 * reach user pages through the page tables).
 */
#ifndef TESTS_UNIT_HOST_VM_H
#define TESTS_UNIT_HOST_VM_H

#include "lib/types.h"
#include "mm/vm.h"

#define HOST_VM_RAM_BASE 0x80000000u

/* host_fences.c: the fences the memory manager asked the hardware for
 * (remote: SBI remote fences), since host_fences_reset. */
struct host_fences {
	uint32_t all, asid, page, page_asid, satp_writes, remote;
	uint32_t gvma, vvma, remote_gvma; /* the G-stage's (mm/gstage.c) */
};
const struct host_fences *host_vm_fences(void);
void host_fences_reset(void);

/* Simulated RAM of ram_pages frames, a swap disk of swap_pages slots (0:
 * no disk), ASIDs on (9 bits), one hart (ncpus 1, host_hart 0), clock
 * replacement and a cap of maxframes user frames (0: none). 0, or a
 * negative errno. */
int host_vm_setup(uint32_t ram_pages, uint32_t swap_pages, uint32_t maxframes);
/* The same with the replacement policy named as vm.policy= names it
 * ("clock" or "fifo"). */
int host_vm_setup_policy(uint32_t ram_pages, uint32_t swap_pages, uint32_t maxframes,
			 const char *policy);
void host_vm_teardown(void);

/* Called by the RAM disk after each transfer, if set: what other harts do
 * while the kernel waits for the disk with vm_lock dropped (the transfer
 * is done, so a page written meanwhile misses the disk). */
extern void (*host_vm_during_io)(void);

/* Page-cache files (after host_vm_setup): a file-system disk (VBLK_FS)
 * holding n files of pages pages each, zeroed, fully allocated, and the
 * page cache over it (pc_init). vnode_map_page gives their pages; each
 * file's vnode counts the references mm/ holds. 0, -EINVAL (more than
 * HOST_VM_FILES_MAX files) or -ENOMEM. */
#define HOST_VM_FILES_MAX 8
int host_vm_files_setup(uint32_t n, uint32_t pages);
/* File i's vnode, for vm_mmap_vnode; NULL if there is no such file. */
struct vnode *host_vm_file(uint32_t i);
/* The references mm/ holds on file i. */
uint32_t host_vm_file_refs(uint32_t i);
/* The disk block of page index of file i, and the bytes of block blk on
 * the disk itself (not in the cache). */
uint32_t host_vm_file_block(uint32_t i, uint32_t index);
uint8_t *host_vm_fs_block(uint32_t blk);

/* The byte a user address holds in as, through its page tables; -1 when
 * the page is not resident. */
int host_vm_peek(struct addrspace *as, uint32_t va);

#endif
