/*
 * Trap entry and exit (stvec, direct mode). The kernel runs on the current
 * process's page table, so a trap switches stacks but never satp (unlike
 * xv6-riscv's trampoline). sscratch tells where a trap came from: 0 while
 * in S-mode; in U-mode, the top of the process's kernel stack, where its
 * struct trapframe lives. Slot x0 of that frame holds the kernel's tp
 * while the process runs in U-mode. A trap taken in S-mode may sleep (a
 * user copy's fault waits for swap) and return on another hart, so its
 * exit keeps the tp it finds, this hart's, rather than the one it saved.
 */
#include "riscv/cpu.h"
#include "riscv/trap.h"

#define SSTATUS_SIE_BIT 2 /* sstatus.SIE, bit 1 */

/* Every register but x0 and sp, to or from the frame at \base. */
.macro SAVE_GPRS base
	.irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	sw	x\n, TF_REG(\n)(\base)
	.endr
.endm
.macro RESTORE_GPRS base
	.irp n, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	lw	x\n, TF_REG(\n)(\base)
	.endr
.endm
.macro SAVE_CSRS base
	csrr	t0, sepc
	sw	t0, TF_SEPC(\base)
	csrr	t0, sstatus
	sw	t0, TF_SSTATUS(\base)
	csrr	t0, scause
	sw	t0, TF_SCAUSE(\base)
	csrr	t0, stval
	sw	t0, TF_STVAL(\base)
.endm
.macro RESTORE_CSRS base
	lw	t0, TF_SEPC(\base)
	csrw	sepc, t0
	lw	t0, TF_SSTATUS(\base)
	csrw	sstatus, t0
.endm

	.section .text
	.globl trap_entry, user_return
	.balign 4
trap_entry:
	csrrw	sp, sscratch, sp
	bnez	sp, from_user
	csrrw	sp, sscratch, sp	/* from S-mode: back to the kernel sp */
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS sp
	addi	t0, sp, TF_SIZE
	sw	t0, TF_REG(2)(sp)
	SAVE_CSRS sp
	mv	a0, sp
	call	kernel_trap
	sw	tp, TF_REG(4)(sp)	/* the hart it returns on may not be the one it came from */
	RESTORE_CSRS sp
	RESTORE_GPRS sp
	addi	sp, sp, TF_SIZE
	sret

from_user:				/* sp = kernel stack top, sscratch = user sp */
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS sp
	csrr	t0, sscratch
	sw	t0, TF_REG(2)(sp)
	csrw	sscratch, zero
	SAVE_CSRS sp
	lw	tp, TF_REG(0)(sp)
	li	s0, 0			/* a backtrace stops here */
	mv	a0, sp
	call	user_trap		/* does not return: it ends in user_return */

/* void user_return(struct trapframe *tf): tf is at the top of the kernel
 * stack. Interrupts go off first: a trap between the sscratch write and
 * sret would be taken for one from U-mode. */
user_return:
	csrci	sstatus, SSTATUS_SIE_BIT	/* whatever the caller did: the window below must be closed */
	mv	sp, a0
	addi	t0, sp, TF_SIZE
	csrw	sscratch, t0
	sw	tp, TF_REG(0)(sp)
	RESTORE_CSRS sp
	RESTORE_GPRS sp
	lw	sp, TF_REG(2)(sp)
	sret

/*
 * Probes: one access that may fault. cpu->onfault (through tp) tells
 * kernel_trap where to resume; it sets a0 = -EFAULT there.
 */
	.globl probe_load, probe_store, probe_exec
probe_load:
	la	t0, probe_fault
	sw	t0, CPU_ONFAULT(tp)
	lw	t1, 0(a0)
	j	probe_ok

probe_store:
	la	t0, probe_fault
	sw	t0, CPU_ONFAULT(tp)
	lw	t1, 0(a0)
	sw	t1, 0(a0)
	j	probe_ok

probe_exec:
	addi	sp, sp, -16
	sw	ra, 12(sp)
	la	t0, probe_exec_fault
	sw	t0, CPU_ONFAULT(tp)
	jalr	a0
	lw	ra, 12(sp)
	addi	sp, sp, 16
	j	probe_ok
probe_exec_fault:
	lw	ra, 12(sp)
	addi	sp, sp, 16
	j	probe_fault

probe_ok:
	sw	zero, CPU_ONFAULT(tp)
	li	a0, 0
	ret
probe_fault:
	sw	zero, CPU_ONFAULT(tp)
	ret
