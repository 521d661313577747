/*
 * cp SRC DST: copy the file SRC to DST, or to DST/NAME when DST is a
 * directory (NAME: SRC's last component). The copy is created with SRC's
 * permission bits, or truncated if it exists; a file is not copied onto
 * itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmdutil.h>
#include <kernel_calls.h>

#define BUF_SIZE  16384
#define PERM_BITS 0777

static char buf[BUF_SIZE];

/* Report "cp: path: strerror" for errno; EXIT_FAILURE. */
static int fail(const char *path)
{
	fprintf(stderr, "cp: %s: %s\n", path, strerror(errno));
	return EXIT_FAILURE;
}

/* Copy from in to out until the end of in; 0, or -1 with errno and the
 * side that failed in *bad (0 reading, 1 writing). */
static int copy(int in, int out, int *bad)
{
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (write_all(out, buf, (size_t)n) < 0) {
			*bad = 1;
			return -1;
		}
	}
	*bad = 0;
	return n < 0 ? -1 : 0;
}

/* Copy the open file in (described by *st) to path. */
static int copy_to(int in, const struct stat *st, const char *src, const char *path)
{
	struct stat old;
	int out, bad;

	if (stat(path, &old) == 0 && old.st_dev == st->st_dev && old.st_ino == st->st_ino) {
		fprintf(stderr, "cp: %s and %s are the same file\n", src, path);
		return EXIT_FAILURE;
	}
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, st->st_mode & PERM_BITS);
	if (out < 0)
		return fail(path);
	if (copy(in, out, &bad) < 0) {
		int err = errno;
		close(out);
		errno = err;
		return fail(bad ? path : src);
	}
	if (close(out) < 0)
		return fail(path);
	return EXIT_SUCCESS;
}

int main(int argc, char *argv[])
{
	char path[K_PATH_MAX];
	struct stat st;
	int in, status;

	if (argc != 3) {
		fprintf(stderr, "usage: cp SRC DST\n");
		return EXIT_FAILURE;
	}
	in = open(argv[1], O_RDONLY);
	if (in < 0 || fstat(in, &st) < 0)
		return fail(argv[1]);
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return fail(argv[1]);
	}
	if (target_path(path, sizeof(path), argv[1], argv[2]) < 0)
		return fail(argv[2]);
	status = copy_to(in, &st, argv[1], path);
	close(in);
	return status;
}
