/*
 * How the kernel reaches physical memory. RAM is mapped with VA = PA, so a
 * physical address is also a kernel pointer. Host unit tests (HOST_TEST)
 * simulate RAM with a buffer and translate through its base instead.
 */
#ifndef MM_PHYS_H
#define MM_PHYS_H

#include "lib/types.h"

#ifdef HOST_TEST
extern uint8_t *host_ram;     /* the buffer that stands for RAM */
extern paddr_t host_ram_base; /* the physical address of host_ram[0] */

static inline void *pa2kva(paddr_t pa)
{
	return host_ram + (pa - host_ram_base);
}

static inline paddr_t kva2pa(const void *va)
{
	return host_ram_base + (paddr_t)((const uint8_t *)va - host_ram);
}
#else
static inline void *pa2kva(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}

static inline paddr_t kva2pa(const void *va)
{
	return (paddr_t)(uintptr_t)va;
}
#endif

#endif
