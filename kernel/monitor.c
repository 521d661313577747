/*
 * The boot console: a few commands typed on the serial line, read through
 * the interrupt-driven line discipline. It is what runs after boot until
 * the kernel has user processes to start.
 */
#include "kernel.h"
#include "dev/console.h"
#include "dev/power.h"
#include "lib/klib.h"
#include "mm/mm.h"
#include "riscv/kvm.h"
#include "riscv/timer.h"

#define LINE_MAX 128

static void cmd_help(const char *arg);
static void cmd_free(const char *arg);
static void cmd_uptime(const char *arg);
static void cmd_walk(const char *arg);
static void cmd_poweroff(const char *arg);

static const struct {
	const char *name;
	void (*run)(const char *arg);
	const char *help;
} commands[] = {
	{ "help", cmd_help, "list the commands" },
	{ "free", cmd_free, "free and total frames" },
	{ "uptime", cmd_uptime, "timer ticks since boot" },
	{ "walk", cmd_walk, "walk VA: the Sv32 walk of a kernel virtual address (hex)" },
	{ "poweroff", cmd_poweroff, "power off through SBI SRST" },
};

static void cmd_help(const char *arg)
{
	(void)arg;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		kprintf("  %-9s %s\n", commands[i].name, commands[i].help);
}

static void cmd_free(const char *arg)
{
	(void)arg;
	kprintf("frames: %u free of %u\n", frame_count_free(), frame_count_total());
}

static void cmd_uptime(const char *arg)
{
	(void)arg;
	uint64_t t = timer_ticks();
	kprintf("up %llu ticks (%llu.%02llu s)\n", t, t / HZ, t % HZ);
}

static bool parse_hex(const char *s, uint32_t *out)
{
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (*s == '\0')
		return false;
	uint32_t v = 0;
	for (; *s; s++) {
		char c = *s;
		uint32_t d;
		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return false;
		if (v >> 28)
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

static void cmd_walk(const char *arg)
{
	uint32_t va;
	if (!parse_hex(arg, &va)) {
		kprintf("walk: usage: walk VA (hex)\n");
		return;
	}
	struct sv32_xlate x;
	uint32_t cause = sv32_translate(kvm_root(), va, SV32_LOAD, SV32_HWAD, &x);
	kprintf("va 0x%08x: vpn[1] %u vpn[0] %u offset 0x%03x\n", va, sv32_vpn1(va), sv32_vpn0(va),
		sv32_offset(va));
	kprintf("  satp root 0x%08x, level-1 pte at 0x%08x = 0x%08x\n", kvm_root_pa(), x.pte1_pa,
		x.pte1);
	if (x.pte0_pa)
		kprintf("  level-0 pte at 0x%08x = 0x%08x\n", x.pte0_pa, x.pte0);
	if (cause)
		kprintf("  a kernel load faults: scause %u\n", cause);
	else
		kprintf("  -> pa 0x%08x (%s)\n", x.pa, x.level == 1 ? "4 MiB megapage" : "4 KiB page");
}

static void cmd_poweroff(const char *arg)
{
	(void)arg;
	kprintf("power: off\n");
	power_off();
}

/* Split line into the command word and its argument, in place. */
static const char *split(char *line)
{
	char *p = line;
	while (*p && *p != ' ')
		p++;
	if (*p == '\0')
		return p;
	*p++ = '\0';
	while (*p == ' ')
		p++;
	return p;
}

void monitor(void)
{
	char line[LINE_MAX + 1];
	kprintf("boot console: no user programs yet; type help\n");
	for (;;) {
		kprintf("kernel> ");
		size_t n = console_readline(line, LINE_MAX);
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == ' '))
			n--;
		line[n] = '\0';
		if (n == 0)
			continue;
		const char *arg = split(line);
		size_t i;
		for (i = 0; i < ARRAY_SIZE(commands); i++)
			if (strcmp(line, commands[i].name) == 0)
				break;
		if (i < ARRAY_SIZE(commands))
			commands[i].run(arg);
		else
			kprintf("%s: unknown command (try help)\n", line);
	}
}
