/*
 * What the in-guest suites share: the CHECK macro and its reason buffer,
 * running a test table as KTAP, and running code in a child process. Each
 * suite is one program, so this header keeps its state static.
 */
#ifndef TESTS_GUEST_H
#define TESTS_GUEST_H

#include <stdbool.h>
#include <stdio.h>
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

/* Wait for pid: its wait status, or -1. */
static inline int wait_child(pid_t pid)
{
	int st = -1;
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
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

static inline struct k_vmstat stat_now(void)
{
	struct k_vmstat s;
	vmstat(&s);
	return s;
}

#endif
