/*
 * The trap into the kernel, for the runtime's stub files only: ecall with
 * a7 = number and a0-a5 = arguments (kernel/proc/uapi.h), and the POSIX
 * convention on its result. Relies on the kernel keeping every register
 * but a0 across the ecall (tp and gp included: errno lives at tp).
 */
#ifndef USER_LIB_ECALL_H
#define USER_LIB_ECALL_H

#include <errno.h>

/* Trap into the kernel with system call n and six arguments; return a0. */
static inline long ecall6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a5 __asm__("a5") = a5;
	register long r_a7 __asm__("a7") = n;

	__asm__ volatile("ecall"
			 : "+r"(r_a0)
			 : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4), "r"(r_a5), "r"(r_a7)
			 : "memory");
	return r_a0;
}

/* System call n with up to three arguments. Only the registers a call
 * takes are set: the kernel reads no others (a zeroed a1-a5 would cost
 * getpid six instructions of its 142, make bench). */
static inline long sys0(long n)
{
	register long r_a0 __asm__("a0");
	register long r_a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "=r"(r_a0) : "r"(r_a7) : "memory");
	return r_a0;
}
static inline long sys1(long n, long a0)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a7) : "memory");
	return r_a0;
}
static inline long sys2(long n, long a0, long a1)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a7) : "memory");
	return r_a0;
}
static inline long sys3(long n, long a0, long a1, long a2)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
	return r_a0;
}

/* Turn a raw result into the POSIX convention: errno and -1 if negative. */
static inline long check(long ret)
{
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
}

#endif
