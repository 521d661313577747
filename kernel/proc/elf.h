/*
 * The ELF32 checker for the program loader: decides whether an image is a
 * RISC-V executable the kernel can map page by page into user space, and
 * lists its loadable segments (System V ABI, "Object Files" chapter; the
 * RISC-V ELF psABI). Freestanding: the structures are defined here rather
 * than taken from the host's <elf.h>. The image is hostile input.
 */
#ifndef PROC_ELF_H
#define PROC_ELF_H

#include "lib/types.h"

/* e_ident[] */
#define ELF_NIDENT     16
#define ELF_MAGIC      "\177ELF"
#define ELF_MAGIC_LEN  4
#define ELF_EI_CLASS   4
#define ELF_EI_DATA    5
#define ELF_EI_VERSION 6
#define ELF_CLASS32    1
#define ELF_DATA2LSB   1 /* little-endian */
#define ELF_EV_CURRENT 1

#define ELF_ET_EXEC  2
#define ELF_EM_RISCV 243

/* Program header types; only PT_LOAD matters to the loader. */
#define ELF_PT_NULL		0
#define ELF_PT_LOAD		1
#define ELF_PT_NOTE		4
#define ELF_PT_GNU_STACK	0x6474e551u
#define ELF_PT_RISCV_ATTRIBUTES 0x70000003u

/* Segment permissions (p_flags) */
#define ELF_PF_X   0x1u
#define ELF_PF_W   0x2u
#define ELF_PF_R   0x4u
#define ELF_PF_RWX (ELF_PF_R | ELF_PF_W | ELF_PF_X)

#define ELF_MAX_SEGMENTS 16 /* program headers accepted, of any type */

/* Where a segment may lie: the user half of the address space, page 0 left
 * unmapped (the same bounds as USER_BASE and USER_TOP in mm/vm.h). */
#define ELF_USER_LOW 0x00001000u
#define ELF_USER_END 0x80000000u

typedef struct {
	uint8_t e_ident[ELF_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} Elf32_Ehdr;

typedef struct {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
} Elf32_Phdr;

#define ELF_EHDR_SIZE 52
#define ELF_PHDR_SIZE 32
_Static_assert(sizeof(Elf32_Ehdr) == ELF_EHDR_SIZE, "Elf32_Ehdr layout");
_Static_assert(sizeof(Elf32_Phdr) == ELF_PHDR_SIZE, "Elf32_Phdr layout");

/* One loadable segment: [vaddr, vaddr + memsz) in user space, whose first
 * filesz bytes are the image's bytes at offset and the rest zero. */
struct elf_segment {
	uint32_t vaddr;
	uint32_t memsz;
	uint32_t offset;
	uint32_t filesz;
	uint32_t flags; /* ELF_PF_R | ELF_PF_W | ELF_PF_X, never both W and X */
};

struct elf_info {
	uint32_t entry;
	uint32_t nsegs;
	struct elf_segment segs[ELF_MAX_SEGMENTS]; /* sorted by vaddr, on disjoint pages */
	const char *why; /* after -ENOEXEC: the rule the image broke; else NULL */
};

/*
 * Check that image[0, size) is an ELF32 little-endian RISC-V executable
 * whose PT_LOAD segments lie in user space, above page 0, on disjoint pages
 * in vaddr order, never writable and executable at once, congruent with
 * their file offsets modulo the page size, with the entry point in an
 * executable one; describe it in *out. Returns 0 or -ENOEXEC (out->why).
 */
int elf_parse(const void *image, uint32_t size, struct elf_info *out);
/* The same from the file's first avail bytes at head, of size in all:
 * the program headers must lie in those bytes, the segments in size. */
int elf_parse_head(const void *head, uint32_t avail, uint32_t size, struct elf_info *out);

#endif
