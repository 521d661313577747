/*
 * wc [FILE...]: the newlines, words and bytes of each FILE (of stdin
 * without one), one "LINES WORDS BYTES NAME" line each as POSIX prints
 * them, and a "total" line after several. A word is a run of bytes that
 * are not white space.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE 16384

struct counts {
	unsigned long lines, words, bytes;
};

static char buf[BUF_SIZE];

/* Count what fd holds into *c; 0, or -1 with errno. */
static int count(int fd, struct counts *c)
{
	bool in_word = false;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		c->bytes += (unsigned long)n;
		for (ssize_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)buf[i];
			if (ch == '\n')
				c->lines++;
			if (isspace(ch)) {
				in_word = false;
			} else if (!in_word) {
				in_word = true;
				c->words++;
			}
		}
	}
	return n < 0 ? -1 : 0;
}

static void print_counts(const struct counts *c, const char *name)
{
	if (name)
		printf("%lu %lu %lu %s\n", c->lines, c->words, c->bytes, name);
	else
		printf("%lu %lu %lu\n", c->lines, c->words, c->bytes);
}

/* Count and print the file path, adding to *total; 0, or -1 after printing
 * the error. */
static int count_file(const char *path, struct counts *total)
{
	struct counts c = {0};
	int fd = open(path, O_RDONLY);

	if (fd < 0 || count(fd, &c) < 0) {
		fprintf(stderr, "wc: %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	print_counts(&c, path);
	total->lines += c.lines;
	total->words += c.words;
	total->bytes += c.bytes;
	return 0;
}

int main(int argc, char *argv[])
{
	struct counts total = {0};
	int status = EXIT_SUCCESS;

	if (argc < 2) {
		if (count(STDIN_FILENO, &total) < 0) {
			fprintf(stderr, "wc: stdin: %s\n", strerror(errno));
			return EXIT_FAILURE;
		}
		print_counts(&total, NULL);
		return EXIT_SUCCESS;
	}
	for (int i = 1; i < argc; i++) {
		if (count_file(argv[i], &total) < 0)
			status = EXIT_FAILURE;
	}
	if (argc > 2)
		print_counts(&total, "total");
	return status;
}
