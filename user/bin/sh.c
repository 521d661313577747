/*
 * sh: a small shell. Prints "$ ", reads a line, splits it into words
 * (blanks separate, '...' and "..." quote; |, &, <, > and >> are
 * operators), and runs the pipeline CMD [| CMD]... [&] with fork, pipe,
 * dup2 and execv, trying each command as given and then as /bin/NAME.
 * A command may carry redirections, applied in order after its pipes:
 * < FILE (stdin), > FILE (stdout, created or truncated), >> FILE (stdout,
 * created or appended to; new files get mode 0644); one that fails prints
 * a line and that command does not run. Builtins: exit [N], poweroff,
 * cd [DIR] (default /), pwd; alone on a line they run in the shell itself,
 * in a pipeline in their own process. Finished background jobs are reaped
 * before each prompt. Exits on end of input with the last command's status.
 */
#include <errno.h>
#include <fcntl.h>
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
#define MAX_REDIRS	 8    /* per command */
#define NEW_FILE_MODE	 0644
#define CD_DEFAULT	 "/"

enum token_kind { TOKEN_WORD, TOKEN_PIPE, TOKEN_AMP, TOKEN_IN, TOKEN_OUT, TOKEN_APPEND };

struct token {
	enum token_kind kind;
	char *word; /* TOKEN_WORD only */
};

/* < FILE, > FILE or >> FILE (kind TOKEN_IN, TOKEN_OUT, TOKEN_APPEND). */
struct redirect {
	enum token_kind kind;
	const char *path;
};

/* One command of a pipeline: a NULL-terminated argv and its redirections. */
struct command {
	char **argv;
	struct redirect redirs[MAX_REDIRS];
	int nredirs;
};

/* A parsed line. */
struct pipeline {
	struct command cmds[MAX_CMDS];
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
	return c == '|' || c == '&' || c == '<' || c == '>';
}

/* The operator at *line (">>" before ">"); moves *line past it. */
static enum token_kind take_operator(const char **line)
{
	char c = *(*line)++;

	if (c == '|')
		return TOKEN_PIPE;
	if (c == '&')
		return TOKEN_AMP;
	if (c == '<')
		return TOKEN_IN;
	if (**line == '>') {
		(*line)++;
		return TOKEN_APPEND;
	}
	return TOKEN_OUT;
}

/* How an operator is written, for error messages. */
static const char *operator_text(enum token_kind kind)
{
	static const char *const text[] = {
	    [TOKEN_WORD] = "word", [TOKEN_PIPE] = "|", [TOKEN_AMP] = "&",
	    [TOKEN_IN] = "<",	   [TOKEN_OUT] = ">",  [TOKEN_APPEND] = ">>",
	};
	return text[kind];
}

static bool is_redirect(enum token_kind kind)
{
	return kind == TOKEN_IN || kind == TOKEN_OUT || kind == TOKEN_APPEND;
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
			toks[n++].kind = take_operator(&line);
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

/* Add the redirection toks[*i] and its file toks[*i + 1] to cmd, moving
 * *i past them; 0, or -1 after an error. */
static int add_redirect(const struct token *toks, int ntoks, int *i, struct command *cmd)
{
	enum token_kind kind = toks[*i].kind;

	if (*i + 1 == ntoks || toks[*i + 1].kind != TOKEN_WORD) {
		fprintf(stderr, "sh: syntax error near '%s'\n", operator_text(kind));
		return -1;
	}
	if (cmd->nredirs == MAX_REDIRS) {
		fprintf(stderr, "sh: more than %d redirections\n", MAX_REDIRS);
		return -1;
	}
	*i += 1;
	cmd->redirs[cmd->nredirs++] = (struct redirect){kind, toks[*i].word};
	return 0;
}

/* Build p from the tokens; 0, 1 for an empty line, or -1 after an error. */
static int parse(const struct token *toks, int ntoks, struct pipeline *p)
{
	int nargs = 0;
	int words = 0;
	struct command *cmd;

	memset(p, 0, sizeof(*p));
	if (ntoks == 0)
		return 1;
	if (toks[ntoks - 1].kind == TOKEN_AMP) {
		p->background = true;
		ntoks--;
	}
	cmd = &p->cmds[p->ncmds++];
	cmd->argv = &p->args[0];
	for (int i = 0; i < ntoks; i++) {
		if (toks[i].kind == TOKEN_WORD) {
			p->args[nargs++] = toks[i].word;
			words++;
		} else if (is_redirect(toks[i].kind)) {
			if (add_redirect(toks, ntoks, &i, cmd) < 0)
				return -1;
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
			cmd = &p->cmds[p->ncmds++];
			cmd->argv = &p->args[nargs];
			words = 0;
		}
	}
	if (words == 0) {
		if (p->ncmds == 1 && !p->background)
			fprintf(stderr, "sh: a command is missing\n");
		else
			fprintf(stderr, "sh: syntax error near '%c'\n", p->ncmds > 1 ? '|' : '&');
		return -1;
	}
	p->args[nargs] = NULL;
	return 0;
}

/* exit [N]: leave with N, or with the last command's status. */
static int builtin_exit(char **argv)
{
	int status = last_status;

	if (argv[1] != NULL) {
		char *end;
		long n = strtol(argv[1], &end, 10);
		if (argv[1][0] == '\0' || *end != '\0' || argv[2] != NULL) {
			fprintf(stderr, "sh: usage: exit [N]\n");
			return EXIT_FAILURE;
		}
		status = (int)(n & STATUS_MASK);
	}
	exit(status);
}

/* poweroff: returns only if the kernel refused. */
static int builtin_poweroff(char **argv)
{
	(void)argv;
	fflush(stdout);
	poweroff();
	fprintf(stderr, "sh: poweroff: %s\n", strerror(errno));
	return EXIT_FAILURE;
}

/* cd [DIR]: change the working directory to DIR, or to /. */
static int builtin_cd(char **argv)
{
	const char *dir = argv[1] != NULL ? argv[1] : CD_DEFAULT;

	if (argv[1] != NULL && argv[2] != NULL) {
		fprintf(stderr, "sh: usage: cd [DIR]\n");
		return EXIT_FAILURE;
	}
	if (chdir(dir) < 0) {
		fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* pwd: print the working directory. */
static int builtin_pwd(char **argv)
{
	char dir[PATH_SIZE];

	(void)argv;
	if (getcwd(dir, sizeof(dir)) == NULL) {
		fprintf(stderr, "sh: pwd: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	puts(dir);
	return EXIT_SUCCESS;
}

struct builtin {
	const char *name;
	int (*run)(char **argv); /* the command's status */
};

static const struct builtin builtins[] = {
    {"exit", builtin_exit},
    {"poweroff", builtin_poweroff},
    {"cd", builtin_cd},
    {"pwd", builtin_pwd},
};

/* The builtin called name, or NULL. */
static const struct builtin *find_builtin(const char *name)
{
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i].name, name) == 0)
			return &builtins[i];
	return NULL;
}

/* Open the file of r and put it on stdin or stdout; 0, or -1 after
 * printing the error. */
static int apply_redirect(const struct redirect *r)
{
	int target = r->kind == TOKEN_IN ? STDIN_FILENO : STDOUT_FILENO;
	int flags = O_RDONLY;
	int fd;

	if (r->kind == TOKEN_OUT)
		flags = O_WRONLY | O_CREAT | O_TRUNC;
	else if (r->kind == TOKEN_APPEND)
		flags = O_WRONLY | O_CREAT | O_APPEND;
	fd = open(r->path, flags, NEW_FILE_MODE);
	if (fd < 0) {
		fprintf(stderr, "sh: %s: %s\n", r->path, strerror(errno));
		return -1;
	}
	if (fd != target && (dup2(fd, target) < 0 || close(fd) < 0)) {
		fprintf(stderr, "sh: %s: %s\n", r->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Apply cmd's redirections in order; 0, or -1 at the first that failed. */
static int apply_redirects(const struct command *cmd)
{
	for (int i = 0; i < cmd->nredirs; i++)
		if (apply_redirect(&cmd->redirs[i]) < 0)
			return -1;
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
 * the other end of the pipe, apply cmd's redirections, and run it (a
 * builtin, or exec). Does not return. */
static void run_child(const struct command *cmd, int in, int out, int unused)
{
	const struct builtin *b;

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
	if (apply_redirects(cmd) < 0)
		_exit(EXIT_FAILURE);
	b = find_builtin(cmd->argv[0]);
	if (b != NULL)
		exit(b->run(cmd->argv));
	exec_command(cmd->argv);
}

/* Run builtin b alone on its line, in the shell, with cmd's redirections in
 * place only while it runs; its status. */
static int run_builtin_here(const struct builtin *b, const struct command *cmd)
{
	int saved_in, saved_out, status = EXIT_FAILURE;

	if (cmd->nredirs == 0)
		return b->run(cmd->argv);
	saved_in = dup(STDIN_FILENO);
	saved_out = dup(STDOUT_FILENO);
	if (saved_in < 0 || saved_out < 0)
		fprintf(stderr, "sh: dup: %s\n", strerror(errno));
	else if (apply_redirects(cmd) == 0)
		status = b->run(cmd->argv);
	fflush(stdout);
	if (saved_in >= 0 && (dup2(saved_in, STDIN_FILENO) < 0 || close(saved_in) < 0))
		fprintf(stderr, "sh: restore stdin: %s\n", strerror(errno));
	if (saved_out >= 0 && (dup2(saved_out, STDOUT_FILENO) < 0 || close(saved_out) < 0))
		fprintf(stderr, "sh: restore stdout: %s\n", strerror(errno));
	return status;
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
			run_child(&p->cmds[i], in, fds[1], fds[0]);
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
		const struct builtin *b;

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
		b = p.ncmds == 1 && !p.background ? find_builtin(p.cmds[0].argv[0]) : NULL;
		last_status = b != NULL ? run_builtin_here(b, &p.cmds[0]) : run_pipeline(&p);
	}
	return last_status;
}
