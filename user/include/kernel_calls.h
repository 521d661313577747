/*
 * The calls this kernel adds to POSIX, for user programs: the teaching
 * introspection calls (Sv32 walk, VM counters, process list, initramfs
 * names), poweroff, getdents (under <dirent.h>), and brk/uptime, which
 * picolibc does not declare.
 * POSIX calls keep their usual headers (<unistd.h>, <sys/wait.h>, ...).
 * Like them, each returns -1 and sets errno on failure.
 */
#ifndef USER_KERNEL_CALLS_H
#define USER_KERNEL_CALLS_H

#include <stddef.h>
#include <stdint.h>
#include <proc/uapi.h>

/* System call n as the kernel answers it: the result, or a negative errno
 * (errno is not set). For tests that pass what the wrappers would not. */
long raw_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5);

/* Fill *out with the Sv32 walk of va in the caller's address space. */
int vmwalk(uintptr_t va, struct k_vmwalk *out);

/* Have the kernel print the caller's page table (the user half) on the
 * console, as a tree of non-zero entries (kernel/riscv/sv32.h). */
int vmprint(void);

/* Have the kernel check its memory books against every page table (frame
 * and swap-slot reference counts, reverse maps, the swap cache, the free
 * list): the number of problems found, each printed on the console; 0
 * when all is well. */
int vmcheck(void);

/* Write every dirty page-cache page back, then drop every one that no
 * process maps and the kernel does not use (Linux's drop_caches): the
 * number of pages dropped. */
int dropcache(void);

/* The hypervisor (kernel/riscv/hv.h): make the caller the host of a
 * guest whose RAM is part of its memory (the kernel fills in the fields
 * marked out), run it until an exit for the caller, and walk a guest
 * virtual address through both stages. */
int vmcreate(struct k_vm_setup *s);
int vmrun(struct k_vm_exit *out);
int vmgwalk(uint32_t gva, struct k_vm_gwalk *out);

/* Fill *out with the kernel's global VM counters. */
int vmstat(struct k_vmstat *out);

/* Fill *out with the index-th process; fails with ESRCH past the last. */
int procinfo(unsigned int index, struct k_procinfo *out);

/* Copy the name of the index-th initramfs entry into name (size bytes,
 * NUL-terminated); fails with ENOENT past the last, ENAMETOOLONG if it does
 * not fit. */
int readdir_initrd(unsigned int index, char *name, size_t size);

/* Fill buf (size bytes) with whole struct k_dirent records of directory
 * fd, from its offset on, and move the offset past them: the bytes filled,
 * 0 at the end. Programs use readdir (<dirent.h>), which calls this. */
int getdents(int fd, void *buf, size_t size);

/* Let process pid (0: the caller) run only on the harts whose ids are the
 * set bits of hart_mask (0: any hart), as Linux's sched_setaffinity; the
 * caller moves at once if it must. Fails with ESRCH (no such process) or
 * EINVAL (the mask names no running hart). A child inherits the mask. */
int setaffinity(int pid, uint32_t hart_mask);

/* Power the machine off; returns only on failure. */
int poweroff(void);

/* Set the program break to addr; 0, or -1 with ENOMEM. */
int brk(void *addr);

/* Store the time since boot in *ts. */
int uptime(struct k_timespec *ts);

/* "SIGSEGV" for a signal the kernel can end a process with, else NULL.
 * Uses the kernel's numbers (uapi.h K_SIG*), not <signal.h>'s. */
const char *sig_name(int sig);

/* The number of "KILL", "SIGKILL" or a decimal "9"; -1 if unknown. */
int sig_number(const char *name);

#endif
