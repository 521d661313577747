/*
 * The frame-pointer walk behind backtrace_print (riscv/backtrace.h). gcc's
 * RISC-V frame: fp is the caller's sp, ra is saved at fp-4 and the
 * caller's fp at fp-8. Each word is read through a probe, so a corrupt
 * chain ends the walk instead of faulting again inside a panic.
 */
#include "riscv/backtrace.h"
#include "lib/klib.h"
#include "lib/ksyms.h"
#include "riscv/trap.h"

#define BACKTRACE_MAX 32

extern char __kernel_start[], __text_end[];

static bool is_text(uintptr_t a)
{
	return a >= (uintptr_t)__kernel_start && a < (uintptr_t)__text_end;
}

void backtrace_print_pc(const char *what, uintptr_t pc)
{
	uint32_t off;
	const char *name = ksym_lookup(pc, &off);
	if (name)
		kprintf("%s0x%08x <%s+0x%x>\n", what, (unsigned)pc, name, off);
	else
		kprintf("%s0x%08x\n", what, (unsigned)pc);
}

static bool frame_word(uintptr_t addr, uint32_t *out)
{
	if (probe_load(addr) != 0)
		return false;
	*out = *(const uint32_t *)addr;
	return true;
}

/* A leaf function saves only the old fp, at fp-4: when that word is not a
 * text address and we know ra (the first frame of a trap), it is taken as
 * the next fp and ra as the return pc. */
void backtrace_print(uintptr_t pc, uintptr_t ra, uintptr_t fp)
{
	kprintf("backtrace:\n");
	backtrace_print_pc("  ", pc);
	for (int depth = 0; depth < BACKTRACE_MAX && fp != 0 && (fp & 3) == 0; depth++) {
		uint32_t saved_ra, saved_fp;
		if (!frame_word(fp - 4, &saved_ra))
			break;
		if (depth == 0 && ra != 0 && !is_text(saved_ra)) {
			saved_fp = saved_ra;
			saved_ra = ra;
		} else if (!frame_word(fp - 8, &saved_fp)) {
			break;
		}
		if (saved_ra == 0 || !is_text(saved_ra))
			break;
		backtrace_print_pc("  ", saved_ra - 4);
		if (saved_fp <= fp)
			break;
		fp = saved_fp;
	}
}
