/*
 * The memory manager on the host: the real vm.c, mmap.c, fault.c,
 * reclaim.c, rmap.c, swap.c and swap_area.c over simulated RAM
 * (host_ram.c), with a RAM disk formatted as swap in place of virtio-blk.
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

/* The byte a user address holds in as, through its page tables; -1 when
 * the page is not resident. */
int host_vm_peek(struct addrspace *as, uint32_t va);

#endif
