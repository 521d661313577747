/* An extra program for the USER_EXTRA test: prints its arguments and exits
 * with their count, so the harness can check argv and the exit status. */
#include <stdio.h>

int main(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("hello_extra argv[%d]=%s\n", i, argv[i]);
	return argc;
}
