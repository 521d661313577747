/*
 * Program entry. The kernel starts a program here with sp at the top of its
 * stack, a0 = argc, a1 = argv, a2 = envp (arrays on the stack), data loaded
 * and bss zero. Set gp (linker relaxation addresses small data from it) and
 * tp (picolibc keeps errno in thread-local storage: linker/user.ld makes the
 * loaded .tdata/.tbss the one thread's block), run constructors, then
 * exit(main(argc, argv, envp)).
 */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	.option push
	.option norelax		/* gp is not set yet, so this la must not use it */
	la	gp, __global_pointer$
	.option pop
	la	tp, __tls_base
	andi	sp, sp, -16	/* the psABI wants sp 16-byte aligned at a call */
	li	s0, 0		/* a zero frame pointer and ra end every backtrace */
	li	ra, 0
	mv	s1, a0		/* argc, argv, envp survive the constructor calls */
	mv	s2, a1
	mv	s3, a2
	la	t0, environ
	sw	a2, 0(t0)
	call	__libc_init_array
	mv	a0, s1
	mv	a1, s2
	mv	a2, s3
	call	main
	call	exit		/* exit(main's return value): a0 already holds it */
1:	j	1b		/* exit does not return */
	.size _start, . - _start
