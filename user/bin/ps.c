/*
 * ps: one line per process from SYS_procinfo: pid, parent pid, state,
 * resident and swapped pages (RES, SWAP, in 4 KiB pages), the KiB its page
 * tables take (PT: the root and the user half's level-0 tables), the hart
 * a running process is on (HART; "-" when it is not running) and name.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel_calls.h>

/* The word for a K_PROC_* state. */
static const char *state_name(uint32_t state)
{
	switch (state) {
	case K_PROC_RUNNABLE:
		return "runnable";
	case K_PROC_RUNNING:
		return "running";
	case K_PROC_SLEEPING:
		return "sleeping";
	case K_PROC_ZOMBIE:
		return "zombie";
	default:
		return "?";
	}
}

int main(int argc, char *argv[])
{
	struct k_procinfo p;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: ps\n");
		return EXIT_FAILURE;
	}
	printf("%5s %5s %-8s %6s %6s %4s %4s %s\n", "PID", "PPID", "STATE", "RES", "SWAP", "PT",
	       "HART", "NAME");
	for (unsigned int i = 0;; i++) {
		if (procinfo(i, &p) < 0) {
			if (errno == ESRCH)
				break;
			fprintf(stderr, "ps: procinfo %u: %s\n", i, strerror(errno));
			return EXIT_FAILURE;
		}
		char hart[12] = "-";

		if (p.hart >= 0)
			snprintf(hart, sizeof(hart), "%" PRId32, p.hart);
		printf("%5" PRId32 " %5" PRId32 " %-8s %6" PRIu32 " %6" PRIu32 " %3" PRIu32
		       "K %4s %.*s\n",
		       p.pid, p.ppid, state_name(p.state), p.resident_pages, p.swapped_pages,
		       p.table_bytes / 1024, hart, (int)sizeof(p.name), p.name);
	}
	return EXIT_SUCCESS;
}
