/*
 * In-guest KTAP suite for processes, system calls, user-memory safety and
 * isolation. Run as init (make test boots with init=/bin/test_proc): the
 * top process measures free frames, runs the suite in a child, reaps
 * everything, and checks that no frame or open file leaked.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

int sched_yield(void); /* picolibc's <sched.h> hides it behind feature macros */

#define KERNEL_VA 0x80400000u
#define UNMAPPED_VA 0x40000000u
#define USER_TOP 0x80000000u  /* kernel/mm/vm.h: the end of user memory */
#define PATH_MAX_KERNEL 256   /* kernel/proc/syscall.c: a path's bytes with its NUL */

/* ---- fork, exec, wait ------------------------------------------------ */

static bool fork_returns_pid_to_parent_and_zero_to_child(void)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		pid_t me = getpid();
		write(fds[1], &me, sizeof(me));
		_exit(0);
	}
	pid_t seen = 0;
	CHECK(read(fds[0], &seen, sizeof(seen)) == sizeof(seen));
	close(fds[0]);
	close(fds[1]);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(seen == pid);
	return true;
}

static int exit_42(void) { return 42; }

static bool wait_reports_exit_status(void)
{
	CHECK(exited_with(in_child(exit_42), 42));
	return true;
}

static bool child_memory_is_a_copy(void)
{
	static volatile int shared = 1;
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		shared = 2;
		_exit(shared);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && exited_with(st, 2));
	CHECK(shared == 1);
	return true;
}

static bool waitpid_wnohang_returns_zero_while_child_runs(void)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char c;
		read(fds[0], &c, 1); /* wait until the parent says so */
		_exit(7);
	}
	int st;
	CHECK(waitpid(pid, &st, WNOHANG) == 0);
	CHECK(write(fds[1], "x", 1) == 1);
	CHECK(waitpid(pid, &st, 0) == pid && exited_with(st, 7));
	close(fds[0]);
	close(fds[1]);
	return true;
}

static bool wait_without_children_is_echild(void)
{
	CHECK(waitpid(-1, NULL, 0) == -1 && errno == ECHILD);
	CHECK(waitpid(12345, NULL, WNOHANG) == -1 && errno == ECHILD);
	return true;
}

static bool getppid_in_child_is_parent(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(getppid() == parent ? 0 : 1);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && exited_with(st, 0));
	return true;
}

static bool exec_passes_argv(void)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		char *argv[] = { "test_proc", "--argc", "two", "three", NULL };
		execv("/bin/test_proc", argv);
		_exit(100);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	CHECK(exited_with(st, 4)); /* the child exits with its argc */
	return true;
}

static bool exec_errors_leave_caller_running(void)
{
	char *argv[] = { "x", NULL };
	CHECK(execv("/bin/no-such-program", argv) == -1 && errno == ENOENT);
	CHECK(execv("/etc/motd", argv) == -1 && errno == ENOEXEC);
	CHECK(execv("/bin/truncated-elf", argv) == -1 && errno == ENOEXEC);
	CHECK(execv("/bin", argv) == -1 && errno == EACCES);
	return true;
}

static bool orphan_is_reparented_to_init(void)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		if (fork() == 0) {
			/* Wait until the middle process has exited. */
			while (getppid() != 1)
				sched_yield();
			pid_t pp = getppid();
			write(fds[1], &pp, sizeof(pp));
			_exit(0);
		}
		_exit(0);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	pid_t pp = 0;
	CHECK(read(fds[0], &pp, sizeof(pp)) == sizeof(pp));
	CHECK(pp == 1);
	close(fds[0]);
	close(fds[1]);
	return true;
}

/* ---- kill, preemption, sleep ------------------------------------------ */

static int spin_forever(void) __attribute__((noreturn));
static int spin_forever(void)
{
	for (;;)
		;
}

static bool kill_sigkill_ends_a_spinning_child(void)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		spin_forever();
	/* The parent runs again only because the timer preempts the child. */
	CHECK(usleep(20000) == 0);
	CHECK(kill(pid, 0) == 0);
	CHECK(kill(pid, SIGKILL) == 0);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && killed_by(st, SIGKILL));
	CHECK(kill(pid, 0) == -1 && errno == ESRCH);
	return true;
}

static bool kill_sigterm_ends_a_sleeping_child(void)
{
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		sleep(100);
		_exit(0);
	}
	usleep(10000);
	CHECK(kill(pid, SIGTERM) == 0);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && killed_by(st, SIGTERM));
	return true;
}

static bool kill_errors(void)
{
	CHECK(kill(1, SIGKILL) == -1 && errno == EPERM);
	CHECK(kill(1, 0) == 0);
	CHECK(kill(99999, SIGKILL) == -1 && errno == ESRCH);
	CHECK(kill(getpid(), 12345) == -1 && errno == EINVAL);
	return true;
}

static bool usleep_lasts_at_least_the_time_asked(void)
{
	struct k_timespec a, b;
	CHECK(uptime(&a) == 0);
	CHECK(usleep(30000) == 0);
	CHECK(uptime(&b) == 0);
	uint64_t ns = (uint64_t)(b.sec - a.sec) * 1000000000u + b.nsec - a.nsec;
	CHECK(ns >= 30000000u);
	CHECK(sched_yield() == 0);
	return true;
}

/* ---- pipes, files, descriptors ----------------------------------------- */

static bool pipe_carries_64k_between_processes(void)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		static unsigned char buf[1000];
		for (int i = 0; i < 65536;) {
			int n = 0;
			for (; n < (int)sizeof(buf) && i < 65536; n++, i++)
				buf[n] = (unsigned char)(i * 7);
			if (write(fds[1], buf, n) != n)
				_exit(1);
		}
		_exit(0);
	}
	close(fds[1]);
	static unsigned char got[777];
	int total = 0;
	bool same = true;
	for (;;) {
		int n = read(fds[0], got, sizeof(got));
		if (n <= 0)
			break;
		for (int k = 0; k < n; k++)
			same &= got[k] == (unsigned char)((total + k) * 7);
		total += n;
	}
	close(fds[0]);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && exited_with(st, 0));
	CHECK(total == 65536 && same);
	return true;
}

/* One process through its own pipe, 301 bytes in and then out at a time:
 * the reads and writes start at ever new offsets in the kernel's ring,
 * so every lap some of them run across its end, where a copy wraps to
 * the ring's start. (Between two processes the reader may always drain
 * the ring exactly at its end, so a wrapping read is left to chance.) */
static bool pipe_keeps_its_bytes_in_order_across_the_ring_end(void)
{
	int fds[2];
	unsigned char in[301], out[sizeof(in)];
	bool same = true;
	CHECK(pipe(fds) == 0);
	for (int round = 0; round < 200 && same; round++) {
		for (int k = 0; k < (int)sizeof(in); k++)
			in[k] = (unsigned char)(round * 31 + k);
		same = write(fds[1], in, sizeof(in)) == sizeof(in) &&
		       read(fds[0], out, sizeof(out)) == sizeof(out) &&
		       memcmp(in, out, sizeof(in)) == 0;
	}
	close(fds[0]);
	close(fds[1]);
	CHECK(same);
	return true;
}

static bool pipe_reader_sees_eof_and_writer_sees_epipe(void)
{
	int fds[2];
	char c;
	CHECK(pipe(fds) == 0);
	CHECK(close(fds[1]) == 0);
	CHECK(read(fds[0], &c, 1) == 0);
	CHECK(close(fds[0]) == 0);
	CHECK(pipe(fds) == 0);
	CHECK(close(fds[0]) == 0);
	CHECK(write(fds[1], "x", 1) == -1 && errno == EPIPE);
	CHECK(close(fds[1]) == 0);
	return true;
}

static bool dup_and_close_manage_descriptors(void)
{
	int fd = dup(1);
	CHECK(fd >= 3);
	CHECK(close(fd) == 0);
	CHECK(close(fd) == -1 && errno == EBADF);
	CHECK(dup(99) == -1 && errno == EBADF);
	CHECK(write(42, "x", 1) == -1 && errno == EBADF);
	CHECK(dup2(1, 9) == 9 && close(9) == 0);
	return true;
}

/* The table holds as many descriptors as dup hands out before EMFILE;
 * the number just past its end is no descriptor. */
static bool descriptor_past_the_table_is_ebadf(void)
{
	int fds[64], n = 0, fd;
	while (n < 64 && (fd = dup(0)) >= 0)
		fds[n++] = fd;
	CHECK(n > 0 && n < 64 && errno == EMFILE);
	int past = fds[n - 1] + 1; /* dup takes the lowest free: this is the table's size */
	while (n > 0)
		close(fds[--n]);
	char c;
	CHECK(read(past, &c, 1) == -1 && errno == EBADF);
	CHECK(write(past, "x", 1) == -1 && errno == EBADF);
	CHECK(close(past) == -1 && errno == EBADF);
	CHECK(dup(past) == -1 && errno == EBADF);
	CHECK(dup2(1, past) == -1 && errno == EBADF);
	return true;
}

static bool open_reads_files_and_refuses_what_it_must(void)
{
	int fd = open("/etc/motd", O_RDONLY);
	CHECK(fd >= 0);
	char buf[16] = { 0 };
	CHECK(read(fd, buf, 7) == 7 && memcmp(buf, "Welcome", 7) == 0);
	CHECK(write(fd, "x", 1) == -1 && errno == EBADF);
	CHECK(close(fd) == 0);
	CHECK(open("/etc/nothing", O_RDONLY) == -1 && errno == ENOENT);
	int w = open("/etc/motd", O_WRONLY);
	if (initramfs_root())
		CHECK(w == -1 && errno == EROFS);
	else
		CHECK(w >= 0 && close(w) == 0); /* the ext2 root is writable */
	CHECK(open("/bin", O_WRONLY) == -1 && errno == EISDIR);
	return true;
}

static bool brk_grows_and_shrinks_the_heap(void)
{
	char *base = sbrk(0);
	CHECK(base != (char *)-1);
	CHECK(sbrk(3 * 4096) == base);
	memset(base, 0x5a, 3 * 4096);
	CHECK(base[3 * 4096 - 1] == 0x5a);
	CHECK(sbrk(-3 * 4096) == base + 3 * 4096);
	CHECK(sbrk(0) == base);
	CHECK(sbrk(0x7fffffff) == (void *)-1 && errno == ENOMEM);
	char *m = malloc(100000);
	CHECK(m != NULL);
	memset(m, 1, 100000);
	free(m);
	return true;
}

/* ---- bad pointers from user space -------------------------------------- */

static bool bad_buffers_are_efault(void)
{
	CHECK(write(1, (void *)KERNEL_VA, 4) == -1 && errno == EFAULT);
	CHECK(write(1, (void *)UNMAPPED_VA, 4) == -1 && errno == EFAULT);
	CHECK(write(1, (void *)0, 1) == -1 && errno == EFAULT);
	char buf[8];
	CHECK(write(1, buf, 0xfffffff0u) == -1 && errno == EFAULT);
	int fds[2];
	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], "abcd", 4) == 4);
	CHECK(read(fds[0], (void *)KERNEL_VA, 4) == -1 && errno == EFAULT);
	CHECK(read(fds[0], (void *)0x10000, 4) == -1 && errno == EFAULT); /* own text */
	close(fds[0]);
	close(fds[1]);
	CHECK(pipe((int *)KERNEL_VA) == -1 && errno == EFAULT);
	CHECK(waitpid(-1, (int *)KERNEL_VA, 0) == -1 && errno == EFAULT);
	struct k_timespec *ts = (struct k_timespec *)UNMAPPED_VA;
	CHECK(uptime(ts) == -1 && errno == EFAULT);
	return true;
}

/* One page of words seed + i, mapped fresh. */
static uint32_t *alias_page(uint32_t seed)
{
	uint32_t *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	for (uint32_t i = 0; i < 1024; i++)
		p[i] = seed + i;
	return p;
}

static bool alias_page_intact(const uint32_t *p, uint32_t seed)
{
	for (uint32_t i = 0; i < 1024; i++)
		if (p[i] != seed + i)
			return false;
	return true;
}

/* Where the kernel half maps the frame behind va: RAM appears there at
 * its physical address, writable by the kernel. 0 if va is not mapped. */
static uint32_t kernel_alias(const void *va)
{
	struct k_vmwalk w;
	if (vmwalk((uintptr_t)va, &w) != 0 || w.fault != 0)
		return 0;
	return w.pa & ~4095u;
}

/* Every call that takes a pointer, given the alias a: refused, EFAULT. */
static bool calls_refuse(uint32_t a)
{
	void *p = (void *)(uintptr_t)a;
	int fd = open("/bin/sh", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(read(fd, p, 64) == -1 && errno == EFAULT);   /* the kernel writes */
	CHECK(write(1, p, 64) == -1 && errno == EFAULT);   /* the kernel reads */
	close(fd);
	CHECK(pipe((int *)p) == -1 && errno == EFAULT);
	CHECK(uptime((struct k_timespec *)p) == -1 && errno == EFAULT);
	CHECK(vmstat((struct k_vmstat *)p) == -1 && errno == EFAULT);
	CHECK(procinfo(0, (struct k_procinfo *)p) == -1 && errno == EFAULT);
	CHECK(vmwalk(0x10000, (struct k_vmwalk *)p) == -1 && errno == EFAULT);
	CHECK(readdir_initrd(0, (char *)p, 16) == -1 && errno == EFAULT);
	CHECK(open((const char *)p, O_RDONLY) == -1 && errno == EFAULT);
	char *argv[] = { (char *)p, NULL };
	CHECK(execv((const char *)p, argv) == -1 && errno == EFAULT);
	return true;
}

/*
 * All RAM is mapped in the kernel half at its own address, so the frame
 * of a user page has a kernel alias. System calls must take user
 * addresses only: given the alias of one of the caller's own pages, or
 * of another live process's, each refuses with EFAULT, and both pages
 * keep their words.
 */
static bool pointers_to_kernel_aliases_of_user_pages_are_efault(void)
{
	uint32_t *mine = alias_page(0x5a000000u);
	CHECK(mine != NULL);
	uint32_t a = kernel_alias(mine);
	CHECK(a >= KERNEL_VA - 0x400000u); /* RAM starts at 0x80000000 */
	int up[2], down[2];
	CHECK(pipe(up) == 0 && pipe(down) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		uint32_t *theirs = alias_page(0xc0000000u);
		uint32_t b = theirs ? kernel_alias(theirs) : 0;
		char c;
		write(up[1], &b, sizeof(b));
		read(down[0], &c, 1);
		_exit(theirs && alias_page_intact(theirs, 0xc0000000u) ? 0 : 1);
	}
	CHECK(pid > 0);
	uint32_t b = 0;
	CHECK(read(up[0], &b, sizeof(b)) == sizeof(b) && b != 0 && b != a);
	bool refused = calls_refuse(a) && calls_refuse(b);
	char c = 0;
	write(down[1], &c, 1);
	int st;
	CHECK(waitpid(pid, &st, 0) == pid);
	close(up[0]), close(up[1]), close(down[0]), close(down[1]);
	if (!refused)
		return false; /* why says which call */
	CHECK(alias_page_intact(mine, 0x5a000000u));
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0); /* the other process's page too */
	munmap(mine, 4096);
	return true;
}

static bool kernel_memory_is_unchanged_by_refused_calls(void)
{
	/* A refused read into kernel memory must not have written it: the
	 * kernel still runs and its first instruction word still reads the
	 * same through vmwalk's physical address check below. */
	struct k_vmwalk w;
	CHECK(vmwalk(KERNEL_VA, &w) == 0);
	CHECK(w.fault != 0); /* a user load of kernel memory would fault */
	CHECK(vmwalk(KERNEL_VA, (struct k_vmwalk *)KERNEL_VA) == -1 && errno == EFAULT);
	return true;
}

static bool bad_strings_are_efault_or_too_long(void)
{
	CHECK(open((char *)KERNEL_VA, O_RDONLY) == -1 && errno == EFAULT);
	CHECK(open((char *)UNMAPPED_VA, O_RDONLY) == -1 && errno == EFAULT);
	/* A string running to the end of the heap, with no NUL: grow the
	 * heap so that its end falls on a page boundary. */
	char *cur = sbrk(0);
	uintptr_t pad = (0u - (uintptr_t)cur) & 4095u;
	CHECK(sbrk((intptr_t)(pad + 4096)) == cur);
	char *heap_end = cur + pad + 4096;
	memset(heap_end - 4096, 'a', 4096);
	CHECK(open(heap_end - 4096, O_RDONLY) == -1 &&
	      (errno == EFAULT || errno == ENAMETOOLONG));
	CHECK(open(heap_end - 5, O_RDONLY) == -1 && errno == EFAULT);
	CHECK(sbrk(-(intptr_t)(pad + 4096)) != (void *)-1);
	static char longpath[400];
	memset(longpath, 'p', sizeof(longpath) - 1);
	CHECK(open(longpath, O_RDONLY) == -1 && errno == ENAMETOOLONG);
	return true;
}

/* The top of the stack, where exec put the strings of argv, is the last
 * byte of user memory: a buffer that ends there is the caller's own, one
 * byte more is not. */
static bool buffers_reaching_the_top_of_user_memory_work(void)
{
	char *top = (char *)(uintptr_t)(USER_TOP - 4);
	char saved[4], got[4] = { 0 };
	memcpy(saved, top, 4);
	int fds[2];
	CHECK(pipe(fds) == 0);
	CHECK(write(fds[1], top, 4) == 4);          /* the kernel reads the top */
	CHECK(read(fds[0], got, 4) == 4 && memcmp(got, saved, 4) == 0);
	CHECK(write(fds[1], saved, 4) == 4);
	CHECK(read(fds[0], top, 4) == 4);           /* the kernel writes the top */
	CHECK(memcmp(top, saved, 4) == 0);
	CHECK(write(fds[1], top, 5) == -1 && errno == EFAULT);
	CHECK(read(fds[0], top + 1, 4) == -1 && errno == EFAULT);
	close(fds[0]);
	close(fds[1]);
	return true;
}

/* Paths are at most PATH_MAX_KERNEL bytes with their NUL
 * (kernel/proc/syscall.c): one byte shorter is looked up, one of exactly
 * that length is too long. */
static bool path_limit_counts_the_nul(void)
{
	static char path[PATH_MAX_KERNEL + 1];
	memset(path, 'p', PATH_MAX_KERNEL);
	path[0] = '/';
	path[PATH_MAX_KERNEL - 1] = '\0';
	CHECK(open(path, O_RDONLY) == -1 && errno == ENOENT);
	path[PATH_MAX_KERNEL - 1] = 'p';
	path[PATH_MAX_KERNEL] = '\0';
	CHECK(open(path, O_RDONLY) == -1 && errno == ENAMETOOLONG);
	return true;
}

static bool exec_argument_errors(void)
{
	static char *many[40];
	for (int i = 0; i < 39; i++)
		many[i] = "arg";
	CHECK(execv("/bin/test_proc", many) == -1 && errno == E2BIG);
	static char big[3000];
	memset(big, 'b', sizeof(big) - 1);
	char *two[] = { big, big, NULL };
	CHECK(execv("/bin/test_proc", two) == -1 && errno == E2BIG);
	char *bad[] = { "x", (char *)KERNEL_VA, NULL };
	CHECK(execv("/bin/test_proc", bad) == -1 && errno == EFAULT);
	CHECK(execv("/bin/test_proc", (char **)KERNEL_VA) == -1 && errno == EFAULT);
	return true;
}

static bool unknown_syscall_is_enosys(void)
{
	CHECK(raw_syscall(999, 0, 0, 0, 0, 0, 0) == -ENOSYS);
	return true;
}

/* ---- isolation: each of these must kill the child ---------------------- */

static int read_kernel(void) { return *(volatile int *)KERNEL_VA; }
static int write_kernel(void) { *(volatile int *)KERNEL_VA = 1; return 0; }
static int jump_kernel(void) { ((void (*)(void))KERNEL_VA)(); return 0; }
static int read_unmapped(void) { return *(volatile int *)UNMAPPED_VA; }
static int read_null(void) { return *(volatile int *)0; }
static int __attribute__((noinline)) write_text(void) { *(volatile int *)(uintptr_t)write_text = 0; return 0; }

static int exec_stack(void)
{
	volatile uint32_t code[2] = { 0x00000513, 0x00008067 }; /* li a0,0; ret */
	((void (*)(void))(uintptr_t)code)();
	return 0;
}

static int exec_heap(void)
{
	uint32_t *code = malloc(8);
	code[0] = 0x00000513;
	code[1] = 0x00008067;
	((void (*)(void))(uintptr_t)code)();
	return 0;
}

static int csr_read_satp(void) { int v; __asm__ volatile("csrr %0, satp" : "=r"(v)); return v; }
static int csr_write_sstatus(void) { __asm__ volatile("csrw sstatus, zero"); return 0; }
static int do_sret(void) { __asm__ volatile("sret"); return 0; }
static int do_sfence(void) { __asm__ volatile("sfence.vma"); return 0; }

static bool isolation_faults_are_sigsegv(void)
{
	CHECK(killed_by(in_child(read_kernel), SIGSEGV));
	CHECK(killed_by(in_child(write_kernel), SIGSEGV));
	CHECK(killed_by(in_child(jump_kernel), SIGSEGV));
	CHECK(killed_by(in_child(read_unmapped), SIGSEGV));
	CHECK(killed_by(in_child(read_null), SIGSEGV));
	CHECK(killed_by(in_child(write_text), SIGSEGV));
	CHECK(killed_by(in_child(exec_stack), SIGSEGV));
	CHECK(killed_by(in_child(exec_heap), SIGSEGV));
	return true;
}

static bool privileged_instructions_are_sigill(void)
{
	CHECK(killed_by(in_child(csr_read_satp), SIGILL));
	CHECK(killed_by(in_child(csr_write_sstatus), SIGILL));
	CHECK(killed_by(in_child(do_sret), SIGILL));
	CHECK(killed_by(in_child(do_sfence), SIGILL));
	return true;
}

/* ---- limits ------------------------------------------------------------ */

/* SIGKILL every child of this process, and reap them all. */
static void end_children(void)
{
	struct k_procinfo info;
	bool any = true;
	while (any) {
		any = false;
		for (unsigned idx = 0; procinfo(idx, &info) == 0; idx++)
			if (info.ppid == getpid() && info.state != K_PROC_ZOMBIE) {
				kill(info.pid, SIGKILL);
				any = true;
			}
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (wait(NULL) > 0)
		;
}

/* Fork until fork fails: it must be the per-user process limit (EAGAIN),
 * reached while the kernel still has memory. Exits 0 if so. */
static int fork_bomb(void)
{
	int made = 0, err = 0;
	for (;;) {
		pid_t pid = fork();
		if (pid == 0)
			for (;;)
				sleep(1000);
		if (pid < 0) {
			err = errno;
			break;
		}
		made++;
	}
	end_children();
	printf("# fork bomb: %d processes, then %s\n", made, strerror(err));
	return made > 10 && err == EAGAIN ? 0 : 1;
}

static bool fork_bomb_fails_with_eagain_and_kernel_survives(void)
{
	CHECK(exited_with(in_child(fork_bomb), 0));
	CHECK(exited_with(in_child(exit_42), 42)); /* fork still works */
	return true;
}

/* Pages of the pattern each of the many processes writes and checks. */
#define MANY 1000
#define MANY_PAGES 2
static uint32_t many_page[MANY_PAGES][1024];

/* One of MANY: write a pattern of its own at the same address as all the
 * others, say so, wait for the word, then check it. Exits 0 if intact. */
static int one_of_many(int i, int ready, int go)
{
	for (int p = 0; p < MANY_PAGES; p++)
		for (int w = 0; w < 1024; w += 64)
			many_page[p][w] = (uint32_t)i * 2654435761u + (uint32_t)(p * 1024 + w);
	char c = 'r';
	write(ready, &c, 1);
	if (read(go, &c, 1) != 1)
		return 2;
	for (int p = 0; p < MANY_PAGES; p++)
		for (int w = 0; w < 1024; w += 64)
			if (many_page[p][w] != (uint32_t)i * 2654435761u + (uint32_t)(p * 1024 + w))
				return 1;
	return 0;
}

static int count_alive_children(void)
{
	struct k_procinfo info;
	int n = 0;
	for (unsigned idx = 0; procinfo(idx, &info) == 0; idx++)
		n += info.ppid == getpid() && info.state != K_PROC_ZOMBIE;
	return n;
}

/* MANY processes alive at once, each with its own bytes at one virtual
 * address: more spaces than ASIDs, so the generation rolls over while
 * they live (a stale TLB entry of another space would show another's
 * pattern), and again when they all run once more to check. With less
 * than 128 MiB of RAM the process limit is lower (one slot per 64 KiB,
 * half of them for one user): FEW then. */
#define FEW 20
static bool a_thousand_processes_keep_their_own_pages(void)
{
	struct k_vmstat a, b;
	struct k_vmwalk w;
	int ready[2], go[2];
	CHECK(vmwalk(0x10000, &w) == 0);
	CHECK(pipe(ready) == 0 && pipe(go) == 0);
	CHECK(vmstat(&a) == 0);
	int many = a.frames_total >= 32768 ? MANY : FEW;
	int made = 0;
	for (; made < many; made++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(one_of_many(made, ready[1], go[0]));
		if (pid < 0)
			break;
	}
	char c;
	int readied = 0;
	while (readied < made && read(ready[0], &c, 1) == 1)
		readied++;
	int alive = count_alive_children();
	for (int i = 0; i < made; i++)
		write(go[1], "g", 1);
	int intact = 0, st;
	while (wait(&st) > 0)
		intact += exited_with(st, 0);
	CHECK(vmstat(&b) == 0);
	close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);
	printf("# %d processes alive at once, %d kept their pages; asid rollovers %u -> %u\n",
	       alive, intact, (unsigned)a.asid_rollovers, (unsigned)b.asid_rollovers);
	CHECK(made == many && alive == many && intact == many);
	if (w.asid != 0 && many == MANY) /* ASIDs on (asid=off has none to roll over) */
		CHECK(b.asid_rollovers >= a.asid_rollovers + 2);
	return true;
}

/* The two processes share one hart (the child inherits the pinning), so
 * every round trip is two switches between their address spaces; on two
 * harts each would sleep and wake on its own. */
static bool asids_avoid_fences_on_switches(void)
{
	struct k_vmstat a, b;
	struct k_vmwalk w;
	struct k_procinfo me;
	for (unsigned i = 0; procinfo(i, &me) == 0 && me.pid != getpid(); i++)
		;
	CHECK(me.pid == getpid() && me.hart >= 0 && setaffinity(0, 1u << me.hart) == 0);
	CHECK(vmwalk(0x10000, &w) == 0);
	CHECK(vmstat(&a) == 0);
	int p1[2], p2[2];
	CHECK(pipe(p1) == 0 && pipe(p2) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	char c = 0;
	if (pid == 0) {
		for (int i = 0; i < 200; i++) {
			read(p1[0], &c, 1);
			write(p2[1], &c, 1);
		}
		_exit(0);
	}
	for (int i = 0; i < 200; i++) {
		write(p1[1], &c, 1);
		read(p2[0], &c, 1);
	}
	int st;
	CHECK(waitpid(pid, &st, 0) == pid && exited_with(st, 0));
	CHECK(vmstat(&b) == 0);
	close(p1[0]), close(p1[1]), close(p2[0]), close(p2[1]);
	CHECK(setaffinity(0, 0) == 0);
	CHECK(b.context_switches - a.context_switches >= 400);
	if (w.asid != 0) /* ASIDs on: switching costs no full fence */
		CHECK(b.tlb_full_fences - a.tlb_full_fences <= b.asid_rollovers - a.asid_rollovers);
	return true;
}

static bool asid_rollover_keeps_processes_correct(void)
{
	struct k_vmstat a, b;
	CHECK(vmstat(&a) == 0);
	for (int i = 0; i < 600; i++)
		CHECK(exited_with(in_child(exit_42), 42));
	CHECK(vmstat(&b) == 0);
	struct k_vmwalk w;
	CHECK(vmwalk(0x10000, &w) == 0);
	if (w.asid != 0)
		CHECK(b.asid_rollovers > a.asid_rollovers);
	CHECK(child_memory_is_a_copy());
	return true;
}

static const struct test tests[] = {
	T(fork_returns_pid_to_parent_and_zero_to_child),
	T(wait_reports_exit_status),
	T(child_memory_is_a_copy),
	T(waitpid_wnohang_returns_zero_while_child_runs),
	T(wait_without_children_is_echild),
	T(getppid_in_child_is_parent),
	T(exec_passes_argv),
	T(exec_errors_leave_caller_running),
	T(orphan_is_reparented_to_init),
	T(kill_sigkill_ends_a_spinning_child),
	T(kill_sigterm_ends_a_sleeping_child),
	T(kill_errors),
	T(usleep_lasts_at_least_the_time_asked),
	T(pipe_carries_64k_between_processes),
	T(pipe_keeps_its_bytes_in_order_across_the_ring_end),
	T(pipe_reader_sees_eof_and_writer_sees_epipe),
	T(dup_and_close_manage_descriptors),
	T(descriptor_past_the_table_is_ebadf),
	T(open_reads_files_and_refuses_what_it_must),
	T(brk_grows_and_shrinks_the_heap),
	T(bad_buffers_are_efault),
	T(kernel_memory_is_unchanged_by_refused_calls),
	T(pointers_to_kernel_aliases_of_user_pages_are_efault),
	T(bad_strings_are_efault_or_too_long),
	T(buffers_reaching_the_top_of_user_memory_work),
	T(path_limit_counts_the_nul),
	T(exec_argument_errors),
	T(unknown_syscall_is_enosys),
	T(isolation_faults_are_sigsegv),
	T(privileged_instructions_are_sigill),
	T(fork_bomb_fails_with_eagain_and_kernel_survives),
	T(a_thousand_processes_keep_their_own_pages),
	T(asids_avoid_fences_on_switches),
	T(asid_rollover_keeps_processes_correct),
};
#define NTESTS (int)(sizeof(tests) / sizeof(tests[0]))

/* The top process: the leak check around the whole suite. */
static int top(void)
{
	struct k_vmstat before, after;
	printf("KTAP version 1\n1..%d\n", NTESTS + 2);
	vmstat(&before); /* touch everything this process uses first */
	if (vmstat(&before) != 0)
		return 2;
	pid_t pid = fork();
	if (pid == 0)
		_exit(run_tests(tests, NTESTS) ? 1 : 0);
	int st = 0;
	while (wait(&st) != pid)
		;
	while (wait(NULL) > 0) /* orphans that ended up here */
		;
	vmstat(&after);
	bool same = frames_accounted(&after, NULL) == frames_accounted(&before, NULL);
	printf("%s %d free_frames_return_to_start # free and page-cache frames %u -> %u\n",
	       same ? "ok" : "not ok", NTESTS + 1, (unsigned)frames_accounted(&before, NULL),
	       (unsigned)frames_accounted(&after, NULL));
	bool books = books_balance(NTESTS + 2);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 && same && books ? 0 : 1;
}

static volatile int stack_frames; /* for --stackhog: volatile, so the recursion is real */

/* Grow the stack by depth frames of 16 KiB, writing two pages of each. */
static int grow_stack(int depth)
{
	volatile char frame[16384];
	frame[0] = (char)depth;
	frame[sizeof(frame) - 1] = (char)depth;
	if (depth >= stack_frames)
		return 0;
	return grow_stack(depth + 1) + frame[0];
}

/* Fork kids that each grow the stack by frames frames at once; exit with
 * (kids killed by SIGKILL) * 16 + (kids that finished), or 255 if any
 * ended otherwise. */
static int stack_hogs(int kids, int frames)
{
	stack_frames = frames;
	for (int i = 0; i < kids; i++)
		if (fork() == 0)
			_exit(grow_stack(0) & 0);
	int killed = 0, finished = 0, st;
	while (wait(&st) > 0) {
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL)
			killed++;
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			finished++;
		else
			return 255;
	}
	return killed * 16 + finished;
}

int main(int argc, char **argv)
{
	if (argc > 3 && strcmp(argv[1], "--stackhogs") == 0)
		return stack_hogs(atoi(argv[2]), atoi(argv[3]));
	if (argc > 1 && strcmp(argv[1], "--argc") == 0)
		return argc;
	if (argc > 1 && strcmp(argv[1], "--segv") == 0)
		return read_kernel();
	return top();
}
