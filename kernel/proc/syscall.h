/* System-call dispatch (proc/syscall.c), called from the trap handler. */
#ifndef PROC_SYSCALL_H
#define PROC_SYSCALL_H

#include "riscv/trap.h"

#define EXEC_MAX_ARGS 32
#define EXEC_ARG_BYTES 4096 /* the strings of argv together, with their NULs */

#include "lib/kerrno.h"
#include "proc/uapi.h"

typedef int32_t (*syscall_fn)(struct trapframe *tf);
extern const syscall_fn syscalls[SYS_MAX + 1];

/* Run the system call tf->a7 with tf's arguments; the result goes to
 * tf->a0. Inline: it is the hot path of every system call. */
static inline void syscall(struct trapframe *tf)
{
	uint32_t nr = tf->regs[REG_A7];
	int32_t ret = -ENOSYS;
	if (nr <= SYS_MAX && syscalls[nr])
		ret = syscalls[nr](tf);
	tf->regs[REG_A0] = (uint32_t)ret;
}

#endif
