/*
 * System-call fuzzer (DESIGN.md section 7: bad input from user space never
 * panics the kernel). Seeded children each make random system calls with
 * hostile arguments: kernel pointers, unmapped and wrapping ranges, huge
 * lengths, random descriptors. Each child ends however it ends (an error,
 * a signal, or the parent's SIGKILL when a call blocks); the kernel must
 * stay up, and frames and swap slots must come back to their start.
 * Usage (as init): test_fuzz [CHILDREN [CALLS [SEED]]]
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest.h"

static uint32_t state;

static uint32_t rnd(void)
{
	uint32_t x = state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return state = x;
}

static char scratch[8192];

/* An argument a careless or hostile program might pass. */
static uint32_t hostile(void)
{
	static const uint32_t values[] = {
		0, 1, 2, 3, 0xffffffffu, 0x7fffffffu, 0x80000000u, 0x80400000u, 0xf0000000u,
		0xfffff000u, 0x00001000u, 0x00010000u, 0x40000000u, 0x7ffff000u, 0x7ffffffcu,
		4096, 65536, 0x10000000u,
	};
	switch (rnd() % 4) {
	case 0: return values[rnd() % (sizeof(values) / sizeof(values[0]))];
	case 1: return (uint32_t)(uintptr_t)scratch + rnd() % sizeof(scratch); /* a real buffer */
	case 2: return rnd() % 64; /* small numbers: fds, flags, counts */
	default: return rnd();
	}
}

/* One child's run of calls. Calls that would end the test rather than
 * this child are tamed: no poweroff, kill only itself, short sleeps. */
static void fuzz_child(uint32_t seed, int calls)
{
	state = seed ? seed : 1;
	close(0); /* reading the console would wait for a human */
	for (int i = 0; i < calls; i++) {
		long n = (long)(rnd() % (SYS_MAX + 4));
		long a[6];
		for (int k = 0; k < 6; k++)
			a[k] = (long)hostile();
		if (n == SYS_poweroff)
			continue;
		if (n == SYS_kill)
			a[0] = getpid();
		if (n == SYS_usleep)
			a[0] %= 2000;
		if (n == SYS_fork && rnd() % 4 != 0)
			continue; /* a few forks; their children fuzz on with the same state */
		raw_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
	}
	_exit(0);
}

static bool kernel_survives_random_system_calls(int children, int calls, uint32_t seed)
{
	int signalled = 0, exited = 0;
	for (int c = 0; c < children; c++) {
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			fuzz_child(seed + (uint32_t)c * 7919u, calls);
		usleep(50000); /* long enough for the calls that do not block */
		kill(pid, SIGKILL);
		int st = wait_child(pid);
		CHECK(st != -1);
		if (WIFSIGNALED(st))
			signalled++;
		else
			exited++;
		/* Grandchildren from fuzzed forks: stop and reap them too. */
		struct k_procinfo info;
		for (unsigned i = 0; procinfo(i, &info) == 0; i++)
			if (info.pid != getpid() && info.pid != 1)
				kill(info.pid, SIGKILL);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
	}
	while (wait(NULL) > 0)
		;
	printf("# %d children exited, %d were ended by a signal\n", exited, signalled);
	CHECK(exited + signalled == children);
	return true;
}

/* This process's resident pages: they may grow during the run (stdio's
 * buffer, a deeper stack) and are counted out of the leak check. */
static uint32_t my_resident(void)
{
	struct k_procinfo p;
	for (unsigned i = 0; procinfo(i, &p) == 0; i++)
		if (p.pid == getpid())
			return p.resident_pages;
	return 0;
}

int main(int argc, char **argv)
{
	int children = argc > 1 ? atoi(argv[1]) : 60;
	int calls = argc > 2 ? atoi(argv[2]) : 300;
	uint32_t seed = argc > 3 ? (uint32_t)atoi(argv[3]) : 20261121u;
	printf("KTAP version 1\n1..3\n");
	struct k_vmstat before = stat_now();
	before = stat_now();
	uint32_t mine_before = my_resident();
	bool ok = kernel_survives_random_system_calls(children, calls, seed);
	printf("%s 1 kernel_survives_random_system_calls%s%s\n", ok ? "ok" : "not ok",
	       ok ? "" : " # ", ok ? "" : why);
	struct k_vmstat after = stat_now();
	uint32_t mine_after = my_resident();
	uint32_t frames_before = before.frames_free + mine_before;
	uint32_t frames_after = after.frames_free + mine_after;
	bool same = frames_after == frames_before && after.swap_slots_free == before.swap_slots_free;
	printf("%s 2 frames_and_swap_slots_return_to_start # frames %u -> %u (own pages %u -> %u),"
	       " slots %u -> %u\n",
	       same ? "ok" : "not ok", (unsigned)frames_before, (unsigned)frames_after,
	       (unsigned)mine_before, (unsigned)mine_after, (unsigned)before.swap_slots_free,
	       (unsigned)after.swap_slots_free);
	bool books = books_balance(3);
	return ok && same && books ? 0 : 1;
}
