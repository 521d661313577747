/*
 * How six paging schemes split a virtual address into table indices and a
 * page offset: x86-32, x86 PAE, x86-64 4-level, Sv32, Sv39 and Sv48, each a
 * row of vaddr_schemes[], and vaddr_split() over a row. Host code only.
 * Invariant: in every row the index widths plus VADDR_PAGE_BITS add up to
 * va_bits (tests/unit/test_vaddr.c checks it).
 */
#ifndef VADDR_SPLIT_H
#define VADDR_SPLIT_H

#include <stdbool.h>
#include <stdint.h>

#define VADDR_MAX_LEVELS 4
#define VADDR_PAGE_BITS	 12 /* 4 KiB pages in all six schemes */

enum vaddr_scheme_id {
	VADDR_X86_32,
	VADDR_X86_PAE,
	VADDR_X86_64,
	VADDR_SV32,
	VADDR_SV39,
	VADDR_SV48,
	VADDR_NSCHEMES
};

/* One level of the walk: the architecture's names and the index width. */
struct vaddr_level {
	const char *name;  /* the table on x86 ("PD"), the VA field on RISC-V ("vpn[1]") */
	const char *entry; /* the entry read there: "PDE", "PTE" */
	unsigned bits;
};

struct vaddr_scheme {
	const char *name;
	unsigned va_bits;    /* bits the walk translates */
	bool canonical;	     /* bits 63..va_bits must copy bit va_bits-1 (else: must be 0) */
	unsigned entry_size; /* bytes per table entry */
	unsigned nlevels;
	struct vaddr_level levels[VADDR_MAX_LEVELS]; /* top level (walked first) first */
	const char *note; /* one fact a reader must know, for the printed table */
};

/* Whether a scheme can translate an address, and if not, why. */
enum vaddr_fit {
	VADDR_FITS,
	VADDR_TOO_WIDE,	     /* a bit at or above va_bits is set (32-bit schemes) */
	VADDR_NOT_CANONICAL, /* bits 63..va_bits are not all copies of bit va_bits-1 */
};

/* An address split for one scheme; arrays in the order of levels[]. */
struct vaddr_split {
	unsigned index[VADDR_MAX_LEVELS];
	/* index * entry_size: where the entry starts in its table, in bytes */
	unsigned entry_offset[VADDR_MAX_LEVELS];
	unsigned page_offset;
};

extern const struct vaddr_scheme vaddr_schemes[VADDR_NSCHEMES];

/* The lowest address bit of level `level` of s (0 = the top level). */
unsigned vaddr_level_shift(const struct vaddr_scheme *s, unsigned level);

/* Split va for s into *out and return VADDR_FITS, or return why s cannot
 * translate va and leave *out untouched. */
enum vaddr_fit vaddr_split(const struct vaddr_scheme *s, uint64_t va, struct vaddr_split *out);

#endif
