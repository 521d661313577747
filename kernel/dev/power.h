/*
 * Ending the machine: power off through SBI SRST, or exit QEMU with a
 * status through the virt test device (SRST cannot carry one: PLATFORM.md
 * 1.4), so scripts read the result from QEMU's exit status.
 */
#ifndef DEV_POWER_H
#define DEV_POWER_H

#include "lib/types.h"

#define EXIT_PANIC 100        /* QEMU's exit status after a kernel panic */
#define EXIT_BOOT_REFUSED 101 /* the machine cannot run the kernel (mm/bootmem.h) */

/* Use the test device (sifive,test0) at regs; its physical address is
 * what the early, pre-paging exit path writes. */
void power_init(volatile uint32_t *regs, paddr_t phys);
void power_off(void) __attribute__((noreturn));
/* Exit QEMU with status (0-255). */
void machine_exit(int status) __attribute__((noreturn));

#endif
