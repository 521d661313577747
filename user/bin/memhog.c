/*
 * memhog: use more memory than the machine has, to watch swap work.
 * memhog MIB [PASSES [rewrite]]: map MIB MiB, write a pattern into every
 * word, then check it PASSES times (default 1), printing the swap counters
 * as it goes. With rewrite, each pass also writes the next pass's pattern
 * over every word it checked, so pages that came back from swap are
 * written again (and must be written out again).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <kernel_calls.h>

#define MIB (1024u * 1024u)

static void report(const char *when)
{
	struct k_vmstat s;
	if (vmstat(&s) != 0)
		return;
	printf("memhog: %-8s swapouts %6u swapins %6u evictions %6u free frames %6u free slots %6u\n",
	       when, (unsigned)s.swapouts, (unsigned)s.swapins, (unsigned)s.evictions,
	       (unsigned)s.frames_free, (unsigned)s.swap_slots_free);
}

/* The word i holds in pass k. */
static inline uint32_t pattern(uint32_t i, uint32_t k)
{
	return (i + k * 0x9E3779B9u) * 2654435761u;
}

int main(int argc, char **argv)
{
	if (argc < 2 || atoi(argv[1]) <= 0) {
		fprintf(stderr, "usage: memhog MIB [PASSES]\n");
		return 2;
	}
	uint32_t bytes = (uint32_t)atoi(argv[1]) * MIB;
	int passes = argc > 2 ? atoi(argv[2]) : 1;
	bool rewrite = argc > 3 && strcmp(argv[3], "rewrite") == 0;
	uint32_t *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "memhog: mmap %u MiB: %s\n", (unsigned)(bytes / MIB), strerror(errno));
		return 1;
	}
	report("start");
	uint32_t words = bytes / 4;
	for (uint32_t i = 0; i < words; i++) {
		p[i] = pattern(i, 0);
		if ((i + 1) % (16 * MIB / 4) == 0)
			report("writing");
	}
	report("written");
	for (int pass = 0; pass < passes; pass++) {
		uint32_t k = rewrite ? (uint32_t)pass : 0;
		for (uint32_t i = 0; i < words; i++) {
			if (p[i] != pattern(i, k)) {
				printf("memhog: word %u is wrong\n", (unsigned)i);
				return 1;
			}
			if (rewrite)
				p[i] = pattern(i, k + 1);
		}
		report("checked");
	}
	printf("memhog: %u MiB written and checked %d time(s)\n", (unsigned)(bytes / MIB), passes);
	return 0;
}
