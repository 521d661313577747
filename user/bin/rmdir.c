/*
 * rmdir PATH...: remove each directory, which must be empty.
 */
#include <unistd.h>
#include <cmdutil.h>

int main(int argc, char *argv[])
{
	return for_each_operand("rmdir", argc, argv, rmdir);
}
