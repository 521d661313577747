/* Host tests of kernel/proc/elf.c: a program built by the cross compiler at
 * test time and hand-built images are accepted, each rule of the loader
 * refuses its own broken image with -ENOEXEC, and truncated or randomly
 * damaged images never crash (each sits in a buffer of exactly its size, so
 * AddressSanitizer reports any overread). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kerrno.h"
#include "proc/elf.h"
#include "host_files.h"

#define REAL_TEXT	  0x10000u /* -Ttext: where _start lands */
#define REAL_BSS	  8192u	   /* .space in the program's .bss */
#define RANDOM_ITERATIONS 10000
#define RANDOM_SEED	  0x9e3779b9u

#define ELF_ET_REL	1
#define ELF_ET_DYN	3
#define ELF_CLASS64	2
#define ELF_DATA2MSB	2
#define ELF_EM_X86_64	62
#define ELF_PF_MASKPROC 0xf0000000u

static const char program[] = ".text\n"
			      ".globl _start\n"
			      "_start:\n"
			      "  li a7, 1\n"
			      "  ecall\n"
			      "  j _start\n"
			      ".data\n"
			      "value: .word 42\n"
			      ".bss\n"
			      "zeros: .space 8192\n";

static uint8_t *real; /* the program the cross compiler built */
static uint32_t real_size;

/* Assemble and link the tiny program in dir: true on success. */
static bool compile_program(const char *dir)
{
	char cmd[1024];

	if (!scratch_write(dir, "start.S", program, strlen(program)))
		return false;
	snprintf(cmd, sizeof(cmd),
		 "riscv64-unknown-elf-gcc -march=rv32ima -mabi=ilp32 -nostdlib -static "
		 "-Wl,-Ttext=0x%x -o %s/x.elf %s/start.S",
		 REAL_TEXT, dir, dir);
	return system(cmd) == 0;
}

/* Build the real program with the cross compiler and keep its bytes. */
static int build_real_elf(void **state)
{
	(void)state;
	real = scratch_build("test_elf", compile_program, "x.elf", &real_size);
	return real == NULL ? -1 : 0;
}

static int free_real_elf(void **state)
{
	(void)state;
	free(real);
	return 0;
}

/* ---- hand-built images ---- */

#define IMG_SIZE   0x3000u
#define IMG_PHOFF  ELF_EHDR_SIZE
#define IMG_MAX_PH 20

/* The image under construction: a text segment (R-X, page 0x10000, file
 * page 0), a data segment (RW-, page 0x11000, file page 1, with bss to
 * 0x13000) and a GNU_STACK header, which the loader ignores. */
static Elf32_Ehdr eh;
static Elf32_Phdr ph[IMG_MAX_PH];
static uint8_t img[IMG_SIZE];
static struct elf_info info;

static int make_valid_image(void **state)
{
	(void)state;
	memset(&eh, 0, sizeof(eh));
	memset(ph, 0, sizeof(ph));
	memcpy(eh.e_ident, ELF_MAGIC, ELF_MAGIC_LEN);
	eh.e_ident[ELF_EI_CLASS] = ELF_CLASS32;
	eh.e_ident[ELF_EI_DATA] = ELF_DATA2LSB;
	eh.e_ident[ELF_EI_VERSION] = ELF_EV_CURRENT;
	eh.e_type = ELF_ET_EXEC;
	eh.e_machine = ELF_EM_RISCV;
	eh.e_version = ELF_EV_CURRENT;
	eh.e_entry = 0x10100;
	eh.e_phoff = IMG_PHOFF;
	eh.e_ehsize = ELF_EHDR_SIZE;
	eh.e_phentsize = ELF_PHDR_SIZE;
	eh.e_phnum = 3;
	ph[0] = (Elf32_Phdr){.p_type = ELF_PT_LOAD,
			     .p_offset = 0,
			     .p_vaddr = 0x10000,
			     .p_filesz = 0x1000,
			     .p_memsz = 0x1000,
			     .p_flags = ELF_PF_R | ELF_PF_X,
			     .p_align = PAGE_SIZE};
	ph[1] = (Elf32_Phdr){.p_type = ELF_PT_LOAD,
			     .p_offset = 0x1010,
			     .p_vaddr = 0x11010,
			     .p_filesz = 0x100,
			     .p_memsz = 0x1ff0,
			     .p_flags = ELF_PF_R | ELF_PF_W,
			     .p_align = PAGE_SIZE};
	ph[2] = (Elf32_Phdr){.p_type = ELF_PT_GNU_STACK, .p_flags = ELF_PF_R | ELF_PF_W};
	return 0;
}

/* Lay eh and ph out in img and parse the first size bytes of it. */
static int parse_sized(uint32_t size)
{
	memset(img, 0xa5, sizeof(img));
	memcpy(img, &eh, sizeof(eh));
	for (uint32_t i = 0; i < eh.e_phnum && i < IMG_MAX_PH; i++) {
		uint32_t at = IMG_PHOFF + i * ELF_PHDR_SIZE;
		if (at + ELF_PHDR_SIZE <= IMG_SIZE)
			memcpy(img + at, &ph[i], sizeof(ph[i]));
	}
	uint8_t *copy = exact_copy(img, size);
	int err = elf_parse(copy, size, &info);
	free(copy);
	return err;
}

static int parse(void)
{
	return parse_sized(IMG_SIZE);
}

/* The image must be refused by the rule whose message has keyword. */
static void assert_rejected(const char *keyword)
{
	assert_int_equal(parse(), -ENOEXEC);
	assert_non_null(info.why);
	if (strstr(info.why, keyword) == NULL)
		fail_msg("refused for \"%s\", expected \"%s\"", info.why, keyword);
	assert_int_equal(info.nsegs, 0);
}

/* ---- accepted images ---- */

static void test_cross_compiled_program_is_accepted(void **state)
{
	(void)state;
	assert_int_equal(elf_parse(real, real_size, &info), 0);
	assert_null(info.why);
	assert_int_equal(info.entry, REAL_TEXT);
	assert_int_equal(info.nsegs, 2); /* RISCV_ATTRIBUTES is not loaded */
	const struct elf_segment *text = &info.segs[0], *data = &info.segs[1];
	assert_int_equal(text->flags, ELF_PF_R | ELF_PF_X);
	assert_true(text->vaddr <= REAL_TEXT && REAL_TEXT < text->vaddr + text->memsz);
	assert_int_equal(data->flags, ELF_PF_R | ELF_PF_W);
	assert_true(data->memsz >= data->filesz + REAL_BSS);
	assert_true(text->offset + text->filesz <= real_size);
	assert_true(data->offset + data->filesz <= real_size);
	/* the first instruction, li a7, 1 = addi a7, zero, 1 */
	uint32_t insn;
	memcpy(&insn, real + text->offset + (REAL_TEXT - text->vaddr), sizeof(insn));
	assert_int_equal(insn, 0x00100893);
}

static void test_hand_built_image_is_accepted_with_its_segments(void **state)
{
	(void)state;
	assert_int_equal(parse(), 0);
	assert_int_equal(info.entry, 0x10100);
	assert_int_equal(info.nsegs, 2); /* GNU_STACK ignored */
	assert_int_equal(info.segs[0].vaddr, 0x10000);
	assert_int_equal(info.segs[0].memsz, 0x1000);
	assert_int_equal(info.segs[0].offset, 0);
	assert_int_equal(info.segs[0].filesz, 0x1000);
	assert_int_equal(info.segs[0].flags, ELF_PF_R | ELF_PF_X);
	assert_int_equal(info.segs[1].vaddr, 0x11010);
	assert_int_equal(info.segs[1].memsz, 0x1ff0);
	assert_int_equal(info.segs[1].offset, 0x1010);
	assert_int_equal(info.segs[1].filesz, 0x100);
	assert_int_equal(info.segs[1].flags, ELF_PF_R | ELF_PF_W);
}

static void test_unaligned_image_is_parsed(void **state)
{
	(void)state;
	uint8_t *buf = malloc(real_size + 1);
	assert_non_null(buf);
	memcpy(buf + 1, real, real_size);
	assert_int_equal(elf_parse(buf + 1, real_size, &info), 0);
	assert_int_equal(info.entry, REAL_TEXT);
	free(buf);
}

static void test_other_segment_types_are_ignored(void **state)
{
	(void)state;
	eh.e_phnum = 5;
	ph[3] = (Elf32_Phdr){.p_type = ELF_PT_NOTE, .p_offset = 0xfffffff0, .p_filesz = 0x100};
	ph[4] = (Elf32_Phdr){.p_type = ELF_PT_RISCV_ATTRIBUTES,
			     .p_vaddr = 0,
			     .p_filesz = 0x40,
			     .p_offset = IMG_SIZE + 1,
			     .p_flags = ELF_PF_RWX};
	assert_int_equal(parse(), 0);
	assert_int_equal(info.nsegs, 2);
}

static void test_flags_keep_only_r_w_x(void **state)
{
	(void)state;
	ph[0].p_flags |= ELF_PF_MASKPROC;
	assert_int_equal(parse(), 0);
	assert_int_equal(info.segs[0].flags, ELF_PF_R | ELF_PF_X);
}

static void test_segment_ending_exactly_at_user_top_is_accepted(void **state)
{
	(void)state;
	ph[1].p_vaddr = ELF_USER_END - 0x2000 + 0x10;
	ph[1].p_memsz = 0x2000 - 0x10;
	assert_int_equal(parse(), 0);
	assert_int_equal(info.segs[1].vaddr + info.segs[1].memsz, ELF_USER_END);
}

static void test_segment_data_ending_exactly_at_image_end_is_accepted(void **state)
{
	(void)state;
	ph[1].p_filesz = IMG_SIZE - ph[1].p_offset;
	assert_int_equal(parse(), 0);
}

static void test_segments_on_adjacent_pages_are_accepted(void **state)
{
	(void)state;
	ph[0].p_memsz = 0x1010; /* text ends inside page 0x11000 ... */
	assert_int_equal(parse(), -ENOEXEC);
	ph[0].p_memsz = 0x1000; /* ... or exactly where the data page starts */
	ph[0].p_filesz = 0x1000;
	assert_int_equal(parse(), 0);
}

static void test_sixteen_program_headers_are_accepted(void **state)
{
	(void)state;
	eh.e_phnum = ELF_MAX_SEGMENTS;
	for (int i = 3; i < ELF_MAX_SEGMENTS; i++)
		ph[i] = (Elf32_Phdr){.p_type = ELF_PT_NOTE};
	assert_int_equal(parse(), 0);
}

/* ---- the header rules ---- */

static void test_image_shorter_than_header_is_rejected(void **state)
{
	(void)state;
	assert_int_equal(parse_sized(ELF_EHDR_SIZE - 1), -ENOEXEC);
	assert_non_null(strstr(info.why, "shorter"));
	assert_int_equal(parse_sized(0), -ENOEXEC);
}

static void test_bad_magic_is_rejected(void **state)
{
	(void)state;
	eh.e_ident[3] = 'f';
	assert_rejected("magic");
}

static void test_elfclass64_is_rejected(void **state)
{
	(void)state;
	eh.e_ident[ELF_EI_CLASS] = ELF_CLASS64;
	assert_rejected("ELFCLASS32");
}

static void test_big_endian_is_rejected(void **state)
{
	(void)state;
	eh.e_ident[ELF_EI_DATA] = ELF_DATA2MSB;
	assert_rejected("little-endian");
}

static void test_unknown_ident_version_is_rejected(void **state)
{
	(void)state;
	eh.e_ident[ELF_EI_VERSION] = 2;
	assert_rejected("version");
}

static void test_unknown_e_version_is_rejected(void **state)
{
	(void)state;
	eh.e_version = 0;
	assert_rejected("version");
}

static void test_relocatable_or_shared_object_is_rejected(void **state)
{
	(void)state;
	eh.e_type = ELF_ET_DYN;
	assert_rejected("ET_EXEC");
	eh.e_type = ELF_ET_REL;
	assert_rejected("ET_EXEC");
}

static void test_other_machine_is_rejected(void **state)
{
	(void)state;
	eh.e_machine = ELF_EM_X86_64;
	assert_rejected("EM_RISCV");
}

static void test_wrong_phentsize_is_rejected(void **state)
{
	(void)state;
	eh.e_phentsize = ELF_PHDR_SIZE + 4;
	assert_rejected("program header size");
}

static void test_more_than_sixteen_program_headers_are_rejected(void **state)
{
	(void)state;
	eh.e_phnum = ELF_MAX_SEGMENTS + 1;
	assert_rejected("too many");
	eh.e_phnum = 0xffff; /* PN_XNUM: the count lives elsewhere; not supported */
	assert_rejected("too many");
}

static void test_program_headers_past_the_end_are_rejected(void **state)
{
	(void)state;
	eh.e_phoff = IMG_SIZE - 3 * ELF_PHDR_SIZE + 1;
	assert_rejected("program headers run past");
	eh.e_phoff = IMG_SIZE + 1;
	assert_rejected("program headers run past");
}

static void test_program_header_offset_that_wraps_is_rejected(void **state)
{
	(void)state;
	eh.e_phoff = 0xffffffe0u; /* + 3 * 32 wraps to 0x40 */
	assert_rejected("program headers run past");
}

static void test_no_program_headers_is_rejected(void **state)
{
	(void)state;
	eh.e_phnum = 0;
	assert_rejected("no loadable");
}

static void test_no_load_segment_is_rejected(void **state)
{
	(void)state;
	ph[0].p_type = ELF_PT_NOTE;
	ph[1].p_type = ELF_PT_NULL;
	assert_rejected("no loadable");
}

/* ---- the segment rules ---- */

static void test_filesz_above_memsz_is_rejected(void **state)
{
	(void)state;
	ph[1].p_filesz = ph[1].p_memsz + 1;
	assert_rejected("file size exceeds");
}

static void test_segment_data_past_the_end_is_rejected(void **state)
{
	(void)state;
	ph[1].p_filesz = IMG_SIZE - ph[1].p_offset + 1;
	ph[1].p_memsz = ph[1].p_filesz;
	assert_rejected("data runs past");
}

static void test_segment_offset_past_the_end_is_rejected(void **state)
{
	(void)state;
	ph[1].p_offset = IMG_SIZE + 0x1010;
	ph[1].p_vaddr = 0x11010;
	ph[1].p_filesz = 0;
	assert_rejected("data runs past");
}

static void test_segment_offset_plus_filesz_that_wraps_is_rejected(void **state)
{
	(void)state;
	ph[1].p_offset = 0xfffff010u;
	ph[1].p_filesz = 0x1000; /* offset + filesz wraps to 0x10 */
	ph[1].p_memsz = 0x1000;
	assert_rejected("data runs past");
}

static void test_segment_in_page_zero_is_rejected(void **state)
{
	(void)state;
	ph[0].p_vaddr = 0;
	eh.e_entry = 0x100;
	assert_rejected("page 0");
	ph[0].p_vaddr = ELF_USER_LOW - 1; /* the last byte of page 0 */
	ph[0].p_offset = ELF_USER_LOW - 1;
	assert_rejected("page 0");
}

static void test_segment_starting_in_page_zero_but_ending_above_is_rejected(void **state)
{
	(void)state;
	ph[0].p_vaddr = 0;
	ph[0].p_memsz = 0x2000;
	ph[0].p_filesz = 0x2000;
	eh.e_entry = 0x1100;
	assert_rejected("page 0");
}

static void test_segment_crossing_into_kernel_half_is_rejected(void **state)
{
	(void)state;
	ph[1].p_vaddr = ELF_USER_END - 0x1000 + 0x10;
	ph[1].p_memsz = 0x1000 - 0x10 + 1;
	assert_rejected("past user space");
}

static void test_segment_in_kernel_half_is_rejected(void **state)
{
	(void)state;
	ph[1].p_vaddr = ELF_USER_END + 0x10;
	ph[1].p_memsz = 0x100;
	assert_rejected("past user space");
}

static void test_segment_wrapping_the_address_space_is_rejected(void **state)
{
	(void)state;
	ph[1].p_vaddr = 0x11010;
	ph[1].p_memsz = 0xfffff000u; /* vaddr + memsz wraps to 0x10010 */
	assert_rejected("past user space");
}

static void test_vaddr_and_offset_differing_within_a_page_are_rejected(void **state)
{
	(void)state;
	ph[1].p_vaddr = 0x11020;
	assert_rejected("modulo the page size");
}

static void test_writable_and_executable_segment_is_rejected(void **state)
{
	(void)state;
	ph[0].p_flags = ELF_PF_R | ELF_PF_W | ELF_PF_X;
	assert_rejected("writable and executable");
	ph[0].p_flags = ELF_PF_W | ELF_PF_X;
	assert_rejected("writable and executable");
}

static void test_segments_out_of_order_are_rejected(void **state)
{
	(void)state;
	Elf32_Phdr t = ph[0];
	ph[0] = ph[1];
	ph[1] = t;
	assert_rejected("out of order");
}

static void test_segments_sharing_a_page_are_rejected(void **state)
{
	(void)state;
	ph[0].p_filesz = 0x800;
	ph[0].p_memsz = 0x800;
	ph[1].p_vaddr = 0x10810; /* same page as the end of text */
	ph[1].p_offset = 0x810;
	assert_rejected("sharing a page");
}

static void test_overlapping_segments_are_rejected(void **state)
{
	(void)state;
	ph[1].p_vaddr = 0x10010;
	ph[1].p_offset = 0x10;
	assert_rejected("sharing a page");
}

static void test_duplicate_segment_is_rejected(void **state)
{
	(void)state;
	ph[1] = ph[0];
	assert_rejected("sharing a page");
}

/* ---- the entry point ---- */

static void test_entry_outside_every_segment_is_rejected(void **state)
{
	(void)state;
	eh.e_entry = 0x40000;
	assert_rejected("entry point");
	eh.e_entry = 0;
	assert_rejected("entry point");
}

static void test_entry_in_a_data_segment_is_rejected(void **state)
{
	(void)state;
	eh.e_entry = 0x11020;
	assert_rejected("entry point");
}

static void test_entry_at_the_end_of_text_is_rejected(void **state)
{
	(void)state;
	eh.e_entry = 0x11000; /* one past the last byte of text */
	assert_rejected("entry point");
	eh.e_entry = 0x10fff;
	assert_int_equal(parse(), 0);
}

/* ---- hostile images ---- */

/* The offset every accepted prefix of the real program must reach: the
 * program headers and the file bytes of every PT_LOAD. */
static uint32_t real_needed(void)
{
	Elf32_Ehdr h;
	memcpy(&h, real, sizeof(h));
	uint32_t need = h.e_phoff + h.e_phnum * ELF_PHDR_SIZE;
	assert_int_equal(elf_parse(real, real_size, &info), 0);
	for (uint32_t i = 0; i < info.nsegs; i++)
		if (info.segs[i].offset + info.segs[i].filesz > need)
			need = info.segs[i].offset + info.segs[i].filesz;
	return need;
}

static void test_every_truncation_is_rejected_until_the_segments_fit(void **state)
{
	(void)state;
	const uint32_t need = real_needed();
	assert_true(need < real_size); /* section headers follow the segments */
	for (uint32_t len = 0; len <= real_size; len++) {
		uint8_t *copy = exact_copy(real, len);
		int err = elf_parse(copy, len, &info);
		assert_int_equal(err, len >= need ? 0 : -ENOEXEC);
		free(copy);
	}
}

static uint32_t rng_state = RANDOM_SEED;

/* The next number of the sequence that starts at RANDOM_SEED. */
static uint32_t rng(void)
{
	return xorshift32(&rng_state);
}

/* Whatever elf_parse accepted must keep the contract of elf.h. */
static void assert_contract(int err, uint32_t size)
{
	if (err != 0) {
		assert_int_equal(err, -ENOEXEC);
		assert_non_null(info.why);
		assert_int_equal(info.nsegs, 0);
		return;
	}
	assert_null(info.why);
	assert_in_range(info.nsegs, 1, ELF_MAX_SEGMENTS);
	bool entry_ok = false;
	for (uint32_t i = 0; i < info.nsegs; i++) {
		const struct elf_segment *s = &info.segs[i];
		assert_true(s->filesz <= s->memsz);
		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->vaddr >= ELF_USER_LOW);
		assert_true(s->memsz <= ELF_USER_END - s->vaddr);
		assert_int_equal(s->vaddr % PAGE_SIZE, s->offset % PAGE_SIZE);
		assert_false((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X));
		assert_int_equal(s->flags & ~ELF_PF_RWX, 0);
		if (i > 0) {
			const struct elf_segment *p = &info.segs[i - 1];
			assert_true(PAGE_ROUND_DOWN(s->vaddr) >=
				    PAGE_ROUND_UP(p->vaddr + p->memsz));
		}
		if ((s->flags & ELF_PF_X) && info.entry >= s->vaddr &&
		    info.entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	assert_true(entry_ok);
}

static void test_random_corruption_of_the_real_program_never_crashes(void **state)
{
	(void)state;
	const uint32_t headers = ELF_EHDR_SIZE + 4 * ELF_PHDR_SIZE;
	int accepted = 0;
	for (int it = 0; it < RANDOM_ITERATIONS; it++) {
		uint32_t len = (rng() % 4 == 0) ? rng() % (real_size + 1) : real_size;
		uint8_t *copy = exact_copy(real, len);
		int flips = 1 + (int)(rng() % 4);
		for (int k = 0; k < flips && len > 0; k++) {
			/* Mostly in the headers, where the decisions are made. */
			uint32_t at = (rng() % 8 ? rng() % headers : rng()) % len;
			copy[at] = (uint8_t)rng();
		}
		int err = elf_parse(copy, len, &info);
		assert_contract(err, len);
		accepted += err == 0;
		free(copy);
	}
	assert_true(accepted > 0); /* some damage is harmless: the check is not vacuous */
}

static void test_random_program_headers_never_break_the_contract(void **state)
{
	(void)state;
	static const uint32_t types[] = {ELF_PT_LOAD, ELF_PT_LOAD, ELF_PT_NOTE, ELF_PT_GNU_STACK};
	for (int it = 0; it < RANDOM_ITERATIONS; it++) {
		make_valid_image(NULL);
		eh.e_phnum = (uint16_t)(1 + rng() % 4);
		eh.e_entry = (rng() % 2) ? 0x10000 + rng() % 0x4000 : rng();
		for (int i = 0; i < eh.e_phnum; i++) {
			uint32_t page = 0x10000 + (rng() % 8) * PAGE_SIZE;
			uint32_t in_page = rng() % PAGE_SIZE;
			ph[i].p_type = types[rng() % 4];
			ph[i].p_vaddr = (rng() % 8) ? page + in_page : rng();
			ph[i].p_offset = (rng() % 8) ? (rng() % 3) * PAGE_SIZE + in_page : rng();
			ph[i].p_memsz = (rng() % 8) ? rng() % 0x3000 : rng();
			ph[i].p_filesz = (rng() % 8) ? rng() % (ph[i].p_memsz + 1) : rng();
			ph[i].p_flags = rng() % 8;
		}
		uint32_t len = (rng() % 4 == 0) ? rng() % (IMG_SIZE + 1) : IMG_SIZE;
		assert_contract(parse_sized(len), len);
	}
}

#define TEST(f) cmocka_unit_test_setup(f, make_valid_image)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    TEST(test_cross_compiled_program_is_accepted),
	    TEST(test_hand_built_image_is_accepted_with_its_segments),
	    TEST(test_unaligned_image_is_parsed),
	    TEST(test_other_segment_types_are_ignored),
	    TEST(test_flags_keep_only_r_w_x),
	    TEST(test_segment_ending_exactly_at_user_top_is_accepted),
	    TEST(test_segment_data_ending_exactly_at_image_end_is_accepted),
	    TEST(test_segments_on_adjacent_pages_are_accepted),
	    TEST(test_sixteen_program_headers_are_accepted),
	    TEST(test_image_shorter_than_header_is_rejected),
	    TEST(test_bad_magic_is_rejected),
	    TEST(test_elfclass64_is_rejected),
	    TEST(test_big_endian_is_rejected),
	    TEST(test_unknown_ident_version_is_rejected),
	    TEST(test_unknown_e_version_is_rejected),
	    TEST(test_relocatable_or_shared_object_is_rejected),
	    TEST(test_other_machine_is_rejected),
	    TEST(test_wrong_phentsize_is_rejected),
	    TEST(test_more_than_sixteen_program_headers_are_rejected),
	    TEST(test_program_headers_past_the_end_are_rejected),
	    TEST(test_program_header_offset_that_wraps_is_rejected),
	    TEST(test_no_program_headers_is_rejected),
	    TEST(test_no_load_segment_is_rejected),
	    TEST(test_filesz_above_memsz_is_rejected),
	    TEST(test_segment_data_past_the_end_is_rejected),
	    TEST(test_segment_offset_past_the_end_is_rejected),
	    TEST(test_segment_offset_plus_filesz_that_wraps_is_rejected),
	    TEST(test_segment_in_page_zero_is_rejected),
	    TEST(test_segment_starting_in_page_zero_but_ending_above_is_rejected),
	    TEST(test_segment_crossing_into_kernel_half_is_rejected),
	    TEST(test_segment_in_kernel_half_is_rejected),
	    TEST(test_segment_wrapping_the_address_space_is_rejected),
	    TEST(test_vaddr_and_offset_differing_within_a_page_are_rejected),
	    TEST(test_writable_and_executable_segment_is_rejected),
	    TEST(test_segments_out_of_order_are_rejected),
	    TEST(test_segments_sharing_a_page_are_rejected),
	    TEST(test_overlapping_segments_are_rejected),
	    TEST(test_duplicate_segment_is_rejected),
	    TEST(test_entry_outside_every_segment_is_rejected),
	    TEST(test_entry_in_a_data_segment_is_rejected),
	    TEST(test_entry_at_the_end_of_text_is_rejected),
	    TEST(test_every_truncation_is_rejected_until_the_segments_fit),
	    TEST(test_random_corruption_of_the_real_program_never_crashes),
	    TEST(test_random_program_headers_never_break_the_contract),
	};
	return cmocka_run_group_tests(tests, build_real_elf, free_real_elf);
}
