/*
 * vm [-v] [-m MIB] [-k KERNEL] [-i INITRD] [--walk GVA] [-- BOOTARGS...]:
 * run a kernel as a guest of this one (kernel/riscv/hv.h). Its RAM is
 * MIB MiB (default 32) of this process's own memory at guest-physical
 * 0x80000000; KERNEL (default /boot/kernel, this kernel) is loaded as its
 * ELF program headers say, INITRD (default /boot/initrd) near the top of
 * RAM, and a device tree below the top: the RAM, one hart whose ISA has
 * no h, the timebase, /chosen with BOOTARGS and the initrd, and a
 * sifive_test device for its exit code. Its console is this process's
 * standard input and output (through SBI). vm exits with the guest's exit
 * status, or 3 after one line if the guest did what cannot be emulated.
 * -v prints the exits by kind; --walk GVA prints, when the guest stops,
 * the two-dimensional walk of GVA under the guest's last satp.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <kernel_calls.h>

#define RAM_GPA 0x80000000u
#define TEST_GPA 0x00100000u
#define MIB (1024u * 1024u)
#define DTB_SPACE 0x10000u /* the device tree's room at the top of RAM */
#define EXIT_BAD_GUEST 3
#define MAX_BOOTARGS 512

/* --- reading files and loading the ELF ------------------------------------ */

/* The whole of path, malloc'd; exits with a message if it cannot. */
static uint8_t *read_file(const char *path, uint32_t *size)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "vm: %s: %s\n", path, strerror(errno));
		exit(EXIT_FAILURE);
	}
	uint8_t *buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	uint32_t got = 0;
	while (buf && got < (uint32_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (uint32_t)n;
	}
	close(fd);
	if (buf == NULL || got != (uint32_t)st.st_size) {
		fprintf(stderr, "vm: %s: cannot read it whole\n", path);
		exit(EXIT_FAILURE);
	}
	*size = got;
	return buf;
}

struct elf32_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version, entry, phoff, shoff, flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf32_phdr {
	uint32_t type, offset, vaddr, paddr, filesz, memsz, flags, align;
};
#define PT_LOAD 1
#define EM_RISCV 243

/* Copy each PT_LOAD segment of the ELF to its physical address in RAM;
 * the entry point, or 0 with a message. */
static uint32_t load_elf(const char *path, const uint8_t *elf, uint32_t size, uint8_t *ram,
			 uint32_t ram_size)
{
	const struct elf32_ehdr *eh = (const void *)elf;
	if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF\1\1", 6) != 0 ||
	    eh->machine != EM_RISCV || eh->phentsize != sizeof(struct elf32_phdr) ||
	    eh->phoff > size || (uint64_t)eh->phnum * sizeof(struct elf32_phdr) > size - eh->phoff) {
		fprintf(stderr, "vm: %s: not a 32-bit RISC-V ELF file\n", path);
		return 0;
	}
	for (uint32_t i = 0; i < eh->phnum; i++) {
		struct elf32_phdr ph;
		memcpy(&ph, elf + eh->phoff + i * sizeof(ph), sizeof(ph));
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (ph.paddr < RAM_GPA || ph.memsz > ram_size || ph.paddr - RAM_GPA > ram_size - ph.memsz ||
		    ph.filesz > ph.memsz || ph.offset > size || ph.filesz > size - ph.offset) {
			fprintf(stderr, "vm: %s: a segment at 0x%08" PRIx32 " does not fit in %" PRIu32
					" MiB of RAM\n", path, ph.paddr, ram_size / MIB);
			return 0;
		}
		memcpy(ram + (ph.paddr - RAM_GPA), elf + ph.offset, ph.filesz);
	}
	return eh->entry;
}

/* --- the device tree (devicetree specification, "Flattened Devicetree") -- */

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_END 9u
#define FDT_HEADER_SIZE 40u
#define FDT_STRUCT_MAX 4096u
#define FDT_STRINGS_MAX 512u

struct fdt_out {
	uint8_t st[FDT_STRUCT_MAX];
	char strs[FDT_STRINGS_MAX];
	uint32_t st_len, strs_len;
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void emit(struct fdt_out *f, const void *data, uint32_t len)
{
	if (f->st_len + len + 3 > FDT_STRUCT_MAX) {
		fprintf(stderr, "vm: the device tree is too large\n");
		exit(EXIT_FAILURE);
	}
	memcpy(f->st + f->st_len, data, len);
	f->st_len += len;
	while (f->st_len % 4)
		f->st[f->st_len++] = 0;
}

static void emit32(struct fdt_out *f, uint32_t v)
{
	uint8_t b[4];
	put32(b, v);
	emit(f, b, 4);
}

static void begin_node(struct fdt_out *f, const char *name)
{
	emit32(f, FDT_BEGIN_NODE);
	emit(f, name, (uint32_t)strlen(name) + 1);
}

static void end_node(struct fdt_out *f)
{
	emit32(f, FDT_END_NODE);
}

/* The offset of name in the strings block, added if new. */
static uint32_t string_off(struct fdt_out *f, const char *name)
{
	for (uint32_t off = 0; off < f->strs_len; off += (uint32_t)strlen(f->strs + off) + 1)
		if (strcmp(f->strs + off, name) == 0)
			return off;
	uint32_t len = (uint32_t)strlen(name) + 1, off = f->strs_len;
	if (off + len > FDT_STRINGS_MAX) {
		fprintf(stderr, "vm: the device tree's strings are too long\n");
		exit(EXIT_FAILURE);
	}
	memcpy(f->strs + off, name, len);
	f->strs_len += len;
	return off;
}

static void prop(struct fdt_out *f, const char *name, const void *value, uint32_t len)
{
	emit32(f, FDT_PROP);
	emit32(f, len);
	emit32(f, string_off(f, name));
	if (len)
		emit(f, value, len);
}

static void prop_str(struct fdt_out *f, const char *name, const char *value)
{
	prop(f, name, value, (uint32_t)strlen(value) + 1);
}

/* A property of n 32-bit cells. */
static void prop_cells(struct fdt_out *f, const char *name, const uint32_t *cells, uint32_t n)
{
	uint8_t b[16];
	for (uint32_t i = 0; i < n && i < 4; i++)
		put32(b + 4 * i, cells[i]);
	prop(f, name, b, 4 * n);
}

static void prop_u32(struct fdt_out *f, const char *name, uint32_t v)
{
	prop_cells(f, name, &v, 1);
}

struct guest_desc {
	uint32_t ram_size, initrd_gpa, initrd_size, timebase_hz;
	const char *isa, *bootargs;
};

static void cpus_node(struct fdt_out *f, const struct guest_desc *d)
{
	begin_node(f, "cpus");
	prop_u32(f, "#address-cells", 1);
	prop_u32(f, "#size-cells", 0);
	prop_u32(f, "timebase-frequency", d->timebase_hz);
	begin_node(f, "cpu@0");
	prop_str(f, "device_type", "cpu");
	prop_u32(f, "reg", 0);
	prop_str(f, "status", "okay");
	prop_str(f, "compatible", "riscv");
	prop_str(f, "riscv,isa", d->isa);
	prop_str(f, "mmu-type", "riscv,sv32");
	end_node(f);
	end_node(f);
}

/* Write the guest's device tree to dst (at most DTB_SPACE bytes). */
static void make_dtb(uint8_t *dst, const struct guest_desc *d)
{
	static struct fdt_out f;
	static const char test_compat[] = "sifive,test1\0sifive,test0\0syscon";
	memset(&f, 0, sizeof(f));
	begin_node(&f, "");
	prop_u32(&f, "#address-cells", 2);
	prop_u32(&f, "#size-cells", 2);
	prop_str(&f, "compatible", "riscv-virtio");
	prop_str(&f, "model", "sv32 kernel guest (vm)");
	begin_node(&f, "chosen");
	prop_str(&f, "bootargs", d->bootargs);
	if (d->initrd_size) {
		prop_u32(&f, "linux,initrd-start", d->initrd_gpa);
		prop_u32(&f, "linux,initrd-end", d->initrd_gpa + d->initrd_size);
	}
	end_node(&f);
	begin_node(&f, "memory@80000000");
	prop_str(&f, "device_type", "memory");
	prop_cells(&f, "reg", (const uint32_t[]){ 0, RAM_GPA, 0, d->ram_size }, 4);
	end_node(&f);
	cpus_node(&f, d);
	begin_node(&f, "soc");
	prop_u32(&f, "#address-cells", 2);
	prop_u32(&f, "#size-cells", 2);
	prop_str(&f, "compatible", "simple-bus");
	prop(&f, "ranges", NULL, 0);
	begin_node(&f, "test@100000");
	prop(&f, "compatible", test_compat, sizeof(test_compat));
	prop_cells(&f, "reg", (const uint32_t[]){ 0, TEST_GPA, 0, 0x1000 }, 4);
	end_node(&f);
	end_node(&f);
	end_node(&f);
	emit32(&f, FDT_END);
	uint32_t rsv = FDT_HEADER_SIZE, st = rsv + 16, strs = st + f.st_len;
	uint32_t total = strs + f.strs_len;
	uint32_t header[10] = { FDT_MAGIC, total, st, strs, rsv, 17, 16, 0, f.strs_len, f.st_len };
	for (int i = 0; i < 10; i++)
		put32(dst + 4 * i, header[i]);
	memset(dst + rsv, 0, 16); /* the reserved-memory list: empty */
	memcpy(dst + st, f.st, f.st_len);
	memcpy(dst + strs, f.strs, f.strs_len);
}

/* --- running ---------------------------------------------------------------- */

static void print_counts(const struct k_vm_exit *e)
{
	static const char *const names[K_VM_COUNTS] = {
		[K_VM_COUNT_SBI] = "sbi", [K_VM_COUNT_GFAULT] = "guest_page_faults",
		[K_VM_COUNT_MMIO] = "mmio", [K_VM_COUNT_IRQ] = "host_interrupts",
		[K_VM_COUNT_OTHER] = "other",
	};
	uint32_t total = 0;
	printf("vm: vmid %" PRIu32 "\n", e->vmid);
	for (int i = 0; i < K_VM_COUNTS; i++) {
		printf("vm: exits %-18s %" PRIu32 "\n", names[i], e->counts[i]);
		total += e->counts[i];
	}
	printf("vm: exits %-18s %" PRIu32 "\n", "total", total);
}

static void print_walk(uint32_t gva)
{
	struct k_vm_gwalk w;
	if (vmgwalk(gva, &w) != 0) {
		fprintf(stderr, "vm: --walk: %s\n", strerror(errno));
		return;
	}
	printf("vm: walk of guest va 0x%08" PRIx32 ": vsatp 0x%08" PRIx32 " (guest root at gpa 0x%08"
	       PRIx32 "), hgatp 0x%08" PRIx32 " (VMID %" PRIu32 ")\n", gva, w.vsatp,
	       (w.vsatp & 0x3fffffu) << 12, w.hgatp, (w.hgatp >> 22) & 0x7fu);
	for (uint32_t i = 0; i < w.levels; i++)
		printf("vm:   guest level %" PRIu32 " pte at gpa 0x%08" PRIx32 " -> G-stage root pte 0x%08"
		       PRIx32 ", leaf 0x%08" PRIx32 " -> hpa 0x%08" PRIx32 ": pte 0x%08" PRIx32 "\n",
		       1 - i, w.level[i].pte_gpa, w.level[i].g_root_pte, w.level[i].g_leaf_pte,
		       w.level[i].pte_hpa, w.level[i].pte);
	if (w.error == -1) {
		printf("vm:   the guest's own table has no valid entry: a guest page fault, no host exit\n");
		return;
	}
	if (w.error == -2) {
		printf("vm:   not in the guest's RAM: a guest-page fault the host cannot serve\n");
		return;
	}
	printf("vm:   gpa 0x%08" PRIx32 " -> G-stage root pte 0x%08" PRIx32 ", leaf 0x%08" PRIx32
	       " -> hpa 0x%08" PRIx32 "\n", w.gpa_lo, w.g_root_pte, w.g_leaf_pte, w.hpa);
	printf("vm:   %" PRIu32 " memory references for one TLB miss (a native Sv32 miss makes 2)\n",
	       w.mem_refs);
}

/* One line for a guest that stopped itself or was stopped; the exit code. */
static int report(const struct k_vm_exit *e)
{
	switch (e->reason) {
	case K_VM_EXIT_POWEROFF:
		return (int)e->status;
	case K_VM_EXIT_REBOOT:
		fprintf(stderr, "vm: the guest asked for a reset; it is stopped instead\n");
		return 0;
	case K_VM_EXIT_BAD_GPA: {
		char gpa[24];
		if (e->gpa_hi)
			snprintf(gpa, sizeof(gpa), "0x%" PRIx32 "%08" PRIx32, e->gpa_hi, e->gpa_lo);
		else
			snprintf(gpa, sizeof(gpa), "0x%08" PRIx32, e->gpa_lo);
		fprintf(stderr, "vm: guest stopped: pc 0x%08" PRIx32 " accessed guest-physical %s,"
				" where there is no RAM and no device (scause %" PRIu32 ")\n",
			e->pc, gpa, e->cause);
		return EXIT_BAD_GUEST;
	}
	case K_VM_EXIT_BAD_INSN:
		fprintf(stderr, "vm: guest stopped: pc 0x%08" PRIx32 ": instruction 0x%08" PRIx32
				" cannot be emulated (scause %" PRIu32 ")\n", e->pc, e->insn, e->cause);
		return EXIT_BAD_GUEST;
	case K_VM_EXIT_NO_MEMORY:
		fprintf(stderr, "vm: guest stopped: pc 0x%08" PRIx32 ": the host could not page in its"
				" memory: %s\n", e->pc, strerror((int)e->status));
		return EXIT_BAD_GUEST;
	default:
		fprintf(stderr, "vm: unknown exit %" PRIu32 "\n", e->reason);
		return EXIT_FAILURE;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: vm [-v] [-m MIB] [-k KERNEL] [-i INITRD] [--walk GVA] [-- BOOTARGS...]\n");
	exit(EXIT_FAILURE);
}

struct options {
	uint32_t mib;
	const char *kernel, *initrd;
	bool verbose, walk;
	uint32_t walk_gva;
	char bootargs[MAX_BOOTARGS];
};

static void parse_args(int argc, char **argv, struct options *o)
{
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "-v") == 0) {
			o->verbose = true;
			continue;
		}
		if (next == NULL)
			usage();
		if (strcmp(a, "-m") == 0)
			o->mib = (uint32_t)strtoul(next, NULL, 0);
		else if (strcmp(a, "-k") == 0)
			o->kernel = next;
		else if (strcmp(a, "-i") == 0)
			o->initrd = next;
		else if (strcmp(a, "--walk") == 0)
			o->walk = true, o->walk_gva = (uint32_t)strtoul(next, NULL, 16);
		else
			usage();
		i++;
	}
	for (i++; i < argc; i++) {
		size_t len = strlen(o->bootargs);
		if (len + strlen(argv[i]) + 2 > sizeof(o->bootargs)) {
			fprintf(stderr, "vm: the guest's command line is too long\n");
			exit(EXIT_FAILURE);
		}
		snprintf(o->bootargs + len, sizeof(o->bootargs) - len, "%s%s", len ? " " : "", argv[i]);
	}
	if (o->mib < 4 || o->mib > 1024) {
		fprintf(stderr, "vm: -m takes 4 to 1024 (MiB)\n");
		exit(EXIT_FAILURE);
	}
}

int main(int argc, char **argv)
{
	struct options o = { .mib = 32, .kernel = "/boot/kernel", .initrd = "/boot/initrd" };
	parse_args(argc, argv, &o);
	uint32_t ram_size = o.mib * MIB, ksize, isize = 0;
	uint8_t *ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE | PROT_EXEC,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED) {
		fprintf(stderr, "vm: %" PRIu32 " MiB of guest RAM: %s\n", o.mib, strerror(errno));
		return EXIT_FAILURE;
	}
	uint8_t *kernel = read_file(o.kernel, &ksize);
	uint32_t entry = load_elf(o.kernel, kernel, ksize, ram, ram_size);
	free(kernel);
	if (entry == 0)
		return EXIT_FAILURE;
	uint32_t dtb_gpa = RAM_GPA + ram_size - DTB_SPACE, initrd_gpa = dtb_gpa;
	if (*o.initrd) {
		uint8_t *initrd = read_file(o.initrd, &isize);
		initrd_gpa = (dtb_gpa - isize) & ~0xFFFu;
		if (isize > ram_size / 2) {
			fprintf(stderr, "vm: %s does not fit in %" PRIu32 " MiB\n", o.initrd, o.mib);
			return EXIT_FAILURE;
		}
		memcpy(ram + (initrd_gpa - RAM_GPA), initrd, isize);
		free(initrd);
	}
	struct k_vm_setup s = { .ram_hva = (uint32_t)(uintptr_t)ram, .ram_gpa = RAM_GPA,
				.ram_size = ram_size, .entry = entry, .a0 = 0, .a1 = dtb_gpa,
				.test_gpa = TEST_GPA };
	if (vmcreate(&s) != 0) {
		fprintf(stderr, "vm: cannot host a guest: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	struct guest_desc d = { .ram_size = ram_size, .initrd_gpa = initrd_gpa, .initrd_size = isize,
				.timebase_hz = s.timebase_hz, .isa = s.isa, .bootargs = o.bootargs };
	make_dtb(ram + (dtb_gpa - RAM_GPA), &d);
	fflush(stdout);
	struct k_vm_exit e;
	if (vmrun(&e) != 0) {
		fprintf(stderr, "vm: run: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	if (o.walk)
		print_walk(o.walk_gva);
	if (o.verbose)
		print_counts(&e);
	fflush(stdout);
	return report(&e);
}
