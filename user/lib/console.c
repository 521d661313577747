/*
 * stdin, stdout and stderr for picolibc's tinystdio, on file descriptors
 * 0, 1 and 2 (the console, or whatever the shell redirected there).
 * tinystdio leaves these three FILE objects to the application and calls
 * their put/get/flush functions. Output is buffered per line (one write per
 * line, so lines of different processes do not interleave); reading stdin
 * first flushes stdout, so a prompt without a newline shows; exit() flushes
 * both through a destructor. Input is read a byte at a time, so a process
 * never takes bytes meant for the next reader of the same descriptor.
 */
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#define LINE_MAX_OUT 256

/* A FILE plus the descriptor and line buffer behind it. */
struct console {
	FILE file; /* first: tinystdio hands put/get/flush a pointer to it */
	int fd;
	int len;
	char buf[LINE_MAX_OUT];
};

static int console_put(char c, FILE *f);
static int console_get(FILE *f);
static int console_flush(FILE *f);

static struct console con_in = {
    .file = FDEV_SETUP_STREAM(NULL, console_get, NULL, _FDEV_SETUP_READ),
    .fd = STDIN_FILENO,
};
static struct console con_out = {
    .file = FDEV_SETUP_STREAM(console_put, NULL, console_flush, _FDEV_SETUP_WRITE),
    .fd = STDOUT_FILENO,
};
static struct console con_err = {
    .file = FDEV_SETUP_STREAM(console_put, NULL, console_flush, _FDEV_SETUP_WRITE),
    .fd = STDERR_FILENO,
};

FILE *const stdin = &con_in.file;
FILE *const stdout = &con_out.file;
FILE *const stderr = &con_err.file;

/* The console that owns f. */
static struct console *to_console(FILE *f)
{
	return (struct console *)((char *)f - offsetof(struct console, file));
}

/* Write out c's buffered bytes; 0, or EOF (and the bytes dropped) on error. */
static int drain(struct console *c)
{
	int done = 0;

	while (done < c->len) {
		ssize_t n = write(c->fd, c->buf + done, (size_t)(c->len - done));
		if (n <= 0) {
			c->len = 0;
			return EOF;
		}
		done += (int)n;
	}
	c->len = 0;
	return 0;
}

/* Flush f; stderr flushes stdout first so the two keep their order. */
static int console_flush(FILE *f)
{
	struct console *c = to_console(f);

	if (c == &con_err)
		drain(&con_out);
	return drain(c);
}

/* Buffer one character; a full buffer or a newline writes the line out. */
static int console_put(char ch, FILE *f)
{
	struct console *c = to_console(f);

	c->buf[c->len++] = ch;
	if (ch == '\n' || c->len == LINE_MAX_OUT) {
		if (console_flush(f) == EOF)
			return EOF;
	}
	return (unsigned char)ch;
}

/* Read one byte from stdin's descriptor, after showing any pending output. */
static int console_get(FILE *f)
{
	struct console *c = to_console(f);
	unsigned char ch;
	ssize_t n;

	drain(&con_out);
	drain(&con_err);
	n = read(c->fd, &ch, 1);
	if (n == 1)
		return ch;
	return n == 0 ? _FDEV_EOF : _FDEV_ERR;
}

/* Run by exit() (via __libc_fini_array): nothing printed is lost. */
__attribute__((destructor)) static void console_exit_flush(void)
{
	drain(&con_out);
	drain(&con_err);
}
