/*
 * libFuzzer harness for the device-tree reader (kernel/dev/fdt.c) and what
 * the kernel takes from it at boot (kernel/dev/devtree.c). Once fdt_init
 * accepts a blob, its blocks lie inside it, every node a walk visits is a
 * BEGIN_NODE inside the struct block with its name there, parents, first
 * children and siblings agree, and every property value lies inside the
 * struct block. devtree_parse either gives a reason or a platform whose
 * ranges end below 4 GiB and whose strings lie in the blob, and twice the
 * same blob gives the same platform.
 */
#include <string.h>

#include "dev/devtree.h"
#include "dev/fdt.h"
#include "lib/kerrno.h"
#include "tests/fuzz/fuzz.h"

#define FOUR_GIB (1ull << 32)
#define MAX_REGS 4 /* reg entries read per node */

/* Properties the kernel reads, looked up on every node. */
static const char *const props[] = {
    "reg",
    "compatible",
    "#address-cells",
    "#size-cells",
    "device_type",
    "status",
    "bootargs",
    "interrupts",
    "riscv,isa",
    "riscv,isa-extensions",
    "linux,initrd-start",
    "timebase-frequency",
};

/* Paths the kernel looks up. */
static const char *const paths[] = {"/",    "/chosen",	  "/cpus", "/memory", "/reserved-memory",
				    "/soc", "/cpus/cpu@0"};

/* The blocks fdt_init found lie inside the blob it was allowed to read. */
static void check_blocks(const struct fdt *f, size_t size)
{
	CHECK(f->totalsize >= FDT_HEADER_SIZE && f->totalsize <= size);
	CHECK(f->struct_off <= f->struct_end && f->struct_end <= f->totalsize);
	CHECK(f->struct_off % FDT_TOKEN_SIZE == 0 && f->struct_end % FDT_TOKEN_SIZE == 0);
	CHECK((uint64_t)f->strings_off + f->strings_size <= f->totalsize);
	/* The entries and their (0, 0) terminator. */
	CHECK((uint64_t)f->rsvmap_off + ((uint64_t)f->nrsv + 1) * FDT_RSV_ENTRY_SIZE <=
	      f->totalsize);
	CHECK(f->root >= (int)f->struct_off && f->root < (int)f->struct_end);
}

/* Every property the kernel reads lies inside the struct block, and the
 * helpers that decode one never fail but as their contracts say. */
static void check_props(const struct fdt *f, int node)
{
	const uint8_t *block = f->blob + f->struct_off;
	size_t block_size = f->struct_end - f->struct_off;
	uint64_t addr, size;
	const char *s;
	uint32_t len;

	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
		const void *v = fdt_getprop(f, node, props[i], &len);
		if (v != NULL)
			CHECK(fuzz_inside(v, len, block, block_size));
		if (fdt_prop_string(f, node, props[i], &s) == 0)
			CHECK(fuzz_string_inside(s, block, block_size));
	}
	int ac = fdt_address_cells(f, node), sc = fdt_size_cells(f, node);
	CHECK((ac >= 0 && ac <= FDT_MAX_CELLS) || ac == -EINVAL);
	CHECK((sc >= 0 && sc <= FDT_MAX_CELLS) || sc == -EINVAL);
	for (int i = 0; i < MAX_REGS; i++) {
		int r = fdt_reg(f, node, i, &addr, &size);
		CHECK(r == 0 || r == -ENOENT || r == -EINVAL);
	}
}

/* node's place in the tree: its parent, first child and next sibling agree. */
static void check_links(const struct fdt *f, int node, int depth)
{
	int parent = fdt_parent(f, node);
	CHECK(depth == 0 ? parent == -ENOENT : parent >= 0 && parent < node);
	int child = fdt_first_child(f, node);
	if (child >= 0)
		CHECK(child > node && fdt_parent(f, child) == node);
	int sibling = fdt_next_sibling(f, node);
	if (sibling >= 0)
		CHECK(sibling > node && depth > 0 && fdt_parent(f, sibling) == parent);
}

/* Visit every node depth first; the walk ends and stays in the struct block. */
static void check_nodes(const struct fdt *f)
{
	int depth = -1, visited = 0;
	for (int n = fdt_next_node(f, FDT_START, &depth); n >= 0; n = fdt_next_node(f, n, &depth)) {
		CHECK(++visited <= (int)(f->struct_end - f->struct_off) / FDT_TOKEN_SIZE);
		CHECK(n >= (int)f->struct_off && n < (int)f->struct_end && depth >= 0);
		CHECK(visited > 1 || n == f->root);
		const char *name = fdt_node_name(f, n);
		CHECK(name != NULL && fuzz_string_inside(name, f->blob, f->totalsize));
		check_links(f, n, depth);
		check_props(f, n);
	}
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		int n = fdt_find_node(f, paths[i]);
		CHECK(n == -ENOENT || fdt_node_name(f, n) != NULL);
	}
}

static bool below_4g(paddr_t base, uint32_t size)
{
	return (uint64_t)base + size < FOUR_GIB;
}

static void check_device(const struct dt_device *d)
{
	CHECK(below_4g(d->base, d->size));
}

/* What devtree_parse accepted keeps devtree.h's promises. */
static void check_platform(const struct platform *p, const uint8_t *blob, size_t size)
{
	CHECK(p->ram.size > 0 && below_4g(p->ram.base, p->ram.size));
	CHECK(p->nreserved >= 0 && p->nreserved <= DT_MAX_RESERVED);
	for (int i = 0; i < p->nreserved; i++)
		CHECK(p->reserved[i].size > 0 &&
		      below_4g(p->reserved[i].base, p->reserved[i].size));
	CHECK(p->initrd_start <= p->initrd_end);
	CHECK(p->bootargs[0] == '\0' || fuzz_string_inside(p->bootargs, blob, p->dtb_size));
	CHECK(p->timebase_hz != 0);
	CHECK(p->nharts >= 1 && p->nharts <= DT_MAX_HARTS);
	check_device(&p->uart);
	check_device(&p->plic);
	check_device(&p->test);
	CHECK(p->nvirtio >= 0 && p->nvirtio <= DT_MAX_VIRTIO);
	for (int i = 0; i < p->nvirtio; i++)
		check_device(&p->virtio[i]);
	CHECK(p->dtb_size <= size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct platform p, again;
	const char *err = NULL, *err_again = NULL;
	struct fdt f;

	if (size > UINT32_MAX)
		return 0;
	if (fdt_init(&f, data, (uint32_t)size, &err) == 0) {
		check_blocks(&f, size);
		check_nodes(&f);
	} else {
		CHECK(err != NULL);
	}

	err = NULL;
	int r = devtree_parse(data, (uint32_t)size, &p, &err);
	CHECK(r == 0 || (r == -EINVAL && err != NULL));
	if (r == 0)
		check_platform(&p, data, size);
	CHECK(devtree_parse(data, (uint32_t)size, &again, &err_again) == r);
	CHECK(memcmp(&p, &again, sizeof(p)) == 0 && (r == 0 || err_again == err));
	return 0;
}
