/*
 * Trap dispatch. Interrupts go to the timer, the PLIC or the IPI handler;
 * from U-mode, system calls go to syscall() and faults to vm_fault or a
 * kill; a page or access fault inside a probe or user copy resumes at
 * cpu->onfault; any other trap taken in the kernel is a bug and panics
 * with scause, stval, sepc and a backtrace (riscv/backtrace.c).
 */
#include "riscv/trap.h"
#include "dev/console.h"
#include "dev/plic.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "riscv/backtrace.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "riscv/timer.h"
#include "mm/vm.h"
#include "proc/proc.h"
#include "proc/syscall.h"
#include "proc/uapi.h"

extern char trap_entry[];

void trap_init(void)
{
	csr_write(stvec, (uint32_t)(uintptr_t)trap_entry);
	csr_write(sscratch, 0);
}

const char *scause_name(uint32_t scause)
{
	static const char *const exceptions[] = {
		[EXC_INST_MISALIGNED] = "instruction address misaligned",
		[EXC_INST_ACCESS] = "instruction access fault",
		[EXC_ILLEGAL_INST] = "illegal instruction",
		[EXC_BREAKPOINT] = "breakpoint",
		[EXC_LOAD_MISALIGNED] = "load address misaligned",
		[EXC_LOAD_ACCESS] = "load access fault",
		[EXC_STORE_MISALIGNED] = "store address misaligned",
		[EXC_STORE_ACCESS] = "store access fault",
		[EXC_ECALL_U] = "environment call from U-mode",
		[EXC_ECALL_S] = "environment call from S-mode",
		[EXC_INST_PAGE_FAULT] = "instruction page fault",
		[EXC_LOAD_PAGE_FAULT] = "load page fault",
		[EXC_STORE_PAGE_FAULT] = "store page fault",
	};
	uint32_t code = SCAUSE_CODE(scause);
	if (scause & SCAUSE_INTERRUPT) {
		switch (code) {
		case IRQ_S_SOFT: return "supervisor software interrupt";
		case IRQ_S_TIMER: return "supervisor timer interrupt";
		case IRQ_S_EXT: return "supervisor external interrupt";
		default: return "unknown interrupt";
		}
	}
	if (code < ARRAY_SIZE(exceptions) && exceptions[code])
		return exceptions[code];
	return "unknown exception";
}

static bool is_memory_fault(uint32_t code)
{
	return code == EXC_LOAD_ACCESS || code == EXC_STORE_ACCESS || code == EXC_INST_ACCESS ||
	       code == EXC_LOAD_PAGE_FAULT || code == EXC_STORE_PAGE_FAULT ||
	       code == EXC_INST_PAGE_FAULT || code == EXC_GUEST_INST_PAGE_FAULT ||
	       code == EXC_GUEST_LOAD_PAGE_FAULT || code == EXC_GUEST_STORE_PAGE_FAULT;
}

static void panic_trap(const struct trapframe *tf) __attribute__((noreturn));
static void panic_trap(const struct trapframe *tf)
{
	if (!panic_begin())
		panic_stop();
	kprintf("panic: unexpected trap in kernel: %s\n", scause_name(tf->scause));
	kprintf("  scause 0x%08x stval 0x%08x sepc 0x%08x sstatus 0x%08x\n", tf->scause, tf->stval,
		tf->sepc, tf->sstatus);
	backtrace_print_pc("  at ", tf->sepc);
	/* gcc may restore ra and s0 before a function's last access, so the
	 * direct caller can show only in ra. */
	backtrace_print_pc("  ra ", tf->regs[REG_RA]);
	backtrace_print(tf->sepc, tf->regs[REG_RA], tf->regs[REG_S0]);
	panic_stop();
}

/* Handle interrupt code; false if it is none this kernel takes. */
static bool dispatch_interrupt(uint32_t code)
{
	switch (code) {
	case IRQ_S_TIMER:
		if (timer_intr()) {
			if (mycpu()->index == 0)
				console_poll_sbi(); /* a guest's console input, if it has no UART */
			proc_tick();
		}
		return true;
	case IRQ_S_EXT:
		plic_intr();
		return true;
	case IRQ_S_SOFT:
		csr_clear(sip, SIE_SSIE);
		mycpu()->ipis++;
		return true;
	default:
		return false;
	}
}

static void interrupt(struct trapframe *tf)
{
	if (!dispatch_interrupt(SCAUSE_CODE(tf->scause)))
		panic_trap(tf);
}

bool trap_host_interrupt(uint32_t scause)
{
	if (!dispatch_interrupt(SCAUSE_CODE(scause)))
		panic("trap: unexpected interrupt 0x%08x while a guest ran", scause);
	return SCAUSE_CODE(scause) == IRQ_S_TIMER;
}

uint32_t trap_ipi_count(void)
{
	return mycpu()->ipis;
}

static bool is_page_fault(uint32_t code)
{
	return code == EXC_LOAD_PAGE_FAULT || code == EXC_STORE_PAGE_FAULT ||
	       code == EXC_INST_PAGE_FAULT;
}

/* The region protection an access of this page-fault cause needs. */
static uint32_t fault_prot(uint32_t code)
{
	return code == EXC_STORE_PAGE_FAULT ? VM_W : code == EXC_INST_PAGE_FAULT ? VM_X : VM_R;
}

static const char *fault_access(uint32_t code)
{
	return code == EXC_STORE_PAGE_FAULT ? "store" : code == EXC_INST_PAGE_FAULT ? "fetch" : "load";
}

void kernel_trap(struct trapframe *tf)
{
	if (tf->scause & SCAUSE_INTERRUPT) {
		interrupt(tf);
		return;
	}
	struct cpu *c = mycpu();
	/* A user copy (SUM set) may touch a page not yet populated: map it
	 * and retry the access. A page that cannot be read back from swap
	 * kills its owner with SIGBUS, as a fault in U-mode would (the system
	 * call itself fails with EFAULT below). */
	if (c->onfault && is_page_fault(tf->scause) && (tf->sstatus & SSTATUS_SUM) &&
	    tf->stval < USER_TOP && c->vm) {
		/* vm_fault may sleep on the disk and wake on another hart, and
		 * other processes' copies on this one set and clear onfault
		 * meanwhile: take ours along, and leave no SUM behind for the
		 * kernel code that runs here while we sleep. (sstatus, with SUM,
		 * comes back from the trap frame, on whichever hart we end.) */
		uintptr_t resume = c->onfault;
		c->onfault = 0;
		csr_clear(sstatus, SSTATUS_SUM);
		int err = vm_fault(c->vm, tf->stval, fault_prot(tf->scause));
		c = mycpu();
		c->onfault = resume;
		if (err == 0)
			return;
		if (err == -EIO && myproc())
			proc_kill_fault(K_SIGBUS, "swap read error at 0x%08x in a system call pc 0x%08x",
					tf->stval, myproc()->tf->sepc);
		if (err == -ENXIO && myproc())
			proc_kill_fault(K_SIGBUS, "no file page at 0x%08x in a system call pc 0x%08x",
					tf->stval, myproc()->tf->sepc);
	}
	if (c->onfault && is_memory_fault(tf->scause)) {
		tf->sepc = c->onfault;
		c->onfault = 0;
		tf->regs[REG_A0] = (uint32_t)-EFAULT;
		return;
	}
	panic_trap(tf);
}

/* Why a user access at va needing prot was refused, for the kill message. */
static const char *refusal(const struct addrspace *as, uint32_t va, uint32_t prot)
{
	if (va >= USER_TOP)
		return "kernel address";
	const struct vm_region *r = vm_find(as, va);
	if (r == NULL)
		return va < USER_BASE ? "null page" : "unmapped address";
	if (prot == VM_W)
		return "read-only region";
	if (prot == VM_X)
		return "non-executable region";
	return "unreadable region";
}

static void __attribute__((noinline)) user_page_fault(struct trapframe *tf)
{
	struct proc *p = myproc();
	uint32_t code = SCAUSE_CODE(tf->scause), va = tf->stval, prot = fault_prot(code);
	int err = vm_fault(p->as, va, prot);
	if (err == 0)
		return;
	if (err == -ENOMEM) {
		proc_kill_fault(K_SIGKILL, "out of memory and swap at 0x%08x pc 0x%08x", va,
				tf->sepc);
		return;
	}
	if (err == -EIO) {
		proc_kill_fault(K_SIGBUS, "swap read error at 0x%08x pc 0x%08x", va, tf->sepc);
		return;
	}
	if (err == -ENXIO) {
		proc_kill_fault(K_SIGBUS, "no file page at 0x%08x (past the end of the file, or unreadable) pc 0x%08x",
				va, tf->sepc);
		return;
	}
	proc_kill_fault(K_SIGSEGV, "%s page fault at 0x%08x (%s) pc 0x%08x", fault_access(code), va,
			refusal(p->as, va, prot), tf->sepc);
}

/* Decode an exception from U-mode other than a system call or page fault. */
static void __attribute__((noinline)) user_exception(struct trapframe *tf)
{
	uint32_t code = SCAUSE_CODE(tf->scause);
	switch (code) {
	case EXC_ILLEGAL_INST:
		proc_kill_fault(K_SIGILL, "illegal instruction 0x%08x pc 0x%08x", tf->stval, tf->sepc);
		break;
	case EXC_BREAKPOINT:
		proc_kill_fault(K_SIGTRAP, "breakpoint pc 0x%08x", tf->sepc);
		break;
	case EXC_INST_MISALIGNED:
	case EXC_LOAD_MISALIGNED:
	case EXC_STORE_MISALIGNED:
		proc_kill_fault(K_SIGBUS, "%s at 0x%08x pc 0x%08x", scause_name(tf->scause), tf->stval,
				tf->sepc);
		break;
	default:
		proc_kill_fault(K_SIGSEGV, "%s at 0x%08x pc 0x%08x", scause_name(tf->scause), tf->stval,
				tf->sepc);
	}
}

/* Everything from U-mode but a system call: interrupts and exceptions. */
static void __attribute__((noinline)) user_trap_other(struct trapframe *tf)
{
	uint32_t code = SCAUSE_CODE(tf->scause);
	if (tf->scause & SCAUSE_INTERRUPT) {
		interrupt(tf);
		if (code == IRQ_S_TIMER)
			yield(); /* preemption: a tick ends the time slice */
	} else if (is_page_fault(code)) {
		user_page_fault(tf);
	} else {
		user_exception(tf);
	}
}

/* The system call is the common case: it gets the short path. */
void user_trap(struct trapframe *tf)
{
	if (tf->scause == EXC_ECALL_U) {
		tf->sepc += 4; /* resume after the ecall */
		syscall(tf);
	} else {
		user_trap_other(tf);
	}
	struct proc *p = myproc();
	if (p->killed)
		proc_exit(K_W_SIGNALED(p->killed));
	user_return(tf);
}
