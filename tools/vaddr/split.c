/*
 * The six paging schemes as data, and the split of an address over one of
 * them. Names are each architecture's own: the Intel SDM's "Paging" chapter
 * (PD, PDE, PDPT, PML4) and the RISC-V privileged spec's Sv32/Sv39/Sv48
 * sections (vpn[i], PTE). The split is plain shifts and masks; the only
 * rule beyond them is the width check in vaddr_fit().
 */
#include "split.h"

/* In the order of enum vaddr_scheme_id. */
const struct vaddr_scheme vaddr_schemes[VADDR_NSCHEMES] = {
    {
	.name = "x86-32",
	.va_bits = 32,
	.canonical = false,
	.entry_size = 4,
	.nlevels = 2,
	.levels = {{"PD", "PDE", 10}, {"PT", "PTE", 10}},
	.note = "CR3 holds the PD's address (CR4.PAE = 0)",
    },
    {
	.name = "x86 PAE",
	.va_bits = 32,
	.canonical = false,
	.entry_size = 8,
	.nlevels = 3,
	.levels = {{"PDPT", "PDPTE", 2}, {"PD", "PDE", 9}, {"PT", "PTE", 9}},
	.note = "PAE widens physical addresses, not virtual ones",
    },
    {
	.name = "x86-64",
	.va_bits = 48,
	.canonical = true,
	.entry_size = 8,
	.nlevels = 4,
	.levels = {{"PML4", "PML4E", 9}, {"PDPT", "PDPTE", 9}, {"PD", "PDE", 9}, {"PT", "PTE", 9}},
	.note = "CR3 holds the PML4's address",
    },
    {
	.name = "Sv32",
	.va_bits = 32,
	.canonical = false,
	.entry_size = 4,
	.nlevels = 2,
	.levels = {{"vpn[1]", "PTE", 10}, {"vpn[0]", "PTE", 10}},
	.note = "RV32, satp.MODE = 1; split as x86-32",
    },
    {
	.name = "Sv39",
	.va_bits = 39,
	.canonical = true,
	.entry_size = 8,
	.nlevels = 3,
	.levels = {{"vpn[2]", "PTE", 9}, {"vpn[1]", "PTE", 9}, {"vpn[0]", "PTE", 9}},
	.note = "RV64, satp.MODE = 8",
    },
    {
	.name = "Sv48",
	.va_bits = 48,
	.canonical = true,
	.entry_size = 8,
	.nlevels = 4,
	.levels = {{"vpn[3]", "PTE", 9},
		   {"vpn[2]", "PTE", 9},
		   {"vpn[1]", "PTE", 9},
		   {"vpn[0]", "PTE", 9}},
	.note = "RV64, satp.MODE = 9; split as x86-64",
    },
};

unsigned vaddr_level_shift(const struct vaddr_scheme *s, unsigned level)
{
	unsigned shift = VADDR_PAGE_BITS;

	for (unsigned below = level + 1; below < s->nlevels; below++)
		shift += s->levels[below].bits;
	return shift;
}

/* Whether s translates va: va fits in va_bits or, in a canonical scheme,
 * its bits 63..va_bits-1 are all 0 or all 1 (SDM, "Canonical Addressing";
 * privileged spec, Sv39 and Sv48: else the access is a page fault). */
static enum vaddr_fit vaddr_fit(const struct vaddr_scheme *s, uint64_t va)
{
	uint64_t high;

	if (!s->canonical)
		return (va >> s->va_bits) == 0 ? VADDR_FITS : VADDR_TOO_WIDE;
	high = va >> (s->va_bits - 1);
	if (high == 0 || high == UINT64_MAX >> (s->va_bits - 1))
		return VADDR_FITS;
	return VADDR_NOT_CANONICAL;
}

enum vaddr_fit vaddr_split(const struct vaddr_scheme *s, uint64_t va, struct vaddr_split *out)
{
	enum vaddr_fit fit = vaddr_fit(s, va);

	if (fit != VADDR_FITS)
		return fit;
	for (unsigned level = 0; level < s->nlevels; level++) {
		unsigned mask = (1u << s->levels[level].bits) - 1;

		out->index[level] = (unsigned)(va >> vaddr_level_shift(s, level)) & mask;
		out->entry_offset[level] = out->index[level] * s->entry_size;
	}
	out->page_offset = (unsigned)va & ((1u << VADDR_PAGE_BITS) - 1);
	return VADDR_FITS;
}
