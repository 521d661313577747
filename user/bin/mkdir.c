/*
 * mkdir PATH...: make each directory (mode 0755); its parent must exist.
 */
#include <sys/stat.h>
#include <cmdutil.h>

#define DIR_MODE 0755

static int make_dir(const char *path)
{
	return mkdir(path, DIR_MODE);
}

int main(int argc, char *argv[])
{
	return for_each_operand("mkdir", argc, argv, make_dir);
}
