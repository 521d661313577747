/*
 * libFuzzer harness for the ELF checker (kernel/proc/elf.c): whatever the
 * image, elf_parse either refuses it with a reason and no segment, or
 * returns segments that keep every promise of proc/elf.h, which exec
 * relies on to map them without further checks. The same image at an odd
 * address parses the same way (the checker must not care about alignment).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/kerrno.h"
#include "proc/elf.h"
#include "tests/fuzz/fuzz.h"

/* One accepted segment: its bytes inside the image, its pages in user
 * space above page 0, congruent with its offset, never W and X. */
static void check_segment(const struct elf_segment *s, size_t size)
{
	CHECK((uint64_t)s->offset + s->filesz <= size);
	CHECK(s->filesz <= s->memsz);
	CHECK(s->vaddr >= ELF_USER_LOW);
	CHECK((uint64_t)s->vaddr + s->memsz <= ELF_USER_END);
	CHECK(s->vaddr % PAGE_SIZE == s->offset % PAGE_SIZE);
	CHECK((s->flags & ~ELF_PF_RWX) == 0);
	CHECK(!((s->flags & ELF_PF_W) && (s->flags & ELF_PF_X)));
}

/* The entry point lies inside an executable segment. */
static bool entry_in_text(const struct elf_info *info)
{
	for (uint32_t i = 0; i < info->nsegs; i++) {
		const struct elf_segment *s = &info->segs[i];
		if ((s->flags & ELF_PF_X) && info->entry >= s->vaddr &&
		    info->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

static void check_accepted(const struct elf_info *info, size_t size)
{
	CHECK(info->why == NULL);
	CHECK(info->nsegs >= 1 && info->nsegs <= ELF_MAX_SEGMENTS);
	for (uint32_t i = 0; i < info->nsegs; i++) {
		check_segment(&info->segs[i], size);
		/* Sorted, and no page shared with the segment before. */
		if (i > 0) {
			const struct elf_segment *prev = &info->segs[i - 1];
			CHECK(PAGE_ROUND_DOWN(info->segs[i].vaddr) >=
			      PAGE_ROUND_UP(prev->vaddr + prev->memsz));
		}
	}
	CHECK(entry_in_text(info));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_info info, again;

	if (size > UINT32_MAX)
		return 0;
	int err = elf_parse(data, (uint32_t)size, &info);
	if (err == 0) {
		check_accepted(&info, size);
	} else {
		CHECK(err == -ENOEXEC);
		CHECK(info.why != NULL && info.nsegs == 0);
	}

	uint8_t *odd = malloc(size + 1);
	CHECK(odd != NULL);
	memcpy(odd + 1, data, size);
	CHECK(elf_parse(odd + 1, (uint32_t)size, &again) == err);
	CHECK(memcmp(&info, &again, sizeof(info)) == 0);
	free(odd);
	return 0;
}
