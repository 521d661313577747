/*
 * The simulated RAM of host_ram.h: fills in host_ram and host_ram_base,
 * which host_stubs.c defines for mm/phys.h. The buffer is page-aligned, so
 * pa2kva() of a frame is page-aligned on the host as it is on the target.
 */
#include <stdlib.h>

#include "host_ram.h"
#include "lib/kerrno.h"
#include "mm/phys.h"

int host_ram_make(paddr_t base, uint32_t npages)
{
	host_ram = aligned_alloc(PAGE_SIZE, (size_t)npages * PAGE_SIZE);
	host_ram_base = base;
	return host_ram == NULL ? -ENOMEM : 0;
}

int host_ram_setup(paddr_t base, uint32_t npages, const struct phys_range *res, int nres)
{
	const struct phys_range ram = {.base = base, .size = npages * PAGE_SIZE};
	int err = host_ram_make(base, npages);
	if (err != 0)
		return err;
	return frame_init(ram, res, nres);
}

void host_ram_teardown(void)
{
	free(host_ram);
	host_ram = NULL;
}
