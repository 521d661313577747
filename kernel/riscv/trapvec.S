/*
 * Trap entry and exit (stvec points here, direct mode). Saves every
 * register into a struct trapframe on the kernel stack, calls
 * kernel_trap(tf), restores, and returns with sret. The handler may change
 * tf->sepc (to resume elsewhere) and tf->regs (a0 for probes).
 * sscratch is 0 while in S-mode; the user path arrives with user processes.
 */
#include "riscv/cpu.h"
#include "riscv/trap.h"

	.section .text
	.globl trap_entry
	.balign 4
trap_entry:
	addi	sp, sp, -TF_SIZE
	sw	x1, TF_REG(1)(sp)
	sw	x3, TF_REG(3)(sp)
	sw	x4, TF_REG(4)(sp)
	sw	x5, TF_REG(5)(sp)
	sw	x6, TF_REG(6)(sp)
	sw	x7, TF_REG(7)(sp)
	sw	x8, TF_REG(8)(sp)
	sw	x9, TF_REG(9)(sp)
	sw	x10, TF_REG(10)(sp)
	sw	x11, TF_REG(11)(sp)
	sw	x12, TF_REG(12)(sp)
	sw	x13, TF_REG(13)(sp)
	sw	x14, TF_REG(14)(sp)
	sw	x15, TF_REG(15)(sp)
	sw	x16, TF_REG(16)(sp)
	sw	x17, TF_REG(17)(sp)
	sw	x18, TF_REG(18)(sp)
	sw	x19, TF_REG(19)(sp)
	sw	x20, TF_REG(20)(sp)
	sw	x21, TF_REG(21)(sp)
	sw	x22, TF_REG(22)(sp)
	sw	x23, TF_REG(23)(sp)
	sw	x24, TF_REG(24)(sp)
	sw	x25, TF_REG(25)(sp)
	sw	x26, TF_REG(26)(sp)
	sw	x27, TF_REG(27)(sp)
	sw	x28, TF_REG(28)(sp)
	sw	x29, TF_REG(29)(sp)
	sw	x30, TF_REG(30)(sp)
	sw	x31, TF_REG(31)(sp)
	addi	t0, sp, TF_SIZE
	sw	t0, TF_REG(2)(sp)
	csrr	t0, sepc
	sw	t0, TF_SEPC(sp)
	csrr	t0, sstatus
	sw	t0, TF_SSTATUS(sp)
	csrr	t0, scause
	sw	t0, TF_SCAUSE(sp)
	csrr	t0, stval
	sw	t0, TF_STVAL(sp)

	mv	a0, sp
	call	kernel_trap

	lw	t0, TF_SEPC(sp)
	csrw	sepc, t0
	lw	t0, TF_SSTATUS(sp)
	csrw	sstatus, t0
	lw	x1, TF_REG(1)(sp)
	lw	x3, TF_REG(3)(sp)
	lw	x4, TF_REG(4)(sp)
	lw	x5, TF_REG(5)(sp)
	lw	x6, TF_REG(6)(sp)
	lw	x7, TF_REG(7)(sp)
	lw	x8, TF_REG(8)(sp)
	lw	x9, TF_REG(9)(sp)
	lw	x10, TF_REG(10)(sp)
	lw	x11, TF_REG(11)(sp)
	lw	x12, TF_REG(12)(sp)
	lw	x13, TF_REG(13)(sp)
	lw	x14, TF_REG(14)(sp)
	lw	x15, TF_REG(15)(sp)
	lw	x16, TF_REG(16)(sp)
	lw	x17, TF_REG(17)(sp)
	lw	x18, TF_REG(18)(sp)
	lw	x19, TF_REG(19)(sp)
	lw	x20, TF_REG(20)(sp)
	lw	x21, TF_REG(21)(sp)
	lw	x22, TF_REG(22)(sp)
	lw	x23, TF_REG(23)(sp)
	lw	x24, TF_REG(24)(sp)
	lw	x25, TF_REG(25)(sp)
	lw	x26, TF_REG(26)(sp)
	lw	x27, TF_REG(27)(sp)
	lw	x28, TF_REG(28)(sp)
	lw	x29, TF_REG(29)(sp)
	lw	x30, TF_REG(30)(sp)
	lw	x31, TF_REG(31)(sp)
	addi	sp, sp, TF_SIZE
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
