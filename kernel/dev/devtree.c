/*
 * devtree_parse: what the kernel learns from the boot device tree (see
 * dev/devtree.h). Every byte is read through the FDT reader (dev/fdt.h), so
 * a malformed blob ends in -EINVAL and a one-line reason, never a stray
 * read. Invariant: every range stored in struct platform ends below 4 GiB,
 * so base + size never wraps a paddr_t; strings point into the blob.
 */
#include "dev/devtree.h"
#include "dev/fdt.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define FOUR_GIB	  (1ull << 32)
#define ISA_EXT_SEPARATOR '_' /* "rv32imac_zicsr_sstc": base letters, then _ext */

static int fail(const char **err, const char *why)
{
	*err = why;
	return -EINVAL;
}

/* Store [addr, addr + size) in r if it is not empty and ends below 4 GiB. */
static bool to_range(uint64_t addr, uint64_t size, struct phys_range *r)
{
	if (size == 0 || addr >= FOUR_GIB || size >= FOUR_GIB - addr)
		return false;
	r->base = (paddr_t)addr;
	r->size = (uint32_t)size;
	return true;
}

/* True if node's device_type is type ("memory", "cpu"). */
static bool has_device_type(const struct fdt *f, int node, const char *type)
{
	const char *s;

	return fdt_prop_string(f, node, "device_type", &s) == 0 && strcmp(s, type) == 0;
}

/* RAM is the first reg range of the first node whose device_type is "memory". */
static int parse_memory(const struct fdt *f, struct platform *p, const char **err)
{
	uint64_t addr, size;
	int n = fdt_next_node(f, FDT_START, NULL);

	while (n >= 0 && !has_device_type(f, n, "memory"))
		n = fdt_next_node(f, n, NULL);
	if (n < 0)
		return fail(err, "devtree: no memory node");
	if (fdt_reg(f, n, 0, &addr, &size) < 0)
		return fail(err, "devtree: memory node has no usable reg");
	if (size == 0)
		return fail(err, "devtree: memory node has size 0");
	if (addr >= FOUR_GIB - PAGE_SIZE)
		return fail(err, "devtree: RAM starts above 4 GiB");
	/* paddr_t ends below 4 GiB: RAM that reaches it (MEM=2G on virt) is
	 * trimmed to its last whole page below (the kernel uses less anyway). */
	if (size > FOUR_GIB - PAGE_SIZE - addr)
		size = FOUR_GIB - PAGE_SIZE - addr;
	if (!to_range(addr, size, &p->ram))
		return fail(err, "devtree: RAM starts above 4 GiB");
	return 0;
}

/* Append [addr, addr + size) to the reserved ranges; empty ranges are skipped. */
static int add_reserved(struct platform *p, uint64_t addr, uint64_t size, const char **err)
{
	if (size == 0)
		return 0;
	if (p->nreserved == DT_MAX_RESERVED)
		return fail(err, "devtree: too many reserved ranges");
	if (!to_range(addr, size, &p->reserved[p->nreserved]))
		return fail(err, "devtree: reserved range does not end below 4 GiB");
	p->nreserved++;
	return 0;
}

/* Reserved ranges: the memory reservation map, then every reg range of
 * every child of /reserved-memory (where OpenSBI records its own memory). */
static int parse_reserved(const struct fdt *f, struct platform *p, const char **err)
{
	uint64_t addr, size;
	int r, resv, c;

	for (int i = 0; fdt_rsv_entry(f, i, &addr, &size) == 0; i++) {
		r = add_reserved(p, addr, size, err);
		if (r < 0)
			return r;
	}
	resv = fdt_find_node(f, "/reserved-memory");
	for (c = fdt_first_child(f, resv); c >= 0; c = fdt_next_sibling(f, c)) {
		for (int i = 0; (r = fdt_reg(f, c, i, &addr, &size)) == 0; i++) {
			r = add_reserved(p, addr, size, err);
			if (r < 0)
				return r;
		}
		if (r != -ENOENT)
			return fail(err, "devtree: bad reg in /reserved-memory");
	}
	return 0;
}

/* The initrd from /chosen's linux,initrd-start and -end (4 or 8 bytes each). */
static int parse_initrd(const struct fdt *f, int chosen, struct platform *p, const char **err)
{
	uint64_t start = 0, end = 0;
	int rs = fdt_prop_uint(f, chosen, "linux,initrd-start", &start);
	int re = fdt_prop_uint(f, chosen, "linux,initrd-end", &end);

	if (rs == -ENOENT && re == -ENOENT)
		return 0;
	if (rs < 0 || re < 0 || end < start || end >= FOUR_GIB)
		return fail(err, "devtree: bad linux,initrd-start/linux,initrd-end");
	p->initrd_start = (paddr_t)start;
	p->initrd_end = (paddr_t)end;
	return 0;
}

/* The command line and the initrd; /chosen itself is optional. */
static int parse_chosen(const struct fdt *f, struct platform *p, const char **err)
{
	int chosen = fdt_find_node(f, "/chosen");
	int r;

	p->bootargs = "";
	if (chosen < 0)
		return 0;
	r = fdt_prop_string(f, chosen, "bootargs", &p->bootargs);
	if (r == -EINVAL)
		return fail(err, "devtree: bootargs is not a NUL-terminated string");
	return parse_initrd(f, chosen, p, err);
}

/* True if the ISA string names ext as a whole extension after the base
 * letters: "rv32imac_zicsr_sstc" has "sstc", "rv32imac_sstcx" has not. */
static bool isa_string_has(const char *isa, const char *ext)
{
	size_t n = strlen(ext);

	for (const char *s = strchr(isa, ISA_EXT_SEPARATOR); s; s = strchr(s, ISA_EXT_SEPARATOR)) {
		s++;
		if (strncmp(s, ext, n) == 0 && (s[n] == '\0' || s[n] == ISA_EXT_SEPARATOR))
			return true;
	}
	return false;
}

/* True if the ISA string's single-letter part ("rv32imafdc" before any
 * '_') has letter c. */
static bool isa_base_has(const char *isa, char c)
{
	if (strncmp(isa, "rv32", 4) != 0 && strncmp(isa, "rv64", 4) != 0)
		return false;
	for (const char *s = isa + 4; *s && *s != ISA_EXT_SEPARATOR; s++)
		if (*s == c)
			return true;
	return false;
}

/* True if the cpu node's "riscv,isa" or "riscv,isa-extensions" names ext. */
static bool cpu_has_extension(const struct fdt *f, int cpu, const char *ext)
{
	const char *isa, *list;
	uint32_t len;

	if (fdt_prop_string(f, cpu, "riscv,isa", &isa) == 0 && isa_string_has(isa, ext))
		return true;
	list = fdt_getprop(f, cpu, "riscv,isa-extensions", &len);
	return list && fdt_stringlist_contains(list, len, ext);
}

/* Whether a node's "status" says it is not there ("disabled", "fail"). */
static bool node_disabled(const struct fdt *f, int node)
{
	const char *status;
	return fdt_prop_string(f, node, "status", &status) == 0 && strcmp(status, "okay") != 0;
}

/* The timebase from /cpus, every hart's id (reg) and Sstc from the first
 * one: the children of /cpus whose device_type is "cpu". Harts past
 * DT_MAX_HARTS are not used. */
static int parse_cpus(const struct fdt *f, struct platform *p, const char **err)
{
	int cpus = fdt_find_node(f, "/cpus");
	int c;

	if (fdt_prop_u32(f, cpus, "timebase-frequency", &p->timebase_hz) < 0)
		return fail(err, "devtree: no /cpus/timebase-frequency");
	if (p->timebase_hz == 0)
		return fail(err, "devtree: /cpus/timebase-frequency is 0");
	p->nharts = 0;
	for (c = fdt_first_child(f, cpus); c >= 0; c = fdt_next_sibling(f, c)) {
		uint32_t hartid;
		if (!has_device_type(f, c, "cpu") || node_disabled(f, c))
			continue;
		if (fdt_prop_u32(f, c, "reg", &hartid) < 0)
			return fail(err, "devtree: a cpu node has no reg (hart id)");
		if (p->nharts == 0) {
			const char *isa;
			p->has_sstc = cpu_has_extension(f, c, "sstc");
			bool named = fdt_prop_string(f, c, "riscv,isa", &isa) == 0;
			p->has_d = named && isa_base_has(isa, 'd');
			p->has_h = named && isa_base_has(isa, 'h');
			if (named) {
				size_t len = strnlen(isa, sizeof(p->isa) - 1);
				memcpy(p->isa, isa, len);
				p->isa[len] = '\0';
			}
		}
		if (p->nharts < DT_MAX_HARTS)
			p->hartids[p->nharts++] = hartid;
	}
	if (p->nharts == 0)
		return fail(err, "devtree: no cpu node under /cpus");
	return 0;
}

/* Fill d from node's first reg range and first "interrupts" cell (0 if none). */
static bool read_device(const struct fdt *f, int node, struct dt_device *d)
{
	uint64_t addr, size;
	struct phys_range r;
	uint32_t len;
	const void *irq;

	if (fdt_reg(f, node, 0, &addr, &size) < 0 || !to_range(addr, size, &r))
		return false;
	d->base = r.base;
	d->size = r.size;
	irq = fdt_getprop(f, node, "interrupts", &len);
	d->irq = irq && len >= FDT_CELL_SIZE ? fdt_be32(irq) : 0;
	return true;
}

/* The console UART: the first ns16550a. None (a guest of riscv/hv.c):
 * the console is SBI's, and uart.base stays 0. */
static int parse_uart(const struct fdt *f, struct platform *p, const char **err)
{
	int n = fdt_next_compatible(f, FDT_START, "ns16550a");

	if (n < 0)
		return 0;
	if (!read_device(f, n, &p->uart))
		return fail(err, "devtree: bad uart reg");
	if (fdt_prop_u32(f, n, "clock-frequency", &p->uart_clock_hz) == -EINVAL)
		return fail(err, "devtree: bad uart clock-frequency");
	return 0;
}

/* The interrupt controller, under either of its compatible names. None:
 * no external interrupts (plic.base stays 0), so no UART input and no
 * virtio disks. */
static int parse_plic(const struct fdt *f, struct platform *p, const char **err)
{
	int n = fdt_next_compatible(f, FDT_START, "sifive,plic-1.0.0");

	if (n < 0)
		n = fdt_next_compatible(f, FDT_START, "riscv,plic0");
	if (n < 0)
		return 0;
	if (!read_device(f, n, &p->plic))
		return fail(err, "devtree: bad plic reg");
	if (fdt_prop_u32(f, n, "riscv,ndev", &p->plic_ndev) < 0)
		return fail(err, "devtree: plic has no riscv,ndev");
	return 0;
}

/* The optional test device, and up to DT_MAX_VIRTIO virtio-mmio slots in tree order. */
static int parse_other_devices(const struct fdt *f, struct platform *p, const char **err)
{
	int n = fdt_next_compatible(f, FDT_START, "sifive,test0");

	if (n >= 0 && !read_device(f, n, &p->test))
		return fail(err, "devtree: bad sifive,test0 reg");
	n = fdt_next_compatible(f, FDT_START, "virtio,mmio");
	for (; n >= 0 && p->nvirtio < DT_MAX_VIRTIO; n = fdt_next_compatible(f, n, "virtio,mmio")) {
		if (!read_device(f, n, &p->virtio[p->nvirtio]))
			return fail(err, "devtree: bad virtio,mmio reg");
		p->nvirtio++;
	}
	return 0;
}

int devtree_parse(const void *blob, uint32_t maxsize, struct platform *p, const char **err)
{
	struct fdt f;
	int r;

	memset(p, 0, sizeof(*p));
	r = fdt_init(&f, blob, maxsize, err);
	if (r < 0)
		return r;
	p->dtb_size = f.totalsize;
	r = parse_memory(&f, p, err);
	if (r == 0)
		r = parse_reserved(&f, p, err);
	if (r == 0)
		r = parse_chosen(&f, p, err);
	if (r == 0)
		r = parse_cpus(&f, p, err);
	if (r == 0)
		r = parse_uart(&f, p, err);
	if (r == 0)
		r = parse_plic(&f, p, err);
	if (r == 0)
		r = parse_other_devices(&f, p, err);
	return r;
}
