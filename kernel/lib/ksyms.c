/*
 * Symbol lookup: binary search of ksyms[], which is sorted by address and
 * holds text symbols only. An address past the end of text has no symbol.
 */
#include "lib/ksyms.h"

extern char __kernel_start[], __text_end[];

const char *ksym_lookup(uintptr_t pc, uint32_t *offset)
{
	if (pc < (uintptr_t)__kernel_start || pc >= (uintptr_t)__text_end || ksyms_count == 0)
		return NULL;
	uint32_t lo = 0, hi = ksyms_count; /* answer in [lo, hi) */
	if (pc < ksyms[0].addr)
		return NULL;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (ksyms[mid].addr <= pc)
			lo = mid;
		else
			hi = mid;
	}
	if (offset)
		*offset = (uint32_t)(pc - ksyms[lo].addr);
	return ksyms[lo].name;
}
