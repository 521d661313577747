/*
 * mv FROM TO: rename FROM to TO, or to TO/NAME when TO is a directory
 * (NAME: FROM's last component). One rename: an existing TO is replaced
 * at once, and nothing moves between file systems.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmdutil.h>
#include <kernel_calls.h>

int main(int argc, char *argv[])
{
	char path[K_PATH_MAX];

	if (argc != 3) {
		fprintf(stderr, "usage: mv FROM TO\n");
		return EXIT_FAILURE;
	}
	if (target_path(path, sizeof(path), argv[1], argv[2]) < 0) {
		fprintf(stderr, "mv: %s: %s\n", argv[2], strerror(errno));
		return EXIT_FAILURE;
	}
	if (rename(argv[1], path) < 0) {
		fprintf(stderr, "mv: %s: %s\n", argv[1], strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
