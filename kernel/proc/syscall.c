/*
 * System calls: the number in a7 picks a handler, the arguments are a0-a5
 * of the trap frame, and the result (or a negative errno) goes back in a0.
 * Every pointer from user space goes through copyin/copyout/copyinstr or
 * is checked with vm_range_ok before use.
 */
#include "proc/syscall.h"
#include "dev/power.h"
#include "kernel.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "fs/vfs.h"
#include "mm/frame.h"
#include "mm/pagecache.h"
#include "mm/phys.h"
#include "mm/reclaim.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "dev/virtio_blk.h"
#include "proc/cpio.h"
#include "proc/file.h"
#include "proc/proc.h"
#include "proc/uapi.h"
#include "riscv/asid.h"
#include "riscv/csr.h"
#include "riscv/hv.h"
#include "riscv/timer.h"

#define USEC_PER_SEC 1000000u
#define NSEC_PER_SEC 1000000000u

struct file *fd_file(int fd)
{
	if (fd < 0 || fd >= NOFILE)
		return NULL;
	return myproc()->ofile[fd];
}

/* The lowest free descriptor at or above from, given f; -EMFILE if none. */
int fd_install(struct file *f, int from)
{
	struct proc *p = myproc();
	for (int fd = from; fd < NOFILE; fd++) {
		if (p->ofile[fd] == NULL) {
			p->ofile[fd] = f;
			return fd;
		}
	}
	return -EMFILE;
}

static int32_t sys_exit(struct trapframe *tf)
{
	proc_exit(K_W_EXITCODE((int)ARG(tf, 0)));
}

static int32_t sys_fork(struct trapframe *tf)
{
	(void)tf;
	return proc_fork();
}

/* Copy argv (a user array of user strings) into buf as kernel strings. */
static int copy_args(uint32_t uargv, char *buf, uint32_t size, const char **argv)
{
	uint32_t used = 0;
	for (int argc = 0;; argc++) {
		uint32_t uarg;
		if (copyin(&uarg, uargv + argc * sizeof(uint32_t), sizeof(uarg)) != 0)
			return -EFAULT;
		if (uarg == 0)
			return argc;
		if (argc == EXEC_MAX_ARGS || used == size)
			return -E2BIG;
		int n = copyinstr(buf + used, uarg, size - used);
		if (n == -ENAMETOOLONG)
			return -E2BIG;
		if (n < 0)
			return n;
		argv[argc] = buf + used;
		used += (uint32_t)n + 1;
	}
}

static int32_t sys_execve(struct trapframe *tf)
{
	char path[K_PATH_MAX];
	int n = copyinstr(path, ARG(tf, 0), sizeof(path));
	if (n < 0)
		return n;
	paddr_t page = frame_alloc(0);
	if (page == 0)
		return -ENOMEM;
	const char *argv[EXEC_MAX_ARGS];
	int argc = copy_args(ARG(tf, 1), pa2kva(page), EXEC_ARG_BYTES, argv);
	int err = argc < 0 ? argc : proc_exec(myproc(), path, argv, argc);
	frame_free(page);
	/* On success the trap frame holds the new program's registers. */
	return err ? err : (int32_t)tf->regs[REG_A0];
}

static int32_t sys_waitpid(struct trapframe *tf)
{
	return proc_wait((int)ARG(tf, 0), ARG(tf, 1), (int)ARG(tf, 2));
}

static int32_t sys_getpid(struct trapframe *tf)
{
	(void)tf;
	return myproc()->pid;
}

static int32_t sys_getppid(struct trapframe *tf)
{
	(void)tf;
	struct proc *parent = myproc()->parent;
	return parent ? parent->pid : 0;
}

static int32_t sys_kill(struct trapframe *tf)
{
	return proc_kill((int)ARG(tf, 0), (int)ARG(tf, 1));
}

static int32_t sys_sched_yield(struct trapframe *tf)
{
	(void)tf;
	yield();
	return 0;
}

static int32_t sys_usleep(struct trapframe *tf)
{
	uint64_t us = ARG(tf, 0);
	/* One tick more than the time asked, as the current tick is partly
	 * over: a sleep never ends early. */
	return proc_sleep_ticks((us * HZ + USEC_PER_SEC - 1) / USEC_PER_SEC + 1);
}

static int32_t sys_uptime(struct trapframe *tf)
{
	uint64_t t = read_time(), hz = timer_timebase_hz();
	struct k_timespec ts = { .sec = (uint32_t)(t / hz),
				 .nsec = (uint32_t)((t % hz) * NSEC_PER_SEC / hz) };
	return copyout(ARG(tf, 0), &ts, sizeof(ts));
}

static int32_t sys_brk(struct trapframe *tf)
{
	struct addrspace *as = myproc()->as;
	uint32_t want = ARG(tf, 0);
	if (want != 0)
		vm_set_brk(as, want); /* on failure the break stays where it was */
	return (int32_t)as->brk;
}

static int32_t sys_pipe(struct trapframe *tf)
{
	struct file *rd, *wr;
	int err = file_pipe(&rd, &wr);
	if (err)
		return err;
	struct proc *p = myproc();
	int fds[2];
	fds[0] = fd_install(rd, 0);
	fds[1] = fds[0] < 0 ? -EMFILE : fd_install(wr, 0);
	err = fds[1] < 0 ? -EMFILE : copyout(ARG(tf, 0), fds, sizeof(fds));
	if (err) {
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				p->ofile[fds[i]] = NULL;
		file_close(rd);
		file_close(wr);
	}
	return err;
}

static int32_t sys_read(struct trapframe *tf)
{
	struct file *f = fd_file((int)ARG(tf, 0));
	return f ? file_read(f, ARG(tf, 1), ARG(tf, 2)) : -EBADF;
}

static int32_t sys_write(struct trapframe *tf)
{
	struct file *f = fd_file((int)ARG(tf, 0));
	return f ? file_write(f, ARG(tf, 1), ARG(tf, 2)) : -EBADF;
}

static int32_t sys_close(struct trapframe *tf)
{
	int fd = (int)ARG(tf, 0);
	struct file *f = fd_file(fd);
	if (f == NULL)
		return -EBADF;
	myproc()->ofile[fd] = NULL;
	file_close(f);
	return 0;
}

static int32_t sys_dup(struct trapframe *tf)
{
	struct file *f = fd_file((int)ARG(tf, 0));
	if (f == NULL)
		return -EBADF;
	int fd = fd_install(f, 0);
	if (fd >= 0)
		file_dup(f);
	return fd;
}

static int32_t sys_dup2(struct trapframe *tf)
{
	int oldfd = (int)ARG(tf, 0), newfd = (int)ARG(tf, 1);
	struct file *f = fd_file(oldfd);
	if (f == NULL || newfd < 0 || newfd >= NOFILE)
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	struct proc *p = myproc();
	if (p->ofile[newfd])
		file_close(p->ofile[newfd]);
	p->ofile[newfd] = file_dup(f);
	return newfd;
}


static int32_t sys_mmap(struct trapframe *tf)
{
	uint32_t flags = ARG(tf, 3);
	const uint8_t *data = NULL;
	uint32_t size = 0;
	uint32_t addr;
	if (!(flags & K_MAP_ANONYMOUS)) {
		struct file *f = fd_file((int)ARG(tf, 4));
		if (f == NULL)
			return -EBADF;
		if (f->type == F_VNODE) {
			int err = sys_mmap_vnode(f, tf, &addr);
			return err ? err : (int32_t)addr;
		}
		if (f->type != F_INITRD)
			return -ENODEV;
		data = f->data;
		size = f->size;
	}
	int err = vm_mmap(myproc()->as, ARG(tf, 0), ARG(tf, 1), ARG(tf, 2), flags, data, size,
			  ARG(tf, 5), &addr);
	return err ? err : (int32_t)addr;
}

/* A shared mapping's stores reach the disk when it goes (the pages'
 * D bits moved to the cache as they were unmapped). */
static int32_t sys_munmap(struct trapframe *tf)
{
	bool shared = vm_maps_shared(myproc()->as);
	int err = vm_munmap(myproc()->as, ARG(tf, 0), ARG(tf, 1));
	if (err == 0 && shared)
		err = vfs_sync();
	return err;
}

static int32_t sys_mprotect(struct trapframe *tf)
{
	return vm_mprotect(myproc()->as, ARG(tf, 0), ARG(tf, 1), ARG(tf, 2));
}

static int32_t sys_vmwalk(struct trapframe *tf)
{
	struct addrspace *as = myproc()->as;
	uint32_t va = ARG(tf, 0);
	struct sv32_xlate x;
	struct k_vmwalk w = { .satp = csr_read(satp) };
	w.asid = (w.satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK;
	w.fault = sv32_translate(as->root, va, SV32_LOAD, SV32_USER | SV32_HWAD, &x);
	w.pte1_pa = x.pte1_pa;
	w.pte1 = x.pte1;
	w.pte0_pa = x.pte0_pa;
	w.pte0 = x.pte0;
	w.pa = x.pa;
	w.level = x.level;
	return copyout(ARG(tf, 1), &w, sizeof(w));
}

/* The counters that differ from hart to hart. */
static void hart_stats(struct k_vmstat *s)
{
	s->nharts = (uint32_t)ncpus;
	for (int i = 0; i < ncpus && i < K_MAX_HARTS; i++)
		s->harts[i] = (struct k_hartstat){
			.hartid = cpus[i].hartid,
			.context_switches = cpus[i].context_switches,
			.ipis = cpus[i].ipis,
			.idle_instret_lo = (uint32_t)cpus[i].idle_instret,
			.idle_instret_hi = (uint32_t)(cpus[i].idle_instret >> 32),
		};
}

/* The swap slots, and the pages read ahead of faults. */
static void swap_stats(struct k_vmstat *s)
{
	s->swap_slots_total = swap_total_slots();
	s->swap_slots_free = swap_free_slots();
	s->swap_readahead = vm_stats.swap_readahead;
}

/* The page cache's counters and the file-system disk's. */
static void cache_stats(struct k_vmstat *s)
{
	struct pc_stats c = pc_stats();
	struct vblk_stats disk = vblk_stats(vblk_disk(VBLK_FS));
	s->cache_pages = c.pages;
	s->cache_dirty = pc_count_dirty();
	s->cache_hits = c.hits;
	s->cache_misses = c.misses;
	s->cache_writebacks = c.writebacks;
	s->faults_cache = vm_stats.faults_cache;
	s->fs_disk_reads = disk.reads;
	s->fs_disk_writes = disk.writes;
}

/* The replacement policy's counters. */
static void reclaim_stats(struct k_vmstat *s)
{
	s->evictions = vm_stats.evictions;
	s->evictions_clean = vm_stats.evictions_clean;
	s->reclaim_examined = vm_stats.reclaim_examined;
	s->ghost_hits = vm_stats.ghost_hits;
	s->hot_admissions = vm_stats.hot_admissions;
}

static int32_t sys_vmstat(struct trapframe *tf)
{
	const struct asid_stats *a = asid_stats();
	uint64_t idle = proc_idle_instret();
	struct vblk_stats disk = vblk_stats(vblk_disk(VBLK_SWAP));
	struct k_vmstat s = {
		.frames_total = frame_count_total(),
		.frames_free = frame_count_free(),
		.faults_zero = vm_stats.faults_zero,
		.faults_file = vm_stats.faults_file,
		.faults_swapin = vm_stats.faults_swapin,
		.faults_cow_copy = vm_stats.faults_cow_copy,
		.faults_cow_reuse = vm_stats.faults_cow_reuse,
		.faults_kill = vm_stats.faults_kill,
		.faults_ad = vm_stats.faults_ad,
		.swapins = vm_stats.swapins,
		.swapouts = vm_stats.swapouts,
		.disk_reads = disk.reads,
		.disk_writes = disk.writes,
		.disk_errors = disk.errors,
		.user_frames = reclaim_user_frames(),
		.user_frames_max = reclaim_user_frames_max(),
		.tlb_asid_fences = a->asid_fences,
		.ticks = (uint32_t)proc_ticks,
		.boot_instret_lo = (uint32_t)boot_instret,
		.boot_instret_hi = (uint32_t)(boot_instret >> 32),
		.asid_generation = a->generation,
		.asid_rollovers = a->rollovers,
		.tlb_full_fences = a->full_fences,
		.tlb_page_fences = a->page_fences,
		.context_switches = proc_context_switches(),
		.idle_instret_lo = (uint32_t)idle,
		.idle_instret_hi = (uint32_t)(idle >> 32),
		.tlb_shootdowns = a->shootdowns,
		.tlb_shootdown_harts = a->harts_targeted,
		.tlb_idle_fences = a->idle_fences,
		.vm_checks = vm_stats.checks,
	};
	hart_stats(&s);
	swap_stats(&s);
	cache_stats(&s);
	reclaim_stats(&s);
	return copyout(ARG(tf, 0), &s, sizeof(s));
}

/* The index-th process in use, as seen under proc_lock, and its space. */
static bool proc_at(uint32_t index, struct k_procinfo *info, const struct addrspace **as)
{
	static const uint32_t states[] = {
		[P_EMBRYO] = K_PROC_RUNNABLE, [P_RUNNABLE] = K_PROC_RUNNABLE,
		[P_RUNNING] = K_PROC_RUNNING, [P_SLEEPING] = K_PROC_SLEEPING,
		[P_ZOMBIE] = K_PROC_ZOMBIE,
	};
	uint32_t seen = 0;
	bool found = false;
	spin_lock(&proc_lock);
	for (int i = 0; i < procs_high && !found; i++) {
		struct proc *p = &procs[i];
		if (p->state == P_UNUSED || seen++ != index)
			continue;
		*info = (struct k_procinfo){
			.pid = p->pid,
			.ppid = p->parent ? p->parent->pid : 0,
			.state = states[p->state],
			.hart = p->state == P_RUNNING ? (int32_t)p->hart : -1,
		};
		memcpy(info->name, p->name, sizeof(info->name));
		*as = p->as;
		found = true;
	}
	spin_unlock(&proc_lock);
	return found;
}

/* The memory figures come after proc_lock is let go (vm_lock is taken
 * before proc_lock, never after), from the space as it is then. */
static int32_t sys_procinfo(struct trapframe *tf)
{
	struct k_procinfo info;
	const struct addrspace *as;
	if (!proc_at(ARG(tf, 0), &info, &as))
		return -ESRCH;
	struct vm_usage u;
	if (as && vm_usage(as, info.pid, &u) == 0) {
		info.resident_pages = u.resident;
		info.swapped_pages = u.swapped;
		info.swapcached_pages = u.swapcached;
		info.cache_pages = u.cache;
		info.table_bytes = u.table_bytes;
	}
	return copyout(ARG(tf, 1), &info, sizeof(info));
}

static int32_t sys_readdir(struct trapframe *tf)
{
	struct cpio_file cf;
	int err = cpio_entry(initrd_data(), initrd_size(), ARG(tf, 0), &cf);
	if (err)
		return err;
	uint32_t len = strlen(cf.name) + 1;
	if (len > ARG(tf, 2))
		return -ENAMETOOLONG;
	return copyout(ARG(tf, 1), cf.name, len);
}

static int32_t sys_poweroff(struct trapframe *tf)
{
	(void)tf;
	fs_shutdown();
	kprintf("power: off (requested by pid %d)\n", myproc()->pid);
	power_off();
}

static int32_t sys_vmprint(struct trapframe *tf)
{
	(void)tf;
	vm_print(myproc()->as);
	return 0;
}

static int32_t sys_vmcheck(struct trapframe *tf)
{
	(void)tf;
	return (int32_t)vm_check();
}

static int32_t sys_setaffinity(struct trapframe *tf)
{
	return proc_set_affinity((int)ARG(tf, 0), ARG(tf, 1));
}

static int32_t sys_vmcreate(struct trapframe *tf)
{
	struct k_vm_setup s;
	if (copyin(&s, ARG(tf, 0), sizeof(s)) != 0)
		return -EFAULT;
	int err = hv_create(&s);
	if (err)
		return err;
	return copyout(ARG(tf, 0), &s, sizeof(s));
}

static int32_t sys_vmrun(struct trapframe *tf)
{
	struct k_vm_exit e;
	if (!vm_range_ok(myproc()->as, ARG(tf, 0), sizeof(e), VM_W))
		return -EFAULT;
	int err = hv_run(&e);
	if (err)
		return err;
	return copyout(ARG(tf, 0), &e, sizeof(e));
}

static int32_t sys_vmgwalk(struct trapframe *tf)
{
	struct k_vm_gwalk w;
	int err = hv_gwalk(ARG(tf, 0), &w);
	if (err)
		return err;
	return copyout(ARG(tf, 1), &w, sizeof(w));
}

const syscall_fn syscalls[SYS_MAX + 1] = {
	[SYS_exit] = sys_exit,		 [SYS_fork] = sys_fork,
	[SYS_execve] = sys_execve,	 [SYS_waitpid] = sys_waitpid,
	[SYS_getpid] = sys_getpid,	 [SYS_getppid] = sys_getppid,
	[SYS_kill] = sys_kill,		 [SYS_sched_yield] = sys_sched_yield,
	[SYS_usleep] = sys_usleep,	 [SYS_uptime] = sys_uptime,
	[SYS_brk] = sys_brk,		 [SYS_pipe] = sys_pipe,
	[SYS_read] = sys_read,		 [SYS_write] = sys_write,
	[SYS_close] = sys_close,	 [SYS_dup] = sys_dup,
	[SYS_open] = sys_open,		 [SYS_vmwalk] = sys_vmwalk,
	[SYS_vmstat] = sys_vmstat,	 [SYS_procinfo] = sys_procinfo,
	[SYS_readdir] = sys_readdir,	 [SYS_poweroff] = sys_poweroff,
	[SYS_dup2] = sys_dup2,		 [SYS_mmap] = sys_mmap,
	[SYS_munmap] = sys_munmap,	 [SYS_mprotect] = sys_mprotect,
	[SYS_vmprint] = sys_vmprint,	 [SYS_setaffinity] = sys_setaffinity,
	[SYS_vmcheck] = sys_vmcheck,	 [SYS_lseek] = sys_lseek,
	[SYS_fstat] = sys_fstat,	 [SYS_stat] = sys_stat,
	[SYS_ftruncate] = sys_ftruncate, [SYS_fsync] = sys_fsync,
	[SYS_unlink] = sys_unlink,	 [SYS_rename] = sys_rename,
	[SYS_mkdir] = sys_mkdir,	 [SYS_rmdir] = sys_rmdir,
	[SYS_getdents] = sys_getdents,	 [SYS_chdir] = sys_chdir,
	[SYS_getcwd] = sys_getcwd,	 [SYS_msync] = sys_msync,
	[SYS_sync] = sys_sync,		 [SYS_dropcache] = sys_dropcache,
	[SYS_vmcreate] = sys_vmcreate,	 [SYS_vmrun] = sys_vmrun,
	[SYS_vmgwalk] = sys_vmgwalk,
};
