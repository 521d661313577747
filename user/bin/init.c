/*
 * init: the first process (DESIGN.md section 6). Runs /bin/sh and reaps
 * every process that ends up as its child (orphans are given to init).
 * When the shell exits (exit N, or end of input) init exits with the same
 * status, which powers the machine off; when the shell is killed by a
 * signal, init starts a new one. The kernel's init=PATH chooses another
 * program instead of this one, so init takes no arguments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kernel_calls.h>

#define SHELL		  "/bin/sh"
#define RESPAWN_DELAY_SEC 1 /* a shell that dies at once must not spin */
#define EXIT_NOT_FOUND	  127

/* Fork a child that runs the shell; its pid, or -1 after printing the error. */
static pid_t start_shell(void)
{
	char *const argv[] = {"sh", NULL};
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "init: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execv(SHELL, argv);
		fprintf(stderr, "init: %s: %s\n", SHELL, strerror(errno));
		_exit(EXIT_NOT_FOUND);
	}
	return pid;
}

/* Reap children until the shell ends; its wait status, or -1 on error. */
static int wait_shell(pid_t shell)
{
	for (;;) {
		int st;
		pid_t pid = wait(&st);

		if (pid < 0) {
			fprintf(stderr, "init: wait: %s\n", strerror(errno));
			return -1;
		}
		if (pid == shell)
			return st;
	}
}

int main(int argc, char *argv[])
{
	(void)argv;
	if (argc > 1)
		fprintf(stderr, "init: arguments ignored (init= names the program to run)\n");
	for (;;) {
		pid_t shell = start_shell();
		int st;
		const char *name;

		if (shell < 0)
			return EXIT_FAILURE;
		st = wait_shell(shell);
		if (st < 0)
			return EXIT_FAILURE;
		if (!WIFSIGNALED(st))
			return WEXITSTATUS(st);
		name = sig_name(WTERMSIG(st));
		if (name)
			fprintf(stderr, "init: sh killed by %s, starting a new one\n", name);
		else
			fprintf(stderr, "init: sh killed by signal %d, starting a new one\n",
				WTERMSIG(st));
		sleep(RESPAWN_DELAY_SEC);
	}
}
