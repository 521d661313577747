/*
 * bench: the benchmarks behind `make bench`, run as init under
 * qemu -icount shift=0, where rdinstret counts guest instructions exactly.
 * Each figure prints as "bench: NAME VALUE UNIT".
 *   bench core          primitive operations (one boot, no memory cap)
 *   bench swap          swap in and out (boot with maxframes=1024)
 *   bench swapra        swap readahead: a swapped-out region read back in
 *                       order and scattered (boot with maxframes=1024)
 *   bench repl          replacement quality (boot with maxframes=, vm.policy=)
 *   bench fences        fences per switch only (for the asid=off boot, and
 *                       the boot with several harts)
 *   bench shootdown N   N mprotect pairs without and with a remote fence
 *                       (boot with -smp 2 or more; tools/bench/shootdown.sh)
 *   bench hogs          remote fences per eviction, a memory hog on every
 *                       hart (boot with several harts and maxframes=)
 *   bench spin N        N CPU-bound processes, in wall-clock time (boot
 *                       without -icount, once with one hart, once with N)
 * Idle time (the kernel's wfi loop) is subtracted where a figure waits for
 * the disk: the kernel counts the instructions it spends idle.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <kernel_calls.h>

#include "../../tools/bench/refstring.h"

#define PAGE 4096u
#define WORDS_PER_PAGE (PAGE / 4)
#define MIB (1024u * 1024u)

static uint64_t start_insns;

static inline uint64_t insns(void)
{
	uint32_t hi, lo, hi2;
	do {
		__asm__ volatile("rdinstreth %0" : "=r"(hi));
		__asm__ volatile("rdinstret %0" : "=r"(lo));
		__asm__ volatile("rdinstreth %0" : "=r"(hi2));
	} while (hi != hi2);
	return ((uint64_t)hi << 32) | lo;
}

static struct k_vmstat stat_now(void)
{
	struct k_vmstat s;
	vmstat(&s);
	return s;
}

static uint64_t idle_of(const struct k_vmstat *s)
{
	return ((uint64_t)s->idle_instret_hi << 32) | s->idle_instret_lo;
}

/* Instructions since t0 (with counters a), the idle waits left out. */
static uint64_t cpu_since(uint64_t t0, const struct k_vmstat *a);

/* picolibc's printf here has no 64-bit conversions: print them by hand. */
static void print_u64(uint64_t v)
{
	char buf[24];
	int n = 0;
	do {
		buf[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		putchar(buf[--n]);
}

static void report(const char *name, uint64_t value, const char *unit)
{
	printf("bench: %s ", name);
	print_u64(value);
	printf(" %s\n", unit);
	fflush(stdout);
}

/* value / n rounded, as hundredths: "1.23". */
static void report_ratio(const char *name, uint64_t value, uint64_t n, const char *unit)
{
	uint64_t h = n ? (value * 100 + n / 2) / n : 0;
	printf("bench: %s ", name);
	print_u64(h / 100);
	printf(".%02u %s\n", (unsigned)(h % 100), unit);
	fflush(stdout);
}

static uint32_t *map_pages(uint32_t pages)
{
	void *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		printf("bench: mmap of %u pages: %s\n", (unsigned)pages, strerror(errno));
		exit(1);
	}
	return p;
}

static void touch_pages(uint32_t *p, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++)
		p[i * WORDS_PER_PAGE] = i + 1;
}

/* ---- core ------------------------------------------------------------ */

static void bench_null_syscall(void)
{
	const uint32_t n = 10000;
	getpid();
	uint64_t t0 = insns();
	for (uint32_t i = 0; i < n; i++)
		getpid();
	report("null_syscall", (insns() - t0) / n, "insns/op");
}

static void bench_minor_fault(void)
{
	const uint32_t pages = 4 * MIB / PAGE;
	uint32_t *p = map_pages(pages);
	uint64_t t0 = insns();
	touch_pages(p, pages);
	report("minor_fault", (insns() - t0) / pages, "insns/page");
	munmap(p, pages * PAGE);
}

/* 256 KiB of read-only data, in .rodata: loaded only when touched. */
#define BLOB_PAGES 64
static const uint32_t blob[BLOB_PAGES * WORDS_PER_PAGE] = { 1 };

static void bench_file_fault(void)
{
	volatile uint32_t sum = 0;
	uint64_t t0 = insns();
	for (uint32_t i = 0; i < BLOB_PAGES; i++)
		sum += blob[i * WORDS_PER_PAGE];
	report("file_fault", (insns() - t0) / BLOB_PAGES, "insns/page");
}

static void bench_cow_fault(void)
{
	const uint32_t pages = 4 * MIB / PAGE;
	uint32_t *p = map_pages(pages);
	touch_pages(p, pages);
	int fds[2];
	pipe(fds);
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t t0 = insns();
		touch_pages(p, pages);
		uint64_t per = (insns() - t0) / pages;
		write(fds[1], &per, sizeof(per));
		_exit(0);
	}
	uint64_t per = 0;
	read(fds[0], &per, sizeof(per));
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	report("cow_fault", per, "insns/page");
	munmap(p, pages * PAGE);
}

static void fork_exit_wait(const char *name, uint32_t touched_pages)
{
	const uint32_t n = 200;
	uint32_t *p = touched_pages ? map_pages(touched_pages) : NULL;
	if (p)
		touch_pages(p, touched_pages);
	struct k_vmstat a = stat_now();
	uint64_t t0 = insns();
	for (uint32_t i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	report(name, cpu_since(t0, &a) / n, "insns/op");
	if (p)
		munmap(p, touched_pages * PAGE);
}

/* Bounce one byte through two pipes; report per round trip, and the
 * fences per context switch it caused. */
static void pipe_pingpong(bool report_time)
{
	const uint32_t n = 2000;
	int ab[2], ba[2];
	pipe(ab);
	pipe(ba);
	char c = 0;
	pid_t pid = fork();
	if (pid == 0) {
		for (uint32_t i = 0; i < n; i++) {
			read(ab[0], &c, 1);
			write(ba[1], &c, 1);
		}
		_exit(0);
	}
	write(ab[1], &c, 1); /* warm both sides up */
	read(ba[0], &c, 1);
	struct k_vmstat a = stat_now();
	uint64_t t0 = insns();
	for (uint32_t i = 1; i < n; i++) {
		write(ab[1], &c, 1);
		read(ba[0], &c, 1);
	}
	uint64_t t1 = insns();
	struct k_vmstat b = stat_now();
	waitpid(pid, NULL, 0);
	close(ab[0]), close(ab[1]), close(ba[0]), close(ba[1]);
	if (report_time)
		report("pipe_pingpong", (t1 - t0) / (n - 1), "insns/round-trip");
	uint32_t fences = (b.tlb_full_fences - a.tlb_full_fences) + (b.tlb_asid_fences - a.tlb_asid_fences);
	uint32_t switches = b.context_switches - a.context_switches;
	report_ratio("fences_per_switch", fences, switches, "fences/switch");
	/* With several harts a hart that runs out of work empties its TLB
	 * before wfi: not a fence of the switch, but counted here too. */
	if (b.nharts > 1)
		report_ratio("idle_fences_per_switch", b.tlb_idle_fences - a.tlb_idle_fences, switches,
			     "fences/switch");
}

static void exec_true(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "true", NULL };
		execv("/bin/true", argv);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
}

/* After one exec that reads /bin/true into the page cache; the disk's
 * waits are left out. */
static void bench_exec_small(void)
{
	const uint32_t n = 50;
	exec_true();
	struct k_vmstat a = stat_now();
	uint64_t t0 = insns();
	for (uint32_t i = 0; i < n; i++)
		exec_true();
	report("exec_small", cpu_since(t0, &a) / n, "insns/op");
}

/* Spin in a loop of known length across many ticks: what the loop did
 * not retire, the kernel did. */
static void bench_timer_tick(void)
{
	const uint32_t iterations = 300000000u; /* 2 instructions each: ~60 ticks */
	struct k_vmstat a = stat_now();
	uint64_t t0 = insns();
	uint32_t n = iterations;
	__asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
	uint64_t t1 = insns();
	struct k_vmstat b = stat_now();
	uint32_t ticks = b.ticks - a.ticks;
	uint64_t kernel = (t1 - t0) - 2ull * iterations;
	report("timer_tick", ticks ? kernel / ticks : 0, "insns/tick");
}

/* From the kernel's first instruction to this program's first: the idle
 * part (waits for the timer and the disk, which -icount turns into
 * instructions of virtual time) is reported apart. */
/* The counters as init began (taken before start_insns, so that the idle
 * waits of the pages this program reads from the disk later, after its
 * start, are not taken off the boot). */
static struct k_vmstat start_stat;

static void bench_boot_to_init(void)
{
	const struct k_vmstat s = start_stat;
	uint64_t boot = ((uint64_t)s.boot_instret_hi << 32) | s.boot_instret_lo;
	uint64_t idle = idle_of(&s);
	report("boot_to_init", start_insns - boot - idle, "insns");
	report("boot_to_init_idle", idle, "insns");
}

static void core(void)
{
	bench_boot_to_init();
	bench_null_syscall();
	bench_minor_fault();
	bench_file_fault();
	bench_cow_fault();
	fork_exit_wait("fork_exit_wait", 0);
	fork_exit_wait("fork_exit_wait_4m", 4 * MIB / PAGE);
	pipe_pingpong(true);
	bench_exec_small();
	bench_timer_tick();
}

/* ---- files: the page cache on the ext2 root ----------------------------- */

#define FILE_BYTES MIB
#define FILE_CHUNK (64u * 1024u)
#define FILE_KIB (FILE_BYTES / 1024u)
#define FILE_PAGES (FILE_BYTES / PAGE)
static char file_chunk[FILE_CHUNK];

/* Instructions of one pass of read (or write) over the whole file from
 * its start, in FILE_CHUNK calls; the disk's waits left out. */
static uint64_t file_pass(int fd, bool write_it)
{
	struct k_vmstat a = stat_now();
	lseek(fd, 0, SEEK_SET);
	uint64_t t0 = insns();
	for (uint32_t done = 0; done < FILE_BYTES; done += FILE_CHUNK) {
		ssize_t n = write_it ? write(fd, file_chunk, FILE_CHUNK) : read(fd, file_chunk, FILE_CHUNK);
		if (n != (ssize_t)FILE_CHUNK) {
			printf("bench: file pass: %s\n", strerror(errno));
			exit(1);
		}
	}
	return cpu_since(t0, &a);
}

/* Instructions per page of touching every page of a mapping of fd. */
static uint64_t map_pass(int fd, int prot, int flags)
{
	volatile uint32_t *p = mmap(NULL, FILE_BYTES, prot, flags, fd, 0);
	if (p == MAP_FAILED) {
		printf("bench: file mmap: %s\n", strerror(errno));
		exit(1);
	}
	struct k_vmstat a = stat_now();
	uint64_t t0 = insns();
	for (uint32_t i = 0; i < FILE_PAGES; i++) {
		if (prot & PROT_WRITE)
			p[i * WORDS_PER_PAGE] = i;
		else
			(void)p[i * WORDS_PER_PAGE];
	}
	uint64_t per = cpu_since(t0, &a) / FILE_PAGES;
	munmap((void *)p, FILE_BYTES);
	return per;
}

static void files(void)
{
	memset(file_chunk, 'f', sizeof(file_chunk));
	int fd = open("/tmp/bench.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		printf("bench: open /tmp/bench.dat: %s\n", strerror(errno));
		exit(1);
	}
	report_ratio("write_new", file_pass(fd, true), FILE_KIB, "insns/KiB");
	report_ratio("write_cached", file_pass(fd, true), FILE_KIB, "insns/KiB");
	report_ratio("read_cached", file_pass(fd, false), FILE_KIB, "insns/KiB");
	struct k_vmstat a = stat_now();
	uint64_t t0 = insns();
	fsync(fd); /* every page of the file is dirty from the write above */
	report("writeback", cpu_since(t0, &a) / FILE_PAGES, "insns/page");
	dropcache();
	report_ratio("read_uncached", file_pass(fd, false), FILE_KIB, "insns/KiB");
	report("cache_hit_fault", map_pass(fd, PROT_READ, MAP_PRIVATE), "insns/page");
	report("shared_write_fault", map_pass(fd, PROT_READ | PROT_WRITE, MAP_SHARED), "insns/page");
	close(fd);
	unlink("/tmp/bench.dat");
}

/* ---- swap ----------------------------------------------------------------- */

static uint64_t cpu_since(uint64_t t0, const struct k_vmstat *a)
{
	struct k_vmstat b = stat_now();
	return (insns() - t0) - (idle_of(&b) - idle_of(a));
}

static void swap(void)
{
	struct k_vmstat s = stat_now();
	uint32_t pages = 4 * s.user_frames_max; /* four times what may be resident */
	uint32_t *p = map_pages(pages);

	/* Fresh pages while frames are free: the cost of a minor fault here. */
	uint32_t warm = s.user_frames_max / 2;
	uint64_t t0 = insns();
	touch_pages(p, warm);
	uint64_t minor = (insns() - t0) / warm;

	/* The rest, dirty, pushes pages out: each costs a minor fault plus
	 * what writing a page to swap costs. */
	struct k_vmstat a = stat_now();
	t0 = insns();
	touch_pages(p + warm * WORDS_PER_PAGE, pages - warm);
	uint64_t cpu = cpu_since(t0, &a);
	struct k_vmstat b = stat_now();
	uint32_t outs = b.swapouts - a.swapouts;
	uint64_t minors = (uint64_t)(pages - warm) * minor;
	report("swap_out", outs && cpu > minors ? (cpu - minors) / outs : 0, "insns/page");

	/* Read everything twice: the first pass brings pages back (and pushes
	 * out the dirty rest); the second reads clean pages whose eviction
	 * needs no write. */
	volatile uint32_t sum = 0;
	for (uint32_t i = 0; i < pages; i++)
		sum += p[i * WORDS_PER_PAGE];
	a = stat_now();
	t0 = insns();
	for (uint32_t i = 0; i < pages; i++)
		sum += p[i * WORDS_PER_PAGE];
	cpu = cpu_since(t0, &a);
	b = stat_now();
	uint32_t majors = b.faults_swapin - a.faults_swapin;
	report("swap_in", majors ? cpu / majors : 0, "insns/fault");
	report("swap_in_faults", majors, "faults");
	report_ratio("swap_clean_reevict_writes", b.disk_writes - a.disk_writes,
		     b.evictions - a.evictions, "writes/eviction");
	munmap(p, pages * PAGE);
}

/* ---- swap readahead ------------------------------------------------------- */

#define RA_STRIDE 97u /* odd, so i * 97 modulo a power of two visits every page once */

/* Write pages twice the cap's worth of a scratch region, then let it go:
 * what was resident before is in swap, and memory is free again. */
static void push_out(void)
{
	uint32_t pages = 2 * stat_now().user_frames_max;
	uint32_t *hog = map_pages(pages);
	touch_pages(hog, pages);
	munmap(hog, pages * PAGE);
}

/* Pages of [p, p + pages) that are not resident. */
static uint32_t pages_out(const uint32_t *p, uint32_t pages)
{
	uint32_t out = 0;
	struct k_vmwalk w;
	for (uint32_t i = 0; i < pages; i++)
		out += vmwalk((uintptr_t)(p + i * WORDS_PER_PAGE), &w) == 0 && w.fault != 0;
	return out;
}

/* Read every page of a swapped-out region once, in order (stride 1) or
 * scattered, and report major faults per page swapped out, disk requests
 * per page read and CPU instructions per page read. */
static void reread(const char *order, uint32_t *p, uint32_t pages, uint32_t stride)
{
	char name[64];
	push_out();
	uint32_t out = pages_out(p, pages);
	volatile uint32_t sum = 0;
	struct k_vmstat a = stat_now();
	uint64_t t0 = insns();
	for (uint32_t i = 0; i < pages; i++)
		sum += p[(i * stride % pages) * WORDS_PER_PAGE];
	uint64_t t1 = insns();
	/* vmstat itself is outside the count: it walks the frame table
	 * (pc_count_dirty), some 730,000 instructions at 128 MiB. */
	struct k_vmstat b = stat_now();
	uint64_t cpu = (t1 - t0) - (idle_of(&b) - idle_of(&a));
	uint32_t read = b.swapins - a.swapins;
	snprintf(name, sizeof(name), "swap_%s_major_faults", order);
	report_ratio(name, b.faults_swapin - a.faults_swapin, out, "faults/page");
	snprintf(name, sizeof(name), "swap_%s_requests", order);
	report_ratio(name, b.disk_reads - a.disk_reads, read, "requests/page");
	snprintf(name, sizeof(name), "swap_%s_in", order);
	report(name, read ? cpu / read : 0, "insns/page");
}

/* A region of half the cap, written, swapped out while memory is let go,
 * then read back: in order, then scattered. */
static void swap_readahead(void)
{
	uint32_t pages = stat_now().user_frames_max / 2;
	uint32_t *p = map_pages(pages);
	touch_pages(p, pages);
	reread("seq", p, pages, 1);
	reread("rand", p, pages, RA_STRIDE);
	munmap(p, pages * PAGE);
}

/* ---- replacement quality ------------------------------------------------ */

/* How many of the region's pages are resident now. */
static uint32_t resident_pages(const uint32_t *p, uint32_t pages)
{
	uint32_t n = 0;
	struct k_vmwalk w;
	for (uint32_t i = 0; i < pages; i++)
		if (vmwalk((uintptr_t)(p + i * WORDS_PER_PAGE), &w) == 0 && w.fault == 0)
			n++;
	return n;
}

static void replay(const char *name, uint32_t kind, uint32_t pages, uint32_t length,
		   uint32_t seed)
{
	uint32_t *p = map_pages(pages);
	/* Warm-up, replayed the same way by the host simulator: write every
	 * page (so later misses are major faults), then read them in order. */
	touch_pages(p, pages);
	volatile uint32_t sum = 0;
	for (uint32_t i = 0; i < pages; i++)
		sum += p[i * WORDS_PER_PAGE];
	/* The frames the region really has: what the cap leaves beside this
	 * program's own working set. The host simulator gets the same count. */
	uint32_t frames = resident_pages(p, pages);
	struct refgen g;
	refgen_init(&g, kind, pages, seed);
	struct k_vmstat a = stat_now();
	for (uint32_t i = 0; i < length; i++)
		sum += p[refgen_next(&g) * WORDS_PER_PAGE];
	struct k_vmstat b = stat_now();
	printf("bench: %s %u faults (pages %u frames %u refs %u seed %u)\n", name,
	       (unsigned)(b.faults_swapin - a.faults_swapin), (unsigned)pages, (unsigned)frames,
	       (unsigned)length, (unsigned)seed);
	fflush(stdout);
	munmap(p, pages * PAGE);
}

static void repl(const char *policy, uint32_t seed)
{
	/* Twice as many pages as the frame cap for the locality string; one
	 * page more than the cap for the loop. */
	struct k_vmstat s = stat_now();
	uint32_t cap = s.user_frames_max;
	char name[64];
	snprintf(name, sizeof(name), "repl_locality_%s", policy);
	replay(name, REF_LOCALITY, 2 * cap, 20000, seed);
	snprintf(name, sizeof(name), "repl_loop_%s", policy);
	replay(name, REF_LOOP, cap + 1, 20 * (cap + 1), seed);
}

/* ---- several harts ------------------------------------------------------------ */

static uint32_t hart_id(uint32_t index)
{
	return stat_now().harts[index].hartid;
}

/* n mprotect pairs of one page, read-only and back: each drop of W is one
 * asid_flush_range, local and (if another hart may hold the page) remote;
 * the gain of W is a local fence only. A getppid call on each side marks
 * the loop for tools/bench/shootdown.sh, which counts each hart's
 * instructions in QEMU's trace: with several harts, rdinstret under
 * -icount is the machine's clock, not this hart's count (PLATFORM.md 8.2). */
static void mprotect_loop(const char *name, uint32_t *page, uint32_t n)
{
	struct k_vmstat a = stat_now();
	getppid();
	for (uint32_t i = 0; i < n; i++) {
		mprotect(page, PAGE, PROT_READ);
		mprotect(page, PAGE, PROT_READ | PROT_WRITE);
	}
	getppid();
	struct k_vmstat b = stat_now();
	printf("bench: %s_loop %u ops %u remote_fences %u harts_fenced\n", name, (unsigned)n,
	       (unsigned)(b.tlb_shootdowns - a.tlb_shootdowns),
	       (unsigned)(b.tlb_shootdown_harts - a.tlb_shootdown_harts));
}

/*
 * The two loops a shootdown is measured by, on the first hart, while a
 * spinner keeps the second busy (an idle hart empties its TLB, and is no
 * target). Local: this space never ran on the second hart, so no remote
 * fence. Remote: it touched the page on the second hart first, which
 * keeps the translation while the spinner runs, so each drop of W fences
 * it there too.
 */
static void shootdown(uint32_t n)
{
	uint32_t here = 1u << hart_id(0), there = 1u << hart_id(1);
	setaffinity(0, here);
	pid_t spinner = fork();
	if (spinner == 0)
		for (;;)
			__asm__ volatile("");
	setaffinity(spinner, there);
	uint32_t *page = map_pages(1);
	page[0] = 1;
	/* This process may have run on another hart before it was pinned (a
	 * page read from the disk can wake it anywhere), and that hart, busy
	 * with the spinner, never idles its TLB clean. A fork fences the whole
	 * space on every hart that may hold it and leaves only this one in
	 * its set (asid_flush_mm), so the local loop starts from "here only". */
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	page[0] = 1;
	mprotect_loop("shootdown_local", page, n);
	setaffinity(0, there);
	page[0] = 2;
	setaffinity(0, here);
	mprotect_loop("shootdown_remote", page, n);
	kill(spinner, SIGKILL);
	waitpid(spinner, NULL, 0);
}

/* A hog on every hart, each with half the frames: all write theirs once
 * and wait for each other, then write them HOG_PASSES more times at once,
 * so reclaim on one hart evicts pages of processes running on the others.
 * Remote fences and the harts they name, per eviction. */
#define HOG_PASSES 6

static void hogs(void)
{
	struct k_vmstat s = stat_now();
	uint32_t n = s.nharts, pages = s.user_frames_max / 2;
	int ready[2], go[2];
	pipe(ready), pipe(go);
	pid_t pids[K_MAX_HARTS];
	for (uint32_t i = 0; i < n; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			char c = 0;
			setaffinity(0, 1u << s.harts[i].hartid);
			uint32_t *p = map_pages(pages);
			touch_pages(p, pages);
			write(ready[1], &c, 1);
			read(go[0], &c, 1);
			for (int pass = 0; pass < HOG_PASSES; pass++)
				touch_pages(p, pages);
			_exit(0);
		}
	}
	char buf[K_MAX_HARTS] = { 0 };
	for (uint32_t i = 0; i < n; i++)
		read(ready[0], buf, 1);
	struct k_vmstat a = stat_now();
	write(go[1], buf, n);
	for (uint32_t i = 0; i < n; i++)
		waitpid(pids[i], NULL, 0);
	struct k_vmstat b = stat_now();
	uint32_t evictions = b.evictions - a.evictions;
	report("hogs_evictions", evictions, "pages");
	report_ratio("remote_fences_per_eviction", b.tlb_shootdowns - a.tlb_shootdowns, evictions,
		     "fences/eviction");
	report_ratio("harts_fenced_per_eviction", b.tlb_shootdown_harts - a.tlb_shootdown_harts,
		     evictions, "harts/eviction");
	close(ready[0]), close(ready[1]), close(go[0]), close(go[1]);
}

/* n processes, each a fixed CPU-bound loop with no system call: the
 * wall-clock milliseconds from the first fork to the last exit (QEMU's
 * clock follows the host's without -icount). */
static void spin(uint32_t n)
{
	struct k_timespec t0, t1;
	uptime(&t0);
	for (uint32_t i = 0; i < n; i++) {
		if (fork() == 0) {
			uint32_t k = 400000000u;
			__asm__ volatile("1: addi %0, %0, -1\n\tbnez %0, 1b" : "+r"(k));
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	uptime(&t1);
	uint64_t ms = (uint64_t)(t1.sec - t0.sec) * 1000 + t1.nsec / 1000000 - t0.nsec / 1000000;
	printf("bench: spin_%u_procs_%u_harts ", (unsigned)n, (unsigned)stat_now().nharts);
	print_u64(ms);
	printf(" ms\n");
}

int main(int argc, char **argv)
{
	start_stat = stat_now();
	start_insns = insns();
	const char *mode = argc > 1 ? argv[1] : "core";
	if (strcmp(mode, "core") == 0)
		core();
	else if (strcmp(mode, "swap") == 0)
		swap();
	else if (strcmp(mode, "swapra") == 0)
		swap_readahead();
	else if (strcmp(mode, "files") == 0)
		files();
	else if (strcmp(mode, "repl") == 0)
		repl(argc > 2 ? argv[2] : "clock", argc > 3 ? (uint32_t)atoi(argv[3]) : 1);
	else if (strcmp(mode, "fences") == 0)
		pipe_pingpong(false);
	else if (strcmp(mode, "shootdown") == 0)
		shootdown(argc > 2 ? (uint32_t)atoi(argv[2]) : 200);
	else if (strcmp(mode, "hogs") == 0)
		hogs();
	else if (strcmp(mode, "spin") == 0)
		spin(argc > 2 ? (uint32_t)atoi(argv[2]) : 1);
	else {
		fprintf(stderr,
			"usage: bench core|swap|swapra|files|repl POLICY SEED|fences|shootdown|hogs|spin N\n");
		return 2;
	}
	return 0;
}
