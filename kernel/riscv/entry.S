/*
 * The first instructions. OpenSBI enters here in S-mode at the image's
 * lowest address with a0 = hart id, a1 = device-tree address, satp = 0 and
 * interrupts off (PLATFORM.md 1.2). Read instret first (boot_to_init counts
 * from here), set up the boot stack, clear bss, and call kmain.
 *
 * Every other hart starts at _start_hart (SBI HSM hart_start, PLATFORM.md
 * 5.2) with a0 = hart id, a1 = the opaque word: its struct cpu, whose
 * boot_sp the boot hart set. It calls hart_main with tp = that struct.
 */
#include "riscv/cpu.h"

	.section .text.entry, "ax"
	.globl _start
_start:
	csrr	t0, instret
	csrr	t1, instreth
	la	sp, boot_stack_top
	la	t2, __bss_start	/* page-aligned at both ends (kernel.ld) */
	la	t3, __bss_end
1:	bgeu	t2, t3, 2f	/* eight words a turn */
	sw	zero, 0(t2)
	sw	zero, 4(t2)
	sw	zero, 8(t2)
	sw	zero, 12(t2)
	sw	zero, 16(t2)
	sw	zero, 20(t2)
	sw	zero, 24(t2)
	sw	zero, 28(t2)
	addi	t2, t2, 32
	j	1b
2:	mv	a2, t0
	mv	a3, t1
	li	s0, 0		/* a zero frame pointer ends every backtrace */
	li	ra, 0
	call	kmain
3:	wfi			/* kmain does not return */
	j	3b

	.text
	.globl _start_hart
_start_hart:
	mv	tp, a1
	lw	sp, CPU_BOOT_SP(tp)
	li	s0, 0
	li	ra, 0
	call	hart_main
4:	wfi			/* hart_main does not return */
	j	4b

	.section .bss
	.balign 16
	.globl boot_stack, boot_stack_top
boot_stack:
	.space	16384
boot_stack_top:
