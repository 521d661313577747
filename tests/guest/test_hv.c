/*
 * In-guest KTAP suite of the hypervisor (kernel/riscv/hv.h), run as init
 * on the host: it starts /bin/vm in child processes and checks what each
 * guest did by vm's exit status and output. The misbehaving guests are a
 * few instructions each, written here as ELF files under /tmp: a load
 * from guest-physical memory with nothing there, a store past the end of
 * RAM, a page-table walk that leaves RAM, an instruction the host cannot
 * emulate, an SBI call the host does not know, and a guest that spins
 * until it is killed. Each must end alone, with one line, while the host
 * goes on. Then this kernel boots as two guests at once, and nothing
 * leaks. "test_hv swap" instead runs one 64 MiB guest's memory test on a
 * host capped below that (make test boots it with maxframes=2048), so the
 * host swaps the guest's pages under it; the test writes every word again
 * after it comes back, so a host that missed the guest's stores (no D in
 * its PTE) would drop them as clean.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rv32_insn.h>

#include "guest.h"

#define RAM_GPA 0x80000000u
#define TEST_GPA 0x00100000u
#define BAD_GUEST 3 /* vm's exit status for a guest it stopped */
#define OUT_MAX 65536u

/* An ELF file at path whose one segment holds code at RAM_GPA, then data
 * (if any) at RAM_GPA + 0x100. */
static bool write_guest(const char *path, const struct rv32_code *c, const char *data)
{
	static uint8_t img[52 + 32 + 0x200];
	memset(img, 0, sizeof(img));
	uint32_t seg = 52 + 32, size = 0x100 + (data ? (uint32_t)strlen(data) : 0);
	uint32_t eh[13] = { 0x464C457Fu, 0x00010101u, 0, 0, 0x00F30002u, 1, RAM_GPA, 52, 0, 0,
			    (32u << 16) | 52u, (0u << 16) | 1u, 0 };
	uint32_t ph[8] = { 1, seg, RAM_GPA, RAM_GPA, size, size, 7, 4 };
	memcpy(img, eh, sizeof(eh));
	memcpy(img + 52, ph, sizeof(ph));
	memcpy(img + seg, c->w, (size_t)c->n * 4);
	if (data)
		memcpy(img + seg + 0x100, data, strlen(data));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	bool ok = fd >= 0 && write(fd, img, seg + size) == (ssize_t)(seg + size);
	if (fd >= 0)
		close(fd);
	return ok;
}

/* --- running vm ------------------------------------------------------------- */

static char out[OUT_MAX + 1];

/* Start /bin/vm with args (NULL-terminated, without argv[0]), its output
 * (stdout and stderr) into a pipe whose read end goes to *fd; its pid. */
static pid_t start_vm(const char *const *args, int *fd)
{
	const char *argv[24] = { "/bin/vm" };
	int n = 1, fds[2];
	for (; args[n - 1] && n < 23; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	if (pipe(fds) != 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	*fd = fds[0];
	return pid;
}

/* Read fd to its end into out (what does not fit is read and dropped, so
 * the writer never blocks), then close it. */
static void read_all(int fd)
{
	uint32_t got = 0;
	ssize_t r;
	char sink[256];
	while ((r = read(fd, got < OUT_MAX ? out + got : sink,
			 got < OUT_MAX ? OUT_MAX - got : sizeof(sink))) > 0)
		got += got < OUT_MAX ? (uint32_t)r : 0;
	out[got] = '\0';
	close(fd);
}

/* Run vm with args to its end: its output is in out, its wait status
 * returned. */
static int run_vm(const char *const *args)
{
	int fd;
	pid_t pid = start_vm(args, &fd);
	if (pid < 0)
		return -1;
	read_all(fd);
	return wait_child(pid);
}

static bool said(const char *text)
{
	return strstr(out, text) != NULL;
}

/* Write code c (and data) as the guest in file path, and run it with 8
 * MiB of RAM: vm's wait status, or -1 if the file cannot be written. */
static int run_small(const char *path, const struct rv32_code *c, const char *data)
{
	const char *args[] = { "-m", "8", "-k", path, "-i", "", NULL };
	return write_guest(path, c, data) ? run_vm(args) : -1;
}

/* --- the tests ------------------------------------------------------------- */

static bool load_from_nowhere_stops_the_guest(void)
{
	struct rv32_code c = { .n = 0 };
	emit(&c, lui(T0, 0x40000u));
	emit(&c, lw(T1, T0, 0));
	emit(&c, INSN_SPIN);
	int st = run_small("/tmp/hv-nowhere", &c, NULL);
	CHECK(exited_with(st, BAD_GUEST));
	CHECK(said("vm: guest stopped: pc 0x80000004 accessed guest-physical 0x40000000, where"));
	CHECK(said("(scause 21)"));
	return true;
}

static bool store_past_the_end_of_ram_stops_the_guest(void)
{
	struct rv32_code c = { .n = 0 };
	li(&c, T0, RAM_GPA + (8u << 20));
	emit(&c, sw(T1, T0));
	emit(&c, INSN_SPIN);
	int st = run_small("/tmp/hv-past-end", &c, NULL);
	CHECK(exited_with(st, BAD_GUEST));
	CHECK(said("pc 0x80000008 accessed guest-physical 0x80800000") && said("(scause 23)"));
	return true;
}

/* The guest's own page tables at a guest-physical address with no RAM:
 * the hardware's walk (an implicit access) faults in the G-stage. */
static bool page_table_outside_ram_stops_the_guest(void)
{
	struct rv32_code c = { .n = 0 };
	li(&c, T0, 0x80000000u | (0x40000000u >> 12)); /* satp: Sv32, root at 0x40000000 */
	emit(&c, csrw(CSR_SATP, T0));
	li(&c, T1, 0x1000u);
	emit(&c, lw(A0, T1, 0));
	emit(&c, INSN_SPIN);
	int st = run_small("/tmp/hv-walk", &c, NULL);
	CHECK(exited_with(st, BAD_GUEST));
	/* The next fetch, at 0x8000000c, already walks the guest's tables:
	 * its root entry 0x200 is at 0x40000000 + 0x200 * 4. */
	CHECK(said("pc 0x8000000c accessed guest-physical 0x40000800"));
	return true;
}

/* hstatus from VS-mode: a virtual-instruction exception. */
static bool hypervisor_csr_from_the_guest_stops_it(void)
{
	struct rv32_code c = { .n = 0 };
	emit(&c, csrr(T0, 0x600));
	emit(&c, INSN_SPIN);
	int st = run_small("/tmp/hv-csr", &c, NULL);
	CHECK(exited_with(st, BAD_GUEST));
	CHECK(said("vm: guest stopped: pc 0x80000000: instruction 0x600022f3 cannot be emulated (scause 22)"));
	return true;
}

/* An extension the host does not know answers SBI_ERR_NOT_SUPPORTED (-2),
 * which the guest turns into its exit code. */
static bool unknown_sbi_call_is_not_supported(void)
{
	struct rv32_code c = { .n = 0 };
	li(&c, A7, 0x0A000000u);
	emit(&c, INSN_ECALL);
	emit(&c, sub(A0, ZERO, A0));
	exit_with(&c, A0, TEST_GPA);
	CHECK(exited_with(run_small("/tmp/hv-sbi", &c, NULL), 2));
	return true;
}

/* The probe finds DBCN (value 1, exit 11), and a DBCN write of a buffer
 * in guest RAM reaches vm's output; SRST shutdown then exits 0. */
static bool sbi_probe_console_and_reset(void)
{
	static const char hello[] = "hello from a guest of 8 MiB\n";
	struct rv32_code c = { .n = 0 };
	li(&c, A7, 0x4442434Eu);
	li(&c, A6, 0);
	li(&c, A0, (uint32_t)strlen(hello));
	li(&c, A1, RAM_GPA + 0x100);
	li(&c, A2, 0);
	emit(&c, INSN_ECALL);
	li(&c, A7, 0x53525354u);
	li(&c, A6, 0);
	li(&c, A0, 0);
	li(&c, A1, 0);
	emit(&c, INSN_ECALL);
	emit(&c, INSN_SPIN);
	CHECK(exited_with(run_small("/tmp/hv-hello", &c, hello), 0));
	CHECK(said(hello));
	c.n = 0;
	li(&c, A7, 0x10);
	li(&c, A6, 3);
	li(&c, A0, 0x4442434Eu);
	emit(&c, INSN_ECALL);
	emit(&c, addi(A1, A1, 10));
	exit_with(&c, A1, TEST_GPA);
	CHECK(exited_with(run_small("/tmp/hv-probe", &c, NULL), 11));
	return true;
}

/* VMIDs come in generations, as ASIDs do: with 7 bits, 127 guests use
 * them up and the next one starts a generation at VMID 1 again. Each of
 * 130 guests in turn gets the next number, then the numbers wrap, and
 * every guest still runs right. */
static bool vmids_wrap_into_a_new_generation(void)
{
	struct rv32_code c = { .n = 0 };
	li(&c, A7, 0x10);
	li(&c, A6, 3);
	li(&c, A0, 0x4442434Eu);
	emit(&c, INSN_ECALL);
	emit(&c, addi(A1, A1, 10));
	exit_with(&c, A1, TEST_GPA);
	CHECK(write_guest("/tmp/hv-vmid", &c, NULL));
	const char *args[] = { "-v", "-m", "4", "-k", "/tmp/hv-vmid", "-i", "", NULL };
	int last = 0, wraps = 0;
	for (int i = 0; i < 130; i++) {
		CHECK(exited_with(run_vm(args), 11));
		const char *v = strstr(out, "vm: vmid ");
		CHECK(v != NULL);
		int vmid = atoi(v + 9);
		CHECK(vmid >= 1 && vmid <= 127);
		if (i > 0 && vmid != last + 1) {
			CHECK(vmid == 1);
			wraps++;
		}
		last = vmid;
	}
	CHECK(wraps >= 1);
	return true;
}

/* A guest that never exits on its own still ends with its process: the
 * host's ticks come back to the host, which sees the kill. */
static bool spinning_guest_dies_with_its_process(void)
{
	struct rv32_code c = { .n = 0 };
	emit(&c, INSN_SPIN);
	CHECK(write_guest("/tmp/hv-spin", &c, NULL));
	static const char *const args[] = { "-m", "4", "-k", "/tmp/hv-spin", "-i", "", NULL };
	int fd;
	pid_t pid = start_vm(args, &fd);
	CHECK(pid > 0);
	usleep(300000);
	CHECK(kill(pid, SIGKILL) == 0);
	read_all(fd); /* its end: the pipe closes with the process */
	CHECK(killed_by(wait_child(pid), SIGKILL));
	return true;
}

/* The kernel itself, twice at once: each guest boots, runs memhog over
 * 4 MiB of its RAM and exits 0, each under its own VMID. */
static bool two_guests_at_once_have_their_own_vmids(void)
{
	static const char *const args[] = { "-v", "-m", "16", "--", "init=/bin/memhog", "quiet", "--",
					    "4", NULL };
	int fds[2];
	pid_t pids[2];
	for (int i = 0; i < 2; i++)
		CHECK((pids[i] = start_vm(args, &fds[i])) > 0);
	unsigned vmid[2] = { 0, 0 };
	for (int i = 0; i < 2; i++) {
		read_all(fds[i]);
		const char *v = strstr(out, "vm: vmid ");
		if (v)
			vmid[i] = (unsigned)atoi(v + 9);
		CHECK(said("memhog: checked"));
	}
	CHECK(exited_with(wait_child(pids[0]), 0));
	CHECK(exited_with(wait_child(pids[1]), 0));
	CHECK(vmid[0] != 0 && vmid[1] != 0 && vmid[0] != vmid[1]);
	return true;
}

static struct k_vmstat at_start;
static struct k_procinfo me_at_start;

/* Free swap slots, with those of this process's own pages (the host
 * swaps them too). */
static uint32_t slots_accounted(const struct k_vmstat *s, const struct k_procinfo *me)
{
	return s->swap_slots_free + me->swapped_pages + me->swapcached_pages;
}

/* Every frame the guests used is back: free, in the page cache (the ELF
 * files written), or this process's own. */
static bool nothing_leaks(void)
{
	struct k_vmstat now = stat_now();
	struct k_procinfo me = my_info();
	uint32_t before = frames_accounted(&at_start, &me_at_start), after = frames_accounted(&now, &me);
	printf("# free, page-cache and own frames %u -> %u\n", (unsigned)before, (unsigned)after);
	CHECK(after == before);
	CHECK(slots_accounted(&now, &me) == slots_accounted(&at_start, &me_at_start));
	return true;
}

/* --- swap: the host pages the guest's RAM out and back ------------------- */

static bool host_swaps_a_guest_that_sees_every_word(void)
{
	struct k_procinfo me_before = my_info();
	struct k_vmstat before = stat_now();
	const char *args[] = { "-m", "64", "--", "init=/bin/memhog", "quiet", "--", "24", "2", "rewrite",
			       NULL };
	int st = run_vm(args);
	struct k_vmstat after = stat_now();
	printf("# host swapouts %u -> %u, swapins %u -> %u\n", (unsigned)before.swapouts,
	       (unsigned)after.swapouts, (unsigned)before.swapins, (unsigned)after.swapins);
	CHECK(exited_with(st, 0));
	CHECK(said("memhog: checked"));
	CHECK(after.swapouts - before.swapouts > 2048);
	CHECK(after.swapins - before.swapins > 1024);
	struct k_procinfo me = my_info();
	CHECK(slots_accounted(&after, &me) == slots_accounted(&before, &me_before));
	return true;
}

int main(int argc, char **argv)
{
	static const struct test all[] = {
		T(load_from_nowhere_stops_the_guest),
		T(store_past_the_end_of_ram_stops_the_guest),
		T(page_table_outside_ram_stops_the_guest),
		T(hypervisor_csr_from_the_guest_stops_it),
		T(unknown_sbi_call_is_not_supported),
		T(sbi_probe_console_and_reset),
		T(spinning_guest_dies_with_its_process),
		T(vmids_wrap_into_a_new_generation),
		T(two_guests_at_once_have_their_own_vmids),
		T(nothing_leaks),
	};
	static const struct test swap[] = {
		T(host_swaps_a_guest_that_sees_every_word),
	};
	bool swapping = argc > 1 && strcmp(argv[1], "swap") == 0;
	const struct test *tests = swapping ? swap : all;
	int n = swapping ? (int)(sizeof(swap) / sizeof(swap[0])) : (int)(sizeof(all) / sizeof(all[0]));
	me_at_start = my_info();
	at_start = stat_now();
	printf("KTAP version 1\n1..%d\n", n + 1);
	int failed = run_tests(tests, n);
	failed += !books_balance(n + 1);
	printf("# %d passed, %d failed\n", n + 1 - failed, failed);
	return failed ? 1 : 0;
}
