/*
 * Signal names for the signals a process can die of (DESIGN.md section 5),
 * by the numbers in uapi.h, which are picolibc's own. picolibc's
 * strsignal() gives descriptions, not these short names that the shell
 * and kill print and parse.
 */
#include <stdlib.h>
#include <string.h>
#include <kernel_calls.h>

#define SIG_PREFIX     "SIG"
#define SIG_PREFIX_LEN (sizeof(SIG_PREFIX) - 1)
#define SIG_NUMBER_MAX 255 /* above every signal number; the kernel rejects what it lacks */

struct signame {
	int number;
	const char *name;
};

static const struct signame signames[] = {
    {K_SIGILL, "SIGILL"},   {K_SIGTRAP, "SIGTRAP"}, {K_SIGBUS, "SIGBUS"},
    {K_SIGKILL, "SIGKILL"}, {K_SIGSEGV, "SIGSEGV"}, {K_SIGTERM, "SIGTERM"},
};

#define NSIGNAMES (sizeof(signames) / sizeof(signames[0]))

const char *sig_name(int sig)
{
	for (size_t i = 0; i < NSIGNAMES; i++) {
		if (signames[i].number == sig)
			return signames[i].name;
	}
	return NULL;
}

int sig_number(const char *name)
{
	char *end;
	long n;

	for (size_t i = 0; i < NSIGNAMES; i++) {
		if (strcmp(signames[i].name, name) == 0 ||
		    strcmp(signames[i].name + SIG_PREFIX_LEN, name) == 0)
			return signames[i].number;
	}
	if (*name < '0' || *name > '9')
		return -1;
	n = strtol(name, &end, 10);
	if (*end != '\0' || n > SIG_NUMBER_MAX)
		return -1;
	return (int)n;
}
