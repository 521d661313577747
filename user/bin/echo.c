/*
 * echo: print the arguments separated by spaces and ended by a newline.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>

int main(int argc, char *argv[])
{
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			putchar(' ');
		fputs(argv[i], stdout);
	}
	putchar('\n');
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "echo: write: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}
