/*
 * sync: write every dirty page of the page cache to the disk.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: sync\n");
		return EXIT_FAILURE;
	}
	sync();
	return EXIT_SUCCESS;
}
