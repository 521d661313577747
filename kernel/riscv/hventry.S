/*
 * Entering and leaving a guest (riscv/hv.h). hv_enter saves the host's
 * callee-saved registers in the vcpu, points stvec at hv_exit and
 * sscratch at the vcpu, loads the guest's registers and srets with
 * hstatus.SPV set: into VS-mode (or VU, as sstatus.SPP says). Any trap
 * then comes to hv_exit in HS-mode, which saves the guest's registers,
 * puts the host's stvec, sscratch (0: in S-mode) and registers back and
 * returns from hv_enter. While the guest runs, the host's interrupts are
 * enabled whatever sstatus.SIE says (privileged spec: a lower mode runs),
 * so a tick always comes back here.
 */
#include "riscv/hv.h"

/* The host's registers that outlive a call, to or from the vcpu at a0. */
.macro HOST_REGS op
	\op	ra, VC_HREG(0)(a0)
	\op	sp, VC_HREG(1)(a0)
	\op	gp, VC_HREG(2)(a0)
	\op	tp, VC_HREG(3)(a0)
	.irp n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
	\op	s\n, VC_HREG(4 + \n)(a0)
	.endr
.endm

	.section .text
	.globl hv_enter
	.balign 4
hv_enter:
	HOST_REGS sw
	csrw	sscratch, a0
	la	t0, hv_exit
	csrw	stvec, t0
	lw	t0, VC_SEPC(a0)
	csrw	sepc, t0
	lw	t0, VC_HSTATUS(a0)
	csrw	hstatus, t0
	lw	t0, VC_SSTATUS(a0)
	csrw	sstatus, t0
	.irp n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	lw	x\n, VC_GREG(\n)(a0)
	.endr
	lw	a0, VC_GREG(10)(a0)
	sret

	.balign 4
hv_exit:
	csrrw	a0, sscratch, a0	/* a0 = the vcpu, sscratch = the guest's a0 */
	.irp n, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31
	sw	x\n, VC_GREG(\n)(a0)
	.endr
	csrr	t0, sscratch
	sw	t0, VC_GREG(10)(a0)
	csrw	sscratch, zero
	csrr	t0, sepc
	sw	t0, VC_SEPC(a0)
	csrr	t0, sstatus
	sw	t0, VC_SSTATUS(a0)
	csrr	t0, hstatus
	sw	t0, VC_HSTATUS(a0)
	li	t1, HSTATUS_SPV		/* or the host's next sret to U-mode would enter VU-mode */
	csrc	hstatus, t1
	csrr	t0, scause
	sw	t0, VC_SCAUSE(a0)
	csrr	t0, stval
	sw	t0, VC_STVAL(a0)
	csrr	t0, htval
	sw	t0, VC_HTVAL(a0)
	csrr	t0, htinst
	sw	t0, VC_HTINST(a0)
	la	t0, trap_entry
	csrw	stvec, t0
	HOST_REGS lw
	ret

/*
 * int hv_load_insn(uint32_t pc, uint32_t *insn): the instruction at the
 * guest's pc, read as the guest fetches it (hlvx.hu, through its vsatp
 * and the G-stage, with hstatus.SPVP its mode); 0, or -EFAULT if either
 * stage faults (cpu->onfault: kernel_trap resumes at 1f with a0 set).
 */
#include "riscv/cpu.h"
	.globl hv_load_insn
hv_load_insn:
	la	t0, 1f
	sw	t0, CPU_ONFAULT(tp)
	.option push
	.option arch, +h
	hlvx.hu	t1, (a0)
	andi	t2, t1, 3
	li	t3, 3
	bne	t2, t3, 2f		/* a compressed instruction: 16 bits */
	addi	t4, a0, 2		/* (hypervisor loads take no offset) */
	hlvx.hu	t2, (t4)
	slli	t2, t2, 16
	or	t1, t1, t2
	.option pop
2:	sw	t1, 0(a1)
	li	a0, 0
1:	sw	zero, CPU_ONFAULT(tp)
	ret
