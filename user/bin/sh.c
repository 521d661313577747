/*
 * sh: a small shell. Prints "$ ", reads a line, splits it into words
 * (blanks separate, '...' and "..." quote, | and & are operators), and runs
 * the pipeline CMD [| CMD]... [&] with fork, pipe, dup2 and execv, trying
 * each command as given and then as /bin/NAME. Builtins: exit [N], poweroff.
 * Finished background jobs are reaped before each prompt. Exits on end of
 * input with the status of the last command.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kernel_calls.h>

#define PROMPT		 "$ "
#define LINE_SIZE	 512
#define MAX_TOKENS	 64
#define MAX_CMDS	 8
#define PATH_SIZE	 256
#define BIN_DIR		 "/bin/"
#define EXIT_NOT_FOUND	 127  /* as POSIX shells: the command could not be run */
#define EXIT_SIGNAL_BASE 128  /* status of a command killed by signal N: 128 + N */
#define STATUS_MASK	 0xff /* exit N keeps the low 8 bits, as a wait status does */
#define WHAT_SIZE	 32   /* "killed: signal NNN" and the like */

enum token_kind { TOKEN_WORD, TOKEN_PIPE, TOKEN_AMP };

struct token {
	enum token_kind kind;
	char *word; /* TOKEN_WORD only */
};

/* A parsed line: cmds[i] is a NULL-terminated argv. */
struct pipeline {
	char **cmds[MAX_CMDS];
	int ncmds;
	bool background;
	char *args[MAX_TOKENS + MAX_CMDS];
};

static int last_status;

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_operator(char c)
{
	return c == '|' || c == '&';
}

/* Split line into tokens, copying words (quotes removed) into store, which
 * has room for twice the line; the token count, or -1 after an error. */
static int tokenize(const char *line, struct token *toks, char *store)
{
	int n = 0;

	for (;;) {
		while (is_blank(*line))
			line++;
		if (*line == '\0')
			return n;
		if (n == MAX_TOKENS) {
			fprintf(stderr, "sh: too many words\n");
			return -1;
		}
		if (is_operator(*line)) {
			toks[n++].kind = *line++ == '|' ? TOKEN_PIPE : TOKEN_AMP;
			continue;
		}
		toks[n].kind = TOKEN_WORD;
		toks[n++].word = store;
		while (*line != '\0' && !is_blank(*line) && !is_operator(*line)) {
			if (*line == '\'' || *line == '"') {
				char quote = *line++;
				while (*line != '\0' && *line != quote)
					*store++ = *line++;
				if (*line != quote) {
					fprintf(stderr, "sh: missing closing %c\n", quote);
					return -1;
				}
				line++;
			} else {
				*store++ = *line++;
			}
		}
		*store++ = '\0';
	}
}

/* Build p from the tokens; 0, 1 for an empty line, or -1 after an error. */
static int parse(const struct token *toks, int ntoks, struct pipeline *p)
{
	int nargs = 0;
	int words = 0;

	memset(p, 0, sizeof(*p));
	if (ntoks == 0)
		return 1;
	if (toks[ntoks - 1].kind == TOKEN_AMP) {
		p->background = true;
		ntoks--;
	}
	p->cmds[p->ncmds++] = &p->args[0];
	for (int i = 0; i < ntoks; i++) {
		if (toks[i].kind == TOKEN_WORD) {
			p->args[nargs++] = toks[i].word;
			words++;
		} else if (toks[i].kind == TOKEN_AMP) {
			fprintf(stderr, "sh: '&' only at the end of a line\n");
			return -1;
		} else if (words == 0) {
			fprintf(stderr, "sh: syntax error near '|'\n");
			return -1;
		} else if (p->ncmds == MAX_CMDS) {
			fprintf(stderr, "sh: more than %d commands\n", MAX_CMDS);
			return -1;
		} else {
			p->args[nargs++] = NULL;
			p->cmds[p->ncmds++] = &p->args[nargs];
			words = 0;
		}
	}
	if (words == 0) {
		fprintf(stderr, "sh: syntax error near '%c'\n", p->ncmds > 1 ? '|' : '&');
		return -1;
	}
	p->args[nargs] = NULL;
	return 0;
}

/* Exec argv as given, then as /bin/NAME for a bare name; does not return. */
static void exec_command(char **argv)
{
	char path[PATH_SIZE];

	execv(argv[0], argv);
	if (errno == ENOENT && strchr(argv[0], '/') == NULL &&
	    strlen(BIN_DIR) + strlen(argv[0]) < sizeof(path)) {
		strcpy(path, BIN_DIR);
		strcat(path, argv[0]);
		execv(path, argv);
	}
	fprintf(stderr, "sh: %s: %s\n", argv[0], strerror(errno));
	_exit(EXIT_NOT_FOUND);
}

/* In a forked child: take stdin from in and stdout to out (-1: keep), close
 * the other end of the pipe, and exec argv. Does not return. */
static void run_child(char **argv, int in, int out, int unused)
{
	if (in >= 0 && (dup2(in, STDIN_FILENO) < 0 || close(in) < 0)) {
		fprintf(stderr, "sh: dup2 stdin: %s\n", strerror(errno));
		_exit(EXIT_NOT_FOUND);
	}
	if (out >= 0 && (dup2(out, STDOUT_FILENO) < 0 || close(out) < 0)) {
		fprintf(stderr, "sh: dup2 stdout: %s\n", strerror(errno));
		_exit(EXIT_NOT_FOUND);
	}
	if (unused >= 0)
		close(unused);
	exec_command(argv);
}

/* The shell status of a wait status: the exit code, or 128 + signal. */
static int shell_status(int st)
{
	if (WIFSIGNALED(st))
		return EXIT_SIGNAL_BASE + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* Describe how a process ended, as "killed: SIGSEGV" or "exit 3". */
static void describe(int st, char *buf, size_t size)
{
	if (WIFSIGNALED(st)) {
		const char *name = sig_name(WTERMSIG(st));
		if (name)
			snprintf(buf, size, "killed: %s", name);
		else
			snprintf(buf, size, "killed: signal %d", WTERMSIG(st));
	} else if (WEXITSTATUS(st) == 0) {
		snprintf(buf, size, "done");
	} else {
		snprintf(buf, size, "exit %d", WEXITSTATUS(st));
	}
}

/* Wait for the foreground processes; the status of the last one. */
static int wait_all(const pid_t *pids, int n)
{
	int status = 0;

	for (int i = 0; i < n; i++) {
		int st;
		char what[WHAT_SIZE];

		if (waitpid(pids[i], &st, 0) < 0) {
			fprintf(stderr, "sh: waitpid %d: %s\n", (int)pids[i], strerror(errno));
			status = EXIT_FAILURE;
			continue;
		}
		if (WIFSIGNALED(st)) {
			describe(st, what, sizeof(what));
			fprintf(stderr, "[%s]\n", what);
		}
		status = shell_status(st);
	}
	return status;
}

/* Start every command of p, connected by pipes; wait unless in the background. */
static int run_pipeline(const struct pipeline *p)
{
	pid_t pids[MAX_CMDS];
	int started = 0;
	int in = -1;

	for (int i = 0; i < p->ncmds; i++) {
		int fds[2] = {-1, -1};
		pid_t pid;

		if (i + 1 < p->ncmds && pipe(fds) < 0) {
			fprintf(stderr, "sh: pipe: %s\n", strerror(errno));
			break;
		}
		fflush(stdout);
		fflush(stderr);
		pid = fork();
		if (pid == 0)
			run_child(p->cmds[i], in, fds[1], fds[0]);
		if (pid < 0)
			fprintf(stderr, "sh: fork: %s\n", strerror(errno));
		if (in >= 0)
			close(in);
		if (fds[1] >= 0)
			close(fds[1]);
		in = fds[0];
		if (pid < 0)
			break;
		pids[started++] = pid;
	}
	if (in >= 0)
		close(in);
	if (started < p->ncmds) {
		wait_all(pids, started);
		return EXIT_FAILURE;
	}
	if (p->background) {
		printf("[%d]\n", (int)pids[started - 1]);
		return 0;
	}
	return wait_all(pids, started);
}

/* Report and reap background jobs that have finished. */
static void reap_jobs(void)
{
	int st;
	pid_t pid;
	char what[WHAT_SIZE];

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		describe(st, what, sizeof(what));
		printf("[%d] %s\n", (int)pid, what);
	}
}

/* exit [N]: leave with N, or with the last command's status. */
static void builtin_exit(char **argv)
{
	int status = last_status;

	if (argv[1] != NULL) {
		char *end;
		long n = strtol(argv[1], &end, 10);
		if (argv[1][0] == '\0' || *end != '\0' || argv[2] != NULL) {
			fprintf(stderr, "sh: usage: exit [N]\n");
			last_status = EXIT_FAILURE;
			return;
		}
		status = (int)(n & STATUS_MASK);
	}
	exit(status);
}

/* Run a builtin if argv names one; true if it did. */
static bool run_builtin(char **argv)
{
	if (strcmp(argv[0], "exit") == 0) {
		builtin_exit(argv);
		return true;
	}
	if (strcmp(argv[0], "poweroff") == 0) {
		fflush(stdout);
		poweroff();
		fprintf(stderr, "sh: poweroff: %s\n", strerror(errno));
		last_status = EXIT_FAILURE;
		return true;
	}
	return false;
}

/* Read one line, without its newline, into line (not with fgets: tinystdio's
 * drops a last line that has no newline); 1 if read, 0 at end of input,
 * -1 if it did not fit. */
static int read_line(char *line, size_t size)
{
	size_t len = 0;
	int c;

	while ((c = getchar()) != EOF && c != '\n') {
		if (len + 1 < size)
			line[len] = (char)c;
		len++;
	}
	if (c == EOF && ferror(stdin)) {
		fprintf(stderr, "sh: read: %s\n", strerror(errno));
		exit(EXIT_FAILURE);
	}
	if (c == EOF && len == 0)
		return 0;
	if (len + 1 > size) {
		fprintf(stderr, "sh: line too long\n");
		return -1;
	}
	line[len] = '\0';
	return 1;
}

int main(void)
{
	static char line[LINE_SIZE];
	static char store[2 * LINE_SIZE];
	static struct token toks[MAX_TOKENS];
	static struct pipeline p;

	for (;;) {
		int got, ntoks;

		reap_jobs();
		fputs(PROMPT, stdout);
		fflush(stdout);
		got = read_line(line, sizeof(line));
		if (got == 0)
			break;
		if (got < 0) {
			last_status = EXIT_FAILURE;
			continue;
		}
		ntoks = tokenize(line, toks, store);
		if (ntoks < 0 || parse(toks, ntoks, &p) != 0) {
			if (ntoks != 0)
				last_status = EXIT_FAILURE;
			continue;
		}
		if (p.ncmds == 1 && run_builtin(p.cmds[0]))
			continue;
		last_status = run_pipeline(&p);
	}
	return last_status;
}
