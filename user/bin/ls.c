/*
 * ls [-a] [-l] [PATH...]: for each directory PATH its entries, sorted by
 * name; for any other file, PATH itself; without PATH, the working
 * directory. Names that start with '.' show only with -a. -l puts the
 * type (d directory, - regular file, c character device) and the size in
 * bytes before each name. With several PATHs each directory's list comes
 * under a "PATH:" line. Where the kernel cannot open directories (the
 * initramfs root says EISDIR, an older kernel ENOSYS), the names come from
 * the initramfs list (readdir_initrd).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmdutil.h>
#include <kernel_calls.h>

#define NAME_SIZE (K_NAME_MAX + 1)

/* The names of one directory, growing as they are read. */
struct names {
	char **v;
	size_t n, cap;
};

static bool opt_all, opt_long;

/* Add a copy of name; 0, or -1 with ENOMEM. */
static int names_add(struct names *ns, const char *name)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? 2 * ns->cap : 32;
		char **v = realloc(ns->v, cap * sizeof(*v));
		if (v == NULL) {
			errno = ENOMEM;
			return -1;
		}
		ns->v = v;
		ns->cap = cap;
	}
	ns->v[ns->n] = strdup(name);
	if (ns->v[ns->n] == NULL) {
		errno = ENOMEM;
		return -1;
	}
	ns->n++;
	return 0;
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char type_letter(mode_t mode)
{
	if (S_ISDIR(mode))
		return 'd';
	if (S_ISREG(mode))
		return '-';
	if (S_ISCHR(mode))
		return 'c';
	return '?';
}

/* Print one line for the file at path, shown as name; 0, or -1 after
 * printing the error. */
static int print_entry(const char *path, const char *name)
{
	struct stat st;

	if (!opt_long) {
		puts(name);
		return 0;
	}
	if (stat(path, &st) < 0) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return -1;
	}
	printf("%c %8ld %s\n", type_letter(st.st_mode), (long)st.st_size, name);
	return 0;
}

/* Read the names of directory dir into ns; 0, or -1 with errno. */
static int read_directory(const char *dir, struct names *ns)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int err;

	if (d == NULL)
		return -1;
	errno = 0;
	while ((e = readdir(d)) != NULL) {
		if (names_add(ns, e->d_name) < 0)
			break;
	}
	err = errno;
	closedir(d);
	errno = err;
	return err ? -1 : 0;
}

/* The initramfs entries directly inside dir ("/bin": the "bin/NAME"
 * entries) into ns; 0, or -1 with errno. */
static int read_initrd(const char *dir, struct names *ns)
{
	char name[NAME_SIZE];
	size_t plen;

	while (*dir == '/')
		dir++;
	if (strcmp(dir, ".") == 0)
		dir = "";
	plen = strlen(dir);
	while (plen > 0 && dir[plen - 1] == '/')
		plen--;
	for (unsigned int i = 0; readdir_initrd(i, name, sizeof(name)) == 0; i++) {
		const char *rest = name;
		if (plen > 0 && (strncmp(name, dir, plen) != 0 || name[plen] != '/'))
			continue;
		if (plen > 0)
			rest = name + plen + 1;
		if (*rest != '\0' && strchr(rest, '/') == NULL && names_add(ns, rest) < 0)
			return -1;
	}
	return errno == ENOENT ? 0 : -1;
}

/* List directory dir, under a "dir:" line if header; 0, or -1 after
 * printing the error. */
static int list_directory(const char *dir, bool header)
{
	struct names ns = {0};
	char path[K_PATH_MAX];
	int ret = read_directory(dir, &ns);

	if (ret < 0 && (errno == EISDIR || errno == ENOSYS))
		ret = read_initrd(dir, &ns);
	if (ret < 0) {
		fprintf(stderr, "ls: %s: %s\n", dir, strerror(errno));
		names_free(&ns);
		return -1;
	}
	qsort(ns.v, ns.n, sizeof(*ns.v), by_name);
	if (header)
		printf("%s:\n", dir);
	for (size_t i = 0; i < ns.n; i++) {
		if (ns.v[i][0] == '.' && !opt_all)
			continue;
		if (path_join(path, sizeof(path), dir, ns.v[i]) < 0) {
			fprintf(stderr, "ls: %s/%s: %s\n", dir, ns.v[i], strerror(errno));
			ret = -1;
		} else if (print_entry(path, ns.v[i]) < 0) {
			ret = -1;
		}
	}
	names_free(&ns);
	return ret;
}

/* List one operand: a directory's entries, or the file itself. */
static int list_operand(const char *path, bool header)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			return print_entry(path, path);
	} else if (errno != ENOSYS) {
		fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return list_directory(path, header);
}

int main(int argc, char *argv[])
{
	int status = EXIT_SUCCESS, first = 1;

	for (; first < argc && argv[first][0] == '-' && argv[first][1] != '\0'; first++) {
		for (const char *o = argv[first] + 1; *o; o++) {
			if (*o == 'a') {
				opt_all = true;
			} else if (*o == 'l') {
				opt_long = true;
			} else {
				fprintf(stderr, "usage: ls [-a] [-l] [PATH...]\n");
				return EXIT_FAILURE;
			}
		}
	}
	if (first == argc)
		return list_directory(".", false) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	for (int i = first; i < argc; i++) {
		if (list_operand(argv[i], argc - first > 1) < 0)
			status = EXIT_FAILURE;
	}
	return status;
}
