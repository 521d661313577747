/*
 * The FDT reader (dev/fdt.h). Every access to the struct block goes through
 * read_token, which checks that the token and its payload lie inside the
 * block; struct_end is 4-aligned, so a token's padded end never passes it.
 * Every token is at least 4 bytes, so each walk ends. Uses only klib.h.
 */
#include "dev/fdt.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define MAX_TOTALSIZE  0x7fffffffu /* node handles are int offsets */
#define ROUND_DOWN4(x) ((x) & ~(uint32_t)(FDT_TOKEN_SIZE - 1))

/* One decoded token of the struct block. */
struct token {
	uint32_t tag;
	uint32_t next;	      /* offset of the token after it */
	const char *name;     /* BEGIN_NODE: node name; PROP: property name */
	const uint8_t *value; /* PROP only */
	uint32_t len;	      /* PROP only */
};

static int fail(const char **err, const char *why)
{
	*err = why;
	return -EINVAL;
}

/* Round x up to the next token boundary; x must not exceed struct_end,
 * which is itself 4-aligned, so the result cannot wrap. */
static uint32_t align4(uint32_t x)
{
	return ROUND_DOWN4(x + FDT_TOKEN_SIZE - 1);
}

/* True if [off, off + size) lies inside [0, total), without overflow. */
static bool block_inside(uint32_t off, uint32_t size, uint32_t total)
{
	return off <= total && size <= total - off;
}

/* Decode the property header at off (the PROP token) into t; NULL or why it is bad. */
static const char *read_prop(const struct fdt *f, uint32_t off, struct token *t)
{
	uint32_t value_off, nameoff;
	const char *strings = (const char *)f->blob + f->strings_off;

	if (f->struct_end - off < FDT_PROP_HEADER_SIZE)
		return "fdt: property runs past the struct block";
	t->len = fdt_be32(f->blob + off + FDT_TOKEN_SIZE);
	nameoff = fdt_be32(f->blob + off + 2 * FDT_TOKEN_SIZE);
	value_off = off + FDT_PROP_HEADER_SIZE;
	if (t->len > f->struct_end - value_off)
		return "fdt: property runs past the struct block";
	if (nameoff >= f->strings_size)
		return "fdt: property name offset past the strings block";
	if (strnlen(strings + nameoff, f->strings_size - nameoff) == f->strings_size - nameoff)
		return "fdt: property name runs past the strings block";
	t->name = strings + nameoff;
	t->value = f->blob + value_off;
	t->next = align4(value_off + t->len);
	return NULL;
}

/*
 * Decode the token at off into t. Returns NULL, or why the token is not a
 * well-formed token lying wholly inside the struct block.
 */
static const char *read_token(const struct fdt *f, uint32_t off, struct token *t)
{
	uint32_t name_off, room, name_len;

	if (off < f->struct_off || off > f->struct_end || f->struct_end - off < FDT_TOKEN_SIZE ||
	    !ALIGNED(off, FDT_TOKEN_SIZE))
		return "fdt: token outside the struct block";
	t->tag = fdt_be32(f->blob + off);
	t->next = off + FDT_TOKEN_SIZE;
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		name_off = off + FDT_TOKEN_SIZE;
		room = f->struct_end - name_off;
		t->name = (const char *)f->blob + name_off;
		name_len = strnlen(t->name, room);
		if (name_len == room)
			return "fdt: node name runs past the struct block";
		t->next = align4(name_off + name_len + 1);
		return NULL;
	case FDT_PROP:
		return read_prop(f, off, t);
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		return NULL;
	default:
		return "fdt: unknown token in the struct block";
	}
}

/* Check the magic, the size and the version; fill f->totalsize. */
static int check_header(struct fdt *f, uint32_t maxsize, const char **err)
{
	const uint8_t *b = f->blob;

	if (maxsize < FDT_HEADER_SIZE)
		return fail(err, "fdt: truncated header");
	if (fdt_be32(b + FDT_H_MAGIC) != FDT_MAGIC)
		return fail(err, "fdt: bad magic");
	f->totalsize = fdt_be32(b + FDT_H_TOTALSIZE);
	if (f->totalsize > maxsize)
		return fail(err, "fdt: truncated (totalsize is past the end of the buffer)");
	if (f->totalsize < FDT_HEADER_SIZE || f->totalsize > MAX_TOTALSIZE)
		return fail(err, "fdt: bad totalsize");
	if (fdt_be32(b + FDT_H_VERSION) < FDT_VERSION_MIN ||
	    fdt_be32(b + FDT_H_LAST_COMP_VERSION) > FDT_VERSION_MAX)
		return fail(err, "fdt: unsupported version");
	return 0;
}

/* Fill the bounds of the three blocks, each after the header and inside the blob. */
static int find_blocks(struct fdt *f, const char **err)
{
	const uint8_t *b = f->blob;
	bool has_size = fdt_be32(b + FDT_H_VERSION) >= FDT_VERSION_SIZE_DT_STRUCT;
	uint32_t header_size = has_size ? FDT_HEADER_SIZE : FDT_HEADER_SIZE_V16;
	uint32_t struct_size = 0;

	f->struct_off = fdt_be32(b + FDT_H_OFF_DT_STRUCT);
	if (has_size)
		struct_size = fdt_be32(b + FDT_H_SIZE_DT_STRUCT);
	else if (f->struct_off <= f->totalsize) /* up to the end; its END token ends it */
		struct_size = ROUND_DOWN4(f->totalsize - f->struct_off);
	if (f->struct_off < header_size || !block_inside(f->struct_off, struct_size, f->totalsize))
		return fail(err, "fdt: struct block outside the blob");
	if (!ALIGNED(f->struct_off, FDT_TOKEN_SIZE) || !ALIGNED(struct_size, FDT_TOKEN_SIZE))
		return fail(err, "fdt: struct block not 4-byte aligned");
	f->struct_end = f->struct_off + struct_size;

	f->strings_off = fdt_be32(b + FDT_H_OFF_DT_STRINGS);
	f->strings_size = fdt_be32(b + FDT_H_SIZE_DT_STRINGS);
	if (f->strings_off < header_size ||
	    !block_inside(f->strings_off, f->strings_size, f->totalsize))
		return fail(err, "fdt: strings block outside the blob");

	f->rsvmap_off = fdt_be32(b + FDT_H_OFF_MEM_RSVMAP);
	if (f->rsvmap_off < header_size || f->rsvmap_off > f->totalsize)
		return fail(err, "fdt: memory reservation map outside the blob");
	if (!ALIGNED(f->rsvmap_off, FDT_RSVMAP_ALIGN))
		return fail(err, "fdt: memory reservation map not 8-byte aligned");
	return 0;
}

/* Count the reservation map's entries up to its (0, 0) terminator. */
static int count_rsvmap(struct fdt *f, const char **err)
{
	f->nrsv = 0;
	for (uint32_t off = f->rsvmap_off;; off += FDT_RSV_ENTRY_SIZE) {
		if (!block_inside(off, FDT_RSV_ENTRY_SIZE, f->totalsize))
			return fail(err, "fdt: memory reservation map has no end");
		if (fdt_be64(f->blob + off) == 0 &&
		    fdt_be64(f->blob + off + FDT_RSV_SIZE_FIELD) == 0)
			return 0;
		f->nrsv++;
	}
}

/* Add the node at off (depth levels down) to f's index; a tree too big
 * or too deep for it is left unindexed, and walked token by token. */
static void index_node(struct fdt *f, uint32_t off, int depth)
{
	if (f->nnodes < 0)
		return; /* given up */
	if (f->nnodes == FDT_MAX_NODES || depth > (int)UINT8_MAX) {
		f->nnodes = -1;
		return;
	}
	f->node_off[f->nnodes] = (int32_t)off;
	f->node_depth[f->nnodes] = (uint8_t)depth;
	f->nnodes++;
}

/* node's place in f's index, or -1 if it is not a node's offset. */
static int index_of(const struct fdt *f, int node)
{
	int lo = 0, hi = f->nnodes;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (f->node_off[mid] < node)
			lo = mid + 1;
		else if (f->node_off[mid] > node)
			hi = mid;
		else
			return mid;
	}
	return -1;
}

/*
 * Walk the whole struct block once: every token well formed, exactly one
 * root, nodes properly nested, an END token after the root. Sets f->root.
 */
static int check_struct(struct fdt *f, const char **err)
{
	struct token t;
	uint32_t off = f->struct_off;
	int depth = 0;
	const char *why;

	f->root = -ENOENT;
	for (;; off = t.next) {
		if (off == f->struct_end)
			return fail(err, "fdt: struct block has no END token");
		why = read_token(f, off, &t);
		if (why)
			return fail(err, why);
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			if (depth == 0 && f->root >= 0)
				return fail(err, "fdt: more than one root node");
			if (depth == 0)
				f->root = (int)off;
			index_node(f, off, depth);
			depth++;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return fail(err, "fdt: END_NODE without BEGIN_NODE");
			depth--;
			break;
		case FDT_PROP:
			if (depth == 0)
				return fail(err, "fdt: property outside any node");
			break;
		case FDT_END:
			if (depth != 0 || f->root < 0)
				return fail(err, "fdt: END token inside a node or before the root");
			return 0;
		}
	}
}

/* Check the header, the reservation map and the whole struct block. */
int fdt_init(struct fdt *f, const void *blob, uint32_t maxsize, const char **err)
{
	int r;

	memset(f, 0, sizeof(*f));
	f->blob = blob;
	r = check_header(f, maxsize, err);
	if (r == 0)
		r = find_blocks(f, err);
	if (r == 0)
		r = count_rsvmap(f, err);
	if (r == 0)
		r = check_struct(f, err);
	if (r != 0 || f->nnodes < 0)
		f->nnodes = 0; /* no index: walk the tokens */
	return r;
}

/* fdt_next_node by the index: the depth changes by the difference of
 * the two nodes' levels, as the END_NODE tokens between them would say. */
static int next_indexed(const struct fdt *f, int node, int *depth)
{
	int i = node == FDT_START ? -1 : index_of(f, node);
	if (node != FDT_START && i < 0)
		return -EINVAL;
	if (i + 1 == f->nnodes)
		return -ENOENT;
	if (depth)
		*depth += i < 0 ? 1 : f->node_depth[i + 1] - f->node_depth[i];
	return f->node_off[i + 1];
}

/* Skip node's own BEGIN_NODE, then tokens up to the next BEGIN_NODE, counting levels. */
int fdt_next_node(const struct fdt *f, int node, int *depth)
{
	struct token t;
	uint32_t off = f->struct_off;
	int d = depth ? *depth : 0;

	if (f->nnodes > 0)
		return next_indexed(f, node, depth);

	if (node != FDT_START) {
		if (read_token(f, (uint32_t)node, &t) || t.tag != FDT_BEGIN_NODE)
			return -EINVAL;
		off = t.next;
	}
	for (;; off = t.next) {
		if (read_token(f, off, &t))
			return -EINVAL;
		if (t.tag == FDT_BEGIN_NODE)
			break;
		if (t.tag == FDT_END_NODE)
			d--;
		if (t.tag == FDT_END)
			return -ENOENT;
	}
	if (depth)
		*depth = d + 1;
	return (int)off;
}

/* The node right after node is its first child when it is one level down. */
int fdt_first_child(const struct fdt *f, int node)
{
	int depth = 0;
	int n;

	if (node < 0)
		return -ENOENT;
	n = fdt_next_node(f, node, &depth);
	if (n < 0)
		return n;
	return depth == 1 ? n : -ENOENT;
}

/* Walk past node's subtree: the next node back at node's level is its sibling;
 * one above it means node was the last child. */
int fdt_next_sibling(const struct fdt *f, int node)
{
	int depth = 0;

	if (node < 0)
		return -ENOENT;
	do {
		node = fdt_next_node(f, node, &depth);
		if (node < 0)
			return node;
	} while (depth > 0);
	return depth == 0 ? node : -ENOENT;
}

/* fdt_parent by the index: back to the first node a level up. */
static int parent_indexed(const struct fdt *f, int node)
{
	int i = index_of(f, node);
	if (i < 0)
		return -EINVAL;
	for (int j = i - 1; j >= 0; j--)
		if (f->node_depth[j] < f->node_depth[i])
			return f->node_off[j];
	return -ENOENT; /* the root */
}

/* Without the index, one walk from the root, keeping the last node seen
 * at each depth: when node comes, the last one a level up is its parent.
 * (Two walks, one to learn node's depth and one to find the parent, cost
 * boot 400,000 instructions: every device's reg asks.) */
int fdt_parent(const struct fdt *f, int node)
{
	int last[FDT_MAX_DEPTH];
	int depth = -1, n;

	if (f->nnodes > 0)
		return parent_indexed(f, node);
	for (int k = 0; k < FDT_MAX_DEPTH; k++)
		last[k] = -EINVAL; /* a level the walk has not reached */
	for (n = fdt_next_node(f, FDT_START, &depth); n >= 0 && n != node;
	     n = fdt_next_node(f, n, &depth))
		if (depth < FDT_MAX_DEPTH)
			last[depth] = n;
	if (n < 0)
		return n;
	if (depth == 0)
		return -ENOENT; /* the root */
	return depth <= FDT_MAX_DEPTH ? last[depth - 1] : -EINVAL;
}

const char *fdt_node_name(const struct fdt *f, int node)
{
	struct token t;

	if (node < 0 || read_token(f, (uint32_t)node, &t) || t.tag != FDT_BEGIN_NODE)
		return NULL;
	return t.name;
}

/* True if node name matches the len-byte path component comp, either
 * exactly or up to the unit address ("memory" matches "memory@80000000"). */
static bool name_matches(const char *name, const char *comp, size_t len)
{
	if (strncmp(name, comp, len) != 0)
		return false;
	return name[len] == '\0' || name[len] == '@';
}

/* The child of parent whose name matches the len-byte comp, or -ENOENT. */
static int find_child(const struct fdt *f, int parent, const char *comp, size_t len)
{
	for (int c = fdt_first_child(f, parent); c >= 0; c = fdt_next_sibling(f, c)) {
		const char *name = fdt_node_name(f, c);
		if (name && name_matches(name, comp, len))
			return c;
	}
	return -ENOENT;
}

/* Follow the path one component at a time from the root. */
int fdt_find_node(const struct fdt *f, const char *path)
{
	int node = f->root;

	if (path[0] != '/')
		return -ENOENT;
	while (node >= 0) {
		while (*path == '/')
			path++;
		if (*path == '\0')
			break;
		const char *slash = strchr(path, '/');
		size_t len = slash ? (size_t)(slash - path) : strlen(path);
		node = find_child(f, node, path, len);
		path += len;
	}
	return node;
}

/* Scan the properties that follow node's BEGIN_NODE for name. */
const void *fdt_getprop(const struct fdt *f, int node, const char *name, uint32_t *len)
{
	struct token t;
	uint32_t off;

	if (node < 0 || read_token(f, (uint32_t)node, &t) || t.tag != FDT_BEGIN_NODE)
		return NULL;
	/* A node's properties come before its children [DT spec 5.4.2]. */
	for (off = t.next; !read_token(f, off, &t); off = t.next) {
		if (t.tag == FDT_PROP && strcmp(t.name, name) == 0) {
			*len = t.len;
			return t.value;
		}
		if (t.tag != FDT_PROP && t.tag != FDT_NOP)
			break;
	}
	return NULL;
}

int fdt_prop_u32(const struct fdt *f, int node, const char *name, uint32_t *val)
{
	uint32_t len;
	const void *v = fdt_getprop(f, node, name, &len);

	if (!v)
		return -ENOENT;
	if (len != FDT_CELL_SIZE)
		return -EINVAL;
	*val = fdt_be32(v);
	return 0;
}

int fdt_prop_uint(const struct fdt *f, int node, const char *name, uint64_t *val)
{
	uint32_t len;
	const void *v = fdt_getprop(f, node, name, &len);

	if (!v)
		return -ENOENT;
	if (len != FDT_CELL_SIZE && len != 2 * FDT_CELL_SIZE)
		return -EINVAL;
	*val = fdt_read_cells(v, (int)(len / FDT_CELL_SIZE));
	return 0;
}

int fdt_prop_string(const struct fdt *f, int node, const char *name, const char **s)
{
	uint32_t len;
	const char *v = fdt_getprop(f, node, name, &len);

	if (!v)
		return -ENOENT;
	if (strnlen(v, len) == len)
		return -EINVAL;
	*s = v;
	return 0;
}

/* Compare s with each string of the list; an unterminated tail never matches. */
bool fdt_stringlist_contains(const char *list, uint32_t len, const char *s)
{
	size_t want = strlen(s);

	while (len > 0) {
		size_t n = strnlen(list, len);
		if (n == len)
			return false; /* the last string is not terminated */
		if (n == want && memcmp(list, s, n) == 0)
			return true;
		list += n + 1;
		len -= (uint32_t)(n + 1);
	}
	return false;
}

bool fdt_is_compatible(const struct fdt *f, int node, const char *compat)
{
	uint32_t len;
	const char *list = fdt_getprop(f, node, "compatible", &len);

	return list && fdt_stringlist_contains(list, len, compat);
}

/* Depth-first from node until a node lists compat. */
int fdt_next_compatible(const struct fdt *f, int node, const char *compat)
{
	do {
		node = fdt_next_node(f, node, NULL);
	} while (node >= 0 && !fdt_is_compatible(f, node, compat));
	return node;
}

/* node's cell count property name, def when absent, -EINVAL when bad. */
static int cells(const struct fdt *f, int node, const char *name, int def)
{
	uint32_t v;
	int r = fdt_prop_u32(f, node, name, &v);

	if (r == -ENOENT)
		return def;
	if (r < 0 || v > FDT_MAX_CELLS)
		return -EINVAL;
	return (int)v;
}

int fdt_address_cells(const struct fdt *f, int node)
{
	return cells(f, node, "#address-cells", FDT_DEFAULT_ADDRESS_CELLS);
}

int fdt_size_cells(const struct fdt *f, int node)
{
	return cells(f, node, "#size-cells", FDT_DEFAULT_SIZE_CELLS);
}

/* The entry is parent's #address-cells then #size-cells cells long. */
int fdt_reg(const struct fdt *f, int node, int index, uint64_t *addr, uint64_t *size)
{
	int parent = fdt_parent(f, node);
	int ac, sc;
	uint32_t len, entry;
	const uint8_t *reg;

	if (parent < 0)
		return -EINVAL;
	ac = fdt_address_cells(f, parent);
	sc = fdt_size_cells(f, parent);
	if (ac <= 0 || sc < 0)
		return -EINVAL;
	reg = fdt_getprop(f, node, "reg", &len);
	if (!reg)
		return -ENOENT;
	entry = (uint32_t)(ac + sc) * FDT_CELL_SIZE;
	if (index < 0 || (uint32_t)index >= len / entry)
		return -ENOENT;
	reg += (uint32_t)index * entry;
	*addr = fdt_read_cells(reg, ac);
	*size = fdt_read_cells(reg + ac * FDT_CELL_SIZE, sc);
	return 0;
}

int fdt_rsv_entry(const struct fdt *f, int index, uint64_t *addr, uint64_t *size)
{
	const uint8_t *e;

	if (index < 0 || index >= f->nrsv)
		return -ENOENT;
	e = f->blob + f->rsvmap_off + (uint32_t)index * FDT_RSV_ENTRY_SIZE;
	*addr = fdt_be64(e);
	*size = fdt_be64(e + FDT_RSV_SIZE_FIELD);
	return 0;
}
