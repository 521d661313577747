/*
 * System-call fuzzer (DESIGN.md section 7: bad input from user space never
 * panics the kernel). Seeded children, a few at a time, each make random
 * system calls with hostile arguments: kernel pointers, unmapped and
 * wrapping ranges, huge lengths, random descriptors. Each child ends
 * however it ends: it finishes, dies of a signal, or blocks (reading its
 * own pipe, waiting for a child) and is ended by SIGKILL after a bound.
 * The kernel must stay up, and frames and swap slots must come back.
 *
 * Calls are counted honestly: each child reports how many it has made on
 * a pipe every REPORT_EVERY calls and when it finishes, so the total is
 * what was made (a blocked child's last few calls and its own children's
 * go uncounted), not what was planned. The calls come from the seed alone:
 * child c of a run with seed S makes the calls of seed S + 7919 c.
 * Usage (as init): test_fuzz [CALLS [SEED]]: fork children until at least
 * CALLS calls were made (100,000 by default; make fuzz asks a million).
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "guest.h"

int sched_yield(void); /* picolibc's <sched.h> hides it behind feature macros */

#define PER_CHILD 2000	   /* calls a child makes at most */
#define REPORT_EVERY 64	   /* calls between two reports on the pipe */
#define PARALLEL 8	   /* children fuzzing at once: one blocked costs little */
#define BOUND_MS 200	   /* a child still running after this is ended */

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

/* Tame call n so that it ends this child at worst, not the test: no
 * poweroff, kill only itself, short and rare sleeps, the report pipe left
 * alone; exit, page-table prints and consistency checks (each costs
 * milliseconds) rare. False to skip the call. */
static bool tame(long n, long a[6], int rfd)
{
	switch (n) {
	case SYS_poweroff:
		return false;
	case SYS_exit:
		return rnd() % 16 == 0; /* else a child makes a few dozen calls */
	case SYS_kill:
		a[0] = getpid();
		return rnd() % 4 == 0;
	case SYS_usleep:
		a[0] %= 2000;
		return rnd() % 16 == 0;
	case SYS_fork:
		return rnd() % 8 == 0; /* its children fuzz on with the same state */
	case SYS_vmprint:
	case SYS_vmcheck:
		return rnd() % 32 == 0;
	case SYS_close:
	case SYS_read:
	case SYS_write:
		return a[0] != rfd;
	case SYS_dup2:
		return a[1] != rfd;
	default:
		return true;
	}
}

/* A report on the pipe: the count, and the count keyed by the child's
 * seed. A fuzzed write through a copy of the pipe's descriptor can put
 * any bytes in between, so the parent believes only what checks. */
static uint32_t report_key(uint32_t seed)
{
	return 0x5eed1e55u ^ seed;
}

static void report(int rfd, uint32_t seed, uint32_t made)
{
	uint32_t rec[2] = { made, made ^ report_key(seed) };
	write(rfd, rec, sizeof(rec));
}

/* One child's run of calls, reporting the count made so far on rfd. */
static void fuzz_child(uint32_t seed, int rfd)
{
	uint32_t key_seed = seed;
	state = seed ? seed : 1;
	close(0); /* reading the console would wait for a human */
	uint32_t made = 0;
	for (int i = 0; i < PER_CHILD; i++) {
		long n = (long)(rnd() % (SYS_MAX + 4));
		long a[6];
		for (int k = 0; k < 6; k++)
			a[k] = (long)hostile();
		if (rfd < 0 || !tame(n, a, rfd))
			continue;
		long r = raw_syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
		made++;
		if (n == SYS_fork && r == 0)
			rfd = -1; /* a grandchild: its calls go uncounted */
		else if (made % REPORT_EVERY == 0)
			report(rfd, key_seed, made);
	}
	if (rfd >= 0)
		report(rfd, key_seed, made);
	_exit(0);
}

struct tally {
	uint32_t calls;
	int children, exited, signalled, bounded;
};

struct running {
	pid_t pid;
	int rfd;
	uint32_t seed;
	uint32_t started; /* ms since boot */
};

static uint32_t now_ms(void)
{
	struct k_timespec t;
	uptime(&t);
	return t.sec * 1000u + t.nsec / 1000000u;
}

/* Processes other than this one and init. */
static int count_others(void)
{
	struct k_procinfo info;
	int n = 0;
	for (unsigned i = 0; procinfo(i, &info) == 0; i++)
		n += info.pid != getpid() && info.pid != 1;
	return n;
}

/* Whether pid is one of the n children fuzzing now. */
static bool fuzzing(pid_t pid, const struct running *run, int n)
{
	for (int i = 0; i < n; i++)
		if (run[i].pid == pid)
			return true;
	return false;
}

/* End the grandchildren of fuzzed forks (they come to init, this process,
 * when their parent dies): every process but this one, init and the
 * children still fuzzing. */
static void end_strays(const struct running *run, int n)
{
	struct k_procinfo info;
	for (unsigned i = 0; procinfo(i, &info) == 0; i++)
		if (info.pid != getpid() && info.pid != 1 && !fuzzing(info.pid, run, n)) {
			kill(info.pid, SIGKILL);
			if (info.ppid == getpid())
				waitpid(info.pid, NULL, 0);
		}
}

static bool start_child(struct running *r, uint32_t seed)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	pid_t pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		fuzz_child(seed, fds[1]);
	}
	close(fds[1]);
	*r = (struct running){ pid, fds[0], seed, now_ms() };
	return true;
}

/* The highest count r's child reported, read once its writers are gone:
 * the largest record, at any byte offset, whose key checks. */
static uint32_t reported(const struct running *r)
{
	static uint8_t buf[16384];
	uint32_t n = 0, best = 0;
	long got;
	while (n < sizeof(buf) && (got = read(r->rfd, buf + n, sizeof(buf) - n)) > 0)
		n += (uint32_t)got;
	close(r->rfd);
	for (uint32_t at = 0; at + 8 <= n; at++) {
		uint32_t rec[2];
		memcpy(rec, buf + at, sizeof(rec));
		if (rec[1] == (rec[0] ^ report_key(r->seed)) && rec[0] <= PER_CHILD && rec[0] > best)
			best = rec[0];
	}
	return best;
}

/* If r's child has ended, or has run past the bound (then SIGKILL), reap
 * it and count its calls; true when the slot is free again. */
static bool reap_if_done(struct running *r, const struct running *run, int live,
			 struct tally *t, bool *ok)
{
	int st;
	pid_t got = waitpid(r->pid, &st, WNOHANG);
	if (got == 0 && now_ms() - r->started < BOUND_MS)
		return false;
	if (got == 0) {
		kill(r->pid, SIGKILL); /* it may have ended on its own just now */
		t->bounded++;
		got = waitpid(r->pid, &st, 0);
	}
	*ok &= got == r->pid; /* it ended, and was this process's to reap */
	if (WIFSIGNALED(st))
		t->signalled++;
	else
		t->exited++;
	r->pid = 0; /* no longer fuzzing */
	end_strays(run, live); /* its children hold the pipe open */
	t->calls += reported(r);
	return true;
}

static bool kernel_survives_random_system_calls(uint32_t want, uint32_t seed, struct tally *t)
{
	struct running run[PARALLEL];
	int live = 0;
	bool ok = true;
	while (t->calls < want || live > 0) {
		while (t->calls < want && live < PARALLEL) {
			if (!start_child(&run[live], seed + (uint32_t)t->children * 7919u))
				return false;
			t->children++;
			live++;
		}
		for (int i = 0; i < live; i++)
			if (reap_if_done(&run[i], run, live, t, &ok))
				run[i--] = run[--live];
		sched_yield(); /* let them run; blocked ones wait for the bound */
	}
	/* Strays that came to this process after the last child went. */
	for (int round = 0; round < 1000 && count_others() > 0; round++) {
		end_strays(run, 0);
		sched_yield();
	}
	while (wait(NULL) > 0)
		;
	CHECK(count_others() == 0);
	printf("# %u calls made by %d children (seed %u): %d finished, %d died of a signal,"
	       " %d of them ended by the %d ms bound\n",
	       (unsigned)t->calls, t->children, (unsigned)seed, t->exited, t->signalled,
	       t->bounded, BOUND_MS);
	CHECK(ok);
	CHECK(t->exited + t->signalled == t->children);
	CHECK(t->calls >= want);
	return true;
}

/* A child that blocks for good, reading its own empty pipe or the
 * console (which no one types on here), is ended by the bound. */
static int block_on_own_pipe(void)
{
	int fds[2];
	char c;
	pipe(fds);
	read(fds[0], &c, 1);
	return 0;
}

static int block_on_console(void)
{
	char c;
	read(0, &c, 1);
	return 0;
}

static bool blocked_children_are_ended_by_the_bound(void)
{
	int (*const blockers[])(void) = { block_on_own_pipe, block_on_console };
	for (unsigned i = 0; i < sizeof(blockers) / sizeof(blockers[0]); i++) {
		bool bounded;
		pid_t pid = fork();
		CHECK(pid >= 0);
		if (pid == 0)
			_exit(blockers[i]());
		int st = wait_bounded(pid, BOUND_MS, &bounded);
		CHECK(bounded);
		CHECK(killed_by(st, SIGKILL));
	}
	return true;
}

/* This process's anonymous resident pages: they may grow during the run
 * (stdio's buffer, a deeper stack) and are counted out of the leak check
 * (its file pages are in the page cache's count). */
static uint32_t my_resident(void)
{
	struct k_procinfo p;
	for (unsigned i = 0; procinfo(i, &p) == 0; i++)
		if (p.pid == getpid())
			return p.resident_pages - p.cache_pages;
	return 0;
}

int main(int argc, char **argv)
{
	uint32_t calls = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 100000u;
	uint32_t seed = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 0) : 20261121u;
	printf("KTAP version 1\n1..4\n");
	struct k_vmstat before = stat_now();
	before = stat_now();
	uint32_t mine_before = my_resident();
	struct tally t = { 0 };
	bool ok = kernel_survives_random_system_calls(calls, seed, &t);
	printf("%s 1 kernel_survives_random_system_calls # %u calls%s%s\n", ok ? "ok" : "not ok",
	       (unsigned)t.calls, ok ? "" : ": ", ok ? "" : why);
	why[0] = '\0';
	bool blocked = blocked_children_are_ended_by_the_bound();
	printf("%s 2 blocked_children_are_ended_by_the_bound%s%s\n", blocked ? "ok" : "not ok",
	       blocked ? "" : " # ", blocked ? "" : why);
	struct k_vmstat after = stat_now();
	uint32_t mine_after = my_resident();
	uint32_t frames_before = frames_accounted(&before, NULL) + mine_before;
	uint32_t frames_after = frames_accounted(&after, NULL) + mine_after;
	bool same = frames_after == frames_before && after.swap_slots_free == before.swap_slots_free;
	printf("%s 3 frames_and_swap_slots_return_to_start # frames %u -> %u (own pages %u -> %u),"
	       " slots %u -> %u\n",
	       same ? "ok" : "not ok", (unsigned)frames_before, (unsigned)frames_after,
	       (unsigned)mine_before, (unsigned)mine_after, (unsigned)before.swap_slots_free,
	       (unsigned)after.swap_slots_free);
	bool books = books_balance(4);
	return ok && blocked && same && books ? 0 : 1;
}
