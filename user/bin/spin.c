/*
 * spin [SECONDS]: keep a hart busy for SECONDS (default 10) with no system
 * call in the loop, then exit. For watching several harts at work:
 *
 *   $ spin 20 &
 *   $ spin 20 &
 *   $ ps          (with make qemu SMP=4: each spin on a hart of its own)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <kernel_calls.h>

static uint64_t now_ms(void)
{
	struct k_timespec t;
	uptime(&t);
	return (uint64_t)t.sec * 1000 + t.nsec / 1000000;
}

int main(int argc, char **argv)
{
	int seconds = argc > 1 ? atoi(argv[1]) : 10;
	if (seconds <= 0) {
		fprintf(stderr, "usage: spin [SECONDS]\n");
		return 2;
	}
	uint64_t end = now_ms() + (uint64_t)seconds * 1000;
	while (now_ms() < end) {
		/* About a millisecond of work between two looks at the clock. */
		uint32_t k = 200000;
		__asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(k));
	}
	return 0;
}
