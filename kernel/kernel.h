/*
 * What the boot code hands to the rest of the kernel: the platform read
 * from the device tree, the parsed command line, and the boot counters.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include "dev/devtree.h"
#include "lib/cmdline.h"

extern struct platform platform;
extern struct cmdline cmdline;
extern uint64_t boot_instret; /* instret at the kernel's first instruction */

/* In-kernel self-tests (ktest.c): run them, print KTAP when verbose (else
 * a summary line unless quiet; failures always), and return how many failed. */
int ktest_run(bool verbose, bool quiet);
/* Crash on purpose as named by crash= (load, store, panic), so the
 * harness can check what a panic prints. Returns if the name is unknown. */
void ktest_crash(const char *how);

/* Where a hart other than the boot hart begins in C (entry.S). */
void hart_main(void) __attribute__((noreturn));

#endif
