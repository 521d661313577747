/*
 * System-call stubs: the process, memory and descriptor calls picolibc
 * expects from the system, and the project's own calls (kernel_calls.h),
 * each one ecall (ecall.h). The kernel returns a negative errno on
 * failure, with picolibc's values, so a stub negates it into errno and
 * returns -1. The file-system calls are in fs.c, directories in dirent.c.
 */
#include <errno.h>
#include <signal.h>
#include <sched.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kernel_calls.h>
#include <sys/mman.h>

#include "ecall.h"

/* The constants a program passes through must mean the same on both sides. */
_Static_assert(WNOHANG == K_WNOHANG, "WNOHANG differs from uapi.h");
_Static_assert(SIGILL == K_SIGILL && SIGTRAP == K_SIGTRAP && SIGBUS == K_SIGBUS &&
		   SIGKILL == K_SIGKILL &&
		   SIGSEGV == K_SIGSEGV && SIGTERM == K_SIGTERM,
	       "signal numbers differ from uapi.h");

#define USEC_PER_SEC 1000000u

long raw_syscall(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	return ecall6(n, a0, a1, a2, a3, a4, a5);
}

void _exit(int status)
{
	for (;;)
		sys1(SYS_exit, status);
}

pid_t fork(void)
{
	return (pid_t)check(sys0(SYS_fork));
}

int execve(const char *path, char *const argv[], char *const envp[])
{
	return (int)check(sys3(SYS_execve, (long)path, (long)argv, (long)envp));
}

/* execve with an empty environment. */
int execv(const char *path, char *const argv[])
{
	static char *const no_env[] = {NULL};

	return execve(path, argv, no_env);
}

pid_t waitpid(pid_t pid, int *status, int options)
{
	return (pid_t)check(sys3(SYS_waitpid, pid, (long)status, options));
}

pid_t wait(int *status)
{
	return waitpid(-1, status, 0);
}

pid_t getpid(void)
{
	return (pid_t)sys0(SYS_getpid);
}

pid_t getppid(void)
{
	return (pid_t)sys0(SYS_getppid);
}

int kill(pid_t pid, int sig)
{
	return (int)check(sys2(SYS_kill, pid, sig));
}

int sched_yield(void)
{
	return (int)check(sys0(SYS_sched_yield));
}

int usleep(useconds_t usec)
{
	return (int)check(sys1(SYS_usleep, (long)usec));
}

/* Sleep a second at a time, so any count fits the kernel's 32-bit microseconds. */
unsigned int sleep(unsigned int seconds)
{
	while (seconds > 0) {
		if (usleep(USEC_PER_SEC) < 0)
			return seconds;
		seconds--;
	}
	return 0;
}

int brk(void *addr)
{
	long got = check(sys1(SYS_brk, (long)addr));

	if (got < 0)
		return -1;
	if ((uintptr_t)got != (uintptr_t)addr) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Grow (or shrink) the break by incr; the old break, or (void *)-1 with ENOMEM.
 * picolibc's malloc allocates through this. */
void *sbrk(ptrdiff_t incr)
{
	long cur = check(sys1(SYS_brk, 0));
	uintptr_t want;

	if (cur < 0)
		return (void *)-1;
	if (incr == 0)
		return (void *)cur;
	want = (uintptr_t)cur + (uintptr_t)incr;
	if ((incr > 0 && want < (uintptr_t)cur) || (incr < 0 && want > (uintptr_t)cur)) {
		errno = ENOMEM;
		return (void *)-1;
	}
	if (brk((void *)want) < 0)
		return (void *)-1;
	return (void *)cur;
}

int pipe(int fds[2])
{
	return (int)check(sys1(SYS_pipe, (long)fds));
}

ssize_t read(int fd, void *buf, size_t n)
{
	return (ssize_t)check(sys3(SYS_read, fd, (long)buf, (long)n));
}

ssize_t write(int fd, const void *buf, size_t n)
{
	return (ssize_t)check(sys3(SYS_write, fd, (long)buf, (long)n));
}

int close(int fd)
{
	return (int)check(sys1(SYS_close, fd));
}

int dup(int fd)
{
	return (int)check(sys1(SYS_dup, fd));
}

int dup2(int oldfd, int newfd)
{
	return (int)check(sys2(SYS_dup2, oldfd, newfd));
}

int uptime(struct k_timespec *ts)
{
	return (int)check(sys1(SYS_uptime, (long)ts));
}

int setaffinity(int pid, uint32_t hart_mask)
{
	return (int)check(sys2(SYS_setaffinity, pid, (long)hart_mask));
}

int vmprint(void)
{
	return (int)check(sys0(SYS_vmprint));
}

int vmcheck(void)
{
	return (int)check(sys0(SYS_vmcheck));
}

int dropcache(void)
{
	return (int)check(sys0(SYS_dropcache));
}

int vmwalk(uintptr_t va, struct k_vmwalk *out)
{
	return (int)check(sys2(SYS_vmwalk, (long)va, (long)out));
}

int vmcreate(struct k_vm_setup *s)
{
	return (int)check(sys1(SYS_vmcreate, (long)s));
}

int vmrun(struct k_vm_exit *out)
{
	return (int)check(sys1(SYS_vmrun, (long)out));
}

int vmgwalk(uint32_t gva, struct k_vm_gwalk *out)
{
	return (int)check(sys2(SYS_vmgwalk, (long)gva, (long)out));
}

int vmstat(struct k_vmstat *out)
{
	return (int)check(sys1(SYS_vmstat, (long)out));
}

int procinfo(unsigned int index, struct k_procinfo *out)
{
	return (int)check(sys2(SYS_procinfo, (long)index, (long)out));
}

int readdir_initrd(unsigned int index, char *name, size_t size)
{
	return (int)check(sys3(SYS_readdir, (long)index, (long)name, (long)size));
}

int poweroff(void)
{
	return (int)check(sys0(SYS_poweroff));
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	long ret = ecall6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, (long)off);
	if (ret < 0) {
		errno = (int)-ret;
		return MAP_FAILED;
	}
	return (void *)ret;
}

int munmap(void *addr, size_t len)
{
	return (int)check(sys2(SYS_munmap, (long)addr, (long)len));
}

int mprotect(void *addr, size_t len, int prot)
{
	return (int)check(sys3(SYS_mprotect, (long)addr, (long)len, prot));
}

int msync(void *addr, size_t len, int flags)
{
	return (int)check(sys3(SYS_msync, (long)addr, (long)len, flags));
}
