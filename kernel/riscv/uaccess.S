/*
 * User-memory copies (this architecture's SMAP-style guard is sstatus.SUM:
 * with it clear, S-mode loads and stores to U pages fault). SUM is set
 * only for the copy. A page fault here first goes to vm_fault (kernel_trap
 * maps lazily populated pages and retries); if that fails it resumes at
 * uaccess_fault through cpu->onfault with a0 = -EFAULT.
 */
#include "riscv/cpu.h"

#define SSTATUS_SUM (1 << 18)
#define ENAMETOOLONG 91

	.section .text
	.globl uaccess_copy, uaccess_strcpy

/* int uaccess_copy(void *dst, const void *src, uint32_t n) */
uaccess_copy:
	la	t0, uaccess_fault
	sw	t0, CPU_ONFAULT(tp)
	li	t1, SSTATUS_SUM
	csrs	sstatus, t1
	/* Words when both pointers are word-aligned, eight at a time while
	 * 32 bytes are left (a page is 128 turns); bytes otherwise. */
	or	t2, a0, a1
	andi	t2, t2, 3
	bnez	t2, 2f
	li	t3, 32
4:	bltu	a2, t3, 1f
	lw	t4, 0(a1)
	lw	t5, 4(a1)
	lw	t6, 8(a1)
	lw	t2, 12(a1)
	sw	t4, 0(a0)
	sw	t5, 4(a0)
	sw	t6, 8(a0)
	sw	t2, 12(a0)
	lw	t4, 16(a1)
	lw	t5, 20(a1)
	lw	t6, 24(a1)
	lw	t2, 28(a1)
	sw	t4, 16(a0)
	sw	t5, 20(a0)
	sw	t6, 24(a0)
	sw	t2, 28(a0)
	addi	a0, a0, 32
	addi	a1, a1, 32
	addi	a2, a2, -32
	j	4b
1:	li	t3, 4
	bltu	a2, t3, 2f
	lw	t4, 0(a1)
	sw	t4, 0(a0)
	addi	a0, a0, 4
	addi	a1, a1, 4
	addi	a2, a2, -4
	j	1b
2:	beqz	a2, 3f
	lbu	t4, 0(a1)
	sb	t4, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	2b
3:	li	a0, 0
	j	uaccess_done

/* int uaccess_strcpy(char *dst, const char *src, uint32_t max) */
uaccess_strcpy:
	la	t0, uaccess_fault
	sw	t0, CPU_ONFAULT(tp)
	li	t1, SSTATUS_SUM
	csrs	sstatus, t1
	li	t2, 0			/* bytes copied */
1:	beq	t2, a2, 2f
	add	t3, a1, t2
	lbu	t4, 0(t3)
	add	t3, a0, t2
	sb	t4, 0(t3)
	beqz	t4, 3f
	addi	t2, t2, 1
	j	1b
2:	li	a0, -ENAMETOOLONG
	j	uaccess_done
3:	mv	a0, t2
	j	uaccess_done

/* kernel_trap resumes here with a0 = -EFAULT. */
uaccess_fault:
uaccess_done:
	li	t1, SSTATUS_SUM
	csrc	sstatus, t1
	sw	zero, CPU_ONFAULT(tp)
	ret
