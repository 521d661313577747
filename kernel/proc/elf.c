/*
 * The ELF32 checker (proc/elf.h). Headers are copied out of the image with
 * memcpy after a bounds check, so the image needs no alignment; every sum
 * of two numbers taken from the image is checked for wrap before it is
 * used. Uses only klib.h. The copies assume a little-endian CPU, as RISC-V
 * and the hosts running the unit tests are.
 */
#include "proc/elf.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "elf.c reads ELFDATA2LSB fields as native integers"
#endif

/* Record why the image is refused, leaving no segment a careless caller
 * could map; returns -ENOEXEC. */
static int reject(struct elf_info *out, const char *why)
{
	out->nsegs = 0;
	out->why = why;
	return -ENOEXEC;
}

/* Check the ELF header against what the loader accepts: 0 or -ENOEXEC. */
static int check_header(const Elf32_Ehdr *eh, uint32_t size, struct elf_info *out)
{
	if (memcmp(eh->e_ident, ELF_MAGIC, ELF_MAGIC_LEN) != 0)
		return reject(out, "not an ELF file (bad magic)");
	if (eh->e_ident[ELF_EI_CLASS] != ELF_CLASS32)
		return reject(out, "not ELFCLASS32");
	if (eh->e_ident[ELF_EI_DATA] != ELF_DATA2LSB)
		return reject(out, "not little-endian (ELFDATA2LSB)");
	if (eh->e_ident[ELF_EI_VERSION] != ELF_EV_CURRENT || eh->e_version != ELF_EV_CURRENT)
		return reject(out, "unknown ELF version");
	if (eh->e_type != ELF_ET_EXEC)
		return reject(out, "not an executable (ET_EXEC)");
	if (eh->e_machine != ELF_EM_RISCV)
		return reject(out, "not a RISC-V program (EM_RISCV)");
	if (eh->e_phentsize != ELF_PHDR_SIZE)
		return reject(out, "bad program header size");
	if (eh->e_phnum > ELF_MAX_SEGMENTS)
		return reject(out, "too many program headers");
	/* e_phnum * ELF_PHDR_SIZE is at most 512 here: no overflow. */
	if (eh->e_phoff > size || (uint32_t)eh->e_phnum * ELF_PHDR_SIZE > size - eh->e_phoff)
		return reject(out, "program headers run past the end");
	return 0;
}

/* Check one PT_LOAD segment on its own: 0 or -ENOEXEC. */
static int check_segment(const Elf32_Phdr *ph, uint32_t size, struct elf_info *out)
{
	if (ph->p_filesz > ph->p_memsz)
		return reject(out, "segment file size exceeds its memory size");
	if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset)
		return reject(out, "segment data runs past the end");
	if (ph->p_vaddr < ELF_USER_LOW)
		return reject(out, "segment maps page 0");
	if (ph->p_memsz > ELF_USER_END || ph->p_vaddr > ELF_USER_END - ph->p_memsz)
		return reject(out, "segment reaches past user space");
	if (ph->p_vaddr % PAGE_SIZE != ph->p_offset % PAGE_SIZE)
		return reject(out, "segment vaddr and offset differ modulo the page size");
	if ((ph->p_flags & ELF_PF_W) && (ph->p_flags & ELF_PF_X))
		return reject(out, "segment both writable and executable");
	return 0;
}

/* True when the segment starts on a page after the last one of prev. */
static bool after_previous(const struct elf_segment *prev, const Elf32_Phdr *ph)
{
	/* check_segment keeps vaddr + memsz <= ELF_USER_END: no wrap. */
	return PAGE_ROUND_DOWN(ph->p_vaddr) >= PAGE_ROUND_UP(prev->vaddr + prev->memsz);
}

/* True when entry lies inside an executable segment of out. */
static bool entry_is_executable(const struct elf_info *out, uint32_t entry)
{
	for (uint32_t i = 0; i < out->nsegs; i++) {
		const struct elf_segment *s = &out->segs[i];
		if ((s->flags & ELF_PF_X) && entry >= s->vaddr && entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

int elf_parse(const void *image, uint32_t size, struct elf_info *out)
{
	return elf_parse_head(image, size, size, out);
}

int elf_parse_head(const void *head, uint32_t avail, uint32_t size, struct elf_info *out)
{
	const uint8_t *img = head;
	Elf32_Ehdr eh;

	memset(out, 0, sizeof(*out));
	if (avail > size)
		avail = size;
	if (avail < ELF_EHDR_SIZE)
		return reject(out, "shorter than an ELF header");
	memcpy(&eh, img, sizeof(eh));
	int err = check_header(&eh, avail, out);
	if (err)
		return err;

	for (uint32_t i = 0; i < eh.e_phnum; i++) {
		Elf32_Phdr ph;
		memcpy(&ph, img + eh.e_phoff + i * ELF_PHDR_SIZE, sizeof(ph));
		if (ph.p_type != ELF_PT_LOAD)
			continue;
		err = check_segment(&ph, size, out);
		if (err)
			return err;
		if (out->nsegs > 0 && !after_previous(&out->segs[out->nsegs - 1], &ph))
			return reject(out, "segments out of order or sharing a page");
		out->segs[out->nsegs++] = (struct elf_segment){
		    .vaddr = ph.p_vaddr,
		    .memsz = ph.p_memsz,
		    .offset = ph.p_offset,
		    .filesz = ph.p_filesz,
		    .flags = ph.p_flags & ELF_PF_RWX,
		};
	}

	if (out->nsegs == 0)
		return reject(out, "no loadable segment");
	if (!entry_is_executable(out, eh.e_entry))
		return reject(out, "entry point outside an executable segment");
	out->entry = eh.e_entry;
	return 0;
}
