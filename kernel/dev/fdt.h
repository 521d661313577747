/*
 * A reader for the flattened device tree (FDT, the ".dtb"), Devicetree
 * Specification v0.4 chapter 5: a header, a memory reservation map, a struct
 * block of tokens and a strings block, all big-endian. fdt_init checks the
 * header and walks the whole struct block once; a node is then named by the
 * offset of its BEGIN_NODE token, and no read ever leaves [blob, blob + totalsize).
 */
#ifndef DEV_FDT_H
#define DEV_FDT_H

#include "lib/types.h"

#define FDT_MAGIC		   0xd00dfeedu
#define FDT_MAX_DEPTH		   16 /* fdt_parent: deeper nodes get -EINVAL */
#define FDT_MAX_NODES		   256 /* nodes fdt_init indexes (QEMU's virt has about 60) */
#define FDT_VERSION_MIN		   16 /* oldest layout this reader knows */
#define FDT_VERSION_MAX		   17 /* newest layout this reader knows */
#define FDT_VERSION_SIZE_DT_STRUCT 17 /* first version with size_dt_struct */

/* Byte offsets of the header's big-endian u32 fields [DT spec 5.2]. */
#define FDT_H_MAGIC		0
#define FDT_H_TOTALSIZE		4
#define FDT_H_OFF_DT_STRUCT	8
#define FDT_H_OFF_DT_STRINGS	12
#define FDT_H_OFF_MEM_RSVMAP	16
#define FDT_H_VERSION		20
#define FDT_H_LAST_COMP_VERSION 24
#define FDT_H_BOOT_CPUID_PHYS	28
#define FDT_H_SIZE_DT_STRINGS	32
#define FDT_H_SIZE_DT_STRUCT	36
#define FDT_HEADER_SIZE_V16	36
#define FDT_HEADER_SIZE		40

/* Struct block tokens, each a big-endian u32 on a 4-byte boundary [DT spec 5.4]. */
#define FDT_BEGIN_NODE 0x1u /* then the NUL-terminated node name, padded to 4 */
#define FDT_END_NODE   0x2u
#define FDT_PROP       0x3u /* then u32 len, u32 nameoff, len bytes of value, padded to 4 */
#define FDT_NOP	       0x4u
#define FDT_END	       0x9u

#define FDT_TOKEN_SIZE	     4
#define FDT_PROP_HEADER_SIZE 12 /* token, len, nameoff */
#define FDT_RSV_ENTRY_SIZE   16 /* u64 address, u64 size */
#define FDT_RSV_SIZE_FIELD   8	/* offset of the size within an entry */
#define FDT_RSVMAP_ALIGN     8
#define FDT_CELL_SIZE	     4
#define FDT_MAX_CELLS	     2 /* this reader handles values of at most 64 bits */

/* Defaults when a node has no #address-cells / #size-cells [DT spec 2.3.5]. */
#define FDT_DEFAULT_ADDRESS_CELLS 2
#define FDT_DEFAULT_SIZE_CELLS	  1

/* Pass as the node to fdt_next_node and fdt_next_compatible to start
 * before the root. */
#define FDT_START (-1)

/* A checked blob. Offsets are from the start of the blob. */
struct fdt {
	const uint8_t *blob;
	uint32_t totalsize;
	uint32_t struct_off, struct_end; /* struct block [struct_off, struct_end), 4-aligned */
	uint32_t strings_off, strings_size;
	uint32_t rsvmap_off;
	int nrsv; /* reservation map entries before the (0, 0) terminator */
	int root; /* the root node */
	/* Every node's offset and depth, in tree order, made by fdt_init's
	 * check of the struct block when the tree has at most FDT_MAX_NODES
	 * nodes (nnodes is 0 otherwise): fdt_next_node and fdt_parent then
	 * look them up instead of reading every token on the way. */
	int nnodes;
	int32_t node_off[FDT_MAX_NODES];
	uint8_t node_depth[FDT_MAX_NODES];
};

/* The big-endian u32 at p, which need not be aligned. */
static inline uint32_t fdt_be32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* The big-endian u64 at p, which need not be aligned. */
static inline uint64_t fdt_be64(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)fdt_be32(b) << 32 | fdt_be32(b + FDT_CELL_SIZE);
}

/* The value of ncells (0 to FDT_MAX_CELLS) big-endian cells at p. */
static inline uint64_t fdt_read_cells(const void *p, int ncells)
{
	const uint8_t *b = p;
	uint64_t v = 0;
	for (int i = 0; i < ncells; i++)
		v = v << 32 | fdt_be32(b + i * FDT_CELL_SIZE);
	return v;
}

/*
 * Check the blob at blob, of which at most maxsize bytes may be read, and
 * fill *f. Returns 0, or -EINVAL with *err set to a one-line reason.
 */
int fdt_init(struct fdt *f, const void *blob, uint32_t maxsize, const char **err);

/*
 * The node after node in depth-first order (the root for FDT_START), or
 * -ENOENT after the last one. If depth is not NULL, *depth goes up by one
 * per level down and down by one per level up: start it at -1 with
 * FDT_START and the root has depth 0.
 */
int fdt_next_node(const struct fdt *f, int node, int *depth);

/* The first child of node, or -ENOENT. */
int fdt_first_child(const struct fdt *f, int node);

/* The next node with the same parent as node, or -ENOENT. */
int fdt_next_sibling(const struct fdt *f, int node);

/* The parent of node, or -ENOENT for the root. */
int fdt_parent(const struct fdt *f, int node);

/* The node's name ("" for the root, "memory@80000000"), or NULL. */
const char *fdt_node_name(const struct fdt *f, int node);

/*
 * The node at an absolute path such as "/cpus/cpu@0", or -ENOENT. A path
 * component without '@' also matches a name with a unit address, so
 * "/memory" finds "memory@80000000".
 */
int fdt_find_node(const struct fdt *f, const char *path);

/* The value of node's property name, with its length in *len, or NULL. */
const void *fdt_getprop(const struct fdt *f, int node, const char *name, uint32_t *len);

/* Read a 4-byte property. Returns 0, -ENOENT if absent, -EINVAL if not 4 bytes. */
int fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *val);

/* Read a 4- or 8-byte property. Returns 0, -ENOENT or -EINVAL. */
int fdt_prop_uint(const struct fdt *f, int node, const char *name, uint64_t *val);

/* Point *s at a string property. Returns 0, -ENOENT, or -EINVAL when the
 * value has no NUL inside it. */
int fdt_prop_string(const struct fdt *f, int node, const char *name, const char **s);

/* True if the string list (NUL-terminated strings, len bytes) holds s. */
bool fdt_stringlist_contains(const char *list, uint32_t len, const char *s);

/* True if node's "compatible" list holds compat. */
bool fdt_is_compatible(const struct fdt *f, int node, const char *compat);

/* The next node after node (FDT_START: from the root) in depth-first
 * order that is compatible with compat, or -ENOENT. */
int fdt_next_compatible(const struct fdt *f, int node, const char *compat);

/* node's #address-cells / #size-cells (what its children's reg uses), the
 * default when absent, or -EINVAL when malformed or above FDT_MAX_CELLS. */
int fdt_address_cells(const struct fdt *f, int node);
int fdt_size_cells(const struct fdt *f, int node);

/*
 * Entry index of node's "reg", decoded with its parent's cell counts.
 * Returns 0, -ENOENT when there is no such entry, -EINVAL for bad cells.
 */
int fdt_reg(const struct fdt *f, int node, int index, uint64_t *addr, uint64_t *size);

/* Entry index of the memory reservation map. Returns 0 or -ENOENT. */
int fdt_rsv_entry(const struct fdt *f, int index, uint64_t *addr, uint64_t *size);

#endif
