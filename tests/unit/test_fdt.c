/*
 * Host tests for the FDT reader (kernel/dev/fdt.c) and devtree_parse
 * (kernel/dev/devtree.c), on device trees dumped from QEMU 7.2 and a few
 * crafted from them (tests/unit/data/README.md). Every blob sits in a
 * malloc'ed buffer of exactly its size, so ASan reports any read past it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/devtree.h"
#include "dev/fdt.h"
#include "lib/kerrno.h"

#define DATA	     "tests/unit/data/"
#define BLOB_128M    DATA "virt-128m.dtb"
#define BLOB_SMP2    DATA "virt-256m-smp2.dtb"
#define BLOB_OPENSBI DATA "virt-128m-opensbi.dtb"
#define BLOB_ISA_EXT DATA "virt-isa-extensions.dtb"

#define MIB		      (1024u * 1024u)
#define QEMU_RAM_BASE	      0x80000000u
#define QEMU_TIMEBASE_HZ      10000000u
#define QEMU_UART_BASE	      0x10000000u
#define QEMU_UART_IRQ	      10
#define QEMU_UART_CLOCK_HZ    3686400u
#define QEMU_PLIC_BASE	      0x0c000000u
#define QEMU_PLIC_NDEV	      96
#define QEMU_TEST_BASE	      0x100000u
#define QEMU_VIRTIO_LAST_BASE 0x10008000u /* the tree lists the slots from the top down */
#define QEMU_VIRTIO_STRIDE    0x1000u
#define QEMU_VIRTIO_SLOTS     8
#define FUZZ_ITERATIONS	      10000
#define FUZZ_SEED	      0x2545f491u

/* A blob in a buffer of exactly its size. */
struct blob {
	uint8_t *data;
	uint32_t size;
};

static struct blob load(const char *path)
{
	struct blob b = {NULL, 0};
	FILE *fp = fopen(path, "rb");
	long n;

	if (!fp)
		fail_msg("cannot open %s (run the tests from the repository root)", path);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	assert_true(n > 0);
	rewind(fp);
	b.size = (uint32_t)n;
	b.data = malloc(b.size);
	assert_non_null(b.data);
	assert_int_equal(fread(b.data, 1, b.size, fp), b.size);
	fclose(fp);
	return b;
}

/* A copy of the first len bytes of b, in a buffer of exactly len bytes. */
static uint8_t *copy_prefix(const struct blob *b, uint32_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, b->data, len);
	return c;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void init_fdt(struct fdt *f, const struct blob *b)
{
	const char *err = NULL;
	int r = fdt_init(f, b->data, b->size, &err);

	if (r != 0)
		fail_msg("fdt_init: %s", err);
}

/* Parse b, which must succeed. */
static void parse(const struct blob *b, struct platform *p)
{
	const char *err = NULL;
	int r = devtree_parse(b->data, b->size, p, &err);

	if (r != 0)
		fail_msg("devtree_parse: %s", err ? err : "(no message)");
}

/* Parse b, which must fail with exactly the message why. */
static void expect_error(const struct blob *b, const char *why)
{
	struct platform p;
	const char *err = NULL;

	assert_int_equal(devtree_parse(b->data, b->size, &p, &err), -EINVAL);
	assert_non_null(err);
	assert_string_equal(err, why);
}

/* Offset in b of the value of property name of the node at path. */
static uint32_t prop_offset(const struct blob *b, const char *path, const char *name, uint32_t *len)
{
	struct fdt f;
	int node;
	const uint8_t *v;

	init_fdt(&f, b);
	node = fdt_find_node(&f, path);
	assert_true(node >= 0);
	v = fdt_getprop(&f, node, name, len);
	assert_non_null(v);
	return (uint32_t)(v - b->data);
}

/* Overwrite the only occurrence of old in b with new, of the same length. */
static void patch_bytes(struct blob *b, const void *old, const void *new, size_t n)
{
	uint8_t *hit = NULL;

	for (uint32_t i = 0; i + n <= b->size; i++) {
		if (memcmp(b->data + i, old, n) == 0) {
			assert_null(hit);
			hit = b->data + i;
		}
	}
	assert_non_null(hit);
	memcpy(hit, new, n);
}

static uint32_t header(const struct blob *b, uint32_t field)
{
	return get_be32(b->data + field);
}

static void set_header(struct blob *b, uint32_t field, uint32_t v)
{
	put_be32(b->data + field, v);
}

/* ---- The real QEMU 7.2 blob: -m 128M -append "init=/bin/sh quiet -- a b" ---- */

static void test_real_blob_ram_is_128m_at_80000000(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_equal(p.ram.base, QEMU_RAM_BASE);
	assert_int_equal(p.ram.size, 128 * MIB);
	free(b.data);
}

/* fdt_init indexes the nodes; the index must give, for every node of
 * each real blob, the same next node, depth, parent, first child and
 * sibling as the walk over the tokens (the index turned off). */
static void test_the_node_index_agrees_with_the_token_walk(void **state)
{
	const char *paths[] = { BLOB_128M, BLOB_OPENSBI };
	(void)state;
	for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++) {
		struct blob b = load(paths[k]);
		struct fdt f, walk;
		init_fdt(&f, &b);
		assert_true(f.nnodes > 10);
		walk = f;
		walk.nnodes = 0;
		int d1 = -1, d2 = -1, n1 = fdt_next_node(&f, FDT_START, &d1);
		int n2 = fdt_next_node(&walk, FDT_START, &d2);
		for (int seen = 0; n1 >= 0 || n2 >= 0; seen++) {
			assert_int_equal(n1, n2);
			assert_int_equal(d1, d2);
			assert_int_equal(fdt_parent(&f, n1), fdt_parent(&walk, n1));
			assert_int_equal(fdt_first_child(&f, n1), fdt_first_child(&walk, n1));
			assert_int_equal(fdt_next_sibling(&f, n1), fdt_next_sibling(&walk, n1));
			n1 = fdt_next_node(&f, n1, &d1);
			n2 = fdt_next_node(&walk, n2, &d2);
			assert_true(seen < f.nnodes);
		}
		assert_int_equal(n1, n2); /* both -ENOENT at the end */
		assert_int_equal(fdt_parent(&f, f.root + 4), -EINVAL); /* not a node */
		free(b.data);
	}
}

static void test_real_blob_timebase_is_10mhz(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_equal(p.timebase_hz, QEMU_TIMEBASE_HZ);
	free(b.data);
}

static void test_real_blob_bootargs_match_append_exactly(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_string_equal(p.bootargs, "init=/bin/sh quiet -- a b");
	assert_true(p.bootargs > (const char *)b.data &&
		    p.bootargs < (const char *)b.data + b.size);
	free(b.data);
}

static void test_real_blob_uart_is_at_10000000_irq_10(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_equal(p.uart.base, QEMU_UART_BASE);
	assert_int_equal(p.uart.size, 0x100);
	assert_int_equal(p.uart.irq, QEMU_UART_IRQ);
	assert_int_equal(p.uart_clock_hz, QEMU_UART_CLOCK_HZ);
	free(b.data);
}

static void test_real_blob_plic_is_at_0c000000_with_96_sources(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_equal(p.plic.base, QEMU_PLIC_BASE);
	assert_int_equal(p.plic.size, 0x600000);
	assert_int_equal(p.plic_ndev, QEMU_PLIC_NDEV);
	free(b.data);
}

static void test_real_blob_test_device_is_at_100000(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_equal(p.test.base, QEMU_TEST_BASE);
	assert_int_equal(p.test.size, 0x1000);
	assert_int_equal(p.test.irq, 0);
	free(b.data);
}

/* QEMU 7.2 lists virtio_mmio@10008000 (IRQ 8) first, down to @10001000 (IRQ 1). */
static void test_real_blob_lists_8_virtio_slots_from_10008000_down(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_equal(p.nvirtio, QEMU_VIRTIO_SLOTS);
	for (int i = 0; i < QEMU_VIRTIO_SLOTS; i++) {
		assert_int_equal(p.virtio[i].base, QEMU_VIRTIO_LAST_BASE - i * QEMU_VIRTIO_STRIDE);
		assert_int_equal(p.virtio[i].size, QEMU_VIRTIO_STRIDE);
		assert_int_equal(p.virtio[i].irq, QEMU_VIRTIO_SLOTS - i);
	}
	free(b.data);
}

static void test_real_blob_boot_hart_has_sstc(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_true(p.has_sstc);
	free(b.data);
}

static void test_real_blob_has_no_initrd_or_reserved_ranges_and_reports_totalsize(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_equal(p.initrd_start, 0);
	assert_int_equal(p.initrd_end, 0);
	assert_int_equal(p.nreserved, 0);
	assert_int_equal(p.dtb_size, b.size);
	assert_int_equal(p.dtb_size, header(&b, FDT_H_TOTALSIZE));
	free(b.data);
}

/* A larger maxsize than the blob's totalsize is fine: only totalsize is read. */
static void test_maxsize_above_totalsize_is_accepted(void **state)
{
	struct blob b = load(BLOB_128M);
	struct blob big = {malloc(b.size + PAGE_SIZE), b.size + PAGE_SIZE};
	struct platform p;

	(void)state;
	assert_non_null(big.data);
	memset(big.data, 0xff, big.size);
	memcpy(big.data, b.data, b.size);
	parse(&big, &p);
	assert_int_equal(p.dtb_size, b.size);
	free(big.data);
	free(b.data);
}

/* ---- QEMU 7.2: -m 256M -smp 2 -initrd (1000 bytes), no -append ---- */

static void test_smp2_blob_ram_is_256m_and_devices_match(void **state)
{
	struct blob b = load(BLOB_SMP2);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_equal(p.ram.base, QEMU_RAM_BASE);
	assert_int_equal(p.ram.size, 256 * MIB);
	assert_int_equal(p.timebase_hz, QEMU_TIMEBASE_HZ);
	assert_int_equal(p.uart.base, QEMU_UART_BASE);
	assert_int_equal(p.uart.irq, QEMU_UART_IRQ);
	assert_int_equal(p.plic.base, QEMU_PLIC_BASE);
	assert_int_equal(p.plic_ndev, QEMU_PLIC_NDEV);
	assert_int_equal(p.nvirtio, QEMU_VIRTIO_SLOTS);
	assert_true(p.has_sstc);
	free(b.data);
}

static void test_smp2_blob_without_append_has_empty_bootargs(void **state)
{
	struct blob b = load(BLOB_SMP2);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_non_null(p.bootargs);
	assert_string_equal(p.bootargs, "");
	free(b.data);
}

/* QEMU writes linux,initrd-start/-end as one cell each. */
static void test_smp2_blob_initrd_range_comes_from_4_byte_cells(void **state)
{
	struct blob b = load(BLOB_SMP2);
	struct platform p;
	uint32_t len;

	(void)state;
	prop_offset(&b, "/chosen", "linux,initrd-start", &len);
	assert_int_equal(len, 4);
	parse(&b, &p);
	assert_int_equal(p.initrd_start, 0x88000000);
	assert_int_equal(p.initrd_end, 0x88000000 + 1000);
	free(b.data);
}

static void test_missing_chosen_gives_empty_bootargs_and_no_initrd(void **state)
{
	struct blob b = load(BLOB_SMP2);
	struct platform p;

	(void)state;
	patch_bytes(&b, "chosen", "chosex", 6);
	parse(&b, &p);
	assert_non_null(p.bootargs);
	assert_string_equal(p.bootargs, "");
	assert_int_equal(p.initrd_start, 0);
	assert_int_equal(p.initrd_end, 0);
	free(b.data);
}

static void test_initrd_start_without_end_is_rejected(void **state)
{
	struct blob b = load(BLOB_SMP2);

	(void)state;
	patch_bytes(&b, "linux,initrd-end", "linux,initrd-enX", 16);
	expect_error(&b, "devtree: bad linux,initrd-start/linux,initrd-end");
	free(b.data);
}

/* ---- Crafted: what OpenSBI hands over, 8-byte initrd cells ---- */

static void test_opensbi_blob_initrd_range_comes_from_8_byte_cells(void **state)
{
	struct blob b = load(BLOB_OPENSBI);
	struct platform p;
	uint32_t len;

	(void)state;
	prop_offset(&b, "/chosen", "linux,initrd-end", &len);
	assert_int_equal(len, 8);
	parse(&b, &p);
	assert_int_equal(p.initrd_start, 0x84000000);
	assert_int_equal(p.initrd_end, 0x84200000);
	free(b.data);
}

static void test_opensbi_blob_reserved_ranges_are_rsvmap_then_reserved_memory(void **state)
{
	struct blob b = load(BLOB_OPENSBI);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_equal(p.nreserved, 3);
	assert_int_equal(p.reserved[0].base, 0x87e00000);
	assert_int_equal(p.reserved[0].size, 0x2000);
	assert_int_equal(p.reserved[1].base, 0x80040000);
	assert_int_equal(p.reserved[1].size, 0x20000);
	assert_int_equal(p.reserved[2].base, 0x80000000);
	assert_int_equal(p.reserved[2].size, 0x40000);
	assert_int_equal(p.ram.size, 128 * MIB);
	free(b.data);
}

/*
 * A copy of b whose memory reservation map (empty in b, just before the
 * struct block) holds n entries of one page each from the start of RAM.
 */
static struct blob with_rsvmap_entries(const struct blob *b, uint32_t n)
{
	uint32_t rsv = header(b, FDT_H_OFF_MEM_RSVMAP);
	uint32_t old_struct = header(b, FDT_H_OFF_DT_STRUCT);
	uint32_t delta = n * FDT_RSV_ENTRY_SIZE;
	struct blob c = {calloc(1, b->size + delta), b->size + delta};

	assert_non_null(c.data);
	assert_int_equal(rsv + FDT_RSV_ENTRY_SIZE, old_struct);
	memcpy(c.data, b->data, rsv);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t *e = c.data + rsv + i * FDT_RSV_ENTRY_SIZE;
		put_be32(e + 4, QEMU_RAM_BASE + i * PAGE_SIZE);
		put_be32(e + FDT_RSV_SIZE_FIELD + 4, PAGE_SIZE);
	}
	memcpy(c.data + old_struct + delta, b->data + old_struct, b->size - old_struct);
	set_header(&c, FDT_H_TOTALSIZE, c.size);
	set_header(&c, FDT_H_OFF_DT_STRUCT, old_struct + delta);
	set_header(&c, FDT_H_OFF_DT_STRINGS, header(b, FDT_H_OFF_DT_STRINGS) + delta);
	return c;
}

static void test_more_than_16_reserved_ranges_are_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	struct blob full = with_rsvmap_entries(&b, DT_MAX_RESERVED);
	struct blob over = with_rsvmap_entries(&b, DT_MAX_RESERVED + 1);
	struct platform p;

	(void)state;
	parse(&full, &p);
	assert_int_equal(p.nreserved, DT_MAX_RESERVED);
	assert_int_equal(p.reserved[DT_MAX_RESERVED - 1].base,
			 QEMU_RAM_BASE + (DT_MAX_RESERVED - 1) * PAGE_SIZE);
	assert_int_equal(p.reserved[DT_MAX_RESERVED - 1].size, PAGE_SIZE);
	expect_error(&over, "devtree: too many reserved ranges");
	free(full.data);
	free(over.data);
	free(b.data);
}

/* reg of mmode_resv0 is <addr_hi addr_lo size_hi size_lo>. */
static void test_empty_reserved_range_is_skipped(void **state)
{
	struct blob b = load(BLOB_OPENSBI);
	struct platform p;
	uint32_t len;
	uint32_t reg = prop_offset(&b, "/reserved-memory/mmode_resv0", "reg", &len);

	(void)state;
	put_be32(b.data + reg + 3 * FDT_CELL_SIZE, 0);
	parse(&b, &p);
	assert_int_equal(p.nreserved, 2);
	assert_int_equal(p.reserved[1].base, 0x80000000);
	free(b.data);
}

static void test_bad_reserved_range_is_rejected(void **state)
{
	struct blob b = load(BLOB_OPENSBI);
	uint32_t len;
	uint32_t reg = prop_offset(&b, "/reserved-memory/mmode_resv0", "reg", &len);
	uint32_t size_cells = prop_offset(&b, "/reserved-memory", "#size-cells", &len);

	(void)state;
	put_be32(b.data + reg, 1);
	expect_error(&b, "devtree: reserved range does not end below 4 GiB");
	put_be32(b.data + reg, 0);
	put_be32(b.data + size_cells, FDT_MAX_CELLS + 1);
	expect_error(&b, "devtree: bad reg in /reserved-memory");
	free(b.data);
}

static void test_bad_initrd_range_is_rejected(void **state)
{
	struct blob b = load(BLOB_SMP2);
	struct blob b64 = load(BLOB_OPENSBI);
	uint32_t len;
	uint32_t end = prop_offset(&b, "/chosen", "linux,initrd-end", &len);
	uint32_t end64 = prop_offset(&b64, "/chosen", "linux,initrd-end", &len);

	(void)state;
	put_be32(b.data + end, 0x87ffffff); /* before the start */
	expect_error(&b, "devtree: bad linux,initrd-start/linux,initrd-end");
	put_be32(b64.data + end64, 1); /* ends above 4 GiB */
	expect_error(&b64, "devtree: bad linux,initrd-start/linux,initrd-end");
	free(b.data);
	free(b64.data);
}

/* Turn the rtc, the first node under /soc, into a ninth virtio,mmio node. */
static void test_only_first_8_virtio_nodes_are_kept(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;
	uint32_t len;
	uint32_t compat = prop_offset(&b, "/soc/rtc", "compatible", &len);

	(void)state;
	assert_true(len >= sizeof("virtio,mmio"));
	memset(b.data + compat, 0, len);
	memcpy(b.data + compat, "virtio,mmio", sizeof("virtio,mmio"));
	parse(&b, &p);
	assert_int_equal(p.nvirtio, DT_MAX_VIRTIO);
	assert_int_equal(p.virtio[0].base, 0x101000);
	assert_int_equal(p.virtio[0].irq, 11);
	assert_int_equal(p.virtio[DT_MAX_VIRTIO - 1].base,
			 QEMU_VIRTIO_LAST_BASE - 6 * QEMU_VIRTIO_STRIDE);
	free(b.data);
}

/* ---- Sstc detection ---- */

static void test_isa_extensions_list_gives_sstc(void **state)
{
	struct blob b = load(BLOB_ISA_EXT);
	struct platform p;
	uint32_t len;
	uint32_t list;

	(void)state;
	parse(&b, &p);
	assert_true(p.has_sstc);

	/* Without "sstc" in the list nothing else names it. */
	list = prop_offset(&b, "/cpus/cpu@0", "riscv,isa-extensions", &len);
	assert_true(len > 5);
	assert_memory_equal(b.data + list + len - 5, "sstc", 5);
	b.data[list + len - 2] = 'x';
	parse(&b, &p);
	assert_false(p.has_sstc);
	free(b.data);
}

static void test_sstc_absent_when_isa_string_lacks_it(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	patch_bytes(&b, "zbs_sstc", "zbs_zbkb", 8);
	parse(&b, &p);
	assert_false(p.has_sstc);
	free(b.data);
}

/* The boot hart is the first cpu node: cpu@1's ISA does not matter. */
static void test_sstc_comes_from_first_cpu_node(void **state)
{
	struct blob b = load(BLOB_SMP2);
	struct platform p;
	uint32_t len;
	uint32_t isa1 = prop_offset(&b, "/cpus/cpu@1", "riscv,isa", &len);
	uint32_t isa0 = prop_offset(&b, "/cpus/cpu@0", "riscv,isa", &len);

	(void)state;
	assert_memory_equal(b.data + isa1 + len - 5, "sstc", 5);
	b.data[isa1 + len - 2] = 'x';
	parse(&b, &p);
	assert_true(p.has_sstc);
	b.data[isa1 + len - 2] = 't';
	b.data[isa0 + len - 2] = 'x';
	parse(&b, &p);
	assert_false(p.has_sstc);
	free(b.data);
}

/* Only a whole '_'-separated extension counts, not a longer name holding "sstc". */
static void test_sstc_inside_longer_extension_name_does_not_count(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	patch_bytes(&b, "zbs_sstc", "sstcazbs", 8);
	parse(&b, &p);
	assert_false(p.has_sstc);
	patch_bytes(&b, "sstcazbs", "zb_xsstc", 8);
	parse(&b, &p);
	assert_false(p.has_sstc);
	patch_bytes(&b, "zb_xsstc", "zb_sstc_", 8);
	parse(&b, &p);
	assert_true(p.has_sstc);
	free(b.data);
}

/* ---- The generic reader ---- */

static void test_fdt_find_node_matches_name_before_unit_address(void **state)
{
	struct blob b = load(BLOB_128M);
	struct fdt f;
	int n;

	(void)state;
	init_fdt(&f, &b);
	assert_int_equal(fdt_find_node(&f, "/"), f.root);
	assert_string_equal(fdt_node_name(&f, f.root), "");
	n = fdt_find_node(&f, "/memory");
	assert_true(n >= 0);
	assert_string_equal(fdt_node_name(&f, n), "memory@80000000");
	assert_int_equal(fdt_find_node(&f, "/memory@80000000"), n);
	n = fdt_find_node(&f, "/soc/serial");
	assert_true(n >= 0);
	assert_int_equal(fdt_find_node(&f, "/soc/serial@10000000"), n);
	assert_int_equal(fdt_find_node(&f, "/soc/serial@1"), -ENOENT);
	assert_int_equal(fdt_find_node(&f, "/soc/seria"), -ENOENT);
	assert_int_equal(fdt_find_node(&f, "/nonexistent"), -ENOENT);
	assert_int_equal(fdt_find_node(&f, "cpus"), -ENOENT);
	n = fdt_find_node(&f, "/cpus/cpu@0/interrupt-controller");
	assert_true(n >= 0);
	assert_string_equal(fdt_node_name(&f, n), "interrupt-controller");
	assert_int_equal(fdt_find_node(&f, "/chosen/"), fdt_find_node(&f, "/chosen"));
	free(b.data);
}

/* The real tree has 30 nodes; the deepest is /cpus/cpu-map/cluster0/core0. */
static void test_fdt_next_node_visits_all_nodes_with_depth(void **state)
{
	struct blob b = load(BLOB_128M);
	struct fdt f;
	int depth = -1, count = 0, max_depth = 0, n;
	int core0 = -ENOENT, core0_depth = -1;

	(void)state;
	init_fdt(&f, &b);
	n = fdt_next_node(&f, FDT_START, &depth);
	assert_int_equal(n, f.root);
	assert_int_equal(depth, 0);
	for (; n >= 0; n = fdt_next_node(&f, n, &depth)) {
		count++;
		assert_true(depth >= 0);
		max_depth = depth > max_depth ? depth : max_depth;
		if (strcmp(fdt_node_name(&f, n), "core0") == 0) {
			core0 = n;
			core0_depth = depth;
		}
	}
	assert_int_equal(n, -ENOENT);
	assert_int_equal(count, 30);
	assert_int_equal(max_depth, 4);
	assert_int_equal(core0, fdt_find_node(&f, "/cpus/cpu-map/cluster0/core0"));
	assert_int_equal(core0_depth, 4);
	assert_int_equal(fdt_parent(&f, core0), fdt_find_node(&f, "/cpus/cpu-map/cluster0"));
	assert_int_equal(fdt_parent(&f, f.root), -ENOENT);
	free(b.data);
}

static void test_fdt_children_and_siblings_stay_under_parent(void **state)
{
	struct blob b = load(BLOB_SMP2);
	struct fdt f;
	int cpus, c;
	const char *names[] = {"cpu@0", "cpu@1", "cpu-map"};
	size_t i = 0;

	(void)state;
	init_fdt(&f, &b);
	cpus = fdt_find_node(&f, "/cpus");
	assert_true(cpus >= 0);
	for (c = fdt_first_child(&f, cpus); c >= 0; c = fdt_next_sibling(&f, c)) {
		assert_true(i < ARRAY_SIZE(names));
		assert_string_equal(fdt_node_name(&f, c), names[i++]);
		assert_int_equal(fdt_parent(&f, c), cpus);
	}
	assert_int_equal(i, ARRAY_SIZE(names));
	assert_int_equal(fdt_first_child(&f, fdt_find_node(&f, "/memory")), -ENOENT);
	assert_int_equal(fdt_first_child(&f, -ENOENT), -ENOENT);
	free(b.data);
}

/* A handle that is not the offset of a BEGIN_NODE token is refused, not followed. */
static void test_fdt_rejects_bad_node_handles(void **state)
{
	struct blob b = load(BLOB_128M);
	struct fdt f;
	uint32_t len;
	int prop = (int)prop_offset(&b, "/chosen", "bootargs", &len) - FDT_PROP_HEADER_SIZE;
	int bad[] = {(int)b.size, (int)b.size + 4096, 0x7ffffffc, FDT_HEADER_SIZE, 0, prop};

	(void)state;
	init_fdt(&f, &b);
	/* A misaligned offset whose bytes read as a BEGIN_NODE token. */
	for (uint32_t off = f.struct_off + 1; off < f.struct_end; off++) {
		if (off % FDT_TOKEN_SIZE != 0 && get_be32(b.data + off) == FDT_BEGIN_NODE) {
			bad[ARRAY_SIZE(bad) - 2] = (int)off;
			break;
		}
	}
	assert_int_not_equal(bad[ARRAY_SIZE(bad) - 2], 0);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_null(fdt_node_name(&f, bad[i]));
		assert_null(fdt_getprop(&f, bad[i], "reg", &len));
		assert_int_equal(fdt_next_node(&f, bad[i], NULL), -EINVAL);
		assert_int_equal(fdt_first_child(&f, bad[i]), -EINVAL);
		assert_false(fdt_is_compatible(&f, bad[i], "ns16550a"));
	}
	free(b.data);
}

/* /cpus has #address-cells 1 and #size-cells 0; the root and /soc have 2 and 2. */
static void test_fdt_reg_uses_parent_cells(void **state)
{
	struct blob b = load(BLOB_SMP2);
	struct fdt f;
	uint64_t addr, size;
	int flash;

	(void)state;
	init_fdt(&f, &b);
	assert_int_equal(fdt_reg(&f, fdt_find_node(&f, "/cpus/cpu@1"), 0, &addr, &size), 0);
	assert_int_equal(addr, 1);
	assert_int_equal(size, 0);
	assert_int_equal(fdt_reg(&f, fdt_find_node(&f, "/memory"), 0, &addr, &size), 0);
	assert_int_equal(addr, QEMU_RAM_BASE);
	assert_int_equal(size, 256 * MIB);
	flash = fdt_find_node(&f, "/flash");
	assert_int_equal(fdt_reg(&f, flash, 1, &addr, &size), 0);
	assert_int_equal(addr, 0x22000000);
	assert_int_equal(size, 0x2000000);
	assert_int_equal(fdt_reg(&f, flash, 2, &addr, &size), -ENOENT);
	assert_int_equal(fdt_reg(&f, fdt_find_node(&f, "/chosen"), 0, &addr, &size), -ENOENT);
	assert_int_equal(fdt_reg(&f, f.root, 0, &addr, &size), -EINVAL);
	assert_int_equal(fdt_address_cells(&f, fdt_find_node(&f, "/cpus")), 1);
	assert_int_equal(fdt_size_cells(&f, fdt_find_node(&f, "/cpus")), 0);
	assert_int_equal(fdt_size_cells(&f, fdt_find_node(&f, "/chosen")), FDT_DEFAULT_SIZE_CELLS);
	free(b.data);
}

static void test_fdt_prop_readers_check_length_and_termination(void **state)
{
	struct blob b = load(BLOB_128M);
	struct fdt f;
	uint32_t v32, len;
	uint64_t v64;
	const char *s;
	int cpus, mem;

	(void)state;
	init_fdt(&f, &b);
	cpus = fdt_find_node(&f, "/cpus");
	mem = fdt_find_node(&f, "/memory");
	assert_int_equal(fdt_prop_u32(&f, cpus, "timebase-frequency", &v32), 0);
	assert_int_equal(v32, QEMU_TIMEBASE_HZ);
	assert_int_equal(fdt_prop_uint(&f, cpus, "timebase-frequency", &v64), 0);
	assert_int_equal(v64, QEMU_TIMEBASE_HZ);
	assert_int_equal(fdt_prop_u32(&f, mem, "reg", &v32), -EINVAL);
	assert_int_equal(fdt_prop_uint(&f, mem, "reg", &v64), -EINVAL);
	assert_int_equal(fdt_prop_u32(&f, cpus, "no-such-property", &v32), -ENOENT);
	assert_int_equal(fdt_prop_string(&f, mem, "device_type", &s), 0);
	assert_string_equal(s, "memory");
	/* A node's own properties only: /cpus does not see cpu@0's riscv,isa. */
	assert_int_equal(fdt_prop_string(&f, cpus, "riscv,isa", &s), -ENOENT);
	/* A string property whose last byte is not NUL. */
	b.data[prop_offset(&b, "/memory", "device_type", &len) + len - 1] = 'x';
	init_fdt(&f, &b);
	assert_int_equal(fdt_prop_string(&f, mem, "device_type", &s), -EINVAL);
	free(b.data);
}

static void test_fdt_stringlist_matches_whole_strings_only(void **state)
{
	static const char list[] = "sifive,test1\0sifive,test0\0syscon";
	struct blob b = load(BLOB_128M);
	struct fdt f;
	int test;

	(void)state;
	assert_true(fdt_stringlist_contains(list, sizeof(list), "sifive,test0"));
	assert_true(fdt_stringlist_contains(list, sizeof(list), "syscon"));
	assert_false(fdt_stringlist_contains(list, sizeof(list), "sifive,test"));
	assert_false(fdt_stringlist_contains(list, sizeof(list), "test0"));
	assert_false(fdt_stringlist_contains(list, sizeof(list) - 1, "syscon"));
	assert_false(fdt_stringlist_contains(list, 0, ""));
	init_fdt(&f, &b);
	test = fdt_next_compatible(&f, FDT_START, "sifive,test0");
	assert_int_equal(test, fdt_find_node(&f, "/soc/test"));
	assert_true(fdt_is_compatible(&f, test, "syscon"));
	assert_false(fdt_is_compatible(&f, test, "sifive,test"));
	assert_int_equal(fdt_next_compatible(&f, test, "sifive,test0"), -ENOENT);
	free(b.data);
}

static void test_fdt_rsvmap_iteration_stops_at_terminator(void **state)
{
	struct blob real = load(BLOB_128M);
	struct blob crafted = load(BLOB_OPENSBI);
	struct fdt f;
	uint64_t addr, size;

	(void)state;
	init_fdt(&f, &real);
	assert_int_equal(fdt_rsv_entry(&f, 0, &addr, &size), -ENOENT);
	init_fdt(&f, &crafted);
	assert_int_equal(fdt_rsv_entry(&f, 0, &addr, &size), 0);
	assert_int_equal(addr, 0x87e00000);
	assert_int_equal(size, 0x2000);
	assert_int_equal(fdt_rsv_entry(&f, 1, &addr, &size), -ENOENT);
	assert_int_equal(fdt_rsv_entry(&f, -1, &addr, &size), -ENOENT);
	/* Only (0, 0) ends the map: an entry of size 0 does not. */
	put_be32(crafted.data + header(&crafted, FDT_H_OFF_MEM_RSVMAP) + FDT_RSV_SIZE_FIELD + 4, 0);
	init_fdt(&f, &crafted);
	assert_int_equal(fdt_rsv_entry(&f, 0, &addr, &size), 0);
	assert_int_equal(addr, 0x87e00000);
	assert_int_equal(size, 0);
	assert_int_equal(fdt_rsv_entry(&f, 1, &addr, &size), -ENOENT);
	free(real.data);
	free(crafted.data);
}

/* ---- Malformed headers and blocks ---- */

/* Each prefix sits in a buffer of exactly its length and is passed as maxsize. */
static void test_every_truncation_of_real_blob_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	for (uint32_t len = 0; len < b.size; len++) {
		uint8_t *c = copy_prefix(&b, len);
		const char *err = NULL;
		int r = devtree_parse(c, len, &p, &err);
		if (r != -EINVAL)
			fail_msg("length %u: returned %d", len, r);
		assert_non_null(err);
		assert_int_equal(strncmp(err, "fdt: truncated", strlen("fdt: truncated")), 0);
		free(c);
	}
	free(b.data);
}

/* The header claims a shorter struct block: the walk must stop at its end. */
static void test_every_truncated_struct_block_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t full = header(&b, FDT_H_SIZE_DT_STRUCT);
	struct platform p;

	(void)state;
	for (uint32_t s = 0; s < full; s++) {
		const char *err = NULL;
		set_header(&b, FDT_H_SIZE_DT_STRUCT, s);
		if (devtree_parse(b.data, b.size, &p, &err) != -EINVAL)
			fail_msg("struct block of %u bytes accepted", s);
		assert_non_null(err);
	}
	set_header(&b, FDT_H_SIZE_DT_STRUCT, full);
	parse(&b, &p);
	free(b.data);
}

/*
 * A copy of b laid out header, reservation map, strings, struct block, so
 * that the struct block ends where the blob ends.
 */
static struct blob struct_block_last(const struct blob *b)
{
	uint32_t start = header(b, FDT_H_OFF_DT_STRUCT);
	uint32_t struct_size = header(b, FDT_H_SIZE_DT_STRUCT);
	uint32_t strings_size = header(b, FDT_H_SIZE_DT_STRINGS);
	uint32_t new_struct = start + ((strings_size + FDT_TOKEN_SIZE - 1) & ~(FDT_TOKEN_SIZE - 1));
	struct blob c = {calloc(1, new_struct + struct_size), new_struct + struct_size};

	assert_non_null(c.data);
	assert_true(header(b, FDT_H_OFF_MEM_RSVMAP) < start);
	memcpy(c.data, b->data, start);
	memcpy(c.data + start, b->data + header(b, FDT_H_OFF_DT_STRINGS), strings_size);
	memcpy(c.data + new_struct, b->data + start, struct_size);
	set_header(&c, FDT_H_OFF_DT_STRINGS, start);
	set_header(&c, FDT_H_OFF_DT_STRUCT, new_struct);
	set_header(&c, FDT_H_TOTALSIZE, c.size);
	return c;
}

/* As above, but the buffer ends with the struct block, so ASan sees any overread. */
static void test_every_truncation_of_a_final_struct_block_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	struct blob last = struct_block_last(&b);
	uint32_t start = header(&last, FDT_H_OFF_DT_STRUCT);
	uint32_t full = header(&last, FDT_H_SIZE_DT_STRUCT);
	struct platform p;

	(void)state;
	parse(&last, &p);
	assert_string_equal(p.bootargs, "init=/bin/sh quiet -- a b");
	for (uint32_t s = 0; s < full; s += FDT_TOKEN_SIZE) {
		struct blob c = {copy_prefix(&last, start + s), start + s};
		const char *err = NULL;
		set_header(&c, FDT_H_TOTALSIZE, c.size);
		set_header(&c, FDT_H_SIZE_DT_STRUCT, s);
		if (devtree_parse(c.data, c.size, &p, &err) != -EINVAL)
			fail_msg("struct block of %u bytes accepted", s);
		assert_non_null(err);
		free(c.data);
	}
	free(last.data);
	free(b.data);
}

/* b with the struct block last and its END token replaced by the n words. */
static struct blob with_struct_tail(const struct blob *b, const uint32_t *words, size_t n)
{
	struct blob last = struct_block_last(b);
	uint32_t extra = (uint32_t)(n - 1) * FDT_TOKEN_SIZE;
	struct blob c = {malloc(last.size + extra), last.size + extra};

	assert_non_null(c.data);
	memcpy(c.data, last.data, last.size);
	for (size_t i = 0; i < n; i++)
		put_be32(c.data + last.size - FDT_TOKEN_SIZE + i * FDT_TOKEN_SIZE, words[i]);
	set_header(&c, FDT_H_TOTALSIZE, c.size);
	set_header(&c, FDT_H_SIZE_DT_STRUCT, header(&last, FDT_H_SIZE_DT_STRUCT) + extra);
	free(last.data);
	return c;
}

static void test_second_root_node_is_rejected(void **state)
{
	static const uint32_t nop_end[] = {FDT_NOP, FDT_END};
	static const uint32_t second_root[] = {FDT_BEGIN_NODE, 0, FDT_END_NODE, FDT_END};
	struct blob b = load(BLOB_128M);
	struct blob ok = with_struct_tail(&b, nop_end, ARRAY_SIZE(nop_end));
	struct blob bad = with_struct_tail(&b, second_root, ARRAY_SIZE(second_root));
	struct platform p;

	(void)state;
	parse(&ok, &p);
	expect_error(&bad, "fdt: more than one root node");
	free(ok.data);
	free(bad.data);
	free(b.data);
}

static void test_property_outside_any_node_is_rejected(void **state)
{
	static const uint32_t prop_after_root[] = {FDT_PROP, 0, 0, FDT_END};
	struct blob b = load(BLOB_128M);
	struct blob bad = with_struct_tail(&b, prop_after_root, ARRAY_SIZE(prop_after_root));

	(void)state;
	expect_error(&bad, "fdt: property outside any node");
	free(bad.data);
	free(b.data);
}

/* The header claims a shorter strings block: some property name falls outside. */
static void test_every_truncated_strings_block_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t full = header(&b, FDT_H_SIZE_DT_STRINGS);
	struct platform p;

	(void)state;
	for (uint32_t s = 0; s < full; s++) {
		const char *err = NULL;
		set_header(&b, FDT_H_SIZE_DT_STRINGS, s);
		if (devtree_parse(b.data, b.size, &p, &err) != -EINVAL)
			fail_msg("strings block of %u bytes accepted", s);
		assert_non_null(err);
	}
	free(b.data);
}

static void test_bad_magic_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);

	(void)state;
	b.data[FDT_H_MAGIC + 3] ^= 1;
	expect_error(&b, "fdt: bad magic");
	free(b.data);
}

static void test_unsupported_version_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);

	(void)state;
	set_header(&b, FDT_H_VERSION, FDT_VERSION_MIN - 1);
	expect_error(&b, "fdt: unsupported version");
	set_header(&b, FDT_H_VERSION, FDT_VERSION_MAX);
	set_header(&b, FDT_H_LAST_COMP_VERSION, FDT_VERSION_MAX + 1);
	expect_error(&b, "fdt: unsupported version");
	free(b.data);
}

/* A version 16 header has no size_dt_struct: the END token ends the block. */
static void test_version_16_header_is_accepted(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	set_header(&b, FDT_H_VERSION, FDT_VERSION_MIN);
	set_header(&b, FDT_H_LAST_COMP_VERSION, FDT_VERSION_MIN);
	set_header(&b, FDT_H_SIZE_DT_STRUCT, 0xdeadbeef);
	parse(&b, &p);
	assert_int_equal(p.ram.size, 128 * MIB);
	assert_int_equal(p.nvirtio, QEMU_VIRTIO_SLOTS);
	free(b.data);
}

static void test_totalsize_below_header_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);

	(void)state;
	set_header(&b, FDT_H_TOTALSIZE, FDT_HEADER_SIZE - 1);
	expect_error(&b, "fdt: bad totalsize");
	free(b.data);
}

static void test_struct_block_offset_past_end_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t off = header(&b, FDT_H_OFF_DT_STRUCT);

	(void)state;
	set_header(&b, FDT_H_OFF_DT_STRUCT, b.size + FDT_TOKEN_SIZE);
	expect_error(&b, "fdt: struct block outside the blob");
	/* offset + size wraps around 2^32 */
	set_header(&b, FDT_H_OFF_DT_STRUCT, 0xfffffffc);
	expect_error(&b, "fdt: struct block outside the blob");
	set_header(&b, FDT_H_OFF_DT_STRUCT, off + 2);
	expect_error(&b, "fdt: struct block not 4-byte aligned");
	free(b.data);
}

static void test_strings_and_rsvmap_outside_blob_are_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t strings = header(&b, FDT_H_OFF_DT_STRINGS);

	(void)state;
	set_header(&b, FDT_H_OFF_DT_STRINGS, strings + 1);
	expect_error(&b, "fdt: strings block outside the blob");
	set_header(&b, FDT_H_OFF_DT_STRINGS, strings);
	set_header(&b, FDT_H_OFF_MEM_RSVMAP, b.size + FDT_RSVMAP_ALIGN);
	expect_error(&b, "fdt: memory reservation map outside the blob");
	set_header(&b, FDT_H_OFF_MEM_RSVMAP, FDT_HEADER_SIZE + FDT_TOKEN_SIZE);
	expect_error(&b, "fdt: memory reservation map not 8-byte aligned");
	free(b.data);
}

/* A reservation map with no (0, 0) entry before the end of the blob. */
static void test_rsvmap_without_terminator_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);

	(void)state;
	assert_true(b.size % FDT_RSVMAP_ALIGN != 0);
	set_header(&b, FDT_H_OFF_MEM_RSVMAP, b.size & ~(uint32_t)(FDT_RSVMAP_ALIGN - 1));
	expect_error(&b, "fdt: memory reservation map has no end");
	free(b.data);
}

static void test_property_length_past_struct_block_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t len;
	uint32_t value = prop_offset(&b, "/chosen", "bootargs", &len);
	uint32_t struct_end = header(&b, FDT_H_OFF_DT_STRUCT) + header(&b, FDT_H_SIZE_DT_STRUCT);

	(void)state;
	put_be32(b.data + value - 2 * FDT_CELL_SIZE, struct_end - value + 1);
	expect_error(&b, "fdt: property runs past the struct block");
	put_be32(b.data + value - 2 * FDT_CELL_SIZE, 0xffffffff);
	expect_error(&b, "fdt: property runs past the struct block");
	free(b.data);
}

static void test_string_offset_past_strings_block_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t len;
	uint32_t value = prop_offset(&b, "/chosen", "bootargs", &len);
	uint32_t nameoff_at = value - FDT_CELL_SIZE;

	(void)state;
	put_be32(b.data + nameoff_at, header(&b, FDT_H_SIZE_DT_STRINGS));
	expect_error(&b, "fdt: property name offset past the strings block");
	put_be32(b.data + nameoff_at, 0xffffffff);
	expect_error(&b, "fdt: property name offset past the strings block");
	/* Drop the last name's NUL from the block and point at that name's last letter. */
	set_header(&b, FDT_H_SIZE_DT_STRINGS, header(&b, FDT_H_SIZE_DT_STRINGS) - 1);
	put_be32(b.data + nameoff_at, header(&b, FDT_H_SIZE_DT_STRINGS) - 1);
	expect_error(&b, "fdt: property name runs past the strings block");
	free(b.data);
}

/* End the struct block 4 bytes into the name of the last node, "clint@2000000". */
static void test_unterminated_node_name_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	struct fdt f;
	int clint;

	(void)state;
	init_fdt(&f, &b);
	clint = fdt_find_node(&f, "/soc/clint");
	assert_true(clint >= 0);
	set_header(&b, FDT_H_SIZE_DT_STRUCT,
		   (uint32_t)clint + 2 * FDT_TOKEN_SIZE - header(&b, FDT_H_OFF_DT_STRUCT));
	expect_error(&b, "fdt: node name runs past the struct block");
	free(b.data);
}

static void test_missing_end_token_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t end =
	    header(&b, FDT_H_OFF_DT_STRUCT) + header(&b, FDT_H_SIZE_DT_STRUCT) - FDT_TOKEN_SIZE;

	(void)state;
	assert_int_equal(get_be32(b.data + end), FDT_END);
	put_be32(b.data + end, FDT_NOP);
	expect_error(&b, "fdt: struct block has no END token");
	put_be32(b.data + end, FDT_END_NODE);
	expect_error(&b, "fdt: END_NODE without BEGIN_NODE");
	put_be32(b.data + end, FDT_END);
	put_be32(b.data + end - FDT_TOKEN_SIZE, FDT_NOP); /* the root's END_NODE */
	expect_error(&b, "fdt: END token inside a node or before the root");
	free(b.data);
}

static void test_unknown_token_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t end =
	    header(&b, FDT_H_OFF_DT_STRUCT) + header(&b, FDT_H_SIZE_DT_STRUCT) - FDT_TOKEN_SIZE;

	(void)state;
	put_be32(b.data + end, FDT_END + 1);
	expect_error(&b, "fdt: unknown token in the struct block");
	free(b.data);
}

/* A tiny PRNG (xorshift32) so the corruption test is the same on every run. */
static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Random bytes changed in a copy: parse or fail cleanly, never read outside. */
static void test_random_byte_corruption_parses_or_fails_cleanly(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t seed = FUZZ_SEED;
	int parsed = 0, rejected = 0;

	(void)state;
	for (int i = 0; i < FUZZ_ITERATIONS; i++) {
		uint8_t *c = copy_prefix(&b, b.size);
		int flips = 1 + (int)(next_random(&seed) % 4);
		struct platform p;
		const char *err = NULL;

		for (int k = 0; k < flips; k++) {
			/* One change in eight hits the header. */
			uint32_t span = next_random(&seed) % 8 == 0 ? FDT_HEADER_SIZE : b.size;
			c[next_random(&seed) % span] ^= (uint8_t)(1 + next_random(&seed) % 255);
		}
		int r = devtree_parse(c, b.size, &p, &err);
		if (r == 0) {
			parsed++;
			assert_true(p.nvirtio <= DT_MAX_VIRTIO && p.nreserved <= DT_MAX_RESERVED);
			assert_true(p.dtb_size <= b.size);
			assert_true(strlen(p.bootargs) < b.size);
		} else {
			rejected++;
			assert_int_equal(r, -EINVAL);
			assert_non_null(err);
			assert_true(strncmp(err, "fdt: ", 5) == 0 ||
				    strncmp(err, "devtree: ", 9) == 0);
		}
		free(c);
	}
	assert_true(parsed > 0);
	assert_true(rejected > 0);
	free(b.data);
}

/* ---- Well-formed trees the kernel cannot use ---- */

static void test_unterminated_bootargs_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t len;
	uint32_t value = prop_offset(&b, "/chosen", "bootargs", &len);

	(void)state;
	assert_int_equal(b.data[value + len - 1], '\0');
	b.data[value + len - 1] = 'x';
	expect_error(&b, "devtree: bootargs is not a NUL-terminated string");
	free(b.data);
}

static void test_missing_memory_node_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t len;
	uint32_t type = prop_offset(&b, "/memory", "device_type", &len);

	(void)state;
	b.data[type] = 'M';
	expect_error(&b, "devtree: no memory node");
	free(b.data);
}

/* reg is <addr_hi addr_lo size_hi size_lo> with the root's 2 + 2 cells. */
static void test_ram_above_4g_or_empty_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t len;
	uint32_t reg = prop_offset(&b, "/memory", "reg", &len);

	(void)state;
	assert_int_equal(len, 4 * FDT_CELL_SIZE);
	put_be32(b.data + reg, 1);
	expect_error(&b, "devtree: RAM starts above 4 GiB");
	put_be32(b.data + reg, 0);
	put_be32(b.data + reg + 3 * FDT_CELL_SIZE, 0);
	expect_error(&b, "devtree: memory node has size 0");
	free(b.data);
}

/* MEM=2G: RAM from 2 GiB reaching exactly 4 GiB is kept, trimmed to end on
 * the last page below 4 GiB; more than that is trimmed the same way. */
static void test_ram_reaching_4g_is_trimmed_below_it(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t len;
	uint32_t reg = prop_offset(&b, "/memory", "reg", &len);
	struct platform p;
	const char *err = NULL;

	(void)state;
	put_be32(b.data + reg + 3 * FDT_CELL_SIZE, 0x80000000); /* ends at exactly 4 GiB */
	assert_int_equal(devtree_parse(b.data, b.size, &p, &err), 0);
	assert_int_equal(p.ram.base, 0x80000000u);
	assert_int_equal(p.ram.size, 0x7FFFF000u);
	put_be32(b.data + reg + 2 * FDT_CELL_SIZE, 1); /* 4 GiB more: ends at 8 GiB */
	assert_int_equal(devtree_parse(b.data, b.size, &p, &err), 0);
	assert_int_equal(p.ram.size, 0x7FFFF000u);
	free(b.data);
}

static void test_missing_timebase_is_rejected(void **state)
{
	struct blob b = load(BLOB_128M);
	uint32_t len;
	uint32_t tb = prop_offset(&b, "/cpus", "timebase-frequency", &len);

	(void)state;
	put_be32(b.data + tb, 0);
	expect_error(&b, "devtree: /cpus/timebase-frequency is 0");
	patch_bytes(&b, "timebase-frequency", "timebase-frequencY", 18);
	expect_error(&b, "devtree: no /cpus/timebase-frequency");
	free(b.data);
}

/* A guest's tree has no UART: the console is then SBI's (uart.base 0). */
static void test_no_uart_means_the_sbi_console(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_int_not_equal(p.uart.base, 0);
	patch_bytes(&b, "ns16550a", "ns16550x", 8);
	parse(&b, &p);
	assert_int_equal(p.uart.base, 0);
	free(b.data);
}

/* QEMU's cpu has H: rv32imafdch. */
static void test_real_blob_cpu_has_h(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	parse(&b, &p);
	assert_true(p.has_h);
	free(b.data);
}

/* QEMU's PLIC says "sifive,plic-1.0.0" and "riscv,plic0": either is enough. */
static void test_plic_found_by_either_compatible_name(void **state)
{
	struct blob b = load(BLOB_128M);
	struct platform p;

	(void)state;
	patch_bytes(&b, "sifive,plic-1.0.0", "sifive,plic-9.9.9", 17);
	parse(&b, &p);
	assert_int_equal(p.plic.base, QEMU_PLIC_BASE);
	patch_bytes(&b, "riscv,plic0", "riscv,plic9", 11);
	parse(&b, &p);
	assert_int_equal(p.plic.base, 0); /* none: no external interrupts */
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_real_blob_ram_is_128m_at_80000000),
	    cmocka_unit_test(test_the_node_index_agrees_with_the_token_walk),
	    cmocka_unit_test(test_real_blob_timebase_is_10mhz),
	    cmocka_unit_test(test_real_blob_bootargs_match_append_exactly),
	    cmocka_unit_test(test_real_blob_uart_is_at_10000000_irq_10),
	    cmocka_unit_test(test_real_blob_plic_is_at_0c000000_with_96_sources),
	    cmocka_unit_test(test_real_blob_test_device_is_at_100000),
	    cmocka_unit_test(test_real_blob_lists_8_virtio_slots_from_10008000_down),
	    cmocka_unit_test(test_real_blob_boot_hart_has_sstc),
	    cmocka_unit_test(test_real_blob_has_no_initrd_or_reserved_ranges_and_reports_totalsize),
	    cmocka_unit_test(test_maxsize_above_totalsize_is_accepted),
	    cmocka_unit_test(test_smp2_blob_ram_is_256m_and_devices_match),
	    cmocka_unit_test(test_smp2_blob_without_append_has_empty_bootargs),
	    cmocka_unit_test(test_smp2_blob_initrd_range_comes_from_4_byte_cells),
	    cmocka_unit_test(test_missing_chosen_gives_empty_bootargs_and_no_initrd),
	    cmocka_unit_test(test_initrd_start_without_end_is_rejected),
	    cmocka_unit_test(test_opensbi_blob_initrd_range_comes_from_8_byte_cells),
	    cmocka_unit_test(test_opensbi_blob_reserved_ranges_are_rsvmap_then_reserved_memory),
	    cmocka_unit_test(test_more_than_16_reserved_ranges_are_rejected),
	    cmocka_unit_test(test_empty_reserved_range_is_skipped),
	    cmocka_unit_test(test_bad_reserved_range_is_rejected),
	    cmocka_unit_test(test_bad_initrd_range_is_rejected),
	    cmocka_unit_test(test_only_first_8_virtio_nodes_are_kept),
	    cmocka_unit_test(test_isa_extensions_list_gives_sstc),
	    cmocka_unit_test(test_sstc_absent_when_isa_string_lacks_it),
	    cmocka_unit_test(test_sstc_comes_from_first_cpu_node),
	    cmocka_unit_test(test_sstc_inside_longer_extension_name_does_not_count),
	    cmocka_unit_test(test_fdt_find_node_matches_name_before_unit_address),
	    cmocka_unit_test(test_fdt_next_node_visits_all_nodes_with_depth),
	    cmocka_unit_test(test_fdt_children_and_siblings_stay_under_parent),
	    cmocka_unit_test(test_fdt_rejects_bad_node_handles),
	    cmocka_unit_test(test_fdt_reg_uses_parent_cells),
	    cmocka_unit_test(test_fdt_prop_readers_check_length_and_termination),
	    cmocka_unit_test(test_fdt_stringlist_matches_whole_strings_only),
	    cmocka_unit_test(test_fdt_rsvmap_iteration_stops_at_terminator),
	    cmocka_unit_test(test_every_truncation_of_real_blob_is_rejected),
	    cmocka_unit_test(test_every_truncated_struct_block_is_rejected),
	    cmocka_unit_test(test_every_truncation_of_a_final_struct_block_is_rejected),
	    cmocka_unit_test(test_every_truncated_strings_block_is_rejected),
	    cmocka_unit_test(test_bad_magic_is_rejected),
	    cmocka_unit_test(test_unsupported_version_is_rejected),
	    cmocka_unit_test(test_version_16_header_is_accepted),
	    cmocka_unit_test(test_totalsize_below_header_is_rejected),
	    cmocka_unit_test(test_struct_block_offset_past_end_is_rejected),
	    cmocka_unit_test(test_strings_and_rsvmap_outside_blob_are_rejected),
	    cmocka_unit_test(test_rsvmap_without_terminator_is_rejected),
	    cmocka_unit_test(test_property_length_past_struct_block_is_rejected),
	    cmocka_unit_test(test_string_offset_past_strings_block_is_rejected),
	    cmocka_unit_test(test_unterminated_node_name_is_rejected),
	    cmocka_unit_test(test_missing_end_token_is_rejected),
	    cmocka_unit_test(test_second_root_node_is_rejected),
	    cmocka_unit_test(test_property_outside_any_node_is_rejected),
	    cmocka_unit_test(test_unknown_token_is_rejected),
	    cmocka_unit_test(test_random_byte_corruption_parses_or_fails_cleanly),
	    cmocka_unit_test(test_unterminated_bootargs_is_rejected),
	    cmocka_unit_test(test_missing_memory_node_is_rejected),
	    cmocka_unit_test(test_ram_above_4g_or_empty_is_rejected),
	    cmocka_unit_test(test_ram_reaching_4g_is_trimmed_below_it),
	    cmocka_unit_test(test_missing_timebase_is_rejected),
	    cmocka_unit_test(test_no_uart_means_the_sbi_console),
	    cmocka_unit_test(test_real_blob_cpu_has_h),
	    cmocka_unit_test(test_plic_found_by_either_compatible_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
