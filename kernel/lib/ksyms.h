/*
 * The kernel's own symbol table, for panics and backtraces. The build links
 * the kernel twice: the second link adds the table (generated from the
 * first link's text symbols by tools/mkksyms.sh) after everything else, so
 * no code moves.
 */
#ifndef LIB_KSYMS_H
#define LIB_KSYMS_H

#include "lib/types.h"

struct ksym {
	uint32_t addr;
	const char *name;
};

extern const struct ksym ksyms[];
extern const uint32_t ksyms_count;

/* The text symbol that contains pc, with pc's offset into it, or NULL. */
const char *ksym_lookup(uintptr_t pc, uint32_t *offset);

#endif
