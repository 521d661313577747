/*
 * Processes: the table, the run queue and scheduler, sleep/wakeup, and
 * the life cycle (fork, exec, exit, wait, kill). One lock, proc_lock,
 * guards the run queue and the fields of struct proc marked [proc_lock];
 * the others belong to the process itself (only it touches them, or its
 * creator before it first runs).
 */
#ifndef PROC_PROC_H
#define PROC_PROC_H

#include "lib/spinlock.h"
#include "proc/sleep.h"
#include "lib/types.h"
#include "riscv/cpu.h"
#include "riscv/trap.h"

#define NOFILE 16
#define KSTACK_SIZE PAGE_SIZE /* one frame, taken at fork; the deepest path seen uses 1.5 KiB */
#define PROC_NAME_MAX 16
#define ALL_HARTS ((1u << MAX_HARTS) - 1)

/* Callee-saved registers, what swtch saves and restores. */
struct context {
	uint32_t ra, sp;
	uint32_t s[12];
};

enum procstate { P_UNUSED, P_EMBRYO, P_RUNNABLE, P_RUNNING, P_SLEEPING, P_ZOMBIE };

struct file;
struct vnode;
struct addrspace;

struct proc {
	enum procstate state; /* [proc_lock] */
	int pid;              /* [proc_lock] to set; fixed while the slot is in use */
	struct proc *parent;  /* [proc_lock] */
	void *chan;           /* [proc_lock] what it sleeps on */
	struct proc *chan_next, **chan_prev; /* [proc_lock] its channel's list of sleepers */
	int killed;           /* [proc_lock] to set: the signal that ends it at the next
			       * return to user; 0 if none */
	int xstatus;          /* [proc_lock] wait status, once a zombie */
	struct proc *rq_next; /* [proc_lock] run-queue link */
	uint32_t hart;        /* [proc_lock] the hart id it runs or last ran on */
	uint32_t affinity;    /* [proc_lock] cpu index bits: the harts that may run it */
	struct addrspace *as;
	uint8_t *kstack;      /* KSTACK_SIZE bytes, a frame of its own while the slot is in
			       * use; the trap frame sits at the top */
	struct trapframe *tf;
	struct context ctx;
	struct file *ofile[NOFILE];
	struct vnode *cwd;    /* the working directory, held; NULL: the root */
	char name[PROC_NAME_MAX];
};

extern struct spinlock proc_lock;
/* The process table, sized by memory at boot (proc_init): nproc slots,
 * of which the first procs_high have ever been used (table scans stop
 * there; the others are not even cleared yet). At most proc_limit processes live at once, as Linux's default
 * RLIMIT_NPROC: half the table, so a fork bomb fails with EAGAIN while
 * the kernel still has the memory to kill it. There are no user ids: all
 * processes count against the one limit but init, which is the kernel's
 * way to clean up. */
extern struct proc *procs;
extern int nproc, procs_high, proc_limit;

/* The process running on this hart, or NULL. */
static inline struct proc *myproc(void)
{
	return mycpu()->proc;
}

/* Make the process table: one slot per 16 frames of RAM (so kernel
 * stacks take at most a sixteenth of it), 64 to 32768. */
void proc_init(void);
/* Start the first process running path with argv (kernel strings). */
void proc_start_init(const char *path, const char *const *argv, int argc);
/* Run processes forever on this hart. */
void scheduler(void) __attribute__((noreturn));

/* Give up the CPU to a process that waits for it, if one does (else go on);
 * the caller stays runnable. */
void yield(void);
/* Count a timer tick: wake timed sleepers. */
void proc_tick(void);
/* The tick count [proc_lock], which timed sleepers wait on. */
extern volatile uint64_t proc_ticks;
/* Sleep n ticks: 0, or -EINTR when killed first. */
int proc_sleep_ticks(uint64_t n);

/* POSIX fork: a child with a copy-on-write copy of the caller's address
 * space, its open files (shared) and its registers, returning 0 in the
 * child. The child's pid, -EAGAIN with no process slot free, or -ENOMEM. */
int proc_fork(void);
/* End the current process with wait status xstatus: close its files, free
 * its address space, give its children to init, and leave a zombie for
 * the parent's wait. When init ends, the machine exits with its status. */
void proc_exit(int xstatus) __attribute__((noreturn));
/* POSIX waitpid: reap a zombie child (pid > 0: that one; else any), store
 * its wait status at user address ustatus (if not 0) and return its pid.
 * With K_WNOHANG, 0 when no child has ended yet. Sleeps otherwise.
 * -ECHILD (no such child), -EINTR (killed while waiting), -EFAULT, -EINVAL
 * (unknown options). */
int proc_wait(int pid, uint32_t ustatus, int options);
/* POSIX kill with the signals there are: SIGKILL and SIGTERM end pid at
 * its next return to user (a sleeper is woken first); 0 only checks that
 * pid exists. 0, -ESRCH, -EINVAL (another signal), -EPERM (init). */
int proc_kill(int pid, int sig);
/* Let process pid (0: the caller) run only on the harts whose ids are set
 * in hart_mask (0: on any); the caller moves at once if it must. 0,
 * -ESRCH, or -EINVAL when the mask names no running hart. */
int proc_set_affinity(int pid, uint32_t hart_mask);
/* Kill the current process for a fault it caused, printing the one-line
 * message of DESIGN.md section 6: "pid 7 (memhog): killed (SIGSEGV): "
 * followed by the formatted reason. */
void proc_kill_fault(int sig, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *signal_name(int sig);

/* Replace p's program with path (argv: kernel strings). 0 or -errno. */
int proc_exec(struct proc *p, const char *path, const char *const *argv, int argc);

/* Return to user mode with tf (trapvec.S). */
void user_return(struct trapframe *tf) __attribute__((noreturn));
void swtch(struct context *old, struct context *new);


/* Instructions retired while the hart waited in wfi (for benchmarks). */
uint64_t proc_idle_instret(void);
uint32_t proc_context_switches(void);

#endif
