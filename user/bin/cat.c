/*
 * cat [FILE...]: copy each file (or stdin, for none or "-") to stdout.
 * Uses read/write directly, so it streams pipes and the console as they
 * come. A file that cannot be read is reported and skipped; the exit
 * status is then 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmdutil.h>

#define BUF_SIZE 1024

/* Copy fd to stdout until end of file; 0, or -1 after printing the error. */
static int copy(int fd, const char *name)
{
	char buf[BUF_SIZE];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write_all(STDOUT_FILENO, buf, (size_t)n) < 0) {
			fprintf(stderr, "cat: write: %s\n", strerror(errno));
			return -1;
		}
	}
	if (n < 0) {
		fprintf(stderr, "cat: %s: %s\n", name, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	int status = EXIT_SUCCESS;

	if (argc < 2)
		return copy(STDIN_FILENO, "stdin") < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	for (int i = 1; i < argc; i++) {
		int fd = STDIN_FILENO;

		if (strcmp(argv[i], "-") != 0) {
			fd = open(argv[i], O_RDONLY);
			if (fd < 0) {
				fprintf(stderr, "cat: %s: %s\n", argv[i], strerror(errno));
				status = EXIT_FAILURE;
				continue;
			}
		}
		if (copy(fd, argv[i]) < 0)
			status = EXIT_FAILURE;
		if (fd != STDIN_FILENO && close(fd) < 0) {
			fprintf(stderr, "cat: close %s: %s\n", argv[i], strerror(errno));
			status = EXIT_FAILURE;
		}
	}
	return status;
}
