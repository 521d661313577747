/*
 * In-guest KTAP suite for several harts: pinning, processes on every hart
 * at once, sleep and wakeup across harts, copy-on-write between harts, and
 * the TLB shootdown. make test boots it as init with -smp 4 and
 * maxframes= small, so eviction really runs while other harts use the
 * pages it takes.
 *
 * What QEMU can show. QEMU keeps one TLB per hart and empties it on every
 * satp write, sfence.vma and change of sstatus.SUM, but not on a trap. So
 * a hart that keeps running one process with no system call that copies
 * (no SUM change) keeps its translations, and a missing remote fence
 * leaves it reading a frame that now holds someone else's page: the
 * eviction test below sees that. A process's own munmap or mprotect runs
 * on the hart it runs on, and every other hart that ran it has written
 * satp since (QEMU flushed), so there the remote part cannot show here;
 * the tagged-TLB model (tests/unit/test_smp_model.c) proves it instead,
 * and these tests check that the results are right after migrations.
 */
#include <errno.h>

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guest.h"

int sched_yield(void); /* picolibc's <sched.h> hides it behind feature macros */

#define PAGE 4096u
#define WORDS (PAGE / 4)
#define SPY_PAGES 256u       /* the spinner's pages: 1 MiB */
#define HOG_PAGES 1280u      /* each hog's: 5 MiB, more than maxframes */
#define HOG_PASSES 1
#define SEEN_OTHER_DATA 3    /* the spinner's exit status when it saw a wrong word */

static uint32_t nharts;

static uint32_t *map_anon(uint32_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* The word each (owner, index) pair stores: no two owners share one. */
static inline uint32_t word_of(uint32_t owner, uint32_t i)
{
	return (owner << 24) ^ (i * 2654435761u);
}

static void fill(uint32_t *p, uint32_t words, uint32_t owner)
{
	for (uint32_t i = 0; i < words; i++)
		p[i] = word_of(owner, i);
}

static struct k_procinfo info_of(pid_t pid)
{
	struct k_procinfo p;
	for (unsigned i = 0; procinfo(i, &p) == 0; i++)
		if (p.pid == pid)
			return p;
	memset(&p, 0, sizeof(p));
	p.hart = -2;
	return p;
}

static int32_t my_hart(void)
{
	return info_of(getpid()).hart;
}

static inline uint32_t hart_id(uint32_t index)
{
	return stat_now().harts[index].hartid;
}

/* Spin in user mode for about n million loop turns, with no system call. */
static void busy(uint32_t n)
{
	for (volatile uint32_t i = 0; i < n * 1000000u; i++)
		;
}

/* ---- pinning ------------------------------------------------------------- */

static bool vmstat_lists_every_hart(void)
{
	struct k_vmstat s = stat_now();
	CHECK(s.nharts == nharts);
	for (uint32_t i = 0; i < s.nharts; i++)
		for (uint32_t j = 0; j < i; j++)
			CHECK(s.harts[i].hartid != s.harts[j].hartid);
	return true;
}

/* A pinned process runs where it is pinned, and stays there. */
static bool setaffinity_pins_the_caller(void)
{
	for (uint32_t i = 0; i < nharts; i++) {
		uint32_t id = hart_id(i);
		CHECK(setaffinity(0, 1u << id) == 0);
		CHECK(my_hart() == (int32_t)id);
		for (int k = 0; k < 5; k++) {
			sched_yield();
			busy(1);
			CHECK(my_hart() == (int32_t)id);
		}
	}
	CHECK(setaffinity(0, 0) == 0);
	return true;
}

static bool setaffinity_refuses_bad_arguments(void)
{
	CHECK(setaffinity(0, 1u << 31) == -1 && errno == EINVAL);
	CHECK(setaffinity(99999, 0) == -1 && errno == ESRCH);
	CHECK(setaffinity(-1, 0) == -1 && errno == ESRCH);
	return true;
}

/* A child inherits its parent's pinning, as on Linux. */
static int report_hart(void)
{
	return my_hart();
}

static bool children_inherit_the_pinning(void)
{
	uint32_t id = hart_id(nharts - 1);
	CHECK(setaffinity(0, 1u << id) == 0);
	int st = in_child(report_hart);
	CHECK(setaffinity(0, 0) == 0);
	CHECK(exited_with(st, (int)id));
	return true;
}

/* ---- every hart at once ---------------------------------------------------- */

/* Whether process pid runs on the hart whose id is id, now. */
static bool running_on(pid_t pid, uint32_t id)
{
	struct k_procinfo p = info_of(pid);
	return p.state == K_PROC_RUNNING && p.hart == (int32_t)id;
}

static pid_t spinner_on(uint32_t id)
{
	pid_t pid = fork();
	if (pid == 0) {
		setaffinity(0, 1u << id);
		for (;;)
			busy(1000);
	}
	return pid;
}

/* With a spinner pinned to every other hart and this process on its own,
 * ps sees every hart running a process at the same moment. */
static bool processes_run_on_every_hart_at_once(void)
{
	pid_t kids[K_MAX_HARTS];
	CHECK(setaffinity(0, 1u << hart_id(0)) == 0);
	for (uint32_t i = 1; i < nharts; i++)
		kids[i] = spinner_on(hart_id(i));
	uint32_t seen = 0;
	for (int tries = 0; tries < 200 && seen != (1u << nharts) - 1; tries++) {
		seen = 1u << 0; /* this one */
		for (uint32_t i = 1; i < nharts; i++) {
			if (running_on(kids[i], hart_id(i)))
				seen |= 1u << i;
		}
		if (seen != (1u << nharts) - 1)
			usleep(10000);
	}
	for (uint32_t i = 1; i < nharts; i++) {
		kill(kids[i], SIGKILL);
		wait_child(kids[i]);
	}
	CHECK(setaffinity(0, 0) == 0);
	CHECK(seen == (1u << nharts) - 1);
	return true;
}

/* ---- sleep and wakeup across harts --------------------------------------- */

/* Ping-pong through two pipes between two processes pinned to different
 * harts: each wakeup comes from the other hart (an IPI when it idles). */
static bool pipe_pingpong_across_harts(void)
{
	enum { ROUNDS = 500 };
	int ab[2], ba[2];
	CHECK(pipe(ab) == 0 && pipe(ba) == 0);
	struct k_vmstat before = stat_now();
	pid_t pid = fork();
	if (pid == 0) {
		setaffinity(0, 1u << hart_id(1));
		uint32_t v;
		for (int i = 0; i < ROUNDS; i++) {
			if (read(ab[0], &v, 4) != 4)
				_exit(1);
			v++;
			if (write(ba[1], &v, 4) != 4)
				_exit(1);
		}
		_exit(0);
	}
	CHECK(setaffinity(0, 1u << hart_id(0)) == 0);
	bool right = true;
	for (uint32_t i = 0; i < ROUNDS && right; i++) {
		uint32_t v = i * 2, back = 0;
		right = write(ab[1], &v, 4) == 4 && read(ba[0], &back, 4) == 4 && back == v + 1;
	}
	CHECK(setaffinity(0, 0) == 0);
	close(ab[0]), close(ab[1]), close(ba[0]), close(ba[1]);
	CHECK(exited_with(wait_child(pid), 0));
	CHECK(right);
	struct k_vmstat after = stat_now();
	uint32_t ipis = 0;
	for (uint32_t i = 0; i < nharts; i++)
		ipis += after.harts[i].ipis - before.harts[i].ipis;
	CHECK(ipis > 0); /* some wakeup found the other hart idle */
	return true;
}

/* ---- copy-on-write between harts ----------------------------------------- */

/* Parent and child write the same copy-on-write pages at the same time on
 * two harts; each keeps its own bytes. */
static bool cow_writes_on_two_harts_stay_private(void)
{
	enum { PAGES = 64 };
	uint32_t *p = map_anon(PAGES * PAGE);
	CHECK(p != NULL);
	fill(p, PAGES * WORDS, 1);
	pid_t pid = fork();
	if (pid == 0) {
		setaffinity(0, 1u << hart_id(1));
		for (int pass = 0; pass < 20; pass++)
			fill(p, PAGES * WORDS, 2);
		for (uint32_t i = 0; i < PAGES * WORDS; i++)
			if (p[i] != word_of(2, i))
				_exit(1);
		_exit(0);
	}
	CHECK(setaffinity(0, 1u << hart_id(0)) == 0);
	for (int pass = 0; pass < 20; pass++)
		fill(p, PAGES * WORDS, 3);
	CHECK(setaffinity(0, 0) == 0);
	CHECK(exited_with(wait_child(pid), 0));
	for (uint32_t i = 0; i < PAGES * WORDS; i++)
		CHECK(p[i] == word_of(3, i));
	CHECK(munmap(p, PAGES * PAGE) == 0);
	return true;
}

/* ---- munmap and mprotect with migration ---------------------------------- */

static uint32_t *target;

/* Read the page at target: the parent expects a SIGSEGV. */
static int read_target(void)
{
	return (int)(*(volatile uint32_t *)target & 1);
}

static int write_target(void)
{
	*(volatile uint32_t *)target = 7;
	return 0;
}

/* Use pages on one hart, move, unmap or write-protect them on another,
 * move back: the first hart must fault, not use what it had. */
static int unmap_after_moving(void)
{
	uint32_t *p = map_anon(16 * PAGE);
	fill(p, 16 * WORDS, 5);
	setaffinity(0, 1u << hart_id(1));
	fill(p, 16 * WORDS, 6);
	setaffinity(0, 1u << hart_id(2 % nharts));
	munmap(p, 8 * PAGE);
	mprotect(p + 8 * WORDS, 8 * PAGE, PROT_READ);
	setaffinity(0, 1u << hart_id(1));
	target = p;
	if (!killed_by(in_child(read_target), SIGSEGV))
		return 1;
	target = p + 8 * WORDS;
	if (!killed_by(in_child(write_target), SIGSEGV) || p[8 * WORDS] != word_of(6, 8 * WORDS))
		return 2;
	return 0;
}

static bool munmap_and_mprotect_hold_after_migrating(void)
{
	CHECK(exited_with(in_child(unmap_after_moving), 0));
	return true;
}

/* A page touched on the second hart, which a spinner then keeps busy (so
 * it keeps the translation), and changed by mprotect on the first: taking
 * W away sends that hart one remote fence; giving it back sends none (the
 * old entry there has less permission and only faults), and a store there
 * afterwards works. */
static int mprotect_upgrade(void)
{
	uint32_t here = hart_id(0), there = hart_id(1);
	setaffinity(0, 1u << here);
	pid_t spinner = spinner_on(there);
	for (int tries = 0; tries < 200 && !running_on(spinner, there); tries++)
		usleep(10000);
	uint32_t *p = map_anon(PAGE);
	setaffinity(0, 1u << there);
	p[0] = 1;
	setaffinity(0, 1u << here);
	struct k_vmstat a = stat_now();
	mprotect(p, PAGE, PROT_READ);
	struct k_vmstat b = stat_now();
	mprotect(p, PAGE, PROT_READ | PROT_WRITE);
	struct k_vmstat c = stat_now();
	setaffinity(0, 1u << there);
	p[0] = 2;
	int err = 0;
	if (b.tlb_shootdowns - a.tlb_shootdowns != 1)
		err = 1;
	else if (c.tlb_shootdowns - b.tlb_shootdowns != 0)
		err = 2;
	else if (p[0] != 2)
		err = 3;
	kill(spinner, SIGKILL);
	waitpid(spinner, NULL, 0);
	return err;
}

static bool mprotect_fences_other_harts_only_to_take_a_permission(void)
{
	int st = in_child(mprotect_upgrade);
	if (!exited_with(st, 0)) {
		snprintf(why, sizeof(why),
			 "status 0x%x (exit 1: taking W sent no remote fence, 2: giving it back "
			 "sent one, 3: the store there was lost)",
			 (unsigned)st);
		return false;
	}
	return true;
}

/* ---- the shootdown: eviction while the owner runs ------------------------ */

/*
 * The spinner, pinned to one hart: fill its pages, tell the parent, then
 * read them forever with no system call, so its hart keeps their
 * translations. Hogs on the other harts force its pages out and take the
 * frames for their own data. Every word it reads must be its own (a fault
 * brings the page back from swap); a stale translation would show a hog's
 * word, and it exits with SEEN_OTHER_DATA.
 */
static void spy(int ready_fd, uint32_t id)
{
	setaffinity(0, 1u << id);
	uint32_t *p = map_anon(SPY_PAGES * PAGE);
	uint32_t owner = (uint32_t)getpid() & 0xff;
	fill(p, SPY_PAGES * WORDS, owner);
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	for (uint32_t turn = 0;; turn++) {
		for (uint32_t page = 0; page < SPY_PAGES; page++) {
			uint32_t i = page * WORDS + (turn * 17 + page) % WORDS;
			uint32_t v = p[i];
			if (v != word_of(owner, i)) {
				printf("# spy: word %u of page %u is 0x%08x, not 0x%08x\n",
				       (unsigned)(i % WORDS), (unsigned)page, (unsigned)v,
				       (unsigned)word_of(owner, i));
				_exit(SEEN_OTHER_DATA);
			}
		}
	}
}

static pid_t hog_on(uint32_t id)
{
	pid_t pid = fork();
	if (pid == 0) {
		setaffinity(0, 1u << id);
		uint32_t *p = map_anon(HOG_PAGES * PAGE);
		uint32_t owner = (uint32_t)getpid() & 0xff;
		for (int pass = 0; pass < HOG_PASSES; pass++)
			fill(p, HOG_PAGES * WORDS, owner);
		for (uint32_t i = 0; i < HOG_PAGES * WORDS; i += 97)
			if (p[i] != word_of(owner, i))
				_exit(1);
		_exit(0);
	}
	return pid;
}

static bool eviction_shoots_down_a_running_spinner(void)
{
	CHECK(nharts >= 2);
	int fds[2];
	char c;
	CHECK(pipe(fds) == 0);
	struct k_vmstat before = stat_now();
	pid_t spy_pid = fork();
	if (spy_pid == 0)
		spy(fds[1], hart_id(1));
	CHECK(read(fds[0], &c, 1) == 1);
	pid_t hogs[1];
	uint32_t nhogs = 0;
	/* One hog, on another hart than the parent's where there is one:
	 * the machine that runs the tests may have fewer cores than harts,
	 * and a remote fence waits for its target's host thread to run. */
	hogs[nhogs++] = hog_on(hart_id(nharts > 2 ? 2 : 0));
	bool hogs_ok = true;
	for (uint32_t i = 0; i < nhogs; i++)
		hogs_ok &= exited_with(wait_child(hogs[i]), 0);
	struct k_procinfo spy_info = info_of(spy_pid);
	int early = 0;
	pid_t gone = waitpid(spy_pid, &early, WNOHANG);
	if (gone == 0) {
		kill(spy_pid, SIGKILL);
		wait_child(spy_pid);
	}
	close(fds[0]), close(fds[1]);
	struct k_vmstat after = stat_now();
	CHECK(gone == 0 || !exited_with(early, SEEN_OTHER_DATA));
	CHECK(gone == 0);
	CHECK(hogs_ok);
	/* It really happened: the spinner lost pages while it ran, and the
	 * kernel sent remote fences for them. */
	CHECK(spy_info.swapped_pages > 0 || after.faults_swapin > before.faults_swapin);
	CHECK(after.evictions > before.evictions);
	CHECK(after.tlb_shootdowns > before.tlb_shootdowns);
	return true;
}

static const struct test tests[] = {
	T(vmstat_lists_every_hart),
	T(setaffinity_pins_the_caller),
	T(setaffinity_refuses_bad_arguments),
	T(children_inherit_the_pinning),
	T(processes_run_on_every_hart_at_once),
	T(pipe_pingpong_across_harts),
	T(cow_writes_on_two_harts_stay_private),
	T(munmap_and_mprotect_hold_after_migrating),
	T(mprotect_fences_other_harts_only_to_take_a_permission),
	T(eviction_shoots_down_a_running_spinner),
};
#define NTESTS ((int)(sizeof(tests) / sizeof(tests[0])))

/* argv[1]: the harts the boot asked for (QEMU's -smp). */
int main(int argc, char **argv)
{
	nharts = stat_now().nharts;
	printf("KTAP version 1\n1..%d\n", NTESTS + 3);
	uint32_t want = argc > 1 ? (uint32_t)atoi(argv[1]) : 0;
	printf("%s 1 the_kernel_runs_every_hart_asked_for # %u of %u\n",
	       nharts == want ? "ok" : "not ok", (unsigned)nharts, (unsigned)want);
	struct k_vmstat before = stat_now();
	struct k_procinfo me_before = info_of(getpid());
	pid_t pid = fork();
	if (pid == 0) {
		/* The numbering goes on after the first result. */
		int failed = 0;
		for (int i = 0; i < NTESTS; i++) {
			why[0] = '\0';
			bool ok = tests[i].run();
			failed += !ok;
			printf("%s %d %s%s%s\n", ok ? "ok" : "not ok", i + 2, tests[i].name,
			       ok ? "" : " # ", ok ? "" : why);
		}
		_exit(failed ? 1 : 0);
	}
	int st = wait_child(pid);
	while (wait(NULL) > 0)
		;
	struct k_vmstat after = stat_now();
	struct k_procinfo me = info_of(getpid());
	/* This process's own pages may have gone to swap meanwhile: its
	 * frames and slots are counted out on both sides. */
	uint32_t frames_before = frames_accounted(&before, &me_before);
	uint32_t frames_after = frames_accounted(&after, &me);
	uint32_t slots_before = before.swap_slots_free + me_before.swapped_pages +
				me_before.swapcached_pages;
	uint32_t slots_after = after.swap_slots_free + me.swapped_pages + me.swapcached_pages;
	bool same = frames_after == frames_before && slots_after == slots_before;
	printf("%s %d frames_and_swap_slots_return_to_start # frames %u -> %u, slots %u -> %u\n",
	       same ? "ok" : "not ok", NTESTS + 2, (unsigned)frames_before, (unsigned)frames_after,
	       (unsigned)slots_before, (unsigned)slots_after);
	bool books = books_balance(NTESTS + 3);
	return exited_with(st, 0) && same && books && nharts == want ? 0 : 1;
}
