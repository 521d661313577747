/* System-call dispatch (proc/syscall.c), called from the trap handler. */
#ifndef PROC_SYSCALL_H
#define PROC_SYSCALL_H

#include "riscv/trap.h"

#define EXEC_MAX_ARGS 32
#define EXEC_ARG_BYTES 4096 /* the strings of argv together, with their NULs */

/* Run the system call tf->a7 with tf's arguments; the result goes to tf->a0. */
void syscall(struct trapframe *tf);

#endif
