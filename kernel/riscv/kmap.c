/*
 * Builds the kernel page table and turns on Sv32. The kernel image gets
 * 4 KiB pages so text can be R-X, rodata R-- and data RW- (W^X); other RAM
 * gets 4 MiB megapages, except around the image and firmware holes, where
 * 4 KiB pages map exactly the usable frames. All kernel leaves have G
 * (global: the same in every address space) and A, plus D when writable,
 * so hardware that faults on clear A/D bits never faults on them.
 */
#include "riscv/kmap.h"
#include "lib/klib.h"
#include "mm/phys.h"
#include "riscv/csr.h"

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];

#define KERNEL_FLAGS (PTE_G | PTE_A)
#define KERNEL_RW (PTE_R | PTE_W | KERNEL_FLAGS | PTE_D)

static pte_t *kroot; /* the kernel's own kroot table */
static uint32_t asidlen;
static uint32_t mmio_next = MMIO_WINDOW_BASE;

struct phys_range kmap_usable_ram(struct phys_range ram)
{
	uint64_t end = (uint64_t)ram.base + ram.size;
	if (end > MMIO_WINDOW_BASE) {
		kprintf("kmap: RAM above 0x%08x is not used (the MMIO window starts there)\n",
			MMIO_WINDOW_BASE);
		end = MMIO_WINDOW_BASE;
	}
	return (struct phys_range){ .base = ram.base, .size = (uint32_t)(end - ram.base) };
}

static bool overlaps(paddr_t a, uint32_t alen, paddr_t b, uint32_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool overlaps_any(paddr_t a, uint32_t len, const struct phys_range *r, int n)
{
	for (int i = 0; i < n; i++)
		if (overlaps(a, len, r[i].base, r[i].size))
			return true;
	return false;
}

static void map_page(uint32_t va, paddr_t pa, uint32_t flags)
{
	int err = sv32_map_page(kroot, va, pa, flags);
	if (err)
		panic("kmap: cannot map 0x%08x: error %d", va, err);
}

/* Map [start, end) one to one with flags, one 4 KiB page at a time:
 * through sv32_map_page (which checks, and links a table) for the first
 * page of each level-0 table, by a plain store into that table for the
 * rest (a walk for every page cost boot 100,000 instructions). */
static void map_pages(uintptr_t start, uintptr_t end, uint32_t flags)
{
	pte_t *pte = NULL;
	for (uintptr_t a = start; a < end; a += PAGE_SIZE, pte++) {
		if (pte == NULL || sv32_vpn0(a) == 0) {
			map_page(a, a, flags);
			pte = sv32_walk(kroot, a, false);
		} else if (pte_valid(pte_load(pte))) {
			panic("kmap: 0x%08x is mapped twice", (uint32_t)a);
		} else {
			pte_store(pte, pte_make(a, flags | PTE_V));
		}
	}
}

void kmap_init(struct phys_range ram, const struct phys_range *nomap, int nres)
{
	paddr_t img = (paddr_t)(uintptr_t)__kernel_start;
	uint32_t img_size = (uint32_t)((uintptr_t)__kernel_end - (uintptr_t)__kernel_start);
	paddr_t end = ram.base + ram.size;

	kroot = pa2kva(frame_alloc(FRAME_ZERO));
	if (kva2pa(kroot) == 0)
		panic("kmap: no frame for the kernel kroot table");

	paddr_t run = 0; /* the start of 4 KiB pages still to map, 0 for none */
	for (paddr_t pa = ram.base; pa < end;) {
		bool whole = ALIGNED(pa, SV32_MEGAPAGE_SIZE) && end - pa >= SV32_MEGAPAGE_SIZE;
		if (whole && !overlaps(pa, SV32_MEGAPAGE_SIZE, img, img_size) &&
		    !overlaps_any(pa, SV32_MEGAPAGE_SIZE, nomap, nres)) {
			if (run)
				map_pages(run, pa, KERNEL_RW);
			run = 0;
			int err = sv32_map_mega(kroot, pa, pa, KERNEL_RW);
			if (err)
				panic("kmap: cannot map megapage 0x%08x: error %d", pa, err);
			pa += SV32_MEGAPAGE_SIZE;
			continue;
		}
		bool mapped = !overlaps(pa, PAGE_SIZE, img, img_size) &&
			      !overlaps_any(pa, PAGE_SIZE, nomap, nres);
		if (mapped && !run)
			run = pa;
		if (!mapped && run) {
			map_pages(run, pa, KERNEL_RW);
			run = 0;
		}
		pa += PAGE_SIZE;
	}
	if (run)
		map_pages(run, end, KERNEL_RW);

	map_pages((uintptr_t)__kernel_start, (uintptr_t)__text_end, PTE_R | PTE_X | KERNEL_FLAGS);
	map_pages((uintptr_t)__text_end, (uintptr_t)__rodata_end, PTE_R | KERNEL_FLAGS);
	map_pages((uintptr_t)__rodata_end, (uintptr_t)__kernel_end, KERNEL_RW);
}

void *kmap_map_mmio(paddr_t pa, uint32_t size)
{
	paddr_t first = PAGE_ROUND_DOWN(pa);
	uint32_t len = PAGE_ROUND_UP(pa + size) - first;
	if (len > MMIO_WINDOW_END - mmio_next)
		panic("kmap: MMIO window full mapping 0x%08x", pa);
	uint32_t va = mmio_next;
	for (uint32_t off = 0; off < len; off += PAGE_SIZE)
		map_page(va + off, first + off, PTE_R | PTE_W | KERNEL_FLAGS | PTE_D);
	mmio_next += len;
	/* An earlier walk may have cached the entry as invalid (privileged
	 * spec, SFENCE.VMA), so fence once paging is on. */
	if (csr_read(satp) & SATP_MODE_SV32)
		sfence_vma_all();
	return (void *)(uintptr_t)(va + (pa - first));
}

void kmap_enable(void)
{
	/* ASIDLEN: write all ones to satp.ASID and see which bits stick
	 * (privileged spec, "satp"). The kroot is complete, so the write that
	 * turns paging on may as well be this one. */
	csr_write(satp, satp_make(kva2pa(kroot), SATP_ASID_MASK));
	uint32_t asid = (csr_read(satp) >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	asidlen = 0;
	while (asid & (1u << asidlen))
		asidlen++;
	csr_write(satp, satp_make(kva2pa(kroot), 0));
	sfence_vma_all();
}

void kmap_enable_hart(void)
{
	csr_write(satp, satp_make(kva2pa(kroot), 0));
	sfence_vma_all();
}

void kmap_share_kernel_half(pte_t *root)
{
	uint32_t first = sv32_vpn1(KMAP_BASE);
	/* A bulk copy is safe: no hart walks this root yet. */
	bulk_copy(&root[first], &kroot[first], (SV32_PTES - first) * sizeof(pte_t));
}

pte_t *kmap_root(void)
{
	return kroot;
}

paddr_t kmap_root_pa(void)
{
	return kva2pa(kroot);
}

uint32_t kmap_asidlen(void)
{
	return asidlen;
}
