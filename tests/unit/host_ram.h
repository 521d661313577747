/*
 * Simulated RAM for the host unit tests of kernel memory code: a
 * page-aligned buffer behind host_ram and host_ram_base (host_stubs.c),
 * which pa2kva() in mm/phys.h translates into, and the frame allocator of
 * kernel/mm/frame.c built over it. One RAM at a time: each setup is paired
 * with host_ram_teardown().
 */
#ifndef TESTS_UNIT_HOST_RAM_H
#define TESTS_UNIT_HOST_RAM_H

#include "lib/types.h"
#include "mm/frame.h"

/* Stand a buffer of npages pages for physical addresses [base, base +
 * npages * PAGE_SIZE), with no frame table yet: 0, or -ENOMEM. */
int host_ram_make(paddr_t base, uint32_t npages);

/* host_ram_make, then frame_init over the whole RAM with the nres reserved
 * ranges res: 0, or the first error. */
int host_ram_setup(paddr_t base, uint32_t npages, const struct phys_range *res, int nres);

/* Free the simulated RAM; pa2kva() is meaningless until the next setup. */
void host_ram_teardown(void);

#endif
