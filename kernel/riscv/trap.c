/*
 * Trap dispatch and panics. Interrupts go to the timer, the PLIC or the IPI
 * handler; a page or access fault inside a probe resumes at cpu->onfault;
 * any other trap taken in the kernel is a bug and panics with scause,
 * stval, sepc, the symbol of sepc and a frame-pointer backtrace.
 */
#include "riscv/trap.h"
#include "dev/plic.h"
#include "dev/power.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/ksyms.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "riscv/timer.h"

extern char trap_entry[];
extern char __kernel_start[], __text_end[];

struct cpu cpus[MAX_HARTS];
static volatile uint32_t ipi_count;

#define BACKTRACE_MAX 32

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
	       code == EXC_INST_PAGE_FAULT;
}

static bool is_text(uintptr_t a)
{
	return a >= (uintptr_t)__kernel_start && a < (uintptr_t)__text_end;
}

static void print_pc(const char *what, uintptr_t pc)
{
	uint32_t off;
	const char *name = ksym_lookup(pc, &off);
	if (name)
		kprintf("%s0x%08x <%s+0x%x>\n", what, (unsigned)pc, name, off);
	else
		kprintf("%s0x%08x\n", what, (unsigned)pc);
}

/* Read a word of a stack frame through a probe, so a corrupt frame
 * pointer ends the walk instead of faulting again. */
static bool frame_word(uintptr_t addr, uint32_t *out)
{
	if (probe_load(addr) != 0)
		return false;
	*out = *(const uint32_t *)addr;
	return true;
}

/*
 * Walk the frame-pointer chain. gcc's RISC-V frame: fp = the caller's sp,
 * ra at fp-4, the caller's fp at fp-8. A leaf function saves only the old
 * fp, at fp-4: when that word is not a text address and we know ra (first
 * frame of a trap), it is taken as the next fp and ra as the return pc.
 */
static void backtrace(uintptr_t pc, uintptr_t ra, uintptr_t fp)
{
	kprintf("backtrace:\n");
	print_pc("  ", pc);
	for (int depth = 0; depth < BACKTRACE_MAX && fp != 0 && (fp & 3) == 0; depth++) {
		uint32_t saved_ra, saved_fp;
		if (!frame_word(fp - 4, &saved_ra))
			break;
		if (depth == 0 && ra != 0 && !is_text(saved_ra)) {
			saved_fp = saved_ra;
			saved_ra = ra;
		} else if (!frame_word(fp - 8, &saved_fp)) {
			break;
		}
		if (saved_ra == 0 || !is_text(saved_ra))
			break;
		print_pc("  ", saved_ra - 4);
		if (saved_fp <= fp)
			break;
		fp = saved_fp;
	}
}

/* Stop after a panic: one panic at a time, then a failing exit status. */
static void die(void) __attribute__((noreturn));
static void die(void)
{
	machine_exit(EXIT_PANIC);
}

static bool begin_panic(void)
{
	intr_off();
	struct cpu *c = mycpu();
	if (c->panicking++) {
		kprintf("panic: nested panic, stopping\n");
		return false;
	}
	return true;
}

void panic(const char *fmt, ...)
{
	if (!begin_panic())
		die();
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("panic: %s\n", msg);
	backtrace((uintptr_t)panic, 0, (uintptr_t)__builtin_frame_address(0));
	die();
}

static void panic_trap(const struct trapframe *tf) __attribute__((noreturn));
static void panic_trap(const struct trapframe *tf)
{
	if (!begin_panic())
		die();
	kprintf("panic: unexpected trap in kernel: %s\n", scause_name(tf->scause));
	kprintf("  scause 0x%08x stval 0x%08x sepc 0x%08x sstatus 0x%08x\n", tf->scause, tf->stval,
		tf->sepc, tf->sstatus);
	print_pc("  at ", tf->sepc);
	/* gcc may restore ra and s0 before a function's last access, so the
	 * direct caller can show only in ra. */
	print_pc("  ra ", tf->regs[REG_RA]);
	backtrace(tf->sepc, tf->regs[REG_RA], tf->regs[REG_S0]);
	die();
}

static void interrupt(struct trapframe *tf)
{
	switch (SCAUSE_CODE(tf->scause)) {
	case IRQ_S_TIMER:
		timer_intr();
		break;
	case IRQ_S_EXT:
		plic_intr();
		break;
	case IRQ_S_SOFT:
		csr_clear(sip, SIE_SSIE);
		ipi_count++;
		break;
	default:
		panic_trap(tf);
	}
}

uint32_t trap_ipi_count(void)
{
	return ipi_count;
}

void kernel_trap(struct trapframe *tf)
{
	if (tf->scause & SCAUSE_INTERRUPT) {
		interrupt(tf);
		return;
	}
	struct cpu *c = mycpu();
	if (c->onfault && is_memory_fault(tf->scause)) {
		tf->sepc = c->onfault;
		c->onfault = 0;
		tf->regs[REG_A0] = (uint32_t)-EFAULT;
		return;
	}
	panic_trap(tf);
}
