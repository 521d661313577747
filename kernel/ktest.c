/*
 * In-kernel self-tests, run at every boot: they check on the real machine
 * what the host tests cannot (the live page table, traps, the SBI, the
 * PLIC, the timer). Output is KTAP; each test returns NULL or the reason it
 * failed.
 */
#include "kernel.h"
#include "dev/plic.h"
#include "dev/virtio_blk.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/ksyms.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "proc/file.h"
#include "proc/proc.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "riscv/kmap.h"
#include "riscv/timer.h"
#include "riscv/trap.h"
#include "sbi/sbi.h"

extern char __kernel_start[], __text_end[], __rodata_end[], __kernel_end[];
extern const uint8_t __initramfs_start[];

static char why[160];

/* Fail the current test with a formatted reason unless cond holds. */
#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			ksnprintf(why, sizeof(why), __VA_ARGS__); \
			return why;                        \
		}                                          \
	} while (0)

/* li a0, 0; ret: code that a probe_exec may run if the page is executable. */
static uint32_t data_code[2] = { 0x00000513, 0x00008067 };
static const uint32_t rodata_word = 0x600dc0de;
static uint32_t data_word = 1;

static const char *t_sstatus_fs_is_off(void)
{
	CHECK((csr_read(sstatus) & SSTATUS_FS_MASK) == 0, "sstatus 0x%08x", csr_read(sstatus));
	return NULL;
}

static const char *t_satp_is_sv32_with_kernel_root_and_asid0(void)
{
	uint32_t satp = csr_read(satp);
	CHECK(satp == satp_make(kmap_root_pa(), 0), "satp 0x%08x, root 0x%08x", satp, kmap_root_pa());
	CHECK(kmap_asidlen() <= 9, "ASIDLEN %u > 9", kmap_asidlen());
	return NULL;
}

static const char *t_kernel_text_is_rx_not_writable(void)
{
	uintptr_t text = (uintptr_t)ktest_run;
	CHECK(probe_load(text) == 0, "text not readable");
	CHECK(probe_store(text) == -EFAULT, "text is writable");
	struct sv32_xlate x;
	CHECK(sv32_translate(kmap_root(), text, SV32_FETCH, 0, &x) == 0, "fetch faults");
	CHECK(x.level == 0 && (x.pte0 & (PTE_W | PTE_U)) == 0 && (x.pte0 & PTE_G),
	      "text PTE 0x%08x level %d", x.pte0, x.level);
	return NULL;
}

static const char *t_rodata_is_read_only(void)
{
	CHECK(probe_load((uintptr_t)&rodata_word) == 0, "rodata not readable");
	CHECK(probe_store((uintptr_t)&rodata_word) == -EFAULT, "rodata is writable");
	CHECK(probe_exec((uintptr_t)&rodata_word) == -EFAULT, "rodata is executable");
	return NULL;
}

static const char *t_data_is_writable_not_executable(void)
{
	CHECK(probe_store((uintptr_t)&data_word) == 0, "data not writable");
	CHECK(probe_exec((uintptr_t)data_code) == -EFAULT, "data is executable");
	return NULL;
}

static const char *t_null_page_is_unmapped(void)
{
	CHECK(probe_load(0) == -EFAULT, "load from 0 worked");
	CHECK(probe_store(0x10) == -EFAULT, "store to 0x10 worked");
	return NULL;
}

static const char *t_firmware_memory_is_unmapped(void)
{
	for (int i = 0; i < platform.nreserved; i++) {
		paddr_t pa = platform.reserved[i].base;
		struct sv32_xlate x;
		CHECK(sv32_translate(kmap_root(), pa, SV32_LOAD, 0, &x) != 0,
		      "reserved 0x%08x is mapped", pa);
		CHECK(probe_load(pa) == -EFAULT, "load from reserved 0x%08x worked", pa);
	}
	return NULL;
}

static bool overlaps_image_or_firmware(paddr_t pa, uint32_t len)
{
	paddr_t img = (paddr_t)(uintptr_t)__kernel_start, img_end = (paddr_t)(uintptr_t)__kernel_end;
	if (pa < img_end && img < pa + len)
		return true;
	for (int i = 0; i < platform.nreserved; i++) {
		struct phys_range r = platform.reserved[i];
		if (pa < r.base + r.size && r.base < pa + len)
			return true;
	}
	return false;
}

/* Free RAM is mapped RW- for the kernel alone: by a megapage wherever a
 * whole aligned 4 MiB holds neither the image nor firmware, else (small
 * RAM has no such megapage) by 4 KiB pages. */
static const char *t_free_ram_is_mapped(void)
{
	struct phys_range ram = kmap_usable_ram(platform.ram);
	paddr_t mega = 0;
	for (paddr_t pa = ram.base; pa + SV32_MEGAPAGE_SIZE <= ram.base + ram.size;
	     pa += SV32_MEGAPAGE_SIZE)
		if (!overlaps_image_or_firmware(pa, SV32_MEGAPAGE_SIZE))
			mega = pa;
	paddr_t probe = mega ? mega : ram.base + ram.size - PAGE_SIZE;
	struct sv32_xlate x;
	CHECK(sv32_translate(kmap_root(), probe, SV32_STORE, 0, &x) == 0, "store to 0x%08x faults",
	      probe);
	CHECK(x.level == (mega ? 1 : 0) && x.pa == probe, "0x%08x: level %d pa 0x%08x", probe,
	      x.level, x.pa);
	uint32_t leaf = mega ? x.pte1 : x.pte0;
	CHECK((leaf & (PTE_X | PTE_U)) == 0 && (leaf & PTE_G), "RAM PTE 0x%08x", leaf);
	return NULL;
}

static const char *t_mmio_window_is_kernel_only(void)
{
	struct sv32_xlate x;
	uint32_t va = MMIO_WINDOW_BASE;
	CHECK(sv32_translate(kmap_root(), va, SV32_LOAD, 0, &x) == 0, "window start unmapped");
	CHECK((x.pte0 & (PTE_U | PTE_X)) == 0, "window PTE 0x%08x", x.pte0);
	CHECK(sv32_translate(kmap_root(), va, SV32_LOAD, SV32_USER, &x) == EXC_LOAD_PAGE_FAULT,
	      "user can read the window");
	return NULL;
}

static const char *t_frame_alloc_gives_zeroed_free_ram(void)
{
	uint32_t before = frame_count_free();
	paddr_t pa = frame_alloc(FRAME_ZERO);
	CHECK(pa != 0, "no frame");
	CHECK(frame_count_free() == before - 1, "free count %u -> %u", before, frame_count_free());
	bool in_image = pa >= (paddr_t)(uintptr_t)__kernel_start && pa < (paddr_t)(uintptr_t)__kernel_end;
	CHECK(!in_image, "frame 0x%08x inside the kernel image", pa);
	const uint32_t *w = pa2kva(pa);
	for (uint32_t i = 0; i < PAGE_SIZE / 4; i++)
		CHECK(w[i] == 0, "word %u of 0x%08x is 0x%08x", i, pa, w[i]);
	frame_free(pa);
	CHECK(frame_count_free() == before, "free count not restored");
	return NULL;
}

static const char *t_frame_counts_are_consistent(void)
{
	uint32_t total = frame_count_total(), free = frame_count_free();
	CHECK(total == platform.ram.size / PAGE_SIZE || platform.ram.size > 0x70000000u,
	      "total %u frames for %u bytes", total, platform.ram.size);
	CHECK(free > 0 && free < total, "free %u of %u", free, total);
	return NULL;
}

static const char *t_sbi_base_reports_version_and_extensions(void)
{
	struct sbiret r = sbi_get_spec_version();
	CHECK(r.error == SBI_SUCCESS && (r.value >> 24) >= 1, "spec version 0x%lx", r.value);
	static const uint32_t needed[] = { SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM,
					   SBI_EXT_SRST };
	for (size_t i = 0; i < ARRAY_SIZE(needed); i++) {
		r = sbi_probe_extension(needed[i]);
		CHECK(r.error == SBI_SUCCESS && r.value != 0, "extension 0x%x missing", needed[i]);
	}
	r = sbi_probe_extension(0x0BADBAD0);
	CHECK(r.error == SBI_SUCCESS && r.value == 0, "bogus extension probed present");
	r = sbi_call(SBI_EXT_BASE, 99, 0, 0, 0, 0, 0);
	CHECK(r.error == SBI_ERR_NOT_SUPPORTED, "unknown BASE function gave %ld", r.error);
	return NULL;
}

static const char *t_sbi_hsm_reports_boot_hart_started(void)
{
	uint32_t hart = mycpu()->hartid;
	struct sbiret r = sbi_hart_get_status(hart);
	CHECK(r.error == SBI_SUCCESS && r.value == SBI_HSM_STARTED, "status %ld/%ld", r.error,
	      r.value);
	r = sbi_hart_get_status(4096);
	CHECK(r.error == SBI_ERR_INVALID_PARAM, "absent hart gave %ld", r.error);
	r = sbi_hart_start(hart, (paddr_t)(uintptr_t)__kernel_start, 0);
	CHECK(r.error == SBI_ERR_ALREADY_AVAILABLE, "starting a running hart gave %ld", r.error);
	return NULL;
}

static const char *t_sbi_rfence_on_this_hart_succeeds(void)
{
	/* Hart masks are relative to a base: bit 0 with base = this hart.
	 * The boot hart is not always 0 (with -smp 2 OpenSBI may pick 1). */
	uint32_t hart = mycpu()->hartid;
	struct sbiret r = sbi_remote_sfence_vma(1, hart, 0, 0);
	CHECK(r.error == SBI_SUCCESS, "sfence.vma: %ld", r.error);
	r = sbi_remote_sfence_vma_asid(1, hart, 0, 0, 0);
	CHECK(r.error == SBI_SUCCESS, "sfence.vma.asid: %ld", r.error);
	r = sbi_remote_fence_i(1, hart);
	CHECK(r.error == SBI_SUCCESS, "fence.i: %ld", r.error);
	return NULL;
}

static const char *t_sbi_ipi_to_self_interrupts(void)
{
	uint32_t before = trap_ipi_count();
	struct sbiret r = sbi_send_ipi(1, mycpu()->hartid); /* bit 0 of a mask based at this hart */
	CHECK(r.error == SBI_SUCCESS, "send_ipi: %ld", r.error);
	/* With more harts QEMU delivers the IPI from another thread: allow it
	 * up to a second of time to arrive (a bound, not a speed check). */
	uint64_t limit = read_time() + platform.timebase_hz;
	while (trap_ipi_count() == before && read_time() < limit)
		idle_wait(); /* the IPI (or a tick) wakes it */
	CHECK(trap_ipi_count() == before + 1, "IPIs %u -> %u", before, trap_ipi_count());
	CHECK((csr_read(sip) & SIE_SSIE) == 0, "SSIP still pending");
	return NULL;
}

static const char *t_sbi_console_write_counts_bytes(void)
{
	static const char msg[] = "ktest: sbi console\n";
	struct sbiret r = sbi_debug_console_write(kva2pa(msg), sizeof(msg) - 1);
	CHECK(r.error == SBI_SUCCESS && r.value == (long)sizeof(msg) - 1, "dbcn write %ld/%ld",
	      r.error, r.value);
	return NULL;
}

static const char *t_timer_ticks_arrive(void)
{
	uint64_t start = timer_ticks(), t0 = read_time();
	uint64_t limit = t0 + 1000ull * timer_interval(); /* ten seconds: never reached if ticking */
	while (timer_ticks() < start + 3 && read_time() < limit)
		idle_wait();
	CHECK(timer_ticks() >= start + 3, "ticks %llu -> %llu", start, timer_ticks());
	/* How far apart ticks land depends on the host; what must hold is
	 * that the next one is always armed in the future. */
	CHECK(timer_next_deadline() > read_time() - timer_interval(), "next deadline %llu in the past",
	      timer_next_deadline());
	CHECK(csr_read(sie) & SIE_STIE, "STIE off");
	return NULL;
}

/* With a PLIC (QEMU's virt), the UART's line reaches this hart; without
 * one (a guest of riscv/hv.c), external interrupts stay off. */
static const char *t_plic_routes_uart_to_this_hart(void)
{
	if (platform.plic.base == 0) {
		CHECK(!(csr_read(sie) & SIE_SEIE), "SEIE on without a PLIC");
		return NULL;
	}
	CHECK(plic_threshold() == 0, "threshold %u", plic_threshold());
	CHECK(plic_enabled(platform.uart.irq), "UART line %u not enabled", platform.uart.irq);
	CHECK(csr_read(sie) & SIE_SEIE, "SEIE off");
	return NULL;
}

static const char *t_ksym_lookup_names_functions(void)
{
	uint32_t off = 99;
	const char *name = ksym_lookup((uintptr_t)ktest_run + 8, &off);
	CHECK(name && strcmp(name, "ktest_run") == 0 && off == 8, "got %s+%u", name ? name : "?", off);
	CHECK(ksym_lookup((uintptr_t)&data_word, &off) == NULL, "data address has a symbol");
	return NULL;
}

static const char *t_device_tree_was_read(void)
{
	CHECK(platform.ram.base <= (paddr_t)(uintptr_t)__kernel_start &&
		      (uint64_t)platform.ram.base + platform.ram.size >= (uintptr_t)__kernel_end,
	      "RAM 0x%08x + %u bytes misses the image", platform.ram.base, platform.ram.size);
	CHECK(platform.timebase_hz > 0, "timebase 0");
	CHECK(platform.plic.base == 0 || platform.plic_ndev > 0, "a PLIC with no lines");
	CHECK(platform.plic.base || platform.nvirtio == 0 || vblk_disk(VBLK_SWAP) == NULL,
	      "a virtio disk in use with no PLIC to interrupt");
	return NULL;
}

/* The initramfs in use is a cpio "newc" archive (magic 070701), mapped
 * for the kernel: QEMU's -initrd when the device tree names one, else the
 * copy built into the image. */
static const char *t_initramfs_is_a_newc_cpio(void)
{
	const uint8_t *d = initrd_data();
	bool from_dt = platform.initrd_end > platform.initrd_start;
	CHECK(initrd_size() > 6 && memcmp(d, "070701", 6) == 0, "no cpio magic");
	CHECK(from_dt ? kva2pa(d) == platform.initrd_start : d == __initramfs_start,
	      "the %s initramfs was not chosen", from_dt ? "device tree's" : "built-in");
	struct sv32_xlate x;
	CHECK(sv32_translate(kmap_root(), kva2pa(d), SV32_LOAD, 0, &x) == 0, "initramfs unmapped");
	return NULL;
}

static const char *t_printf_formats(void)
{
	char buf[48];
	int n = ksnprintf(buf, sizeof(buf), "%08x|%-4d|%s|%llu", 0xbeefu, -7, "ok", 1ull << 40);
	CHECK(strcmp(buf, "0000beef|-7  |ok|1099511627776") == 0, "got '%s'", buf);
	CHECK(n == 30, "length %d", n);
	return NULL;
}

/* Disk tests run on the swap disk that the Makefile formats with mkswap:
 * Linux swap v1 ends its first page with this signature. */
#define SWAP_SIGNATURE "SWAPSPACE2"
#define SWAP_SIGNATURE_LEN 10
#define SWAP_SIGNATURE_OFFSET (PAGE_SIZE - SWAP_SIGNATURE_LEN)
#define LAST_SECTOR_IN_PAGE (VBLK_SECTORS_PER_PAGE - 1)

static uint8_t blk_page[3][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

/* A guest of riscv/hv.c has no PLIC, so no disks: the disk tests then
 * check only that none is in use. */
static bool no_disks(void)
{
	return platform.plic.base == 0;
}

static bool has_swap_signature(const uint8_t *page0)
{
	return memcmp(page0 + SWAP_SIGNATURE_OFFSET, SWAP_SIGNATURE, SWAP_SIGNATURE_LEN) == 0;
}

/* page_zero and page_copy take the 64-bit path on a hart with D (the
 * word path without: a guest's), leave every byte right (the page's last
 * turn too), and give sstatus back as they found it: FS off, so user
 * programs still cannot use the FPU, and interrupts on if they were. */
static const char *t_page_zero_and_copy_use_d_and_restore_sstatus(void)
{
	uint32_t *a = (uint32_t *)blk_page[0], *b = (uint32_t *)blk_page[1];
	const uint32_t words = PAGE_SIZE / sizeof(uint32_t);
	CHECK(page_ops_fp() == platform.has_d, "the 64-bit path is %s on a hart whose ISA string %s D",
	      page_ops_fp() ? "on" : "off", platform.has_d ? "has" : "lacks");
	for (uint32_t i = 0; i < words; i++)
		a[i] = i * 2654435761u + 1;
	uint32_t before = csr_read(sstatus);
	page_copy(b, a);
	uint32_t after_copy = csr_read(sstatus);
	page_zero(a);
	uint32_t after_zero = csr_read(sstatus);
	CHECK(after_copy == before && after_zero == before, "sstatus 0x%08x, then 0x%08x and 0x%08x",
	      before, after_copy, after_zero);
	for (uint32_t i = 0; i < words; i++) {
		CHECK(a[i] == 0, "word %u of the zeroed page is 0x%08x", i, a[i]);
		CHECK(b[i] == i * 2654435761u + 1, "word %u of the copy is 0x%08x", i, b[i]);
	}
	return NULL;
}

/* Page 0 read into a frame from the allocator, and its last sector read
 * alone, both show the signature where mkswap put it. */
static const char *t_vblk_reads_swap_signature_in_page_0(void)
{
	if (no_disks())
		return vblk_disk(VBLK_SWAP) ? "a disk with no PLIC" : NULL;
	CHECK(vblk_capacity(vblk_disk(VBLK_SWAP)) >= VBLK_SECTORS_PER_PAGE, "no virtio-blk disk");
	paddr_t pa = frame_alloc(FRAME_ZERO);
	CHECK(pa != 0, "no frame");
	uint8_t *page = pa2kva(pa);
	int err = vblk_rw(vblk_disk(VBLK_SWAP), 0, page, PAGE_SIZE, false);
	bool sig = has_swap_signature(page);
	uint8_t *sector = blk_page[0];
	int err7 = vblk_rw(vblk_disk(VBLK_SWAP), LAST_SECTOR_IN_PAGE, sector, VBLK_SECTOR_SIZE, false);
	bool same = memcmp(sector, page + PAGE_SIZE - VBLK_SECTOR_SIZE, VBLK_SECTOR_SIZE) == 0;
	frame_free(pa);
	CHECK(err == 0, "read of sectors 0-7: %d", err);
	CHECK(sig, "no %s at byte %u of page 0", SWAP_SIGNATURE, SWAP_SIGNATURE_OFFSET);
	CHECK(err7 == 0 && same, "sector 7 alone: %d, %s", err7, same ? "same" : "different bytes");
	return NULL;
}

/* Write a pattern to the disk's last page (inside the swap area), read it
 * back, then put the original back: this disk is the swap area. */
static const char *t_vblk_write_reads_back_then_restores_last_page(void)
{
	if (no_disks())
		return vblk_disk(VBLK_SWAP) ? "a disk with no PLIC" : NULL;
	uint8_t *orig = blk_page[0], *pattern = blk_page[1], *back = blk_page[2];
	uint64_t pages = vblk_capacity(vblk_disk(VBLK_SWAP)) / VBLK_SECTORS_PER_PAGE;
	CHECK(pages >= 2, "%llu pages on the disk", pages);
	CHECK(vblk_rw(vblk_disk(VBLK_SWAP), 0, back, PAGE_SIZE, false) == 0 && has_swap_signature(back),
	      "page 0 has no swap signature: not writing to this disk");
	uint64_t last = (pages - 1) * VBLK_SECTORS_PER_PAGE;
	struct vblk_stats before = vblk_stats(vblk_disk(VBLK_SWAP));
	CHECK(vblk_rw(vblk_disk(VBLK_SWAP), last, orig, PAGE_SIZE, false) == 0, "read of sector %llu", last);
	for (uint32_t i = 0; i < PAGE_SIZE; i++)
		pattern[i] = (uint8_t)(i * 7 + 0x5A);
	int werr = vblk_rw(vblk_disk(VBLK_SWAP), last, pattern, PAGE_SIZE, true);
	memset(back, 0, PAGE_SIZE);
	int rerr = vblk_rw(vblk_disk(VBLK_SWAP), last, back, PAGE_SIZE, false);
	bool same = memcmp(back, pattern, PAGE_SIZE) == 0;
	int restored = vblk_rw(vblk_disk(VBLK_SWAP), last, orig, PAGE_SIZE, true);
	CHECK(restored == 0, "restoring sector %llu: %d", last, restored);
	CHECK(werr == 0 && rerr == 0 && same, "write %d, read back %d, %s", werr, rerr,
	      same ? "same" : "different bytes");
	CHECK(vblk_rw(vblk_disk(VBLK_SWAP), last, back, PAGE_SIZE, false) == 0 && memcmp(back, orig, PAGE_SIZE) == 0,
	      "the original is not back");
	struct vblk_stats after = vblk_stats(vblk_disk(VBLK_SWAP));
	CHECK(after.reads == before.reads + 3 && after.writes == before.writes + 2 &&
		      after.errors == before.errors,
	      "counters went from %u/%u/%u to %u/%u/%u", before.reads, before.writes, before.errors,
	      after.reads, after.writes, after.errors);
	return NULL;
}

/* QEMU answers IOERR for a request that does not fit on the disk. */
static const char *t_vblk_request_past_end_is_eio(void)
{
	if (no_disks())
		return vblk_disk(VBLK_SWAP) ? "a disk with no PLIC" : NULL;
	uint64_t cap = vblk_capacity(vblk_disk(VBLK_SWAP));
	CHECK(cap > 0, "no virtio-blk disk");
	uint8_t *buf = blk_page[0];
	uint32_t errors = vblk_stats(vblk_disk(VBLK_SWAP)).errors;
	int err = vblk_rw(vblk_disk(VBLK_SWAP), cap, buf, VBLK_SECTOR_SIZE, false);
	CHECK(err == -EIO, "read at sector %llu (the capacity): %d", cap, err);
	err = vblk_rw(vblk_disk(VBLK_SWAP), cap - 1, buf, 2 * VBLK_SECTOR_SIZE, false);
	CHECK(err == -EIO, "read across the end: %d", err);
	err = vblk_rw(vblk_disk(VBLK_SWAP), cap, buf, VBLK_SECTOR_SIZE, true);
	CHECK(err == -EIO, "write at sector %llu: %d", cap, err);
	err = vblk_rw(vblk_disk(VBLK_SWAP), cap - 1, buf, VBLK_SECTOR_SIZE, false);
	CHECK(err == 0, "read of the last sector: %d", err);
	CHECK(vblk_stats(vblk_disk(VBLK_SWAP)).errors == errors + 3, "errors %u -> %u", errors, vblk_stats(vblk_disk(VBLK_SWAP)).errors);
	return NULL;
}

/* Bad arguments never reach the device. */
static const char *t_vblk_rejects_bad_length_and_buffer(void)
{
	if (no_disks())
		return vblk_disk(VBLK_SWAP) ? "a disk with no PLIC" : NULL;
	uint8_t *buf = blk_page[0];
	struct vblk_stats before = vblk_stats(vblk_disk(VBLK_SWAP));
	CHECK(vblk_rw(vblk_disk(VBLK_SWAP), 0, buf, 100, false) == -EINVAL, "length 100 accepted");
	CHECK(vblk_rw(vblk_disk(VBLK_SWAP), 0, buf, 0, false) == -EINVAL, "length 0 accepted");
	CHECK(vblk_rw(vblk_disk(VBLK_SWAP), 0, buf, VBLK_SECTOR_SIZE + 1, true) == -EINVAL, "length 513 accepted");
	CHECK(vblk_rw(vblk_disk(VBLK_SWAP), 0, NULL, VBLK_SECTOR_SIZE, false) == -EINVAL, "NULL buffer accepted");
	CHECK(vblk_rw(vblk_disk(VBLK_SWAP), 0, (void *)(uintptr_t)MMIO_WINDOW_BASE, VBLK_SECTOR_SIZE, false) == -EINVAL,
	      "buffer outside RAM accepted");
	struct vblk_stats after = vblk_stats(vblk_disk(VBLK_SWAP));
	CHECK(after.reads == before.reads && after.writes == before.writes, "a request was made");
	return NULL;
}

/* With ktest.ioerr_sector=N the harness attaches the disk through blkdebug
 * failing every read of sector N: the read ends in -EIO and the disk goes
 * on working. Without the parameter there is nothing to check. */
static const char *t_vblk_injected_read_error_is_eio(void)
{
	const char *arg = cmdline_get(&cmdline, "ktest.ioerr_sector");
	if (arg == NULL)
		return NULL;
	int bad;
	uint32_t sector = cmdline_uint(&cmdline, "ktest.ioerr_sector", 0, &bad);
	CHECK(bad == 0, "ktest.ioerr_sector=%s is not a number", arg);
	int err = vblk_rw(vblk_disk(VBLK_SWAP), sector, blk_page[0], PAGE_SIZE, false);
	CHECK(err == -EIO, "read of sector %u: %d", sector, err);
	uint32_t other = sector >= VBLK_SECTORS_PER_PAGE ? 0 : VBLK_SECTORS_PER_PAGE;
	err = vblk_rw(vblk_disk(VBLK_SWAP), other, blk_page[0], PAGE_SIZE, false);
	CHECK(err == 0, "read of sector %u after the error: %d", other, err);
	kprintf("# vblk: read of sector %u failed with -EIO as injected\n", sector);
	return NULL;
}

/* The fault table's row for hardware that faults on a clear A or D bit
 * instead of setting it (Svade): QEMU always sets them itself, so drive
 * vm_fault directly on a private address space. */
static const char *t_fault_sets_a_and_d_in_software(void)
{
	struct addrspace *as = vm_create();
	CHECK(as != NULL, "no address space");
	const uint32_t va = 0x00400000;
	struct vm_region r = { .start = va, .end = va + PAGE_SIZE, .prot = VM_R | VM_W,
			       .kind = VMR_ANON };
	const char *fail = NULL;
	uint32_t ad_before = vm_stats.faults_ad;
	pte_t *pte = NULL;
	if (vm_add_region(as, &r) != 0 || vm_fault(as, va, VM_R) != 0)
		fail = "cannot map the test page";
	else if ((pte = sv32_walk(as->root, va, false)) == NULL || !pte_valid(pte_load(pte)))
		fail = "page not mapped";
	if (fail == NULL && pte != NULL) {
		pte_clear_bits(pte, PTE_A | PTE_D);
		if (vm_fault(as, va, VM_R) != 0 || !(pte_load(pte) & PTE_A) || (pte_load(pte) & PTE_D))
			fail = "a load fault did not set A alone";
		else if (vm_fault(as, va, VM_W) != 0 || !(pte_load(pte) & PTE_D) ||
			 !(pte_load(pte) & PTE_W))
			fail = "a store fault did not set D";
		else if (vm_stats.faults_ad != ad_before + 2)
			fail = "faults_ad did not count both";
		else if (vm_fault(as, va + PAGE_SIZE, VM_R) != -EFAULT)
			fail = "a fault outside every region was not refused";
	}
	vm_destroy(as);
	return fail;
}

struct ktest {
	const char *name;
	const char *(*run)(void);
};

/* A test is listed under its function's name without the "t_". */
#define KTEST(fn) { &#fn[2], fn }
static const struct ktest tests[] = {
	KTEST(t_sstatus_fs_is_off),
	KTEST(t_page_zero_and_copy_use_d_and_restore_sstatus),
	KTEST(t_satp_is_sv32_with_kernel_root_and_asid0),
	KTEST(t_kernel_text_is_rx_not_writable),
	KTEST(t_rodata_is_read_only),
	KTEST(t_data_is_writable_not_executable),
	KTEST(t_null_page_is_unmapped),
	KTEST(t_firmware_memory_is_unmapped),
	KTEST(t_free_ram_is_mapped),
	KTEST(t_mmio_window_is_kernel_only),
	KTEST(t_frame_alloc_gives_zeroed_free_ram),
	KTEST(t_frame_counts_are_consistent),
	KTEST(t_sbi_base_reports_version_and_extensions),
	KTEST(t_sbi_hsm_reports_boot_hart_started),
	KTEST(t_sbi_rfence_on_this_hart_succeeds),
	KTEST(t_sbi_ipi_to_self_interrupts),
	KTEST(t_sbi_console_write_counts_bytes),
	KTEST(t_timer_ticks_arrive),
	KTEST(t_plic_routes_uart_to_this_hart),
	KTEST(t_ksym_lookup_names_functions),
	KTEST(t_device_tree_was_read),
	KTEST(t_initramfs_is_a_newc_cpio),
	KTEST(t_printf_formats),
	KTEST(t_fault_sets_a_and_d_in_software),
	KTEST(t_vblk_reads_swap_signature_in_page_0),
	KTEST(t_vblk_write_reads_back_then_restores_last_page),
	KTEST(t_vblk_request_past_end_is_eio),
	KTEST(t_vblk_rejects_bad_length_and_buffer),
	KTEST(t_vblk_injected_read_error_is_eio),
};

int ktest_run(bool verbose, bool quiet)
{
	int failed = 0;
	if (verbose)
		kprintf("KTAP version 1\n1..%u\n", (unsigned)ARRAY_SIZE(tests));
	for (size_t i = 0; i < ARRAY_SIZE(tests); i++) {
		const char *reason = tests[i].run();
		if (reason)
			failed++;
		if (reason)
			kprintf("not ok %u %s # %s\n", (unsigned)i + 1, tests[i].name, reason);
		else if (verbose)
			kprintf("ok %u %s\n", (unsigned)i + 1, tests[i].name);
	}
	if (verbose || !quiet || failed)
		kprintf("ktest: %u passed, %d failed\n", (unsigned)ARRAY_SIZE(tests) - failed, failed);
	return failed;
}

/* Each crash lives in its own function so the panic's symbol names it. */
static void __attribute__((noinline)) crash_load(void)
{
	kprintf("ktest: crashing with a load from 0x00001234\n");
	(void)*(volatile uint32_t *)0x00001234;
}

static void __attribute__((noinline)) crash_store(void)
{
	kprintf("ktest: crashing with a store to kernel text\n");
	/* gcc -fanalyzer rightly calls this a write to a function: the point. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-write-to-const"
	*(volatile uint32_t *)(uintptr_t)ktest_run = 0;
#pragma GCC diagnostic pop
}

static void __attribute__((noinline)) crash_panic(void)
{
	panic("ktest: panic requested on the command line");
}

void ktest_crash(const char *how)
{
	if (strcmp(how, "load") == 0)
		crash_load();
	else if (strcmp(how, "store") == 0)
		crash_store();
	else if (strcmp(how, "panic") == 0)
		crash_panic();
	else
		kprintf("ktest: unknown crash=%s (load, store, panic)\n", how);
}
