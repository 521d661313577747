/*
 * The kernel's address space (DESIGN.md section 3): RAM mapped VA = PA with
 * G set, the kernel image in 4 KiB pages with W^X, the rest of RAM in 4 MiB
 * megapages where it can, and device registers in a kernel-only window at
 * the top of the address space. Every process root will share it.
 */
#ifndef RISCV_KMAP_H
#define RISCV_KMAP_H

#include "lib/types.h"
#include "mm/frame.h"
#include "riscv/sv32.h"

#define KMAP_BASE 0x80000000u        /* the kernel half of every address space */
#define MMIO_WINDOW_BASE 0xF0000000u /* device registers live from here... */
#define MMIO_WINDOW_END 0xFFFFF000u  /* ...to here; RAM must end below the base */

/* RAM the kernel can map VA = PA: ram cut at the MMIO window. */
struct phys_range kmap_usable_ram(struct phys_range ram);

/* Build the kernel root table over usable RAM, leaving the nres no-map
 * ranges (firmware) unmapped. Panics if frames run out. */
void kmap_init(struct phys_range ram, const struct phys_range *nomap, int nres);

/* Map device registers [pa, pa + size) into the MMIO window, kernel-only
 * and read-write. Returns the virtual address of pa. Panics when the
 * window is full (a boot-time configuration error). */
void *kmap_map_mmio(paddr_t pa, uint32_t size);

/* Switch satp to the kernel root (ASID 0) and measure ASIDLEN. */
void kmap_enable(void);
/* The same on a hart started later (ASIDLEN is known), and empty its TLB. */
void kmap_enable_hart(void);

/* Give the root of a new address space the kernel half (every entry from
 * KMAP_BASE up, all global), before any hart uses that root. */
void kmap_share_kernel_half(pte_t *root);

pte_t *kmap_root(void);
paddr_t kmap_root_pa(void);
/* How many ASID bits satp implements (0-9), measured by kmap_enable. */
uint32_t kmap_asidlen(void);

#endif
