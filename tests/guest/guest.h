/*
 * What the in-guest suites share: the CHECK macro and its reason buffer,
 * running a test table as KTAP, and running code in a child process. Each
 * suite is one program, so this header keeps its state static.
 */
#ifndef TESTS_GUEST_H
#define TESTS_GUEST_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <kernel_calls.h>

static char why[200];

/* Fail the current test with its line and condition unless cond holds. */
#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			snprintf(why, sizeof(why), "line %d: %s", __LINE__, #cond); \
			return false;                                               \
		}                                                                   \
	} while (0)

struct test {
	const char *name;
	bool (*run)(void);
};

#define T(fn) { #fn, fn }

/* Run n tests, printing "ok N name" or "not ok N name # reason" for each;
 * returns how many failed. */
static inline int run_tests(const struct test *tests, int n)
{
	int failed = 0;
	for (int i = 0; i < n; i++) {
		why[0] = '\0';
		bool ok = tests[i].run();
		failed += !ok;
		if (ok)
			printf("ok %d %s\n", i + 1, tests[i].name);
		else
			printf("not ok %d %s # %s\n", i + 1, tests[i].name, why);
	}
	return failed;
}

/* KTAP result n: the kernel's consistency check (vmcheck) finds the
 * memory manager's books in agreement with every page table. Suites end
 * with it, once their processes are gone; problems print on the console. */
static inline bool books_balance(int n)
{
	int problems = vmcheck();
	struct k_vmstat s;
	vmstat(&s);
	printf("%s %d memory_books_balance # vmcheck: %d problems, %u checks run since boot\n",
	       problems == 0 ? "ok" : "not ok", n, problems, (unsigned)s.vm_checks);
	return problems == 0;
}

/* Wait for pid: its wait status, or -1. */
static inline int wait_child(pid_t pid)
{
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

/* Wait up to ms milliseconds for pid, then end it with SIGKILL: its wait
 * status, with *ended_by_bound (if not NULL) saying whether it had to be
 * killed. A child that hangs fails the test instead of the suite. */
static inline int wait_bounded(pid_t pid, int ms, bool *ended_by_bound)
{
	int st = -1;
	for (int waited = 0; waited < ms; waited += 10) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid || r < 0) {
			if (ended_by_bound)
				*ended_by_bound = false;
			return r == pid ? st : -1;
		}
		usleep(10000);
	}
	kill(pid, SIGKILL);
	if (ended_by_bound)
		*ended_by_bound = true;
	return wait_child(pid);
}

/* Fork; the child runs fn and exits with its result; returns the status. */
static inline int in_child(int (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn());
	return wait_child(pid);
}

static inline bool killed_by(int st, int sig)
{
	return st != -1 && WIFSIGNALED(st) && WTERMSIG(st) == sig;
}

static inline bool exited_with(int st, int code)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == code;
}

/* The caller's entry of the process list (all zero if it is missing). */
static inline struct k_procinfo my_info(void)
{
	struct k_procinfo p;
	for (unsigned i = 0; procinfo(i, &p) == 0; i++)
		if (p.pid == getpid())
			return p;
	memset(&p, 0, sizeof(p));
	return p;
}

/* The frames a leak check counts: the free ones, those that hold the
 * page cache (which comes and goes with use, and which the kernel may
 * drop at will), and me's own anonymous pages (which may go to swap
 * meanwhile); me NULL for none. A frame lost to a leak is none of these. */
static inline uint32_t frames_accounted(const struct k_vmstat *s, const struct k_procinfo *me)
{
	return s->frames_free + s->cache_pages + (me ? me->resident_pages - me->cache_pages : 0);
}

/* Whether the root is the read-only initramfs (no file-system disk, or
 * small RAM), not the ext2 disk. */
static inline bool initramfs_root(void)
{
	struct k_stat st;
	return raw_syscall(SYS_stat, (long)"/bin/sh", (long)&st, 0, 0, 0, 0) != 0 || st.dev == 2;
}

static inline struct k_vmstat stat_now(void)
{
	struct k_vmstat s;
	vmstat(&s);
	return s;
}

#endif
