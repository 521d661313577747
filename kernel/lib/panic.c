/*
 * panic: print the reason and a backtrace, then stop the machine with
 * QEMU exit status EXIT_PANIC. One panic at a time on a hart: a panic
 * inside a panic (a fault while printing) stops at once.
 */
#include "lib/klib.h"
#include "dev/power.h"
#include "riscv/backtrace.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"

bool panic_begin(void)
{
	intr_off();
	struct cpu *c = mycpu();
	if (c->panicking++) {
		kprintf("panic: nested panic, stopping\n");
		return false;
	}
	return true;
}

void panic_stop(void)
{
	machine_exit(EXIT_PANIC);
}

void panic(const char *fmt, ...)
{
	if (!panic_begin())
		panic_stop();
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("panic: %s\n", msg);
	backtrace_print((uintptr_t)panic, 0, (uintptr_t)__builtin_frame_address(0));
	panic_stop();
}
