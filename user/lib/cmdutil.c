/*
 * Helpers for the file utilities (cmdutil.h): whole writes, paths made of
 * a directory and a name, and the operand loop of rm, mkdir, rmdir and
 * touch.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmdutil.h>
#include <proc/uapi.h>

int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t done = write(fd, p, n);
		if (done < 0)
			return -1;
		p += done;
		n -= (size_t)done;
	}
	return 0;
}

int path_join(char *out, size_t size, const char *dir, const char *name)
{
	size_t dlen = strlen(dir);
	const char *sep = dlen > 0 && dir[dlen - 1] == '/' ? "" : "/";

	if ((size_t)snprintf(out, size, "%s%s%s", dir, sep, name) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* The last component of path ("c" of "a/b/c" and of "a/b/c/"), at
 * *start, *len bytes long. */
static void last_component(const char *path, size_t *start, size_t *len)
{
	size_t end = strlen(path), s;

	while (end > 1 && path[end - 1] == '/')
		end--;
	s = end;
	while (s > 0 && path[s - 1] != '/')
		s--;
	*start = s;
	*len = end - s;
}

int target_path(char *out, size_t size, const char *src, const char *dst)
{
	struct stat st;
	char name[K_NAME_MAX + 1];
	size_t start, len;

	if (stat(dst, &st) < 0 || !S_ISDIR(st.st_mode)) {
		if (strlen(dst) >= size) {
			errno = ENAMETOOLONG;
			return -1;
		}
		strcpy(out, dst);
		return 0;
	}
	last_component(src, &start, &len);
	if (len >= sizeof(name)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, src + start, len);
	name[len] = '\0';
	return path_join(out, size, dst, name);
}

int for_each_operand(const char *prog, int argc, char **argv, int (*op)(const char *path))
{
	int status = EXIT_SUCCESS;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PATH...\n", prog);
		return EXIT_FAILURE;
	}
	for (int i = 1; i < argc; i++) {
		if (op(argv[i]) < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, argv[i], strerror(errno));
			status = EXIT_FAILURE;
		}
	}
	return status;
}
