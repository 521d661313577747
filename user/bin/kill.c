/*
 * kill [-SIG] PID...: send SIG (default SIGTERM) to each process. SIG is a
 * number or a name with or without "SIG" (-9, -KILL, -SIGTERM, -0; kernel
 * numbers, see sig_number()); -0 only checks that the process exists.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <kernel_calls.h>

/* Parse a decimal pid into *pid; 0, or -1 if s is not one. */
static int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long n;

	if (*s < '0' || *s > '9')
		return -1;
	n = strtol(s, &end, 10);
	if (*end != '\0' || n <= 0)
		return -1;
	*pid = (pid_t)n;
	return 0;
}

int main(int argc, char *argv[])
{
	int sig = K_SIGTERM;
	int first = 1;
	int status = EXIT_SUCCESS;

	if (argc > 1 && argv[1][0] == '-') {
		sig = sig_number(argv[1] + 1);
		if (sig < 0) {
			fprintf(stderr, "kill: %s: unknown signal\n", argv[1] + 1);
			return EXIT_FAILURE;
		}
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: kill [-SIG] PID...\n");
		return EXIT_FAILURE;
	}
	for (int i = first; i < argc; i++) {
		pid_t pid;

		if (parse_pid(argv[i], &pid) < 0) {
			fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
			status = EXIT_FAILURE;
			continue;
		}
		if (kill(pid, sig) < 0) {
			fprintf(stderr, "kill: %s: %s\n", argv[i], strerror(errno));
			status = EXIT_FAILURE;
		}
	}
	return status;
}
