/*
 * rm PATH...: remove each file's name (unlink; directories are rmdir's).
 */
#include <unistd.h>
#include <cmdutil.h>

int main(int argc, char *argv[])
{
	return for_each_operand("rm", argc, argv, unlink);
}
