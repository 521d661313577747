/*
 * holdinput COMMAND [ARG...]: run COMMAND (QEMU) with its standard input
 * and output through pipes, and pass our input on only once COMMAND has
 * written its first byte of output. OpenSBI enables the UART's FIFO before
 * it prints its banner, and a 16550 resets its receive FIFO when the FIFO
 * is enabled (PLATFORM.md pitfall 25), so a byte QEMU took from a pipe
 * before that was lost. Until then our input waits in the kernel's pipe or
 * terminal buffer. A terminal gets the raw mode QEMU's own stdio backend
 * sets, and is restored on exit. Exits with COMMAND's status (128 + signal
 * if a signal ended it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved_tty;
static bool tty_is_raw;
static volatile sig_atomic_t child_pid;

static void restore_tty(void)
{
	if (tty_is_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_is_raw = false;
}

/* The terminal settings of QEMU's stdio character device (signals kept,
 * so Ctrl-C still ends QEMU; Ctrl-A X is QEMU's own escape). */
static void make_tty_raw(void)
{
	struct termios tty;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) != 0)
		return;
	tty = saved_tty;
	tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	tty.c_oflag |= OPOST;
	tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
	tty.c_cflag &= ~(CSIZE | PARENB);
	tty.c_cflag |= CS8;
	tty.c_cc[VMIN] = 1;
	tty.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &tty) == 0)
		tty_is_raw = true;
}

/* A signal to us goes on to the child; the main loop sees it end. */
static void forward_signal(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

/* Write all n bytes of buf to fd; false if fd is gone. */
static bool write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		buf += w;
		n -= (size_t)w;
	}
	return true;
}

/* Start argv with pipes for its stdin (*to) and stdout (*from). */
static pid_t spawn(char **argv, int *to, int *from)
{
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "holdinput: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*to = in[1];
	*from = out[0];
	return pid;
}

/* Copy the child's output to ours and, once it has begun, our input to
 * the child, until the child's output ends. */
static void relay(int to_child, int from_child)
{
	char buf[4096];
	bool started = false, input_open = true;
	for (;;) {
		struct pollfd fds[2] = {
		    {.fd = from_child, .events = POLLIN},
		    {.fd = STDIN_FILENO, .events = POLLIN},
		};
		nfds_t n = (started && input_open) ? 2 : 1;
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (fds[0].revents) {
			ssize_t r = read(from_child, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return;
			if (!write_all(STDOUT_FILENO, buf, (size_t)r))
				return;
			started = true;
		}
		if (n == 2 && fds[1].revents) {
			ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0 || !write_all(to_child, buf, (size_t)r)) {
				input_open = false;
				close(to_child);
			}
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: holdinput COMMAND [ARG...]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	int to_child, from_child;
	pid_t pid = spawn(argv + 1, &to_child, &from_child);
	if (pid < 0) {
		perror("holdinput");
		return 2;
	}
	child_pid = pid;
	struct sigaction sa = {.sa_handler = forward_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	make_tty_raw();
	relay(to_child, from_child);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	restore_tty();
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
