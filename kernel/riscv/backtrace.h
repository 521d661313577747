/*
 * Kernel backtraces from the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer), printed with symbols from lib/ksyms.c. Used by
 * panic() and by the trap code for an unexpected trap in the kernel.
 */
#ifndef RISCV_BACKTRACE_H
#define RISCV_BACKTRACE_H

#include "lib/types.h"

/* Print "WHAT0x80401234 <name+0x10>" (without a symbol when none is found). */
void backtrace_print_pc(const char *what, uintptr_t pc);

/* Print "backtrace:" and one line per frame, starting at pc with frame
 * pointer fp; ra, if not 0, is the return address of pc's function (a trap
 * knows it, and a leaf function saves none). A corrupt chain ends the walk,
 * never a fault. */
void backtrace_print(uintptr_t pc, uintptr_t ra, uintptr_t fp);

#endif
