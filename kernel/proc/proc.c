/*
 * The process table, the scheduler and the process life cycle. One run
 * queue, a FIFO, serves every hart: a process runs on whichever hart pops
 * it, so it moves between harts. Each hart's timer tick preempts the
 * process it runs in user mode. The kernel itself runs with interrupts off
 * except in the idle loop, so kernel code is never preempted; proc_lock
 * guards the run queue, the idle harts and the fields of struct proc
 * marked [proc_lock]. A hart with nothing to run waits in wfi; making a
 * process runnable sends an idle hart an IPI.
 */
#include "proc/proc.h"
#include "dev/power.h"
#include "fs/vfs.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "proc/file.h"
#include "proc/uapi.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "sbi/sbi.h"

#define KSTACK_MAGIC 0x57AC4B1Du /* at the bottom of every kernel stack */

#define FRAMES_PER_SLOT 16 /* one slot per 64 KiB of RAM: 2048 slots in 128 MiB */
#define NPROC_MIN 64
#define NPROC_MAX 32768

struct spinlock proc_lock = SPINLOCK_INIT("proc");
struct proc *procs;
int nproc, procs_high, proc_limit;
static int nlive; /* [proc_lock] slots in use */
static struct proc *rq_head, *rq_tail; /* runnable processes, FIFO */
static struct proc *initproc;
static int next_pid = 1;
static uint32_t idle_harts; /* [proc_lock] cpu index bits: harts waiting in the scheduler's wfi */
/* The sleepers, in lists by a hash of their channel: a wakeup walks one
 * list, which holds its own channel's sleepers and a few of others.
 * [proc_lock] */
#define CHAN_LISTS 64
static struct proc *chan_lists[CHAN_LISTS];
volatile uint64_t proc_ticks;

static void forkret(void);

void proc_init(void)
{
	uint32_t n = frame_count_total() / FRAMES_PER_SLOT;
	nproc = (int)MIN(MAX(n, (uint32_t)NPROC_MIN), (uint32_t)NPROC_MAX);
	uint32_t bytes = (uint32_t)nproc * sizeof(struct proc);
	paddr_t table = frame_alloc_contig((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	if (table == 0)
		panic("proc: no memory for a table of %d processes", nproc);
	procs = pa2kva(table); /* slots are zeroed as first used (alloc_proc) */
	proc_limit = nproc / 2;
}

/* Append p to the run queue; proc_lock held. */
static void rq_push(struct proc *p)
{
	spin_assert_held(&proc_lock);
	p->rq_next = NULL;
	if (rq_tail)
		rq_tail->rq_next = p;
	else
		rq_head = p;
	rq_tail = p;
}

/* The first runnable process that may run on hart c, or NULL, and in
 * *prev the one before it in the queue (NULL: it is the head); proc_lock
 * held. */
static struct proc *rq_find(const struct cpu *c, struct proc **prev)
{
	spin_assert_held(&proc_lock);
	struct proc *p = rq_head;
	*prev = NULL;
	while (p && !(p->affinity & (1u << c->index))) {
		*prev = p;
		p = p->rq_next;
	}
	return p;
}

/* Take the first runnable process that may run on hart c, or NULL;
 * proc_lock held. */
static struct proc *rq_pop(const struct cpu *c)
{
	struct proc *prev;
	struct proc *p = rq_find(c, &prev);
	if (p == NULL)
		return NULL;
	if (prev)
		prev->rq_next = p->rq_next;
	else
		rq_head = p->rq_next;
	if (rq_tail == p)
		rq_tail = prev;
	return p;
}

/* Wake one idle hart other than this one that may run p, if there is one;
 * proc_lock held. */
static void kick_idle_hart(const struct proc *p)
{
	spin_assert_held(&proc_lock);
	uint32_t others = idle_harts & p->affinity & ~(1u << mycpu()->index);
	if (others == 0)
		return;
	int i = __builtin_ctz(others);
	idle_harts &= ~(1u << i);
	sbi_send_ipi(1, cpus[i].hartid);
}

/* Make p runnable; proc_lock held. */
static void make_runnable(struct proc *p)
{
	spin_assert_held(&proc_lock);
	p->state = P_RUNNABLE;
	rq_push(p);
	kick_idle_hart(p);
}

/* An unused slot, or one never used (cleared now), or NULL when the
 * table is full; proc_lock held. */
static struct proc *free_slot(void)
{
	spin_assert_held(&proc_lock);
	for (int i = 0; i < procs_high; i++)
		if (procs[i].state == P_UNUSED)
			return &procs[i];
	if (procs_high == nproc)
		return NULL;
	struct proc *p = &procs[procs_high++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* Take an unused slot, with its kernel stack and trap frame ready: NULL
 * with *err -EAGAIN (no slot, or the process limit reached unless
 * limited is false) or -ENOMEM (no frame for the stack). */
static struct proc *alloc_proc(bool limited, int *err)
{
	paddr_t kstack = frame_alloc(0);
	*err = kstack ? -EAGAIN : -ENOMEM;
	if (kstack == 0)
		return NULL;
	spin_lock(&proc_lock);
	struct proc *p = limited && nlive >= proc_limit ? NULL : free_slot();
	if (p == NULL) {
		spin_unlock(&proc_lock);
		frame_free(kstack);
		return NULL;
	}
	p->state = P_EMBRYO;
	p->pid = next_pid++;
	nlive++;
	spin_unlock(&proc_lock);

	p->parent = NULL;
	p->chan = NULL;
	p->killed = 0;
	p->xstatus = 0;
	p->as = NULL;
	p->affinity = ALL_HARTS;
	memset(p->ofile, 0, sizeof(p->ofile));
	p->kstack = pa2kva(kstack);
	*(uint32_t *)p->kstack = KSTACK_MAGIC;
	p->tf = (struct trapframe *)(p->kstack + KSTACK_SIZE - sizeof(struct trapframe));
	memset(p->tf, 0, sizeof(*p->tf));
	memset(&p->ctx, 0, sizeof(p->ctx));
	p->ctx.ra = (uint32_t)(uintptr_t)forkret;
	p->ctx.sp = (uint32_t)(uintptr_t)p->tf;
	return p;
}

/* Give a slot back, and its kernel stack (a zombie's is no longer in
 * use: it switched away for good before proc_lock let anyone see it);
 * proc_lock held. */
static void free_proc(struct proc *p)
{
	spin_assert_held(&proc_lock);
	frame_free(kva2pa(p->kstack));
	p->kstack = NULL;
	p->state = P_UNUSED;
	p->pid = 0;
	p->parent = NULL;
	p->name[0] = '\0';
	nlive--;
}

void proc_start_init(const char *path, const char *const *argv, int argc)
{
	int err;
	struct proc *p = alloc_proc(false, &err);
	if (p == NULL)
		panic("init: no process slot (error %d)", err);
	p->ofile[0] = file_open_console(true, false);
	p->ofile[1] = file_open_console(false, true);
	p->ofile[2] = file_open_console(false, true);
	if (!p->ofile[0] || !p->ofile[1] || !p->ofile[2])
		panic("init: cannot open the console");
	err = proc_exec(p, path, argv, argc);
	if (err)
		panic("init: cannot run %s: error %d", path, err);
	initproc = p;
	spin_lock(&proc_lock);
	make_runnable(p);
	spin_unlock(&proc_lock);
}

/* Switch to the scheduler; proc_lock held, state already changed. */
static void sched(void)
{
	struct proc *p = myproc();
	spin_assert_held(&proc_lock);
	if (*(uint32_t *)p->kstack != KSTACK_MAGIC)
		panic("proc: kernel stack overflow in pid %d (%s)", p->pid, p->name);
	/* Only proc_lock may be held across a switch: a sleeper holding any
	 * other spinlock would leave the next taker spinning forever. */
	if (spin_depth() != 1)
		panic("proc: pid %d (%s) switches holding %d locks", p->pid, p->name, spin_depth());
	swtch(&p->ctx, mycpu()->scheduler);
}

void idle_wait(void)
{
	uint64_t before = read_instret();
	wfi();
	mycpu()->idle_instret += read_instret() - before;
}

/* The scheduler's idle, proc_lock held: leave the last process's address
 * space (it may run on another hart now and end there, freeing its root)
 * and empty the TLB (vm_idle), then say this hart is idle before
 * unlocking, so that a process made runnable after the unlock sends it an
 * IPI (which wfi notices even if it came first). Wait, and take the
 * interrupt that woke the hart with interrupts briefly on; its handler
 * runs after the idle count stops: it is work, not waiting. Returns with
 * proc_lock held again. */
static void idle(struct cpu *c)
{
	vm_idle();
	idle_harts |= 1u << c->index;
	spin_unlock(&proc_lock);
	idle_wait();
	intr_on();
	intr_off();
	spin_lock(&proc_lock);
	idle_harts &= ~(1u << c->index);
}

/* Each hart's loop. proc_lock is held from one pick to the next: a
 * process switching out holds it into here, so no other hart can pick it
 * (or reap it) before its registers are saved and this hart has loaded
 * another space or the kernel's. */
void scheduler(void)
{
	struct cpu *c = mycpu();
	struct context self;
	c->scheduler = &self;
	spin_lock(&proc_lock);
	for (;;) {
		struct proc *p = rq_pop(c);
		if (p == NULL) {
			idle(c);
			continue;
		}
		p->state = P_RUNNING;
		p->hart = c->hartid;
		c->proc = p;
		vm_activate(p->as);
		c->context_switches++;
		swtch(&self, &p->ctx);
		c->proc = NULL;
	}
}

/* A new process's first scheduling lands here, holding proc_lock. */
static void forkret(void)
{
	spin_unlock(&proc_lock);
	/* The kernel runs with interrupts off except in the idle loop; a
	 * process must not start with them on (a trap could then arrive
	 * between user_return's sscratch write and sret). */
	if (intr_enabled())
		panic("proc: pid %d starts with interrupts on", myproc()->pid);
	user_return(myproc()->tf);
}

/* With nothing else runnable here, the caller just goes on (a tick of a
 * process alone on its hart costs no switch), unless it may no longer
 * run on this hart. */
void yield(void)
{
	struct proc *p = myproc(), *prev;
	struct cpu *c = mycpu();
	spin_lock(&proc_lock);
	if (rq_find(c, &prev) || !(p->affinity & (1u << c->index))) {
		make_runnable(p);
		sched();
	}
	spin_unlock(&proc_lock);
}

static struct proc **chan_list(const void *chan)
{
	uintptr_t a = (uintptr_t)chan;
	return &chan_lists[(a >> 3 ^ a >> 9) % CHAN_LISTS];
}

void sleep(void *chan, struct spinlock *lk)
{
	struct proc *p = myproc();
	if (lk != &proc_lock) {
		spin_lock(&proc_lock);
		spin_unlock(lk);
	}
	p->chan = chan;
	p->state = P_SLEEPING;
	struct proc **list = chan_list(chan);
	p->chan_next = *list;
	p->chan_prev = list;
	if (*list)
		(*list)->chan_prev = &p->chan_next;
	*list = p;
	sched();
	p->chan = NULL;
	if (lk != &proc_lock) {
		spin_unlock(&proc_lock);
		spin_lock(lk);
	}
}

bool sleep_possible(void)
{
	return myproc() != NULL;
}

bool sleep_killed(void)
{
	return myproc()->killed != 0;
}

/* The kernel runs with interrupts off, so a system call that moves
 * megabytes (a console write of a big mapping, a read of a long sparse
 * file) would hold its hart, and the tick that ends its time slice, until
 * it returned; on one hart no other process could run meanwhile, not even
 * one that means to kill it. Between its parts the call comes here. */
bool syscall_pause(void)
{
	uint32_t pending = csr_read(sip) & csr_read(sie);
	if (pending) {
		if (spin_depth() != 0)
			panic("proc: pid %d pauses holding %d locks", myproc()->pid, spin_depth());
		intr_on(); /* the pending trap is taken here */
		intr_off();
		if (pending & SIE_STIE)
			yield();
	}
	return !sleep_killed();
}

/* A sleeper leaves its channel's list and becomes runnable; proc_lock held. */
static void wake(struct proc *p)
{
	*p->chan_prev = p->chan_next;
	if (p->chan_next)
		p->chan_next->chan_prev = p->chan_prev;
	make_runnable(p);
}

/* Wake the sleepers on chan; proc_lock held. */
static void wakeup_locked(void *chan)
{
	spin_assert_held(&proc_lock);
	struct proc *next;
	for (struct proc *p = *chan_list(chan); p; p = next) {
		next = p->chan_next;
		if (p->chan == chan)
			wake(p);
	}
}

void wakeup(void *chan)
{
	spin_lock(&proc_lock);
	wakeup_locked(chan);
	spin_unlock(&proc_lock);
}

/* proc_ticks changes under proc_lock, so a sleeper that checked it under
 * the same lock cannot miss the tick that ends its sleep. */
void proc_tick(void)
{
	spin_lock(&proc_lock);
	proc_ticks++;
	wakeup_locked((void *)&proc_ticks);
	spin_unlock(&proc_lock);
}

int proc_sleep_ticks(uint64_t n)
{
	spin_lock(&proc_lock);
	uint64_t until = proc_ticks + n;
	while (proc_ticks < until) {
		if (myproc()->killed) {
			spin_unlock(&proc_lock);
			return -EINTR;
		}
		sleep((void *)&proc_ticks, &proc_lock);
	}
	spin_unlock(&proc_lock);
	return 0;
}

int proc_fork(void)
{
	struct proc *p = myproc();
	int err;
	struct proc *np = alloc_proc(true, &err);
	if (np == NULL)
		return err;
	np->as = vm_create();
	if (np->as)
		np->as->pid = np->pid;
	if (np->as == NULL || vm_copy(np->as, p->as) != 0) {
		if (np->as)
			vm_destroy(np->as);
		np->as = NULL;
		spin_lock(&proc_lock);
		free_proc(np);
		spin_unlock(&proc_lock);
		return -ENOMEM;
	}
	*np->tf = *p->tf;
	np->tf->regs[REG_A0] = 0; /* fork returns 0 in the child */
	for (int fd = 0; fd < NOFILE; fd++)
		if (p->ofile[fd])
			np->ofile[fd] = file_dup(p->ofile[fd]);
	np->cwd = p->cwd;
	if (np->cwd)
		vnode_hold(np->cwd);
	memcpy(np->name, p->name, sizeof(p->name));
	int pid = np->pid;
	spin_lock(&proc_lock);
	np->parent = p;
	np->affinity = p->affinity; /* as Linux: a child runs where its parent may */
	make_runnable(np);
	spin_unlock(&proc_lock);
	return pid;
}

const char *signal_name(int sig)
{
	switch (sig) {
	case K_SIGILL: return "SIGILL";
	case K_SIGTRAP: return "SIGTRAP";
	case K_SIGBUS: return "SIGBUS";
	case K_SIGKILL: return "SIGKILL";
	case K_SIGSEGV: return "SIGSEGV";
	case K_SIGTERM: return "SIGTERM";
	default: return "signal";
	}
}

/* What QEMU's exit status is when init dies by a signal, as a shell
 * would report it. */
#define EXIT_SIGNAL_BASE 128

static void init_ended(int xstatus) __attribute__((noreturn));
static void init_ended(int xstatus)
{
	int sig = xstatus & 0x7f;
	if (sig) {
		fs_shutdown();
		kprintf("init killed by %s\n", signal_name(sig));
		machine_exit(EXIT_SIGNAL_BASE + sig);
	}
	int code = (xstatus >> 8) & 0xff;
	fs_shutdown();
	kprintf("init exited with status %d\n", code);
	machine_exit(code);
}

void proc_exit(int xstatus)
{
	struct proc *p = myproc();
	if (p == initproc)
		init_ended(xstatus);
	for (int fd = 0; fd < NOFILE; fd++) {
		if (p->ofile[fd]) {
			file_close(p->ofile[fd]);
			p->ofile[fd] = NULL;
		}
	}
	if (p->cwd) {
		vnode_put(p->cwd);
		p->cwd = NULL;
	}
	/* A shared mapping's stores reach the disk at exit: now, while the
	 * process still has its address space to sleep in. */
	if (vm_maps_shared(p->as))
		vfs_sync();
	vm_deactivate(); /* leave the address space before freeing it */
	vm_destroy(p->as);
	p->as = NULL;

	spin_lock(&proc_lock);
	bool orphaned_zombie = false;
	for (int i = 0; i < procs_high; i++) {
		if (procs[i].parent == p && procs[i].state != P_UNUSED) {
			procs[i].parent = initproc;
			orphaned_zombie |= procs[i].state == P_ZOMBIE;
		}
	}
	if (orphaned_zombie)
		wakeup_locked(initproc);
	p->xstatus = xstatus;
	p->state = P_ZOMBIE;
	wakeup_locked(p->parent);
	sched();
	panic("proc: zombie %d ran again", p->pid);
}

int proc_wait(int pid, uint32_t ustatus, int options)
{
	struct proc *p = myproc();
	if (ustatus && !vm_range_ok(p->as, ustatus, sizeof(int), VM_W))
		return -EFAULT;
	if (options & ~K_WNOHANG)
		return -EINVAL;
	spin_lock(&proc_lock);
	for (;;) {
		bool have_kids = false;
		for (int i = 0; i < procs_high; i++) {
			struct proc *q = &procs[i];
			if (q->parent != p || q->state == P_UNUSED || (pid > 0 && q->pid != pid))
				continue;
			have_kids = true;
			if (q->state != P_ZOMBIE)
				continue;
			int qpid = q->pid, xs = q->xstatus;
			free_proc(q);
			spin_unlock(&proc_lock);
			if (ustatus && copyout(ustatus, &xs, sizeof(xs)) != 0)
				return -EFAULT;
			return qpid;
		}
		if (!have_kids) {
			spin_unlock(&proc_lock);
			return -ECHILD;
		}
		if ((options & K_WNOHANG) || p->killed) {
			spin_unlock(&proc_lock);
			return (options & K_WNOHANG) ? 0 : -EINTR;
		}
		sleep(p, &proc_lock);
	}
}

int proc_kill(int pid, int sig)
{
	if (sig != 0 && sig != K_SIGKILL && sig != K_SIGTERM)
		return -EINVAL;
	if (pid <= 0)
		return -ESRCH;
	spin_lock(&proc_lock);
	for (int i = 0; i < procs_high; i++) {
		struct proc *p = &procs[i];
		if (p->pid != pid || p->state == P_UNUSED)
			continue;
		int err = 0;
		if (sig != 0 && p == initproc)
			err = -EPERM;
		else if (sig != 0 && p->state != P_ZOMBIE && !p->killed) {
			p->killed = sig;
			if (p->state == P_SLEEPING)
				wake(p);
		}
		spin_unlock(&proc_lock);
		return err;
	}
	spin_unlock(&proc_lock);
	return -ESRCH;
}

/* The cpu index bits of the running harts whose ids hart_mask names (0:
 * every hart). */
static uint32_t harts_named(uint32_t hart_mask)
{
	uint32_t on = 0;
	for (int i = 0; i < ncpus; i++)
		if (hart_mask == 0 || (hart_mask >> cpus[i].hartid) & 1)
			on |= 1u << i;
	return on;
}

int proc_set_affinity(int pid, uint32_t hart_mask)
{
	uint32_t allowed = harts_named(hart_mask);
	if (allowed == 0)
		return -EINVAL;
	struct proc *me = myproc();
	spin_lock(&proc_lock);
	struct proc *p = NULL;
	for (int i = 0; i < procs_high && p == NULL; i++)
		if (procs[i].pid == (pid ? pid : me->pid) && procs[i].state != P_UNUSED &&
		    procs[i].state != P_ZOMBIE)
			p = &procs[i];
	if (p)
		p->affinity = allowed;
	spin_unlock(&proc_lock);
	if (p == NULL)
		return -ESRCH;
	if (p == me && !(allowed & (1u << mycpu()->index)))
		yield(); /* off this hart now: only an allowed one picks it again */
	return 0;
}

void proc_kill_fault(int sig, const char *fmt, ...)
{
	struct proc *p = myproc();
	char why[160];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	kprintf("pid %d (%s): killed (%s): %s\n", p->pid, p->name, signal_name(sig), why);
	spin_lock(&proc_lock);
	vm_stats.faults_kill++;
	p->killed = sig;
	spin_unlock(&proc_lock);
}

uint64_t proc_idle_instret(void)
{
	uint64_t sum = 0;
	for (int i = 0; i < ncpus; i++)
		sum += cpus[i].idle_instret;
	return sum;
}

uint32_t proc_context_switches(void)
{
	uint32_t sum = 0;
	for (int i = 0; i < ncpus; i++)
		sum += cpus[i].context_switches;
	return sum;
}
