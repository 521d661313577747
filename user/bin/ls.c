/*
 * ls: list the initramfs entries, one name per line, in the order the
 * kernel keeps them (SYS_readdir through readdir_initrd).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel_calls.h>

#define NAME_SIZE 256

int main(int argc, char *argv[])
{
	char name[NAME_SIZE];

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: ls\n");
		return EXIT_FAILURE;
	}
	for (unsigned int i = 0;; i++) {
		if (readdir_initrd(i, name, sizeof(name)) < 0) {
			if (errno == ENOENT)
				break;
			fprintf(stderr, "ls: readdir %u: %s\n", i, strerror(errno));
			return EXIT_FAILURE;
		}
		puts(name);
	}
	return EXIT_SUCCESS;
}
