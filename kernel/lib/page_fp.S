/*
 * Bulk zero and copy with the D extension's 64-bit loads and stores:
 * eight bytes an instruction where the integer ISA of rv32 moves four, so
 * a 4 KiB zero-fill is 512 stores instead of 1,024 and a copy 512 loads
 * and 512 stores instead of 1,024 of each (docs/benchmarks.md, floors).
 * The kernel calls these only on a hart whose ISA string has D (page.c);
 * elsewhere memset and memcpy do the work.
 *
 * The f-registers belong to nobody: user programs run with sstatus.FS off
 * (PLATFORM.md pitfall 13), so they cannot hold state there. Each routine
 * turns FS on with interrupts off, so that no trap handler and no other
 * thread on this hart uses the f-registers in the middle, and puts sstatus
 * back as it found it (FS off, SIE as it was) before it returns.
 */
#define SIE_BIT 2             /* sstatus.SIE, bit 1 (csr.h is C only) */
#define FS_INITIAL (1 << 13) /* sstatus.FS = 1: the f-registers usable */
#define TURN 128 /* bytes a turn: sixteen doublewords */

/* t0 = sstatus as it was; interrupts off, FS on. */
.macro FP_BEGIN
	csrrci	t0, sstatus, SIE_BIT
	li	t1, FS_INITIAL
	csrs	sstatus, t1
.endm
.macro FP_END
	csrw	sstatus, t0
.endm

	.option	push
	.option	arch, +d
	.text
	.globl	zero_fp, copy_fp

/* void zero_fp(void *dst, size_t n): dst 8-aligned, n a nonzero multiple
 * of TURN. */
zero_fp:
	FP_BEGIN
	fcvt.d.w ft0, zero
	add	t2, a0, a1		/* the end */
1:	.irp off, 0, 8, 16, 24, 32, 40, 48, 56, 64, 72, 80, 88, 96, 104, 112, 120
	fsd	ft0, \off(a0)
	.endr
	addi	a0, a0, TURN
	bne	a0, t2, 1b
	FP_END
	ret

/* void copy_fp(void *dst, const void *src, size_t n): both 8-aligned, not
 * overlapping, n a nonzero multiple of TURN. Sixteen loads, then sixteen
 * stores, a turn. */
copy_fp:
	FP_BEGIN
	add	t2, a0, a2
2:	fld	f0, 0(a1)
	fld	f1, 8(a1)
	fld	f2, 16(a1)
	fld	f3, 24(a1)
	fld	f4, 32(a1)
	fld	f5, 40(a1)
	fld	f6, 48(a1)
	fld	f7, 56(a1)
	fld	f8, 64(a1)
	fld	f9, 72(a1)
	fld	f10, 80(a1)
	fld	f11, 88(a1)
	fld	f12, 96(a1)
	fld	f13, 104(a1)
	fld	f14, 112(a1)
	fld	f15, 120(a1)
	fsd	f0, 0(a0)
	fsd	f1, 8(a0)
	fsd	f2, 16(a0)
	fsd	f3, 24(a0)
	fsd	f4, 32(a0)
	fsd	f5, 40(a0)
	fsd	f6, 48(a0)
	fsd	f7, 56(a0)
	fsd	f8, 64(a0)
	fsd	f9, 72(a0)
	fsd	f10, 80(a0)
	fsd	f11, 88(a0)
	fsd	f12, 96(a0)
	fsd	f13, 104(a0)
	fsd	f14, 112(a0)
	fsd	f15, 120(a0)
	addi	a1, a1, TURN
	addi	a0, a0, TURN
	bne	a0, t2, 2b
	FP_END
	ret
	.option	pop
