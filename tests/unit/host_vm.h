/*
 * The memory manager on the host: the real vm.c, mmap.c, fault.c,
 * reclaim.c, rmap.c, swap.c and swap_area.c over simulated RAM
 * (host_ram.c), with a RAM disk formatted as swap in place of virtio-blk,
 * and the TLB fences counted instead of executed. I/O completes at once,
 * so nothing ever sleeps; the kernel's own copyin/copyout are not
 * available (host tests reach user pages through the page tables).
 */
#ifndef TESTS_UNIT_HOST_VM_H
#define TESTS_UNIT_HOST_VM_H

#include "lib/types.h"
#include "mm/vm.h"

#define HOST_VM_RAM_BASE 0x80000000u

/* The fences the memory manager asked the hardware for, since setup. */
struct host_fences {
	uint32_t all, asid, page, page_asid, satp_writes;
};

/* Simulated RAM of ram_pages frames, a swap disk of swap_pages slots (0:
 * no disk), ASIDs on, clock replacement and a cap of maxframes user
 * frames (0: none). 0, or a negative errno. */
int host_vm_setup(uint32_t ram_pages, uint32_t swap_pages, uint32_t maxframes);
void host_vm_teardown(void);

const struct host_fences *host_vm_fences(void);

/* The byte a user address holds in as, through its page tables; -1 when
 * the page is not resident. */
int host_vm_peek(struct addrspace *as, uint32_t va);

#endif
