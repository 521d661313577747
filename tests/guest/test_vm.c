/*
 * In-guest KTAP suite for demand paging, copy-on-write, mmap and swap.
 * make test boots it as init with maxframes= small, so the swap tests
 * really swap (they check vmstat to prove it), once under clock and once
 * under FIFO. Other modes, each in its own boot: "oom" (a process that
 * exhausts memory and swap is killed, others survive) and "ioerr" (blkdebug
 * fails swap I/O: the owner of an unreadable page dies of SIGBUS).
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

#include "guest.h"

#define PAGE 4096u
#define BIG_BSS (1u << 20)

static char big_bss[BIG_BSS];

static uint32_t my_resident(void)
{
	return my_info().resident_pages;
}

static bool exited_ok(int st)
{
	return st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static uint32_t pattern(uint32_t seed, uint32_t i)
{
	return (i * 2654435761u) ^ seed;
}

/* Fill n words at p with a pattern; check it; both touch every word. */
static void fill(uint32_t *p, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		p[i] = pattern(seed, i);
}

static bool same(const uint32_t *p, uint32_t n, uint32_t seed)
{
	for (uint32_t i = 0; i < n; i++)
		if (p[i] != pattern(seed, i))
			return false;
	return true;
}

static uint32_t *map_anon(uint32_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* ---- lazy loading, zero fill ------------------------------------------- */

static bool big_bss_is_not_loaded_until_touched(void)
{
	uint32_t before = my_resident();
	big_bss[BIG_BSS / 2] = 1;
	uint32_t after = my_resident();
	CHECK(after <= before + 2);     /* one data page, maybe one table */
	CHECK(after < BIG_BSS / PAGE / 4); /* nowhere near the 256 pages of bss */
	return true;
}

static bool fresh_memory_reads_as_zero(void)
{
	uint32_t *p = map_anon(8 * PAGE);
	CHECK(p != NULL);
	for (uint32_t i = 0; i < 8 * PAGE / 4; i++)
		CHECK(p[i] == 0);
	for (uint32_t i = 0; i < 1000; i++)
		CHECK(big_bss[i * 1000] == (i * 1000 == BIG_BSS / 2));
	CHECK(munmap(p, 8 * PAGE) == 0);
	return true;
}

/* ---- mmap, munmap, mprotect --------------------------------------------- */

static int touch_addr;
static int read_touch(void) { (void)*(volatile int *)(uintptr_t)touch_addr; return 0; }
static int write_touch(void) { *(volatile int *)(uintptr_t)touch_addr = 1; return 0; }

static bool mmap_munmap_mprotect_semantics(void)
{
	uint32_t *p = map_anon(4 * PAGE);
	CHECK(p != NULL && ((uintptr_t)p % PAGE) == 0);
	fill(p, 4 * PAGE / 4, 7);
	/* Unmap the second page: a hole, the neighbours keep their data. */
	CHECK(munmap((char *)p + PAGE, PAGE) == 0);
	touch_addr = (int)(uintptr_t)((char *)p + PAGE);
	CHECK(killed_by(in_child(read_touch), SIGSEGV));
	CHECK(p[0] == pattern(7, 0) && p[3 * PAGE / 4] == pattern(7, 3 * PAGE / 4));
	/* Read-only: a store kills, a load works; back to writable. */
	CHECK(mprotect((char *)p + 2 * PAGE, PAGE, PROT_READ) == 0);
	touch_addr = (int)(uintptr_t)((char *)p + 2 * PAGE);
	CHECK(killed_by(in_child(write_touch), SIGSEGV));
	CHECK(exited_ok(in_child(read_touch)));
	CHECK(p[2 * PAGE / 4] == pattern(7, 2 * PAGE / 4));
	CHECK(mprotect((char *)p + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE) == 0);
	p[2 * PAGE / 4] = 5;
	CHECK(p[2 * PAGE / 4] == 5);
	CHECK(mprotect(p, PAGE, PROT_NONE) == 0);
	touch_addr = (int)(uintptr_t)p;
	CHECK(killed_by(in_child(read_touch), SIGSEGV));
	/* MAP_FIXED over the hole. */
	void *q = mmap((char *)p + PAGE, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == (char *)p + PAGE && ((uint32_t *)q)[0] == 0);
	CHECK(munmap(p, 4 * PAGE) == 0);
	CHECK(munmap(p, 4 * PAGE) == 0); /* unmapping nothing is fine */
	return true;
}

/* PROT_WRITE alone: as on Linux, the page can be written and read. Sv32
 * has no write-only PTE (W without R is reserved and always faults), so
 * the kernel must map it readable, or a store would fault for ever. */
static int write_then_read_write_only(void)
{
	volatile uint32_t *p = mmap(NULL, PAGE, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	p[0] = 7;
	volatile uint32_t *q = map_anon(PAGE);
	q[0] = 8;
	if (mprotect((void *)q, PAGE, PROT_WRITE) != 0)
		return 3;
	q[1] = 9;
	return p[0] == 7 && q[0] == 8 && q[1] == 9 ? 0 : 1;
}

static bool write_only_mappings_can_be_written_and_read(void)
{
	bool hung;
	pid_t pid = fork();
	if (pid == 0)
		_exit(write_then_read_write_only());
	int st = wait_bounded(pid, 2000, &hung);
	CHECK(!hung);
	CHECK(exited_ok(st));
	return true;
}

static bool mmap_errors_are_posix(void)
{
	CHECK(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, PAGE, 0x100, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED &&
	      errno == EINVAL);
	CHECK(mmap((void *)0x20000123, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		   -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap((void *)0x80000000, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		   -1, 0) == MAP_FAILED && errno == EINVAL);
	CHECK(mmap(NULL, 0x60000000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
		      MAP_FAILED && errno == ENOMEM);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 55, 0) == MAP_FAILED && errno == EBADF);
	CHECK(mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, 1, 0) == MAP_FAILED && errno == ENODEV);
	CHECK(munmap((void *)0x20000123, PAGE) == -1 && errno == EINVAL);
	CHECK(munmap((void *)0x20000000, 0) == -1 && errno == EINVAL);
	CHECK(mprotect((void *)0x30000000, PAGE, PROT_READ) == -1 && errno == ENOMEM);
	CHECK(mprotect((void *)0x30000001, PAGE, PROT_READ) == -1 && errno == EINVAL);
	return true;
}

static bool file_mappings_are_read_only_copies(void)
{
	int fd = open("/etc/motd", O_RDONLY);
	CHECK(fd >= 0);
	CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	      errno == EACCES);
	char *m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(m != MAP_FAILED && memcmp(m, "Welcome", 7) == 0);
	if (initramfs_root()) {
		CHECK(m[PAGE] == 0); /* an initramfs copy: zeroes past the end */
	} else {
		touch_addr = (int)(uintptr_t)(m + PAGE); /* wholly past the end: SIGBUS */
		CHECK(killed_by(in_child(read_touch), SIGBUS));
	}
	CHECK(mprotect(m, PAGE, PROT_READ | PROT_WRITE) == -1 && errno == EACCES);
	touch_addr = (int)(uintptr_t)m;
	CHECK(killed_by(in_child(write_touch), SIGSEGV));
	CHECK(munmap(m, 2 * PAGE) == 0);
	/* A private writable copy leaves the file as it was. */
	char *c = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(c != MAP_FAILED && c[0] == 'W');
	c[0] = 'X';
	char *d = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	CHECK(d != MAP_FAILED && d[0] == 'W');
	CHECK(munmap(c, PAGE) == 0 && munmap(d, PAGE) == 0);
	CHECK(close(fd) == 0);
	return true;
}

static bool stack_grows_on_demand_and_guard_kills(void)
{
	/* 2 MiB of stack in one frame, touched from the far end. */
	pid_t pid = fork();
	if (pid == 0) {
		volatile char deep[2u << 20];
		deep[0] = 1;
		deep[sizeof(deep) - 1] = 2;
		_exit(deep[0] + deep[sizeof(deep) - 1] == 3 ? 0 : 1);
	}
	CHECK(exited_ok(wait_child(pid)));
	/* Below the 8 MiB stack is the guard gap: a touch there kills. */
	touch_addr = (int)(0x80000000u - (8u << 20) - PAGE);
	CHECK(killed_by(in_child(read_touch), SIGSEGV));
	return true;
}

static bool brk_shrink_frees_frames(void)
{
	struct k_vmstat a = stat_now();
	char *base = sbrk(64 * PAGE);
	CHECK(base != (char *)-1);
	memset(base, 1, 64 * PAGE);
	struct k_vmstat b = stat_now();
	CHECK(sbrk(-64 * (int)PAGE) != (void *)-1);
	struct k_vmstat c = stat_now();
	CHECK(b.user_frames >= a.user_frames + 60 || b.swapouts > a.swapouts);
	CHECK(c.user_frames + 60 <= b.user_frames || c.swapouts > a.swapouts);
	return true;
}

/* ---- stale translations ------------------------------------------------- */

/*
 * QEMU empties a hart's TLB on every satp write, every sfence.vma and
 * every change of sstatus.SUM, so a fence left out of the kernel shows
 * only when one process, on one hart, caches a translation, changes the
 * mapping with a call that copies no user memory, and uses the address
 * again. Each child below does exactly that, pinned to its hart, and
 * exits 1 if the old translation was still used. The neighbour page keeps
 * the level-0 table alive, so no table is freed (that fence would hide a
 * missing one).
 */
static volatile uint32_t *pinned_touched_pages(uint32_t pages)
{
	struct k_procinfo me = my_info();
	if (me.hart < 0 || setaffinity(0, 1u << me.hart) != 0)
		return NULL;
	volatile uint32_t *p = map_anon(pages * PAGE);
	if (p)
		for (uint32_t i = 0; i < pages; i++)
			p[i * PAGE / 4] = i + 1; /* a store: the cached entry is writable */
	return p;
}

static int load_after_munmap(void)
{
	volatile uint32_t *p = pinned_touched_pages(2);
	if (!p || munmap((void *)p, PAGE) != 0)
		return 2;
	return p[0] == 1 ? 1 : 3; /* must not return: SIGSEGV */
}

static int load_after_map_fixed(void)
{
	volatile uint32_t *p = pinned_touched_pages(2);
	if (!p || mmap((void *)p, PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (void *)p)
		return 2;
	return p[0] == 0 ? 0 : 1; /* the new page is zero */
}

static int load_after_brk_shrink(void)
{
	struct k_procinfo me = my_info();
	if (me.hart < 0 || setaffinity(0, 1u << me.hart) != 0)
		return 2;
	char *base = sbrk(2 * PAGE);
	if (base == (void *)-1)
		return 2;
	volatile uint32_t *top = (volatile uint32_t *)(base + PAGE);
	base[0] = 1;
	top[0] = 1;
	if (sbrk(-(int)PAGE) == (void *)-1)
		return 2;
	return top[0] == 1 ? 1 : 3; /* must not return: SIGSEGV */
}

static int store_after_mprotect(void)
{
	volatile uint32_t *p = pinned_touched_pages(2);
	if (!p || mprotect((void *)p, PAGE, PROT_READ) != 0)
		return 2;
	p[0] = 5; /* must not complete: SIGSEGV */
	return 1;
}

/* fork makes the parent's pages copy-on-write; the parent's next store
 * must fault and copy, not write the frame its child now shares. */
static int store_after_fork(void)
{
	int fds[2];
	if (pipe(fds) != 0) /* before the touch: pipe copies out */
		return 2;
	volatile uint32_t *p = pinned_touched_pages(1);
	if (!p)
		return 2;
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		_exit(read(fds[0], &c, 1) == 1 && p[0] == 1 ? 0 : 1);
	}
	p[0] = 2;
	if (pid < 0 || write(fds[1], "x", 1) != 1)
		return 2;
	int st = wait_child(pid);
	return exited_ok(st) && p[0] == 2 ? 0 : 1;
}

static bool mapping_changes_reach_the_tlb_at_once(void)
{
	CHECK(killed_by(in_child(load_after_munmap), SIGSEGV));
	CHECK(exited_ok(in_child(load_after_map_fixed)));
	CHECK(killed_by(in_child(load_after_brk_shrink), SIGSEGV));
	CHECK(killed_by(in_child(store_after_mprotect), SIGSEGV));
	CHECK(exited_ok(in_child(store_after_fork)));
	return true;
}

/* ---- copy-on-write ------------------------------------------------------ */

static bool cow_across_fork_chains(void)
{
	const uint32_t n = 64 * PAGE / 4;
	uint32_t *p = map_anon(n * 4);
	CHECK(p != NULL);
	fill(p, n, 1);
	struct k_vmstat a = stat_now();
	pid_t child = fork();
	if (child == 0) {
		bool ok = same(p, n, 1);
		fill(p, n / 2, 2); /* the child writes the first half */
		pid_t grand = fork();
		if (grand == 0) {
			bool g = same(p, n / 2, 2);
			for (uint32_t i = n / 2; i < n; i++)
				g &= p[i] == pattern(1, i);
			fill(p + n / 2, n / 2, 3); /* the grandchild writes the rest */
			_exit(g && same(p + n / 2, n / 2, 3) ? 0 : 1);
		}
		ok &= exited_ok(wait_child(grand));
		ok &= same(p, n / 2, 2);
		for (uint32_t i = n / 2; i < n; i++)
			ok &= p[i] == pattern(1, i);
		_exit(ok ? 0 : 1);
	}
	fill(p + n / 4, n / 4, 9); /* the parent writes a quarter meanwhile */
	CHECK(exited_ok(wait_child(child)));
	for (uint32_t i = 0; i < n; i++)
		CHECK(p[i] == (i >= n / 4 && i < n / 2 ? pattern(9, i - n / 4) : pattern(1, i)));
	struct k_vmstat b = stat_now();
	CHECK(b.faults_cow_copy > a.faults_cow_copy);
	CHECK(b.faults_cow_reuse > a.faults_cow_reuse);
	CHECK(munmap(p, n * 4) == 0);
	return true;
}

/* ---- swap --------------------------------------------------------------- */

static uint32_t swap_bytes(void)
{
	struct k_vmstat s = stat_now();
	return 4 * s.user_frames_max * PAGE; /* four times what may be resident */
}

static bool swap_keeps_every_word(void)
{
	uint32_t bytes = swap_bytes(), n = bytes / 4;
	uint32_t *p = map_anon(bytes);
	CHECK(p != NULL);
	struct k_vmstat a = stat_now();
	fill(p, n, 0xabcd);
	CHECK(same(p, n, 0xabcd));
	/* Random order: every page visited once in a scrambled sequence. */
	uint32_t pages = bytes / PAGE, x = 12345;
	for (uint32_t k = 0; k < pages; k++) {
		x = x * 1103515245u + 12345u;
		uint32_t page = (x >> 8) % pages;
		for (uint32_t i = page * PAGE / 4; i < (page + 1) * PAGE / 4; i++)
			CHECK(p[i] == pattern(0xabcd, i));
	}
	struct k_vmstat b = stat_now();
	CHECK(b.swapouts - a.swapouts >= pages / 2);
	CHECK(b.swapins - a.swapins >= pages / 2);
	CHECK(b.user_frames <= b.user_frames_max);
	CHECK(munmap(p, bytes) == 0);
	return true;
}

static bool clean_pages_are_evicted_without_writes(void)
{
	uint32_t bytes = swap_bytes() / 2, n = bytes / 4;
	uint32_t *p = map_anon(bytes);
	CHECK(p != NULL);
	fill(p, n, 77);       /* dirty: goes to swap */
	CHECK(same(p, n, 77)); /* back from swap, clean, keeping its slots */
	struct k_vmstat a = stat_now();
	CHECK(same(p, n, 77)); /* evicted again while clean, and read again */
	struct k_vmstat b = stat_now();
	/* Evicting the region's clean pages wrote nothing: the few writes
	 * seen are other dirty pages of this process (its stack, its data). */
	uint32_t pages = bytes / PAGE;
	CHECK(b.evictions_clean - a.evictions_clean >= pages / 2);
	CHECK(b.swapouts - a.swapouts < 16);
	CHECK(b.disk_writes - a.disk_writes < 16);
	CHECK(munmap(p, bytes) == 0);
	return true;
}

static bool cow_pages_survive_swap(void)
{
	uint32_t bytes = swap_bytes() / 2, n = bytes / 4;
	uint32_t *p = map_anon(bytes);
	CHECK(p != NULL);
	fill(p, n, 5);
	pid_t pid = fork();
	if (pid == 0) {
		/* Shared pages go out and come back; then the child's copy. */
		bool ok = same(p, n, 5);
		fill(p, n, 6);
		ok &= same(p, n, 6);
		_exit(ok ? 0 : 1);
	}
	CHECK(exited_ok(wait_child(pid)));
	CHECK(same(p, n, 5));
	CHECK(munmap(p, bytes) == 0);
	return true;
}

/* Push this process's pages (and whatever else is resident) out to swap:
 * write twice the cap's worth of a scratch region, then let it go. */
static bool push_out(void)
{
	uint32_t bytes = swap_bytes() / 2;
	uint32_t *hog = map_anon(bytes);
	if (hog == NULL)
		return false;
	fill(hog, bytes / 4, 99);
	return munmap(hog, bytes) == 0;
}

/*
 * Pages shared by a parent and a child since fork go to swap while both
 * live; the child then writes them. A page that comes back from swap while
 * its slot is still shared must come back read-only, so the store copies
 * it: the parent, still alive and still pointing at the slot (or at the
 * swap cache's frame), must see its own data.
 */
static bool swapped_shared_pages_stay_private_with_both_alive(void)
{
	const uint32_t pages = 64, n = pages * PAGE / 4;
	uint32_t *p = map_anon(pages * PAGE);
	CHECK(p != NULL);
	fill(p, n, 21);
	int go[2], done[2];
	CHECK(pipe(go) == 0 && pipe(done) == 0);
	pid_t pid = fork();
	if (pid == 0) {
		char c;
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		fill(p, n, 22);
		bool ok = same(p, n, 22);
		write(done[1], &c, 1);
		read(go[0], &c, 1); /* stay alive until the parent has looked */
		_exit(ok ? 0 : 1);
	}
	CHECK(pid > 0);
	CHECK(push_out());
	CHECK(my_info().swapped_pages >= pages / 2);
	char c = 0;
	CHECK(write(go[1], &c, 1) == 1);
	CHECK(read(done[0], &c, 1) == 1);
	bool mine = same(p, n, 21);
	CHECK(write(go[1], &c, 1) == 1);
	CHECK(exited_ok(wait_child(pid)));
	CHECK(mine);
	close(go[0]), close(go[1]), close(done[0]), close(done[1]);
	CHECK(munmap(p, pages * PAGE) == 0);
	return true;
}

static bool vmstat_and_ps_show_swapped_pages(void)
{
	uint32_t bytes = swap_bytes(), n = bytes / 4;
	uint32_t *p = map_anon(bytes);
	CHECK(p != NULL);
	fill(p, n, 8);
	struct k_procinfo info;
	uint32_t swapped = 0;
	for (unsigned i = 0; procinfo(i, &info) == 0; i++)
		if (info.pid == getpid())
			swapped = info.swapped_pages;
	CHECK(swapped > 0);
	struct k_vmstat s = stat_now();
	CHECK(s.swap_slots_free < s.swap_slots_total);
	CHECK(munmap(p, bytes) == 0);
	return true;
}

/* ---- swap readahead ------------------------------------------------------ */

#define RA_PAGES 256u /* a region swapped out whole, then read back */

/* Pages of [p, p + pages) not resident now (swapped out). */
static uint32_t pages_out(const uint32_t *p, uint32_t pages)
{
	uint32_t out = 0;
	struct k_vmwalk w;
	for (uint32_t i = 0; i < pages; i++)
		out += vmwalk((uintptr_t)(p + i * PAGE / 4), &w) == 0 && w.fault != 0;
	return out;
}

/* A region of pages filled with seed's pattern, then swapped out whole
 * while its frames are let go: memory is free for the read back. */
static uint32_t *swapped_out_region(uint32_t pages, uint32_t seed)
{
	uint32_t *p = map_anon(pages * PAGE);
	if (p == NULL)
		return NULL;
	fill(p, pages * PAGE / 4, seed);
	return push_out() && pages_out(p, pages) >= pages / 2 ? p : NULL;
}

/* Read back in order, each major fault reads the pages after its own in
 * the same disk request, as many as a window that doubles while the
 * faults stay sequential: at most one major fault in eight pages. */
static bool sequential_swap_reread_takes_a_major_fault_per_eight_pages(void)
{
	uint32_t *p = swapped_out_region(RA_PAGES, 31);
	CHECK(p != NULL);
	uint32_t out = pages_out(p, RA_PAGES);
	struct k_vmstat a = stat_now();
	CHECK(same(p, RA_PAGES * PAGE / 4, 31));
	struct k_vmstat b = stat_now();
	uint32_t majors = b.faults_swapin - a.faults_swapin;
	uint32_t read = b.swapins - a.swapins, ahead = b.swap_readahead - a.swap_readahead;
	CHECK(read >= out && ahead > 0);
	CHECK(8 * majors <= out);
	CHECK(b.disk_reads - a.disk_reads == read - ahead); /* one request per major fault */
	CHECK(pages_out(p, RA_PAGES) == 0);
	CHECK(munmap(p, RA_PAGES * PAGE) == 0);
	return true;
}

/* Scattered reads (a stride that never lands next to the last page) of a
 * quarter of the region: one major fault each, as without readahead, and
 * the window shrinks at once, so few pages come in that are not used. */
static bool scattered_swap_reads_fault_once_a_page_and_read_little_ahead(void)
{
	const uint32_t used = RA_PAGES / 4, stride = 97; /* odd: i * 97 % 256 never repeats */
	uint32_t *p = swapped_out_region(RA_PAGES, 32);
	CHECK(p != NULL);
	struct k_vmstat a = stat_now();
	uint32_t wrong = 0;
	for (uint32_t i = 0; i < used; i++) {
		uint32_t page = i * stride % RA_PAGES, word = page * PAGE / 4;
		wrong += p[word] != pattern(32, word);
	}
	struct k_vmstat b = stat_now();
	CHECK(wrong == 0);
	CHECK(b.faults_swapin - a.faults_swapin <= used);
	CHECK(b.swapins - a.swapins <= 2 * used);
	CHECK(same(p, RA_PAGES * PAGE / 4, 32));
	CHECK(munmap(p, RA_PAGES * PAGE) == 0);
	return true;
}

/* A region swapped out on neighbouring slots, then split by mprotect:
 * reading the first part in order never brings in a page of the second,
 * whose permissions are not the first's. */
static bool readahead_stops_at_the_end_of_its_region(void)
{
	const uint32_t half = RA_PAGES / 2;
	uint32_t *p = swapped_out_region(RA_PAGES, 33);
	CHECK(p != NULL);
	uint32_t *second = p + half * PAGE / 4;
	uint32_t out = pages_out(second, half);
	CHECK(out >= half / 2);
	CHECK(mprotect(second, half * PAGE, PROT_READ) == 0);
	CHECK(same(p, half * PAGE / 4, 33));
	CHECK(pages_out(second, half) == out);
	CHECK(same(p, RA_PAGES * PAGE / 4, 33));
	CHECK(munmap(p, RA_PAGES * PAGE) == 0);
	return true;
}

/* ---- modes run in their own boot ----------------------------------------- */

/*
 * Every reservation is checked against memory plus swap, so only what is
 * not reserved can run out: stacks, which grow on demand. Eight small
 * programs each grow a 7 MiB stack at once, far more than memory plus
 * swap: the kernel kills those that fault when nothing is left, and the
 * rest, this process and its data go on.
 */
static int oom_mode(void)
{
	printf("KTAP version 1\n1..2\n");
	enum { KIDS = 8, STACK_FRAMES = 448 /* 16 KiB each: 7 MiB */ };
	uint32_t n = 64 * PAGE / 4;
	uint32_t *keep = map_anon(n * 4);
	if (keep == NULL)
		return 1;
	fill(keep, n, 42);
	pid_t pid = fork();
	if (pid == 0) {
		char kids[8], frames[8];
		snprintf(kids, sizeof(kids), "%d", KIDS);
		snprintf(frames, sizeof(frames), "%d", STACK_FRAMES);
		char *argv[] = { "test_proc", "--stackhogs", kids, frames, NULL };
		execv("/bin/test_proc", argv);
		_exit(254);
	}
	int st = wait_child(pid);
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	int oom_killed = code / 16, finished = code % 16;
	int other = code < 0 || code >= 254 || oom_killed + finished != KIDS;
	bool ok = oom_killed > 0 && other == 0 && same(keep, n, 42);
	printf("%s 1 oom_kills_the_faulting_process_and_others_survive # %d killed, %d finished\n",
	       ok ? "ok" : "not ok", oom_killed, finished);
	bool books = books_balance(2);
	return ok && books ? 0 : 1;
}

/* Fork a victim that fills bytes of fresh memory with pattern 3 (which
 * pushes its first pages out to swap), then runs then() and exits with
 * its result. The parent keeps the read end of a pipe whose write end the
 * victim holds (wfd). */
static pid_t swapped_victim(uint32_t bytes, int (*then)(uint32_t *p, uint32_t bytes, int wfd),
			    int *rfd)
{
	int fds[2];
	pipe(fds);
	pid_t victim = fork();
	if (victim == 0) {
		uint32_t *p = map_anon(bytes);
		fill(p, bytes / 4, 3);
		close(fds[0]);
		_exit(then(p, bytes, fds[1]));
	}
	close(fds[1]);
	*rfd = fds[0];
	return victim;
}

/* Tell the parent the memory is full, then read it all back. */
static int signal_then_check(uint32_t *p, uint32_t bytes, int wfd)
{
	write(wfd, "x", 1);
	return same(p, bytes / 4, 3) ? 0 : 1; /* reading slot 100 back fails */
}

static int ioerr_mode(void)
{
	/* tests/run.sh has blkdebug fail the first read of slot 100 and every
	 * write of slot 101 (sectors 800 and 808). The first slots go to init's
	 * own pages, so slots that far in hold the victim's. */
	printf("KTAP version 1\n1..2\n");
	uint32_t bytes = swap_bytes(), n = bytes / 4;
	int rfd;
	pid_t victim = swapped_victim(bytes, signal_then_check, &rfd);
	char c;
	read(rfd, &c, 1);
	int st = wait_child(victim);
	printf("%s 1 unreadable_swap_page_kills_its_owner_with_sigbus # status 0x%x\n",
	       killed_by(st, SIGBUS) ? "ok" : "not ok", (unsigned)st);
	/* The write error retired slot 101; swapping still works. */
	uint32_t *q = map_anon(bytes);
	fill(q, n, 4);
	bool ok = same(q, n, 4);
	printf("%s 2 failed_swap_write_retires_the_slot_and_data_survives\n", ok ? "ok" : "not ok");
	return killed_by(st, SIGBUS) && ok ? 0 : 1;
}

/* The table bytes the kernel reports are a root plus one level-0 table
 * for each 4 MiB with a page in it, built only when a page there is first
 * touched; and the walk finds the entries where 10/10/12 puts them. */
static bool page_tables_are_a_root_and_a_table_per_touched_4mib(void)
{
	const uint32_t va = 0x30000000u; /* a 4 MiB nothing else in this program uses */
	uint32_t before = my_info().table_bytes;
	CHECK(before >= 2 * PAGE && before % PAGE == 0);
	char *p = mmap((void *)va, 2 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(p == (char *)va);
	CHECK(my_info().table_bytes == before); /* mapping alone builds no table */
	p[0] = 1;
	CHECK(my_info().table_bytes == before + PAGE);
	p[PAGE] = 1; /* the same 4 MiB: the same table */
	CHECK(my_info().table_bytes == before + PAGE);
	struct k_vmwalk w;
	CHECK(vmwalk(va + PAGE + 0xabe, &w) == 0);
	uint32_t root = (w.satp & 0x3fffffu) << 12;
	CHECK(w.pte1_pa == root + (va >> 22) * 4);
	CHECK((w.pte0_pa & 0xfffu) == ((va + PAGE) >> 12 & 0x3ffu) * 4);
	CHECK(w.pa == ((w.pte0 >> 10) << 12) + 0xabe);
	CHECK(munmap(p, 2 * PAGE) == 0);
	return true;
}

static const struct test tests[] = {
	T(big_bss_is_not_loaded_until_touched),
	T(fresh_memory_reads_as_zero),
	T(mmap_munmap_mprotect_semantics),
	T(write_only_mappings_can_be_written_and_read),
	T(mmap_errors_are_posix),
	T(file_mappings_are_read_only_copies),
	T(stack_grows_on_demand_and_guard_kills),
	T(brk_shrink_frees_frames),
	T(mapping_changes_reach_the_tlb_at_once),
	T(cow_across_fork_chains),
	T(swap_keeps_every_word),
	T(clean_pages_are_evicted_without_writes),
	T(cow_pages_survive_swap),
	T(swapped_shared_pages_stay_private_with_both_alive),
	T(vmstat_and_ps_show_swapped_pages),
	T(sequential_swap_reread_takes_a_major_fault_per_eight_pages),
	T(scattered_swap_reads_fault_once_a_page_and_read_little_ahead),
	T(readahead_stops_at_the_end_of_its_region),
	T(page_tables_are_a_root_and_a_table_per_touched_4mib),
};
#define NTESTS (int)(sizeof(tests) / sizeof(tests[0]))

/* Hand the memory to write(), a page at a time. */
static int write_pages(uint32_t *p, uint32_t bytes, int wfd)
{
	for (uint32_t off = 0; off < bytes; off += PAGE)
		if (write(wfd, (char *)p + off, PAGE) != (int)PAGE)
			return 1;
	return 0;
}

/* The same error met by the kernel: the victim hands its swapped-out
 * pages to write(), whose copy from user memory reads slot 100 back. */
static int ioerr_syscall_mode(void)
{
	printf("KTAP version 1\n1..1\n");
	int rfd;
	pid_t victim = swapped_victim(swap_bytes(), write_pages, &rfd);
	static char sink[PAGE];
	while (read(rfd, sink, sizeof(sink)) > 0)
		;
	int st = wait_child(victim);
	printf("%s 1 swap_read_error_in_a_system_call_kills_with_sigbus # status 0x%x\n",
	       killed_by(st, SIGBUS) ? "ok" : "not ok", (unsigned)st);
	return killed_by(st, SIGBUS) ? 0 : 1;
}

/* Whether the page at p is mapped now. */
static bool mapped(const volatile void *p)
{
	struct k_vmwalk w;
	return vmwalk((uintptr_t)p, &w) == 0 && w.fault == 0;
}

/*
 * One page kept hot (read between every two pages of a stream written once,
 * four times the cap): under clock the hand finds its A bit set again each
 * time round, so it is never evicted; under FIFO it is just an old page and
 * goes like the others; under 2q it starts in probation, which is FIFO, and
 * goes once, but comes back as a refault to the hot ring and stays there.
 * argv: the policy the boot runs. vmwalk tells whether the page is mapped
 * before each read.
 */
static int hot_mode(const char *policy)
{
	printf("KTAP version 1\n1..1\n");
	bool clock = strcmp(policy, "clock") == 0, twoq = strcmp(policy, "2q") == 0;
	volatile uint32_t *hot = map_anon(PAGE);
	uint32_t bytes = swap_bytes(), pages = bytes / PAGE;
	uint32_t *stream = map_anon(bytes);
	if (hot == NULL || stream == NULL)
		return 1;
	hot[0] = 7;
	uint32_t gone = 0, wrong = 0;
	for (uint32_t pg = 0; pg < pages; pg++) {
		stream[pg * (PAGE / 4)] = pg;
		gone += !mapped(hot);
		wrong += hot[0] != 7;
	}
	struct k_vmstat s = stat_now();
	uint32_t want = clock ? 0 : 1;
	bool ok = wrong == 0 && s.evictions >= pages / 2 && (clock || twoq ? gone == want : gone > 1);
	printf("%s 1 %s # policy %s: the hot page was out %u times in %u stream pages, "
	       "%u evictions\n",
	       ok ? "ok" : "not ok",
	       clock  ? "clock_never_evicts_a_hot_page"
	       : twoq ? "2q_evicts_a_hot_page_once_then_keeps_it"
		      : "fifo_evicts_a_hot_page_in_turn",
	       policy, (unsigned)gone, (unsigned)pages, (unsigned)s.evictions);
	munmap(stream, bytes);
	return ok ? 0 : 1;
}

#define GHOST_FEW 8 /* pages of each small set in ghost_mode */

/* How many of the n pages at p are mapped now. */
static uint32_t count_mapped(const uint32_t *p, uint32_t n)
{
	uint32_t m = 0;
	for (uint32_t i = 0; i < n; i++)
		m += mapped(p + i * (PAGE / 4));
	return m;
}

/* Read one word of each of the n pages at p. */
static uint32_t read_pages(const uint32_t *p, uint32_t n)
{
	uint32_t sum = 0;
	for (uint32_t i = 0; i < n; i++)
		sum += ((const volatile uint32_t *)p)[i * (PAGE / 4)];
	return sum;
}

/* Write one word of each of the n pages at p: n new pages. */
static void write_pages_once(uint32_t *p, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		p[i * (PAGE / 4)] = i + 1;
}

/* Pages pushed out (by new pages, one at a time until they are all out)
 * and read again at once (refaults: soon after their eviction), and as
 * many written once after them; then a stream of four times the cap of
 * new pages.
 * True when what is left mapped of each is as the policy should leave it:
 * under 2q the refaulted pages all (they are hot), under clock none, and
 * of the pages written once none under either. */
static bool refaulted_pages_outlive_a_scan(bool twoq, uint32_t cap, uint32_t *back,
					   uint32_t *once, uint32_t *stream)
{
	write_pages_once(back, GHOST_FEW);
	uint32_t pushed = 0;
	while (pushed < 2 * cap && count_mapped(back, GHOST_FEW) > 0)
		stream[pushed++ * (PAGE / 4)] = 1;
	uint32_t out = GHOST_FEW - count_mapped(back, GHOST_FEW);
	uint32_t sum = read_pages(back, GHOST_FEW);
	write_pages_once(once, GHOST_FEW);
	write_pages_once(stream + 2 * cap * (PAGE / 4), 4 * cap);
	uint32_t kept = count_mapped(back, GHOST_FEW), kept_once = count_mapped(once, GHOST_FEW);
	bool ok = out == GHOST_FEW && sum == GHOST_FEW * (GHOST_FEW + 1) / 2 && kept_once == 0 &&
		  kept == (twoq ? GHOST_FEW : 0);
	printf("%s 1 %s # policy %s: %u of %u pushed out; after a stream of %u pages %u of "
	       "them are mapped, %u of %u written once\n",
	       ok ? "ok" : "not ok",
	       twoq ? "refaulted_pages_outlive_a_scan_that_evicts_pages_used_once"
		    : "clock_evicts_refaulted_pages_and_pages_used_once_alike",
	       twoq ? "2q" : "clock", (unsigned)out, GHOST_FEW, 4 * (unsigned)cap, (unsigned)kept,
	       (unsigned)kept_once, GHOST_FEW);
	return ok;
}

/* Then a loop larger than memory, whose pages keep coming back soon after
 * they went and so challenge for the hot ring, while the pages of back are
 * read every few loop pages: they must never be out. */
static bool pages_in_use_keep_their_place(const char *policy, uint32_t *back, uint32_t *loop,
					  uint32_t len)
{
	write_pages_once(loop, len);
	read_pages(back, GHOST_FEW); /* under clock they went in the stream */
	uint32_t out = 0;
	struct k_vmstat a = stat_now();
	for (uint32_t round = 0; round < 6; round++)
		for (uint32_t i = 0; i < len; i++) {
			loop[i * (PAGE / 4)]++;
			if (i % 8 == 0) {
				out += GHOST_FEW - count_mapped(back, GHOST_FEW);
				read_pages(back, GHOST_FEW);
			}
		}
	struct k_vmstat b = stat_now();
	uint32_t evicted = b.evictions - a.evictions;
	bool ok = out == 0 && evicted > len;
	printf("%s 2 pages_in_use_keep_their_place_against_a_loop_larger_than_memory # policy "
	       "%s: out %u times, %u evictions, %u pages joined the hot ring\n",
	       ok ? "ok" : "not ok", policy, (unsigned)out, (unsigned)evicted,
	       (unsigned)(b.hot_admissions - a.hot_admissions));
	return ok;
}

/*
 * What the ghost table adds (vm.policy=2q), with the cap at maxframes=:
 * a page evicted and faulted back soon is kept longer than a page used
 * once, and pages in use keep their place in the hot ring against pages
 * that come back just as soon. argv: the policy the boot runs; under
 * clock the first result checks that clock, with no memory of evictions,
 * lets both kinds go.
 */
static int ghost_mode(const char *policy)
{
	printf("KTAP version 1\n1..2\n");
	bool twoq = strcmp(policy, "2q") == 0;
	uint32_t cap = stat_now().user_frames_max, len = cap + cap / 4;
	uint32_t *back = map_anon(GHOST_FEW * PAGE), *once = map_anon(GHOST_FEW * PAGE);
	uint32_t *stream = map_anon(6 * cap * PAGE), *loop = map_anon(len * PAGE);
	if (back == NULL || once == NULL || stream == NULL || loop == NULL)
		return 1;
	bool first = refaulted_pages_outlive_a_scan(twoq, cap, back, once, stream);
	munmap(stream, 6 * cap * PAGE);
	bool second = pages_in_use_keep_their_place(policy, back, loop, len);
	return first && second ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "oom") == 0)
		return oom_mode();
	if (argc > 2 && strcmp(argv[1], "hot") == 0)
		return hot_mode(argv[2]);
	if (argc > 2 && strcmp(argv[1], "ghost") == 0)
		return ghost_mode(argv[2]);
	if (argc > 1 && strcmp(argv[1], "ioerr-syscall") == 0)
		return ioerr_syscall_mode();
	if (argc > 1 && strcmp(argv[1], "ioerr") == 0)
		return ioerr_mode();
	printf("KTAP version 1\n1..%d\n", NTESTS + 2);
	struct k_vmstat before = stat_now();
	struct k_procinfo me_before = my_info();
	before = stat_now();
	me_before = my_info();
	pid_t pid = fork();
	if (pid == 0)
		_exit(run_tests(tests, NTESTS) ? 1 : 0);
	int st = wait_child(pid);
	while (wait(NULL) > 0)
		;
	struct k_vmstat after = stat_now();
	struct k_procinfo me = my_info();
	/* This process's own pages may have gone to swap meanwhile: its
	 * frames and slots are counted out on both sides. */
	uint32_t frames_before = frames_accounted(&before, &me_before);
	uint32_t frames_after = frames_accounted(&after, &me);
	uint32_t slots_before = before.swap_slots_free + me_before.swapped_pages +
				me_before.swapcached_pages;
	uint32_t slots_after = after.swap_slots_free + me.swapped_pages + me.swapcached_pages;
	bool same_counts = frames_after == frames_before && slots_after == slots_before;
	printf("%s %d frames_and_swap_slots_return_to_start # frames %u -> %u, slots %u -> %u"
	       " (free %u -> %u, resident %u -> %u, swapped %u -> %u, cached %u -> %u)\n",
	       same_counts ? "ok" : "not ok", NTESTS + 1, (unsigned)frames_before,
	       (unsigned)frames_after, (unsigned)slots_before, (unsigned)slots_after,
	       (unsigned)before.frames_free, (unsigned)after.frames_free,
	       (unsigned)me_before.resident_pages, (unsigned)me.resident_pages,
	       (unsigned)me_before.swapped_pages, (unsigned)me.swapped_pages,
	       (unsigned)me_before.swapcached_pages, (unsigned)me.swapcached_pages);
	bool books = books_balance(NTESTS + 2);
	return exited_ok(st) && same_counts && books ? 0 : 1;
}
