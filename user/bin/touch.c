/*
 * touch PATH...: create each file that does not exist, empty (mode 0644).
 * The kernel keeps no settable times, so an existing file is left as it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmdutil.h>

#define FILE_MODE 0644

/* Create path unless something by that name is there; 0, or -1 with errno. */
static int touch(const char *path)
{
	struct stat st;
	int fd;

	if (stat(path, &st) == 0)
		return 0;
	if (errno != ENOENT)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT, FILE_MODE);
	if (fd < 0)
		return -1;
	return close(fd);
}

int main(int argc, char *argv[])
{
	return for_each_operand("touch", argc, argv, touch);
}
