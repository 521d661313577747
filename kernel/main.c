/*
 * Boot: from entry.S with a0 = hart id, a1 = device tree, the instret of
 * the first instruction in a2/a3. Reads the device tree, builds the frame
 * allocator and the kernel page table, turns on Sv32, then the devices and
 * interrupts, starts the other harts, runs the self-tests and starts init.
 * The boot hart is cpus[0], whatever its hart id; each other hart gets the
 * next struct cpu and waits in hart_main until init exists, then every
 * hart runs the scheduler.
 */
#include "kernel.h"
#include "dev/console.h"
#include "dev/plic.h"
#include "dev/power.h"
#include "dev/uart.h"
#include "dev/virtio_blk.h"
#include "fs/vfs.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/bootmem.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "proc/file.h"
#include "proc/proc.h"
#include "riscv/asid.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "riscv/hv.h"
#include "riscv/kmap.h"
#include "riscv/timer.h"
#include "riscv/trap.h"
#include "sbi/sbi.h"

extern char __kernel_start[], __kernel_end[];
extern const uint8_t __initramfs_start[], __initramfs_end[];

#define DTB_MAX_SIZE (1u << 20) /* no sane device tree is larger */
#define MIB (1024u * 1024u)
#define HART_STACK_SIZE 16384    /* the scheduler stack of a started hart */
#define HART_START_WAIT_MS 1000  /* how long a started hart has to come up */

struct cpu cpus[MAX_HARTS];
int ncpus = 1;
struct platform platform;
struct cmdline cmdline;
uint64_t boot_instret;

/* Everything the frame allocator must not hand out. */
static int collect_reserved(struct phys_range *r, int max, paddr_t dtb)
{
	int n = 0;
	for (int i = 0; i < platform.nreserved && n < max; i++)
		r[n++] = platform.reserved[i];
	if (n + 3 > max)
		panic("boot: too many reserved memory ranges");
	r[n++] = (struct phys_range){ (paddr_t)(uintptr_t)__kernel_start,
				      (uint32_t)((uintptr_t)__kernel_end - (uintptr_t)__kernel_start) };
	r[n++] = (struct phys_range){ dtb, platform.dtb_size };
	if (platform.initrd_end > platform.initrd_start)
		r[n++] = (struct phys_range){ platform.initrd_start,
					      platform.initrd_end - platform.initrd_start };
	return n;
}

static void read_device_tree(paddr_t dtb)
{
	const char *err = "device tree address is not 8-byte aligned";
	if (dtb == 0 || !ALIGNED(dtb, 8) ||
	    devtree_parse((const void *)(uintptr_t)dtb, DTB_MAX_SIZE, &platform, &err) != 0)
		panic("boot: cannot use the device tree at 0x%08x: %s", dtb, err);
	page_ops_init(platform.has_d);
	if (cmdline_parse(&cmdline, platform.bootargs) == -E2BIG)
		kprintf("boot: command line too long, the excess is ignored\n");
}

/* mem=SIZE: use only the first SIZE bytes of RAM, as on Linux, to try a
 * board smaller than QEMU can lay out (it needs room for the device tree
 * above the kernel image). */
static void apply_mem_limit(void)
{
	int err;
	uint32_t mem = cmdline_size(&cmdline, "mem", 0, &err);
	if (err)
		kprintf("boot: mem= needs a size such as 6M, ignored\n");
	else if (mem != 0 && mem < platform.ram.size)
		platform.ram.size = PAGE_ROUND_DOWN(mem);
}

/* Stop with the one line that says why this machine cannot run the
 * kernel; QEMU exits with EXIT_BOOT_REFUSED. */
static void refuse_boot(const char *why)
{
	kprintf("%s\n", why);
	machine_exit(EXIT_BOOT_REFUSED);
}

/* Check where QEMU put the image, the device tree and any -initrd before
 * a byte of the initrd is read: on small RAM QEMU places it past the end. */
static void check_layout(struct phys_range ram, paddr_t dtb)
{
	struct boot_layout l = {
		.ram = ram,
		.image = { (paddr_t)(uintptr_t)__kernel_start,
			   (uint32_t)((uintptr_t)__kernel_end - (uintptr_t)__kernel_start) },
		.dtb = { dtb, platform.dtb_size },
		.initrd = { platform.initrd_start, platform.initrd_end - platform.initrd_start },
	};
	char why[160];
	if (bootmem_check_layout(&l, why, sizeof(why)) != 0)
		refuse_boot(why);
}

/* The root file system: QEMU's -initrd if the device tree names one, else
 * the copy linked into the kernel image (kernel/initramfs.S). */
static void choose_initramfs(void)
{
	if (platform.initrd_end > platform.initrd_start)
		initrd_set(pa2kva(platform.initrd_start), platform.initrd_end - platform.initrd_start);
	else
		initrd_set(__initramfs_start,
			   (uint32_t)((uintptr_t)__initramfs_end - (uintptr_t)__initramfs_start));
}

/* The frame table over RAM; a machine too small to run on is refused. */
static void setup_frames(struct phys_range ram, paddr_t dtb)
{
	struct phys_range reserved[DT_MAX_RESERVED + 3];
	int nres = collect_reserved(reserved, ARRAY_SIZE(reserved), dtb);
	char why[160];
	int err = frame_init(ram, reserved, nres);
	if (err == -ENOMEM) {
		ksnprintf(why, sizeof(why), "boot: %u KiB of RAM has no room for the frame table",
			  ram.size / 1024);
		refuse_boot(why);
	}
	if (err)
		panic("boot: frame table: error %d", err);
	if (bootmem_check_free(ram.size, frame_count_free(), why, sizeof(why)) != 0)
		refuse_boot(why);
}

static void setup_memory(paddr_t dtb)
{
	struct phys_range ram = kmap_usable_ram(platform.ram);
	check_layout(ram, dtb);
	setup_frames(ram, dtb);
	kmap_init(ram, platform.reserved, platform.nreserved);
	choose_initramfs();
}

/* The CSRs every hart sets the same way before it takes a trap. */
static void hart_csr_init(void)
{
	/* FPU off: the kernel uses none, and with FS = Dirty user programs
	 * would share one set of f-registers (PLATFORM.md pitfall 13). */
	csr_clear(sstatus, SSTATUS_FS_MASK);
	/* User programs may read cycle, time and instret (rdcycle, rdtime,
	 * rdinstret): benchmarks count instructions with them. */
	csr_write(scounteren, SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
	csr_write(sie, 0);
	trap_init();
}

static void setup_devices(uint32_t hartid, bool quiet)
{
	if (platform.test.base)
		power_init(kmap_map_mmio(platform.test.base, platform.test.size), platform.test.base);
	/* A guest (riscv/hv.c) may have neither UART nor PLIC: its console is
	 * then SBI's, input polled at each tick, and it has no disks. */
	void *uart = platform.uart.base ? kmap_map_mmio(platform.uart.base, platform.uart.size) : NULL;
	void *plic = platform.plic.base ? kmap_map_mmio(platform.plic.base, platform.plic.size) : NULL;
	kmap_enable();
	if (uart)
		uart_init(uart);
	if (plic) {
		plic_init(plic, platform.plic_ndev, platform.hartids, platform.nharts);
		plic_init_hart(hartid);
	}
	if (uart && plic && plic_enable(platform.uart.irq, uart_intr) != 0)
		kprintf("uart: bad interrupt line %u, no console input\n", platform.uart.irq);
	if (!uart || !plic)
		console_sbi_input();
	timer_init(platform.timebase_hz, platform.has_sstc);
	hv_init(platform.has_h, platform.isa, platform.timebase_hz);
	if (plic)
		vblk_init(platform.virtio, platform.nvirtio, quiet); /* -ENODEV: it printed why */
	csr_set(sie, (plic ? SIE_SEIE : 0) | SIE_SSIE);
	intr_on();
}

/* Demand paging: replacement policy, maxframes cap, swap, fault trace,
 * swap readahead. */
static void setup_vm(void)
{
	int err;
	uint32_t maxframes = cmdline_uint(&cmdline, "maxframes", 0, &err);
	if (err)
		kprintf("vm: maxframes= needs a number, ignored\n");
	vm_init(cmdline_get(&cmdline, "vm.policy"), maxframes);
	const char *trace = cmdline_get(&cmdline, "vm.trace");
	vm_trace(trace && strcmp(trace, "0") != 0);
	const char *check = cmdline_get(&cmdline, "vm.check");
	vm_check_after_reclaim(check && strcmp(check, "0") != 0);
	uint32_t window = cmdline_uint(&cmdline, "vm.readahead", 0, &err);
	if (err)
		kprintf("vm: vm.readahead= needs a number, ignored\n");
	vm_readahead(window);
}

/* Run init= (default /bin/init) with the words after " -- " as argv[1..]. */
static void start_init(void)
{
	static const char *argv[CMDLINE_WORDS + 1];
	const char *path = cmdline_get(&cmdline, "init");
	if (path == NULL || *path == '\0')
		path = "/bin/init";
	argv[0] = path;
	for (int i = 0; i < cmdline.ninit_args; i++)
		argv[i + 1] = cmdline.init_args[i];
	proc_init();
	proc_start_init(path, argv, cmdline.ninit_args + 1);
}

static void banner(void)
{
	struct sbiret spec = sbi_get_spec_version();
	struct sbiret impl = sbi_get_impl_id();
	struct sbiret ver = sbi_get_impl_version();
	const char *impl_name = impl.value == SBI_IMPL_OPENSBI ? "OpenSBI" : "SBI implementation";
	kprintf("sv32 kernel: %u MiB RAM, %u frames free, %s v%ld.%ld (SBI %ld.%ld), ASIDLEN %u, "
		"timer %s, %d hart%s\n",
		platform.ram.size / MIB, frame_count_free(), impl_name, ver.value >> 16,
		ver.value & 0xFFFF, (spec.value >> 24) & 0x7F, spec.value & 0xFFFFFF, kmap_asidlen(),
		timer_uses_sstc() ? "sstc" : "sbi", ncpus, ncpus == 1 ? "" : "s");
	if (platform.initrd_end > platform.initrd_start)
		kprintf("initramfs: %u KiB at 0x%08x, from the device tree (-initrd)\n",
			initrd_size() / 1024, platform.initrd_start);
	else
		kprintf("initramfs: %u KiB, built into the kernel image\n", initrd_size() / 1024);
}

/* --- the other harts ------------------------------------------------------ */

extern char _start_hart[];
static uint8_t hart_stacks[MAX_HARTS - 1][HART_STACK_SIZE]
	__attribute__((aligned(16), section(".kstacks")));
static volatile bool harts_released; /* init exists: the waiting harts may schedule */

/* A started hart, from entry.S with tp = its struct cpu: the kernel's page
 * table, an empty TLB, then wait (wfi, woken by an IPI) until the boot
 * hart has made init, and run processes. Interrupts stay off until then. */
void hart_main(void)
{
	struct cpu *c = mycpu();
	hart_csr_init();
	kmap_enable_hart();
	asid_init_hart();
	uint32_t starting = HART_STARTING;
	if (!__atomic_compare_exchange_n(&c->start, &starting, HART_ONLINE, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		sbi_hart_stop(); /* too late: the boot hart gave up on it */
	csr_set(sie, SIE_SSIE);
	while (!__atomic_load_n(&harts_released, __ATOMIC_ACQUIRE))
		wfi();
	csr_clear(sip, SIE_SSIE);
	if (platform.plic.base)
		plic_init_hart(c->hartid);
	timer_init_hart();
	hv_init_hart();
	csr_set(sie, (platform.plic.base ? SIE_SEIE : 0) | SIE_SSIE);
	scheduler();
}

/* Wait for c's hart to come online; on time out, tell it to stop. */
static bool hart_came_up(struct cpu *c)
{
	uint64_t until = read_time() + (uint64_t)platform.timebase_hz * HART_START_WAIT_MS / 1000;
	while (read_time() < until)
		if (__atomic_load_n(&c->start, __ATOMIC_ACQUIRE) == HART_ONLINE)
			return true;
	uint32_t starting = HART_STARTING;
	return !__atomic_compare_exchange_n(&c->start, &starting, HART_ABANDONED, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Start every hart of the device tree but this one, through SBI HSM, each
 * with the next struct cpu; a hart that fails gets one line and is left
 * out. Hart ids of 32 and up are not used: hart masks here are one word. */
static void start_harts(void)
{
	for (int i = 0; i < platform.nharts && ncpus < MAX_HARTS; i++) {
		uint32_t id = platform.hartids[i];
		if (id == cpus[0].hartid)
			continue;
		struct cpu *c = &cpus[ncpus];
		*c = (struct cpu){ .hartid = id, .index = ncpus, .start = HART_STARTING,
				   .boot_sp = (uintptr_t)hart_stacks[ncpus - 1] + HART_STACK_SIZE };
		if (id >= 32) {
			kprintf("smp: hart %u not used: hart ids stop at 31\n", id);
			continue;
		}
		struct sbiret r = sbi_hart_start(id, kva2pa(_start_hart), (uint32_t)(uintptr_t)c);
		if (r.error != SBI_SUCCESS)
			kprintf("smp: hart %u did not start: SBI error %ld\n", id, r.error);
		else if (!hart_came_up(c))
			kprintf("smp: hart %u did not start: no answer in %u ms\n", id,
				HART_START_WAIT_MS);
		else
			ncpus++;
	}
}

/* Let the waiting harts schedule: init is on the run queue. */
static void release_harts(void)
{
	__atomic_store_n(&harts_released, true, __ATOMIC_RELEASE);
	for (int i = 1; i < ncpus; i++)
		sbi_send_ipi(1, cpus[i].hartid);
}

void kmain(uint32_t hartid, paddr_t dtb, uint32_t instret_lo, uint32_t instret_hi)
{
	__asm__ volatile("mv tp, %0" ::"r"(&cpus[0]));
	cpus[0].hartid = hartid;
	cpus[0].start = HART_ONLINE;
	boot_instret = ((uint64_t)instret_hi << 32) | instret_lo;

	hart_csr_init();
	sbi_init();

	read_device_tree(dtb);
	bool quiet = cmdline_get(&cmdline, "quiet") != NULL;
	apply_mem_limit();
	setup_memory(dtb);
	setup_devices(hartid, quiet);
	const char *asid = cmdline_get(&cmdline, "asid");
	asid_init(kmap_asidlen(), asid == NULL || strcmp(asid, "off") != 0);
	if (hartid >= 32)
		refuse_boot("boot: the boot hart's id is 32 or more; hart masks here are one word");
	start_harts();
	if (!quiet)
		banner();
	setup_vm();

	const char *crash = cmdline_get(&cmdline, "crash");
	if (crash)
		ktest_crash(crash);
	bool ktest_only = cmdline_get(&cmdline, "ktest") != NULL;
	int failed = ktest_run(ktest_only, quiet);
	if (ktest_only)
		machine_exit(failed ? 1 : 0);
	fs_init(quiet); /* -ENODEV, or refused: the initramfs is the root */
	start_init();
	release_harts();
	/* The scheduler runs with interrupts off except while idle; its first
	 * lock must not record "interrupts were on" for the processes it starts. */
	intr_off();
	scheduler();
}
