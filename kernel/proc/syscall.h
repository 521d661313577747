/* System-call dispatch (proc/syscall.c), called from the trap handler. */
#ifndef PROC_SYSCALL_H
#define PROC_SYSCALL_H

#include "riscv/trap.h"

#define EXEC_MAX_ARGS 32
#define EXEC_ARG_BYTES 4096 /* the strings of argv together, with their NULs */

#include "lib/kerrno.h"
#include "proc/uapi.h"

/* System call argument i (a0 + i) of the trap frame. */
#define ARG(tf, i) ((tf)->regs[REG_A0 + (i)])

typedef int32_t (*syscall_fn)(struct trapframe *tf);
extern const syscall_fn syscalls[SYS_MAX + 1];

struct file;
/* The calling process's file at descriptor fd, or NULL. */
struct file *fd_file(int fd);
/* Put f at the lowest free descriptor at or above from: it, or -EMFILE. */
int fd_install(struct file *f, int from);

/* The file-system calls (proc/sysfile.c). */
int32_t sys_open(struct trapframe *tf);
int32_t sys_lseek(struct trapframe *tf);
int32_t sys_fstat(struct trapframe *tf);
int32_t sys_stat(struct trapframe *tf);
int32_t sys_ftruncate(struct trapframe *tf);
int32_t sys_fsync(struct trapframe *tf);
int32_t sys_sync(struct trapframe *tf);
int32_t sys_unlink(struct trapframe *tf);
int32_t sys_mkdir(struct trapframe *tf);
int32_t sys_rmdir(struct trapframe *tf);
int32_t sys_rename(struct trapframe *tf);
int32_t sys_getdents(struct trapframe *tf);
int32_t sys_chdir(struct trapframe *tf);
int32_t sys_getcwd(struct trapframe *tf);
int32_t sys_msync(struct trapframe *tf);
int32_t sys_dropcache(struct trapframe *tf);
/* mmap of a file of the ext2 root (f is F_VNODE): 0 with *addr. */
int sys_mmap_vnode(struct file *f, struct trapframe *tf, uint32_t *addr);

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
