/*
 * Host tests of kernel/fs/ext2*.c on images that the real mke2fs
 * (e2fsprogs) makes at test time from scratch trees: mount checks and
 * refusals, reads that match the source files byte for byte, every
 * change of the name space and of file sizes with its errors, running out
 * of space, and damaged images. After each test that writes, the image
 * goes to a scratch file for e2fsck -fn, which must find nothing wrong;
 * debugfs reads some of what the library wrote. Each disk sits in a buffer
 * of exactly its size (AddressSanitizer reports any access past it), and
 * tests/unit/host_ext2.c checks the block interface's contract on every
 * call.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs/ext2.h"
#include "lib/kerrno.h"
#include "host_ext2.h"
#include "host_files.h"

#define KIB	     1024u
#define NOW	     1700000000u /* 2023-11-14: what the disk's clock says */
#define CMD_MAX	     1024
#define PATH_MAX_LEN 256
#define OUTPUT_MAX   65536

/* The on-disk fields the tests look at, spelled out apart from the library. */
#define SB_AT		  1024u
#define SB_INODES_COUNT	  0u
#define SB_BLOCKS_COUNT	  4u
#define SB_FREE_BLOCKS	  12u
#define SB_FREE_INODES	  16u
#define SB_FIRST_DATA	  20u
#define SB_LOG_BLOCK	  24u
#define SB_PER_GROUP	  32u
#define SB_INODES_PER_GRP 40u
#define SB_MTIME	  44u
#define SB_MNT_COUNT	  52u
#define SB_MAGIC	  56u
#define SB_STATE	  58u
#define SB_REV		  76u
#define SB_FIRST_INO	  84u
#define SB_INODE_SIZE	  88u
#define SB_INCOMPAT	  96u
#define SB_RO_COMPAT	  100u
#define STATE_VALID	  1u
#define STATE_ERROR	  2u
#define GD_BLOCK_BITMAP	  0u
#define GD_INODE_TABLE	  8u
#define GD_FREE_BLOCKS	  12u
#define GD_USED_DIRS	  16u
#define DE_REC_LEN	  4u
#define DE_NAME_LEN	  6u
#define I_BLOCK		  40u /* i_block[] in an on-disk inode */

/* ---- little-endian fields of an image ---- */

static uint32_t le32(const uint8_t *p, uint32_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}

static uint32_t le16(const uint8_t *p, uint32_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8;
}

static void put16(uint8_t *p, uint32_t off, uint32_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t off, uint32_t v)
{
	put16(p, off, v & 0xFFFF);
	put16(p, off + 2, v >> 16);
}

/* ---- e2fsprogs ---- */

/* The path of an e2fsprogs tool: /sbin is not on every user's PATH. */
static const char *tool(const char *name)
{
	static char path[PATH_MAX_LEN];
	static const char *const dirs[] = {"/sbin", "/usr/sbin"};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return path;
	}
	return name;
}

/* Run cmd; its output (stdout and stderr) in out, its exit status returned. */
static int run(const char *cmd, char *out, size_t out_size)
{
	FILE *f = popen(cmd, "r");
	size_t n;

	assert_non_null(f);
	n = fread(out, 1, out_size - 1, f);
	out[n] = '\0';
	int status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Write bytes to a fresh scratch file; its name in path. */
static void to_scratch_file(const uint8_t *bytes, uint32_t size, char *path)
{
	strcpy(path, "/tmp/test_ext2.img.XXXXXX");
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, size), size);
	close(fd);
}

/* The file system in bytes must satisfy e2fsck -fn. */
static void assert_e2fsck_clean(const uint8_t *bytes, uint32_t size)
{
	static char out[OUTPUT_MAX];
	char path[PATH_MAX_LEN], cmd[CMD_MAX];

	to_scratch_file(bytes, size, path);
	snprintf(cmd, sizeof(cmd), "%s -fn %s 2>&1", tool("e2fsck"), path);
	int status = run(cmd, out, sizeof(out));
	unlink(path);
	if (status != 0)
		fail_msg("e2fsck -fn exited with %d:\n%s", status, out);
}

/* What debugfs -R 'request' prints about the file system in bytes. */
static void debugfs(const uint8_t *bytes, uint32_t size, const char *request, char *out,
		    size_t out_size)
{
	char path[PATH_MAX_LEN], cmd[CMD_MAX];

	to_scratch_file(bytes, size, path);
	snprintf(cmd, sizeof(cmd), "%s -R '%s' %s 2>/dev/null", tool("debugfs"), request, path);
	int status = run(cmd, out, out_size);
	unlink(path);
	assert_int_equal(status, 0);
}

/* ---- the scratch trees ---- */

#define SPARSE_SIZE   (70u * KIB * KIB) /* reaches the triple indirect tree at 1 KiB blocks */
#define SPARSE_HEAD   10u
#define SPARSE_TAIL   4000u
#define MANY	      300u /* entries of many/: several directory blocks */
#define SLOW_LINK_LEN 100u

/* The byte at offset i of a file made with seed: no two blocks alike. */
static uint8_t pattern(uint32_t seed, uint64_t i)
{
	return (uint8_t)(i ^ (i >> 8) ^ (i >> 16) ^ (seed * 0x9Du));
}

struct tree_file {
	const char *path;
	uint32_t size;
	uint8_t seed;
};

/* The regular files of the rich tree; the sparse one and the links apart. */
static const struct tree_file rich_files[] = {
    {"empty", 0, 1},
    {"one", 1, 2},
    {"k-1", 1023, 3},
    {"k", 1024, 4},
    {"k+1", 1025, 5},
    {"direct", 12 * KIB, 6},
    {"single", 12 * KIB + 1, 7},
    {"double", 268 * KIB + 1, 8},
    {"a/x", 3, 9},
    {"a/b/c/deep", 5000, 10},
    {"a/b/c/d/deeper", 70, 11},
};

static const char *const rich_dirs[] = {"a", "a/b", "a/b/c", "a/b/c/d", "emptydir", "many"};

/* What "/" of the rich tree lists. */
static const char *const rich_root[] = {
    ".",      "..",	"lost+found", "empty",	  "one",  "k-1",    "k",    "k+1",  "direct",
    "single", "double", "a",	      "emptydir", "many", "sparse", "fast", "slow",
};

static char slow_target[SLOW_LINK_LEN + 1];

static bool write_pattern(const char *tree, const char *rel, uint64_t size, uint8_t seed)
{
	char path[PATH_MAX_LEN];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	f = fopen(path, "wb");
	if (f == NULL)
		return false;
	for (uint64_t i = 0; i < size; i++)
		fputc(pattern(seed, i), f);
	return fclose(f) == 0;
}

/* A 70 MiB file with data only in its first and last bytes. */
static bool write_sparse(const char *tree)
{
	char path[PATH_MAX_LEN];
	FILE *f;

	snprintf(path, sizeof(path), "%s/sparse", tree);
	f = fopen(path, "wb");
	if (f == NULL)
		return false;
	for (uint32_t i = 0; i < SPARSE_HEAD; i++)
		fputc(pattern(0, i), f);
	fseek(f, SPARSE_SIZE - SPARSE_TAIL, SEEK_SET);
	for (uint64_t i = SPARSE_SIZE - SPARSE_TAIL; i < SPARSE_SIZE; i++)
		fputc(pattern(0, i), f);
	return fclose(f) == 0;
}

static bool rich_tree(const char *tree)
{
	char path[PATH_MAX_LEN], link_path[PATH_MAX_LEN];

	for (size_t i = 0; i < ARRAY_SIZE(rich_dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", tree, rich_dirs[i]);
		if (mkdir(path, 0755) != 0)
			return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(rich_files); i++)
		if (!write_pattern(tree, rich_files[i].path, rich_files[i].size,
				   rich_files[i].seed))
			return false;
	for (uint32_t i = 0; i < MANY; i++) {
		snprintf(path, sizeof(path), "many/entry-%03u", (unsigned)i);
		if (!scratch_write(tree, path, "", 0))
			return false;
	}
	memset(slow_target, 's', SLOW_LINK_LEN);
	snprintf(path, sizeof(path), "%s/fast", tree);
	snprintf(link_path, sizeof(link_path), "%s/slow", tree);
	if (symlink("a/b/c/deep", path) != 0 || symlink(slow_target, link_path) != 0)
		return false;
	snprintf(path, sizeof(path), "%s/one", tree);
	snprintf(link_path, sizeof(link_path), "%s/a/hard", tree);
	return link(path, link_path) == 0 && write_sparse(tree);
}

/* A few files, for the damage tests: a directory block each, one indirect. */
static bool small_tree(const char *tree)
{
	char path[PATH_MAX_LEN];

	snprintf(path, sizeof(path), "%s/d", tree);
	if (mkdir(path, 0755) != 0)
		return false;
	snprintf(path, sizeof(path), "%s/d/e", tree);
	if (mkdir(path, 0755) != 0)
		return false;
	snprintf(path, sizeof(path), "%s/l", tree);
	return write_pattern(tree, "f", 3000, 1) && write_pattern(tree, "d/g", 1500, 2) &&
	       write_pattern(tree, "d/e/h", 14000, 3) && symlink("d/e/h", path) == 0;
}

/* Files enough to take inodes in every group of an image of 32 small
 * groups (8 inodes each), past the ones whose inode tables ext2_fs keeps. */
#define SPREAD_FILES 200

static bool spread_tree(const char *tree)
{
	char rel[32];

	for (int i = 0; i < SPREAD_FILES; i++) {
		snprintf(rel, sizeof(rel), "f%03d", i);
		if (!write_pattern(tree, rel, 100 + (uint64_t)i, (uint8_t)i))
			return false;
	}
	return true;
}

static bool empty_tree(const char *tree)
{
	(void)tree;
	return true;
}

/* ---- images ---- */

struct image {
	uint8_t *bytes;
	uint32_t size;
};

/* How make_image makes the next one (scratch_build's callback takes only a folder). */
static struct {
	bool (*tree)(const char *tree);
	const char *options, *size;
	bool index_dirs; /* then e2fsck -fyD: hashed (htree) directories */
} recipe;

static bool make_image(const char *dir)
{
	char tree[PATH_MAX_LEN], cmd[CMD_MAX];

	snprintf(tree, sizeof(tree), "%s/tree", dir);
	if (mkdir(tree, 0755) != 0 || !recipe.tree(tree))
		return false;
	/* The image file has its full size first: mke2fs leaves a file that
	 * ends in unwritten blocks short. */
	snprintf(cmd, sizeof(cmd),
		 "truncate -s %s %s/img && %s -q -F %s -d %s %s/img >/dev/null 2>&1", recipe.size,
		 dir, tool("mke2fs"), recipe.options, tree, dir);
	if (system(cmd) != 0)
		return false;
	snprintf(cmd, sizeof(cmd), "%s -fyD %s/img >/dev/null 2>&1", tool("e2fsck"), dir);
	return !recipe.index_dirs || WEXITSTATUS(system(cmd)) <= 1; /* 1: it changed the image */
}

static void build(struct image *im, bool (*tree)(const char *), const char *options,
		  const char *size, bool index_dirs)
{
	recipe.tree = tree;
	recipe.options = options;
	recipe.size = size;
	recipe.index_dirs = index_dirs;
	im->bytes = scratch_build("test_ext2", make_image, "img", &im->size);
	if (im->bytes == NULL)
		fail_msg("mke2fs %s %s failed", options, size);
}

static struct image rich1k, rich2k, rich4k, small, rev0, ext4, ext3, indexed, tiny_inodes, spread;

static int make_images(void **state)
{
	(void)state;
	build(&rich1k, rich_tree, "-t ext2 -b 1024", "4M", false);
	build(&rich2k, rich_tree, "-t ext2 -b 2048", "4M", false);
	build(&rich4k, rich_tree, "-t ext2 -b 4096 -I 256", "8M", false);
	build(&small, small_tree, "-t ext2 -b 1024 -N 32", "128K", false);
	build(&rev0, empty_tree, "-t ext2 -r 0 -b 1024", "1M", false);
	build(&ext4, empty_tree, "-t ext4 -b 1024", "4M", false);
	build(&ext3, small_tree, "-t ext3 -b 1024", "4M", false);
	build(&indexed, rich_tree, "-t ext2 -b 1024", "4M", true);
	build(&tiny_inodes, empty_tree, "-t ext2 -b 1024 -N 16", "256K", false);
	/* (so many groups would get resize_inode's reserve as meta_bg, which
	 * the library refuses) */
	build(&spread, spread_tree, "-t ext2 -b 1024 -g 256 -N 256 -O ^resize_inode", "8M", false);
	return 0;
}

static int free_images(void **state)
{
	struct image *all[] = {&rich1k, &rich2k, &rich4k,	&small, &rev0,
			       &ext4,	&ext3,	 &indexed, &tiny_inodes, &spread};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		free(all[i]->bytes);
	return 0;
}

/* ---- a disk for one test ---- */

struct disk {
	struct ramdisk rd;
	struct ext2_fs fs;
	uint8_t *bytes;
	uint32_t size;
};

/* Every call's contract on the block interface, checked after it. */
#define OK(call)                                                                                   \
	do {                                                                                       \
		assert_int_equal((call), 0);                                                       \
		assert_null(ramdisk_check(&d->rd));                                                \
	} while (0)
#define FAILS(call, err)                                                                           \
	do {                                                                                       \
		assert_int_equal((call), (err));                                                   \
		assert_null(ramdisk_check(&d->rd));                                                \
	} while (0)

static void disk_copy(struct disk *d, const struct image *im)
{
	d->bytes = exact_copy(im->bytes, im->size);
	d->size = im->size;
	ramdisk_init(&d->rd, d->bytes, d->size, NOW);
}

/* A copy of im, mounted. */
static void disk_open(struct disk *d, const struct image *im)
{
	const char *why = "untouched";

	disk_copy(d, im);
	assert_int_equal(ext2_mount(&d->fs, &d->rd.dev, d->size, &why), 0);
	assert_null(why);
	assert_null(ramdisk_check(&d->rd));
}

static void disk_free(struct disk *d)
{
	free(d->bytes);
}

/* Unmount and hand the image to e2fsck. */
static void disk_check(struct disk *d)
{
	assert_null(d->fs.error);
	OK(ext2_unmount(&d->fs));
	assert_e2fsck_clean(d->bytes, d->size);
}

/* The inode at path, looked up a name at a time from "/". */
static uint32_t path_ino(struct disk *d, const char *path)
{
	char name[PATH_MAX_LEN];
	uint32_t ino = EXT2_ROOT_INO;

	while (*path != '\0') {
		size_t n = strcspn(path, "/");

		memcpy(name, path, n);
		name[n] = '\0';
		OK(ext2_lookup(&d->fs, ino, name, (uint32_t)n, &ino));
		path += n + (path[n] == '/');
	}
	return ino;
}

static void iget(struct disk *d, uint32_t ino, struct ext2_inode *ip)
{
	OK(ext2_iget(&d->fs, ino, ip));
}

/* The whole of file ino in a malloc'd buffer, read count bytes at a time. */
static uint8_t *read_all(struct disk *d, uint32_t ino, uint32_t count, uint64_t *size)
{
	struct ext2_inode ip;
	uint8_t *buf;
	uint64_t off = 0;

	iget(d, ino, &ip);
	*size = ext2_isize(&ip);
	buf = malloc(*size + 1);
	assert_non_null(buf);
	while (off < *size) {
		int n = ext2_read(&d->fs, ino, &ip, off, buf + off, count);

		assert_null(ramdisk_check(&d->rd));
		assert_true(n > 0);
		off += (uint32_t)n;
	}
	assert_int_equal(ext2_read(&d->fs, ino, &ip, off, buf, count), 0);
	return buf;
}

static void assert_pattern(const uint8_t *buf, uint64_t size, uint8_t seed)
{
	for (uint64_t i = 0; i < size; i++)
		if (buf[i] != pattern(seed, i))
			fail_msg("byte %llu is %u, not %u", (unsigned long long)i, buf[i],
				 pattern(seed, i));
}

static void counts(struct disk *d, struct ext2_statfs *st)
{
	OK(ext2_statfs(&d->fs, st));
}

static uint32_t create(struct disk *d, uint32_t dir, const char *name)
{
	uint32_t ino;

	OK(ext2_create(&d->fs, dir, name, (uint32_t)strlen(name), 0644, &ino));
	return ino;
}

static uint32_t mkdir_in(struct disk *d, uint32_t dir, const char *name)
{
	uint32_t ino;

	OK(ext2_mkdir(&d->fs, dir, name, (uint32_t)strlen(name), 0755, &ino));
	return ino;
}

/* Write size bytes of pattern seed at offset off of file ino. */
static void write_file(struct disk *d, uint32_t ino, uint64_t off, uint32_t size, uint8_t seed)
{
	struct ext2_inode ip;
	uint8_t *buf = malloc(size + 1);

	assert_non_null(buf);
	for (uint32_t i = 0; i < size; i++)
		buf[i] = pattern(seed, off + i);
	iget(d, ino, &ip);
	assert_int_equal(ext2_write(&d->fs, ino, &ip, off, buf, size), (int)size);
	assert_null(ramdisk_check(&d->rd));
	free(buf);
}

/* Unlink name in dir and free its inode if that was its last link. */
static void remove_file(struct disk *d, uint32_t dir, const char *name)
{
	struct ext2_unlinked gone;

	OK(ext2_unlink(&d->fs, dir, name, (uint32_t)strlen(name), &gone));
	if (gone.last)
		OK(ext2_free_inode(&d->fs, gone.ino));
}

/* Where inode ino lies in an image: its byte offset (the image's own geometry). */
static uint32_t raw_inode(const uint8_t *img, uint32_t ino)
{
	const uint8_t *sb = img + SB_AT;
	uint32_t bs = KIB << le32(sb, SB_LOG_BLOCK), ipg = le32(sb, SB_INODES_PER_GRP);
	uint32_t g = (ino - 1) / ipg, gd = (le32(sb, SB_FIRST_DATA) + 1) * bs + g * 32;

	return le32(img, gd + GD_INODE_TABLE) * bs + ((ino - 1) % ipg) * le16(sb, SB_INODE_SIZE);
}

/* The disk block of file block fblock of ino, as the library maps it. */
static uint32_t block_of(struct disk *d, uint32_t ino, uint32_t fblock)
{
	struct ext2_inode ip;
	uint32_t blk;

	iget(d, ino, &ip);
	OK(ext2_bmap(&d->fs, ino, &ip, fblock, false, &blk));
	return blk;
}

/* ---- mounting ---- */

/* A number dumpe2fs -h prints after key. */
static uint32_t dumpe2fs_field(const struct image *im, const char *key)
{
	static char out[OUTPUT_MAX];
	char path[PATH_MAX_LEN], cmd[CMD_MAX];
	unsigned long v;

	to_scratch_file(im->bytes, im->size, path);
	snprintf(cmd, sizeof(cmd), "%s -h %s 2>/dev/null", tool("dumpe2fs"), path);
	int status = run(cmd, out, sizeof(out));
	unlink(path);
	assert_int_equal(status, 0);
	const char *at = strstr(out, key);
	assert_non_null(at);
	assert_int_equal(sscanf(at + strlen(key), " %lu", &v), 1);
	return (uint32_t)v;
}

static void test_mount_reads_the_counts_dumpe2fs_reports(void **state)
{
	const struct image *ims[] = {&rich1k, &rich2k, &rich4k, &small};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(ims); i++) {
		struct disk dd, *d = &dd;
		struct ext2_statfs st;

		disk_open(d, ims[i]);
		counts(d, &st);
		assert_int_equal(st.block_size, dumpe2fs_field(ims[i], "Block size:"));
		assert_int_equal(st.blocks, dumpe2fs_field(ims[i], "Block count:"));
		assert_int_equal(st.inodes, dumpe2fs_field(ims[i], "Inode count:"));
		assert_int_equal(st.free_blocks, dumpe2fs_field(ims[i], "Free blocks:"));
		assert_int_equal(st.free_inodes, dumpe2fs_field(ims[i], "Free inodes:"));
		assert_int_equal(d->fs.inode_size, dumpe2fs_field(ims[i], "Inode size:"));
		disk_free(d);
	}
}

static void test_mount_marks_the_superblock_mounted_and_unmount_clean_again(void **state)
{
	struct disk dd, *d = &dd;
	const uint8_t *sb;
	(void)state;

	disk_open(d, &rich1k);
	sb = d->bytes + SB_AT;
	assert_int_equal(le16(sb, SB_STATE) & STATE_VALID, 0);
	assert_int_equal(le16(sb, SB_MNT_COUNT), le16(rich1k.bytes + SB_AT, SB_MNT_COUNT) + 1);
	assert_int_equal(le32(sb, SB_MTIME), NOW);
	OK(ext2_unmount(&d->fs));
	assert_int_equal(le16(sb, SB_STATE), STATE_VALID);
	assert_e2fsck_clean(d->bytes, d->size);
	disk_free(d);
}

/* Mounting bytes on a disk of dev_bytes fails with err and a reason
 * holding keyword, and writes nothing. */
static void expect_refused(const uint8_t *bytes, uint32_t size, uint64_t dev_bytes, int err,
			   const char *keyword)
{
	struct ramdisk rd;
	struct ext2_fs fs;
	uint8_t *copy = exact_copy(bytes, size);
	const char *why = NULL;

	ramdisk_init(&rd, copy, size, NOW);
	assert_int_equal(ext2_mount(&fs, &rd.dev, dev_bytes, &why), err);
	assert_non_null(why);
	if (strstr(why, keyword) == NULL)
		fail_msg("the reason \"%s\" does not say \"%s\"", why, keyword);
	assert_null(ramdisk_check(&rd));
	assert_int_equal(rd.dirty_puts, 0);
	assert_memory_equal(copy, bytes, size);
	free(copy);
}

/* A copy of im with the 16- or 32-bit field at byte off set to v. */
static uint8_t *with_field(const struct image *im, uint32_t off, int bits, uint32_t v)
{
	uint8_t *p = exact_copy(im->bytes, im->size);

	if (bits == 16)
		put16(p, off, v);
	else
		put32(p, off, v);
	return p;
}

/* im with one field changed is refused for keyword. */
static void expect_field_refused(const struct image *im, uint32_t off, int bits, uint32_t v,
				 const char *keyword)
{
	uint8_t *p = with_field(im, off, bits, v);

	expect_refused(p, im->size, im->size, -EINVAL, keyword);
	free(p);
}

static void test_mount_refuses_a_disk_without_the_magic(void **state)
{
	uint8_t *zeros = calloc(1, 64 * KIB);
	(void)state;

	assert_non_null(zeros);
	expect_refused(zeros, 64 * KIB, 64 * KIB, -EINVAL, "not ext2: no magic");
	expect_refused(zeros, 2 * KIB - 1, 2 * KIB - 1, -EINVAL, "too small");
	expect_refused(zeros, 0, 0, -EINVAL, "too small");
	free(zeros);
	expect_field_refused(&rich1k, SB_AT + SB_MAGIC, 16, 0xEF54, "no magic");
}

static void test_mount_refuses_revision_0(void **state)
{
	(void)state;
	expect_refused(rev0.bytes, rev0.size, rev0.size, -EINVAL, "revision");
}

static void test_mount_refuses_ext4_for_its_extents(void **state)
{
	(void)state;
	expect_refused(ext4.bytes, ext4.size, ext4.size, -EINVAL,
		       "incompat feature 0x40 (extents) not supported");
}

static void test_mount_takes_ext3_with_an_empty_journal_but_not_one_to_recover(void **state)
{
	struct disk dd, *d = &dd;
	struct walk_limits lim = {64, 1000, 1 << 20};
	struct walk_stats st;
	(void)state;

	disk_open(d, &ext3);
	assert_null(ext2_walk(&d->fs, &lim, &st));
	assert_int_equal(st.errors, 0);
	assert_null(ext2_exercise(&d->fs));
	disk_check(d);
	disk_free(d);
	expect_field_refused(&ext3, SB_AT + SB_INCOMPAT, 32,
			     le32(ext3.bytes + SB_AT, SB_INCOMPAT) | 0x4, "needs_recovery");
}

static void test_mount_refuses_ro_compat_features_it_would_not_keep(void **state)
{
	uint32_t ro = le32(rich1k.bytes + SB_AT, SB_RO_COMPAT);
	(void)state;

	expect_field_refused(&rich1k, SB_AT + SB_RO_COMPAT, 32, ro | 0x400,
			     "ro_compat feature 0x400 (metadata_csum)");
	expect_field_refused(&rich1k, SB_AT + SB_RO_COMPAT, 32, ro | 0x80000000u, "unknown");
	expect_field_refused(&rich1k, SB_AT + SB_INCOMPAT, 32, 0x2 | 0x200, "flex_bg");
}

static void test_mount_refuses_a_superblock_that_disagrees_with_itself(void **state)
{
	const uint8_t *sb = rich1k.bytes + SB_AT;
	const struct {
		uint32_t off;
		int bits;
		uint32_t v;
		const char *keyword;
	} cases[] = {
	    {SB_LOG_BLOCK, 32, 3, "block size"},
	    {SB_FIRST_DATA, 32, 0, "first data block"},
	    {SB_INODE_SIZE, 16, 100, "inode size"},
	    {SB_INODE_SIZE, 16, 2048, "inode size"},
	    {SB_BLOCKS_COUNT, 32, 0xFFFFFFFFu, "larger than the disk"},
	    {SB_BLOCKS_COUNT, 32, 1, "too small"},
	    {SB_PER_GROUP, 32, 0, "blocks per group"},
	    {SB_PER_GROUP, 32, 1024, "inode count does not match the groups"},
	    {SB_INODES_PER_GRP, 32, 0, "inodes per group"},
	    {SB_INODES_COUNT, 32, le32(sb, SB_INODES_COUNT) + 1, "inode count"},
	    {SB_FIRST_INO, 32, 5, "first inode"},
	    {SB_FREE_BLOCKS, 32, le32(sb, SB_BLOCKS_COUNT) + 1, "free counts"},
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		expect_field_refused(&rich1k, SB_AT + cases[i].off, cases[i].bits, cases[i].v,
				     cases[i].keyword);
}

static void test_mount_refuses_bad_group_descriptors_and_root(void **state)
{
	const uint32_t gd = 2 * KIB; /* group 0's descriptor: block 2 at 1 KiB */
	const uint32_t blocks = le32(rich1k.bytes + SB_AT, SB_BLOCKS_COUNT);
	(void)state;

	expect_field_refused(&rich1k, gd + GD_INODE_TABLE, 32, blocks - 1, "inode table");
	expect_field_refused(&rich1k, gd + GD_INODE_TABLE, 32, 0xFFFFFF00u, "inode table");
	expect_field_refused(&rich1k, gd + GD_BLOCK_BITMAP, 32, blocks, "bitmap");
	expect_field_refused(&rich1k, gd + GD_FREE_BLOCKS, 16, 60000, "counts");
	expect_field_refused(&rich1k, raw_inode(rich1k.bytes, EXT2_ROOT_INO), 16,
			     EXT2_S_IFREG | 0755, "root");
}

static void test_mount_refuses_a_file_system_larger_than_its_disk(void **state)
{
	(void)state;
	expect_refused(rich1k.bytes, rich1k.size, rich1k.size - 1, -EINVAL, "larger than the disk");
}

static void test_mount_warns_about_an_unclean_or_damaged_file_system(void **state)
{
	struct ramdisk rd;
	struct ext2_fs fs;
	const char *why = NULL;
	uint8_t *p = with_field(&rich1k, SB_AT + SB_STATE, 16, 0);
	(void)state;

	ramdisk_init(&rd, p, rich1k.size, NOW);
	assert_int_equal(ext2_mount(&fs, &rd.dev, rich1k.size, &why), 0);
	assert_non_null(why);
	assert_non_null(strstr(why, "not cleanly unmounted"));
	assert_int_equal(ext2_unmount(&fs), 0);
	assert_int_equal(le16(p + SB_AT, SB_STATE), 0); /* e2fsck must still look at it */
	free(p);

	p = with_field(&rich1k, SB_AT + SB_STATE, 16, STATE_VALID | STATE_ERROR);
	ramdisk_init(&rd, p, rich1k.size, NOW);
	assert_int_equal(ext2_mount(&fs, &rd.dev, rich1k.size, &why), 0);
	assert_non_null(strstr(why, "errors"));
	free(p);
}

static void test_mount_reports_io_errors(void **state)
{
	struct ramdisk rd;
	struct ext2_fs fs;
	const char *why = NULL;
	uint8_t *p = exact_copy(rich1k.bytes, rich1k.size);
	(void)state;

	ramdisk_init(&rd, p, rich1k.size, NOW);
	rd.fail_block = 1;
	assert_int_equal(ext2_mount(&fs, &rd.dev, rich1k.size, &why), -EIO);
	assert_non_null(strstr(why, "I/O error"));
	ramdisk_init(&rd, p, rich1k.size, NOW);
	rd.fail_block = 2; /* the group descriptors */
	assert_int_equal(ext2_mount(&fs, &rd.dev, rich1k.size, &why), -EIO);
	assert_null(ramdisk_check(&rd));
	assert_int_equal(rd.dirty_puts, 0);
	free(p);
}

/* ---- reading ---- */

/* Every file of the rich tree in image im reads back as mke2fs copied it. */
static void check_rich_files(const struct image *im)
{
	struct disk dd, *d = &dd;
	static const uint32_t chunks[] = {777, 4096, 1u << 20};

	disk_open(d, im);
	for (size_t i = 0; i < ARRAY_SIZE(rich_files); i++) {
		for (size_t c = 0; c < ARRAY_SIZE(chunks); c++) {
			uint64_t size;
			uint8_t *buf =
			    read_all(d, path_ino(d, rich_files[i].path), chunks[c], &size);

			assert_int_equal(size, rich_files[i].size);
			assert_pattern(buf, size, rich_files[i].seed);
			free(buf);
		}
	}
	assert_null(d->fs.error);
	disk_free(d);
}

static void test_every_file_reads_back_as_mke2fs_copied_it(void **state)
{
	(void)state;
	check_rich_files(&rich1k);
	check_rich_files(&rich2k);
	check_rich_files(&rich4k);
}

/* ext2_fs keeps the first groups' inode-table blocks from mount on; the
 * inodes of later groups are found through their group descriptor. Both
 * kinds read back right. */
static void test_inodes_of_every_group_read_back(void **state)
{
	struct disk dd, *d = &dd;
	char rel[32];
	uint32_t last_group = 0;
	(void)state;

	disk_open(d, &spread);
	assert_true(d->fs.groups > EXT2_ITABLES_KEPT);
	for (int i = 0; i < SPREAD_FILES; i++) {
		uint64_t size;
		snprintf(rel, sizeof(rel), "f%03d", i);
		uint32_t ino = path_ino(d, rel);
		uint8_t *buf = read_all(d, ino, 4096, &size);
		assert_int_equal(size, 100 + (uint64_t)i);
		assert_pattern(buf, size, (uint8_t)i);
		free(buf);
		if ((ino - 1) / d->fs.inodes_per_group > last_group)
			last_group = (ino - 1) / d->fs.inodes_per_group;
	}
	assert_true(last_group >= EXT2_ITABLES_KEPT); /* the look through a descriptor ran */
	assert_null(d->fs.error);
	disk_free(d);
}

static void test_a_hard_link_names_the_same_inode(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	(void)state;

	disk_open(d, &rich1k);
	assert_int_equal(path_ino(d, "a/hard"), path_ino(d, "one"));
	iget(d, path_ino(d, "one"), &ip);
	assert_int_equal(ip.i_links_count, 2);
	disk_free(d);
}

/* The block debugfs says file block fblock of path is at. */
static uint32_t debugfs_bmap(const struct image *im, const char *path, uint32_t fblock)
{
	static char out[OUTPUT_MAX];
	char request[PATH_MAX_LEN];
	unsigned long blk;

	snprintf(request, sizeof(request), "bmap %s %u", path, (unsigned)fblock);
	debugfs(im->bytes, im->size, request, out, sizeof(out));
	assert_int_equal(sscanf(out, "%lu", &blk), 1);
	return (uint32_t)blk;
}

/* bmap of path in im, at each of the file blocks, agrees with debugfs. */
static void check_bmap(const struct image *im, const char *path, const uint32_t *fblocks, size_t n)
{
	struct disk dd, *d = &dd;

	disk_open(d, im);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(block_of(d, path_ino(d, path), fblocks[i]),
				 debugfs_bmap(im, path, fblocks[i]));
	disk_free(d);
}

static void test_bmap_agrees_with_debugfs_through_every_kind_of_block(void **state)
{
	/* At 1 KiB: direct 0-11, single 12-267, double 268-65803, triple on. */
	static const uint32_t dbl[] = {0, 11, 12, 267, 268};
	static const uint32_t sparse1k[] = {0, 1, 5000, 65803, 65804, SPARSE_SIZE / KIB - 1};
	static const uint32_t sparse4k[] = {0, 12, 1035, 1036, SPARSE_SIZE / (4 * KIB) - 1};
	(void)state;

	check_bmap(&rich1k, "double", dbl, ARRAY_SIZE(dbl));
	check_bmap(&rich1k, "sparse", sparse1k, ARRAY_SIZE(sparse1k));
	check_bmap(&rich4k, "sparse", sparse4k, ARRAY_SIZE(sparse4k));
}

static void test_a_sparse_file_reads_zeroes_in_its_holes(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	static uint8_t buf[3 * SPARSE_TAIL];
	uint32_t ino;
	(void)state;

	disk_open(d, &rich1k);
	ino = path_ino(d, "sparse");
	iget(d, ino, &ip);
	assert_int_equal(ext2_isize(&ip), SPARSE_SIZE);
	assert_int_equal(ext2_read(&d->fs, ino, &ip, 0, buf, sizeof(buf)), sizeof(buf));
	assert_pattern(buf, SPARSE_HEAD, 0);
	for (uint32_t i = SPARSE_HEAD; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0);
	assert_int_equal(ext2_read(&d->fs, ino, &ip, SPARSE_SIZE - sizeof(buf), buf, sizeof(buf)),
			 sizeof(buf));
	for (uint32_t i = 0; i < sizeof(buf); i++)
		if (i >= sizeof(buf) - SPARSE_TAIL)
			assert_int_equal(buf[i], pattern(0, SPARSE_SIZE - sizeof(buf) + i));
		else
			assert_int_equal(buf[i], 0);
	assert_int_equal(block_of(d, ino, 30000), 0);
	disk_free(d);
}

/* Read all of directory dir: names (malloc'd) and types, at most max. */
static uint32_t list_dir(struct disk *d, uint32_t dir, char **names, uint8_t *types, uint32_t max)
{
	static struct ext2_dirent_out de;
	uint32_t pos = 0, n = 0;
	int r;

	while ((r = ext2_readdir(&d->fs, dir, &pos, &de)) == 1) {
		assert_null(ramdisk_check(&d->rd));
		assert_true(n < max);
		names[n] = strdup(de.name);
		types[n++] = de.file_type;
	}
	assert_int_equal(r, 0);
	return n;
}

static void free_names(char **names, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(names[i]);
}

/* The index of name in names[0, n), or -1. */
static int find_name(char **names, uint32_t n, const char *name)
{
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

static void test_readdir_lists_each_entry_once_with_its_type(void **state)
{
	struct disk dd, *d = &dd;
	char *names[MANY + 8];
	uint8_t types[MANY + 8];
	char name[32];
	uint32_t n;
	(void)state;

	disk_open(d, &rich1k);
	n = list_dir(d, EXT2_ROOT_INO, names, types, MANY + 8);
	assert_int_equal(n, ARRAY_SIZE(rich_root));
	for (size_t i = 0; i < ARRAY_SIZE(rich_root); i++)
		assert_true(find_name(names, n, rich_root[i]) >= 0);
	assert_int_equal(types[find_name(names, n, "a")], EXT2_FT_DIR);
	assert_int_equal(types[find_name(names, n, "one")], EXT2_FT_REG);
	assert_int_equal(types[find_name(names, n, "fast")], EXT2_FT_SYMLINK);
	free_names(names, n);

	n = list_dir(d, path_ino(d, "many"), names, types, MANY + 8);
	assert_int_equal(n, MANY + 2);
	for (uint32_t i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "entry-%03u", (unsigned)i);
		assert_true(find_name(names, n, name) >= 0);
	}
	free_names(names, n);
	disk_free(d);
}

static void test_readdir_goes_on_from_any_position(void **state)
{
	struct disk dd, *d = &dd;
	static struct ext2_dirent_out de;
	uint32_t dir, pos = 0, seen = 0, mid;
	struct ext2_inode ip;
	(void)state;

	disk_open(d, &rich1k);
	dir = path_ino(d, "many");
	for (int i = 0; i < 100; i++)
		assert_int_equal(ext2_readdir(&d->fs, dir, &pos, &de), 1);
	mid = pos;
	while (ext2_readdir(&d->fs, dir, &pos, &de) == 1)
		seen++;
	assert_int_equal(seen, MANY + 2 - 100);
	pos = mid + 1; /* inside a record: the entry after it comes next */
	assert_int_equal(ext2_readdir(&d->fs, dir, &pos, &de), 1);
	assert_true(pos > mid + 1);
	iget(d, dir, &ip);
	pos = ip.i_size;
	assert_int_equal(ext2_readdir(&d->fs, dir, &pos, &de), 0);
	pos = UINT32_MAX;
	assert_int_equal(ext2_readdir(&d->fs, dir, &pos, &de), 0);
	assert_null(ramdisk_check(&d->rd));
	disk_free(d);
}

static void test_lookup_errors(void **state)
{
	struct disk dd, *d = &dd;
	char longname[EXT2_NAME_MAX + 2];
	uint32_t ino;
	(void)state;

	disk_open(d, &rich1k);
	memset(longname, 'n', sizeof(longname));
	FAILS(ext2_lookup(&d->fs, EXT2_ROOT_INO, "nope", 4, &ino), -ENOENT);
	FAILS(ext2_lookup(&d->fs, EXT2_ROOT_INO, "on", 2, &ino), -ENOENT);
	FAILS(ext2_lookup(&d->fs, EXT2_ROOT_INO, longname, EXT2_NAME_MAX + 1, &ino), -ENAMETOOLONG);
	FAILS(ext2_lookup(&d->fs, EXT2_ROOT_INO, longname, EXT2_NAME_MAX, &ino), -ENOENT);
	FAILS(ext2_lookup(&d->fs, EXT2_ROOT_INO, "a/x", 3, &ino), -EINVAL);
	FAILS(ext2_lookup(&d->fs, EXT2_ROOT_INO, "one\0", 4, &ino), -EINVAL);
	FAILS(ext2_lookup(&d->fs, EXT2_ROOT_INO, "", 0, &ino), -EINVAL);
	FAILS(ext2_lookup(&d->fs, path_ino(d, "one"), "x", 1, &ino), -ENOTDIR);
	FAILS(ext2_lookup(&d->fs, 0, "x", 1, &ino), -EINVAL);
	FAILS(ext2_lookup(&d->fs, d->fs.inodes_count + 1, "x", 1, &ino), -EINVAL);
	OK(ext2_lookup(&d->fs, EXT2_ROOT_INO, "..", 2, &ino));
	assert_int_equal(ino, EXT2_ROOT_INO);
	assert_null(d->fs.error);
	disk_free(d);
}

static void test_iget_refuses_inode_0_and_past_the_count(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	(void)state;

	disk_open(d, &rich1k);
	FAILS(ext2_iget(&d->fs, 0, &ip), -EINVAL);
	FAILS(ext2_iget(&d->fs, d->fs.inodes_count + 1, &ip), -EINVAL);
	FAILS(ext2_iput(&d->fs, 0, &ip), -EINVAL);
	OK(ext2_iget(&d->fs, d->fs.inodes_count, &ip));
	disk_free(d);
}

static void test_symlinks_read_their_targets_fast_and_slow(void **state)
{
	struct disk dd, *d = &dd;
	uint64_t size;
	uint8_t *buf;
	(void)state;

	disk_open(d, &rich1k);
	buf = read_all(d, path_ino(d, "fast"), 3, &size);
	assert_int_equal(size, strlen("a/b/c/deep"));
	assert_memory_equal(buf, "a/b/c/deep", size);
	free(buf);
	buf = read_all(d, path_ino(d, "slow"), 4096, &size);
	assert_int_equal(size, SLOW_LINK_LEN);
	assert_memory_equal(buf, slow_target, size);
	free(buf);
	disk_free(d);
}

static void test_an_indexed_directory_reads_and_loses_its_index_when_changed(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	char name[32];
	uint32_t dir, ino;
	(void)state;

	disk_open(d, &indexed);
	dir = path_ino(d, "many");
	iget(d, dir, &ip);
	assert_true(ip.i_flags & EXT2_INDEX_FL);
	for (uint32_t i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "entry-%03u", (unsigned)i);
		OK(ext2_lookup(&d->fs, dir, name, (uint32_t)strlen(name), &ino));
	}
	create(d, dir, "added");
	iget(d, dir, &ip);
	assert_false(ip.i_flags & EXT2_INDEX_FL);
	for (uint32_t i = 0; i < MANY; i++) {
		snprintf(name, sizeof(name), "entry-%03u", (unsigned)i);
		OK(ext2_lookup(&d->fs, dir, name, (uint32_t)strlen(name), &ino));
	}
	disk_check(d);
	disk_free(d);
}

/* ---- changing files ---- */

#define BIG_FILE (300u * KIB) /* into the double indirect tree at 1 KiB blocks */

static void test_a_new_file_reads_back_and_e2fsck_and_debugfs_agree(void **state)
{
	struct disk dd, *d = &dd;
	uint64_t size;
	uint8_t *buf, *cat = malloc(BIG_FILE + 1);
	uint32_t ino;
	(void)state;

	assert_non_null(cat);
	disk_open(d, &rich1k);
	ino = create(d, EXT2_ROOT_INO, "new");
	write_file(d, ino, 0, BIG_FILE, 42);
	buf = read_all(d, ino, 1000, &size);
	assert_int_equal(size, BIG_FILE);
	assert_pattern(buf, size, 42);
	free(buf);
	disk_check(d);
	debugfs(d->bytes, d->size, "cat /new", (char *)cat, BIG_FILE + 1);
	assert_pattern(cat, BIG_FILE, 42);
	free(cat);
	disk_free(d);
}

static void test_writes_into_holes_and_past_the_end(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	uint64_t size;
	uint8_t *buf;
	uint32_t ino;
	(void)state;

	disk_open(d, &rich1k);
	ino = create(d, EXT2_ROOT_INO, "holes");
	write_file(d, ino, 100000, 10, 5);
	iget(d, ino, &ip);
	assert_int_equal(ext2_isize(&ip), 100010);
	assert_int_equal(ip.i_blocks, 2 * 2); /* the data block and its indirect block */
	assert_int_equal(block_of(d, ino, 0), 0);
	write_file(d, ino, 1500, 100, 5); /* into the hole */
	buf = read_all(d, ino, 3000, &size);
	for (uint64_t i = 0; i < size; i++)
		if ((i >= 1500 && i < 1600) || i >= 100000)
			assert_int_equal(buf[i], pattern(5, i));
		else
			assert_int_equal(buf[i], 0);
	free(buf);
	disk_check(d);
	disk_free(d);
}

static void test_write_and_bmap_past_the_largest_file_are_efbig(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	/* 12 + 256 + 256^2 + 256^3 blocks of 1 KiB. */
	const uint64_t largest = (12ull + 256 + 65536 + 16777216) * KIB;
	uint32_t ino, blk;
	(void)state;

	disk_open(d, &rich1k);
	ino = create(d, EXT2_ROOT_INO, "huge");
	iget(d, ino, &ip);
	FAILS(ext2_write(&d->fs, ino, &ip, largest, "x", 1), -EFBIG);
	FAILS(ext2_write(&d->fs, ino, &ip, largest - 1, "xy", 2), -EFBIG);
	FAILS(ext2_bmap(&d->fs, ino, &ip, (uint32_t)(largest / KIB), true, &blk), -EFBIG);
	FAILS(ext2_truncate(&d->fs, ino, &ip, largest + 1), -EFBIG);
	OK(ext2_truncate(&d->fs, ino, &ip, largest));
	iget(d, ino, &ip);
	assert_int_equal(ext2_isize(&ip), largest);
	assert_int_equal(ip.i_blocks, 0);
	disk_check(d);
	disk_free(d);
}

/* The file blocks where each tree starts, at 1 KiB. */
#define FB_SINGLE 12u
#define FB_DOUBLE (12u + 256)
#define FB_TRIPLE (12u + 256 + 65536)

static void test_truncate_frees_data_and_emptied_indirect_blocks(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_statfs before, st;
	struct ext2_inode ip;
	uint32_t ino;
	(void)state;

	disk_open(d, &rich1k);
	counts(d, &before);
	ino = create(d, EXT2_ROOT_INO, "trees");
	write_file(d, ino, 0, 3 * KIB, 1);			  /* 3 direct blocks */
	write_file(d, ino, FB_SINGLE * KIB, 2 * KIB, 2);	  /* 2 blocks and 1 indirect */
	write_file(d, ino, FB_DOUBLE * KIB, KIB, 3);		  /* 1 block and 2 indirect */
	write_file(d, ino, (uint64_t)FB_TRIPLE * KIB + 5, 10, 4); /* 1 block and 3 indirect */
	counts(d, &st);
	assert_int_equal(before.free_blocks - st.free_blocks, 3 + 3 + 3 + 4);
	iget(d, ino, &ip);
	assert_int_equal(ip.i_blocks, (3 + 3 + 3 + 4) * 2);

	OK(ext2_truncate(&d->fs, ino, &ip,
			 (uint64_t)FB_DOUBLE * KIB + 1)); /* keeps double's block */
	counts(d, &st);
	assert_int_equal(before.free_blocks - st.free_blocks, 3 + 3 + 3);
	OK(ext2_truncate(&d->fs, ino, &ip, FB_SINGLE * KIB + 1)); /* one single block left */
	counts(d, &st);
	assert_int_equal(before.free_blocks - st.free_blocks, 3 + 2);
	assert_int_equal(ip.i_blocks, (3 + 2) * 2);
	OK(ext2_truncate(&d->fs, ino, &ip, 2 * KIB - 1));
	counts(d, &st);
	assert_int_equal(before.free_blocks - st.free_blocks, 2);
	OK(ext2_truncate(&d->fs, ino, &ip, 0));
	counts(d, &st);
	assert_int_equal(st.free_blocks, before.free_blocks);
	assert_int_equal(ip.i_blocks, 0);
	for (uint32_t i = 0; i < EXT2_N_BLOCKS; i++)
		assert_int_equal(ip.i_block[i], 0);
	disk_check(d);
	disk_free(d);
}

static void test_truncate_frees_an_indirect_block_whose_entries_are_all_gone(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_statfs before, st;
	struct ext2_inode ip;
	uint32_t ino;
	(void)state;

	disk_open(d, &rich1k);
	counts(d, &before);
	ino = create(d, EXT2_ROOT_INO, "tail");
	write_file(d, ino, (FB_SINGLE + 100) * KIB, KIB, 1); /* the single tree's only block */
	iget(d, ino, &ip);
	OK(ext2_truncate(&d->fs, ino, &ip, (FB_SINGLE + 50) * KIB)); /* in the hole before it */
	counts(d, &st);
	assert_int_equal(st.free_blocks, before.free_blocks);
	assert_int_equal(ip.i_block[FB_SINGLE], 0);
	assert_int_equal(ext2_isize(&ip), (FB_SINGLE + 50) * KIB);
	OK(ext2_truncate(&d->fs, ino, &ip, 1u << 30)); /* growing: a hole */
	counts(d, &st);
	assert_int_equal(st.free_blocks, before.free_blocks);
	assert_int_equal(ext2_isize(&ip), 1u << 30);
	disk_check(d);
	disk_free(d);
}

static void test_truncate_keeps_the_bytes_before_the_size(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	uint64_t size;
	uint8_t *buf;
	uint32_t ino;
	(void)state;

	disk_open(d, &rich1k);
	ino = path_ino(d, "double");
	iget(d, ino, &ip);
	OK(ext2_truncate(&d->fs, ino, &ip, 13 * KIB + 77));
	buf = read_all(d, ino, 4096, &size);
	assert_int_equal(size, 13 * KIB + 77);
	assert_pattern(buf, size, 8);
	free(buf);
	iget(d, EXT2_ROOT_INO, &ip);
	FAILS(ext2_truncate(&d->fs, EXT2_ROOT_INO, &ip, 0), -EISDIR);
	iget(d, path_ino(d, "fast"), &ip);
	FAILS(ext2_truncate(&d->fs, path_ino(d, "fast"), &ip, 0), -EINVAL);
	disk_check(d);
	disk_free(d);
}

static void test_unlink_drops_a_link_and_leaves_the_inode_to_be_freed(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_statfs before, st;
	struct ext2_unlinked gone;
	struct ext2_inode ip;
	uint32_t ino;
	(void)state;

	disk_open(d, &rich1k);
	counts(d, &before);
	ino = create(d, EXT2_ROOT_INO, "doomed");
	write_file(d, ino, 0, 20 * KIB, 1);
	OK(ext2_unlink(&d->fs, EXT2_ROOT_INO, "doomed", 6, &gone));
	assert_int_equal(gone.ino, ino);
	assert_true(gone.last);
	iget(d, ino, &ip);
	assert_int_equal(ip.i_links_count, 0);
	counts(d, &st);
	assert_int_equal(st.free_inodes, before.free_inodes - 1); /* still held */
	OK(ext2_free_inode(&d->fs, ino));
	counts(d, &st);
	assert_int_equal(st.free_inodes, before.free_inodes);
	assert_int_equal(st.free_blocks, before.free_blocks);
	FAILS(ext2_free_inode(&d->fs, ino), -EINVAL);
	FAILS(ext2_free_inode(&d->fs, path_ino(d, "one")), -EINVAL); /* still linked */
	FAILS(ext2_free_inode(&d->fs, EXT2_ROOT_INO), -EINVAL);

	OK(ext2_unlink(&d->fs, EXT2_ROOT_INO, "one", 3, &gone));
	assert_false(gone.last);
	iget(d, gone.ino, &ip);
	assert_int_equal(ip.i_links_count, 1);
	assert_int_equal(path_ino(d, "a/hard"), gone.ino);
	disk_check(d);
	disk_free(d);
}

static void test_unlink_errors(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_unlinked gone;
	(void)state;

	disk_open(d, &rich1k);
	FAILS(ext2_unlink(&d->fs, EXT2_ROOT_INO, "nope", 4, &gone), -ENOENT);
	FAILS(ext2_unlink(&d->fs, EXT2_ROOT_INO, "a", 1, &gone), -EISDIR);
	FAILS(ext2_unlink(&d->fs, EXT2_ROOT_INO, ".", 1, &gone), -EISDIR);
	FAILS(ext2_unlink(&d->fs, path_ino(d, "one"), "x", 1, &gone), -ENOTDIR);
	assert_int_equal(gone.ino, 0);
	disk_check(d);
	disk_free(d);
}

/* Group g's used-directories count, from the image. */
static uint32_t used_dirs(const struct disk *d, uint32_t g)
{
	uint32_t bs = d->fs.block_size, gdt = (d->fs.first_data_block + 1) * bs;

	return le16(d->bytes, gdt + g * 32 + GD_USED_DIRS);
}

static void test_mkdir_makes_dot_entries_and_counts_the_links(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip, parent;
	char *names[4];
	uint8_t types[4];
	uint32_t dir, ino, dirs = 0, n;
	(void)state;

	disk_open(d, &rich1k);
	iget(d, EXT2_ROOT_INO, &parent);
	dirs = used_dirs(d, 0);
	dir = mkdir_in(d, EXT2_ROOT_INO, "made");
	iget(d, dir, &ip);
	assert_true(ext2_is_dir(&ip));
	assert_int_equal(ip.i_links_count, 2);
	assert_int_equal(ip.i_size, KIB);
	assert_int_equal(ip.i_mode & EXT2_S_PERM, 0755);
	assert_int_equal(ip.i_mtime, NOW);
	OK(ext2_lookup(&d->fs, dir, "..", 2, &ino));
	assert_int_equal(ino, EXT2_ROOT_INO);
	OK(ext2_lookup(&d->fs, dir, ".", 1, &ino));
	assert_int_equal(ino, dir);
	n = list_dir(d, dir, names, types, 4);
	assert_int_equal(n, 2);
	free_names(names, n);
	iget(d, EXT2_ROOT_INO, &ip);
	assert_int_equal(ip.i_links_count, parent.i_links_count + 1);
	assert_int_equal(used_dirs(d, 0), dirs + 1);
	FAILS(ext2_mkdir(&d->fs, EXT2_ROOT_INO, "made", 4, 0755, &ino), -EEXIST);
	FAILS(ext2_mkdir(&d->fs, EXT2_ROOT_INO, "one", 3, 0755, &ino), -EEXIST);
	FAILS(ext2_mkdir(&d->fs, path_ino(d, "one"), "x", 1, 0755, &ino), -ENOTDIR);
	mkdir_in(d, dir, "sub");
	disk_check(d);
	disk_free(d);
}

static void test_rmdir_removes_only_an_empty_directory(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_statfs before, st;
	struct ext2_inode ip, parent;
	uint32_t dirs;
	(void)state;

	disk_open(d, &rich1k);
	FAILS(ext2_rmdir(&d->fs, EXT2_ROOT_INO, "a", 1), -ENOTEMPTY);
	FAILS(ext2_rmdir(&d->fs, EXT2_ROOT_INO, ".", 1), -EINVAL);
	FAILS(ext2_rmdir(&d->fs, path_ino(d, "a"), "..", 2), -EINVAL);
	FAILS(ext2_rmdir(&d->fs, EXT2_ROOT_INO, "one", 3), -ENOTDIR);
	FAILS(ext2_rmdir(&d->fs, EXT2_ROOT_INO, "nope", 4), -ENOENT);
	counts(d, &before);
	iget(d, EXT2_ROOT_INO, &parent);
	dirs = used_dirs(d, 0);
	mkdir_in(d, EXT2_ROOT_INO, "gone");
	OK(ext2_rmdir(&d->fs, EXT2_ROOT_INO, "gone", 4));
	OK(ext2_rmdir(&d->fs, EXT2_ROOT_INO, "emptydir", 8));
	counts(d, &st);
	assert_int_equal(st.free_blocks, before.free_blocks + 1);
	assert_int_equal(st.free_inodes, before.free_inodes + 1);
	iget(d, EXT2_ROOT_INO, &ip);
	assert_int_equal(ip.i_links_count, parent.i_links_count - 1);
	assert_int_equal(used_dirs(d, 0), dirs - 1);
	disk_check(d);
	disk_free(d);
}

static void test_create_refuses_bad_names_and_types(void **state)
{
	struct disk dd, *d = &dd;
	char longname[EXT2_NAME_MAX + 1];
	uint32_t ino;
	(void)state;

	disk_open(d, &rich1k);
	memset(longname, 'n', sizeof(longname));
	FAILS(ext2_create(&d->fs, EXT2_ROOT_INO, longname, EXT2_NAME_MAX + 1, 0644, &ino),
	      -ENAMETOOLONG);
	FAILS(ext2_create(&d->fs, EXT2_ROOT_INO, "a/b", 3, 0644, &ino), -EINVAL);
	FAILS(ext2_create(&d->fs, EXT2_ROOT_INO, "a\0b", 3, 0644, &ino), -EINVAL);
	FAILS(ext2_create(&d->fs, EXT2_ROOT_INO, "", 0, 0644, &ino), -EINVAL);
	FAILS(ext2_create(&d->fs, EXT2_ROOT_INO, ".", 1, 0644, &ino), -EEXIST);
	FAILS(ext2_create(&d->fs, EXT2_ROOT_INO, "one", 3, 0644, &ino), -EEXIST);
	FAILS(ext2_create(&d->fs, EXT2_ROOT_INO, "d", 1, EXT2_S_IFDIR | 0755, &ino), -EINVAL);
	FAILS(ext2_create(&d->fs, path_ino(d, "one"), "x", 1, 0644, &ino), -ENOTDIR);
	OK(ext2_create(&d->fs, EXT2_ROOT_INO, longname, EXT2_NAME_MAX, 0644, &ino));
	OK(ext2_lookup(&d->fs, EXT2_ROOT_INO, longname, EXT2_NAME_MAX, &ino));
	disk_check(d);
	disk_free(d);
}

static void test_a_full_directory_grows_a_block_and_reuses_freed_room(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	char name[32], *names[200];
	uint8_t types[200];
	uint32_t dir, n = 0, size;
	(void)state;

	disk_open(d, &rich1k);
	dir = path_ino(d, "emptydir");
	do {
		snprintf(name, sizeof(name), "file-%03u", (unsigned)n++);
		create(d, dir, name);
		iget(d, dir, &ip);
	} while (ip.i_size == KIB);
	assert_int_equal(ip.i_size, 2 * KIB);
	size = ip.i_size;
	for (uint32_t i = 0; i < n; i += 2) {
		snprintf(name, sizeof(name), "file-%03u", (unsigned)i);
		remove_file(d, dir, name);
	}
	for (uint32_t i = 0; i < n; i += 2) {
		snprintf(name, sizeof(name), "again-%02u", (unsigned)i);
		create(d, dir, name);
	}
	iget(d, dir, &ip);
	assert_int_equal(ip.i_size, size);
	assert_int_equal(list_dir(d, dir, names, types, 200), n + 2);
	free_names(names, n + 2);
	disk_check(d);
	disk_free(d);
}

static void test_rename_within_and_across_directories(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_unlinked gone;
	uint32_t one = 0, x = 0, ino;
	(void)state;

	disk_open(d, &rich1k);
	one = path_ino(d, "k");
	x = path_ino(d, "a/x");
	OK(ext2_rename(&d->fs, EXT2_ROOT_INO, "k", 1, EXT2_ROOT_INO, "kay", 3, &gone));
	assert_int_equal(gone.ino, 0);
	FAILS(ext2_lookup(&d->fs, EXT2_ROOT_INO, "k", 1, &ino), -ENOENT);
	assert_int_equal(path_ino(d, "kay"), one);
	OK(ext2_rename(&d->fs, path_ino(d, "a"), "x", 1, path_ino(d, "emptydir"), "x", 1, &gone));
	assert_int_equal(path_ino(d, "emptydir/x"), x);
	FAILS(ext2_lookup(&d->fs, path_ino(d, "a"), "x", 1, &ino), -ENOENT);
	FAILS(ext2_rename(&d->fs, EXT2_ROOT_INO, "nope", 4, EXT2_ROOT_INO, "x", 1, &gone), -ENOENT);
	disk_check(d);
	disk_free(d);
}

static void test_rename_over_a_file_replaces_it_and_reports_it(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_unlinked gone;
	uint32_t k = 0, km1 = 0;
	(void)state;

	disk_open(d, &rich1k);
	k = path_ino(d, "k");
	km1 = path_ino(d, "k-1");
	OK(ext2_rename(&d->fs, EXT2_ROOT_INO, "k", 1, EXT2_ROOT_INO, "k-1", 3, &gone));
	assert_int_equal(gone.ino, km1);
	assert_true(gone.last);
	assert_int_equal(path_ino(d, "k-1"), k);
	OK(ext2_free_inode(&d->fs, gone.ino));
	OK(ext2_rename(&d->fs, path_ino(d, "a"), "hard", 4, EXT2_ROOT_INO, "k-1", 3, &gone));
	assert_int_equal(gone.ino, k);
	assert_true(gone.last);
	OK(ext2_free_inode(&d->fs, gone.ino));
	disk_check(d);
	disk_free(d);
}

static void test_rename_moves_a_directory_with_its_dotdot_and_links(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_unlinked gone;
	struct ext2_inode a0, e0, ip;
	uint32_t a, e, b, ino;
	(void)state;

	disk_open(d, &rich1k);
	a = path_ino(d, "a");
	e = path_ino(d, "emptydir");
	b = path_ino(d, "a/b");
	iget(d, a, &a0);
	iget(d, e, &e0);
	OK(ext2_rename(&d->fs, a, "b", 1, e, "bee", 3, &gone));
	OK(ext2_lookup(&d->fs, b, "..", 2, &ino));
	assert_int_equal(ino, e);
	assert_int_equal(path_ino(d, "emptydir/bee/c/deep"), path_ino(d, "emptydir/bee/c/deep"));
	iget(d, a, &ip);
	assert_int_equal(ip.i_links_count, a0.i_links_count - 1);
	iget(d, e, &ip);
	assert_int_equal(ip.i_links_count, e0.i_links_count + 1);
	OK(ext2_rename(&d->fs, e, "bee", 3, e, "b2", 2, &gone)); /* same parent: links stay */
	iget(d, e, &ip);
	assert_int_equal(ip.i_links_count, e0.i_links_count + 1);
	disk_check(d);
	disk_free(d);
}

static void test_rename_of_directories_follows_posix_rules(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_unlinked gone;
	struct ext2_inode root0, ip;
	uint32_t u, dir;
	(void)state;

	disk_open(d, &rich1k);
	FAILS(ext2_rename(&d->fs, EXT2_ROOT_INO, "emptydir", 8, EXT2_ROOT_INO, "a", 1, &gone),
	      -ENOTEMPTY);
	FAILS(ext2_rename(&d->fs, EXT2_ROOT_INO, "emptydir", 8, EXT2_ROOT_INO, "one", 3, &gone),
	      -ENOTDIR);
	FAILS(ext2_rename(&d->fs, EXT2_ROOT_INO, "one", 3, EXT2_ROOT_INO, "emptydir", 8, &gone),
	      -EISDIR);
	FAILS(ext2_rename(&d->fs, EXT2_ROOT_INO, "a", 1, path_ino(d, "a/b/c"), "z", 1, &gone),
	      -EINVAL);
	FAILS(ext2_rename(&d->fs, EXT2_ROOT_INO, "a", 1, path_ino(d, "a"), "z", 1, &gone), -EINVAL);
	FAILS(ext2_rename(&d->fs, path_ino(d, "a"), ".", 1, EXT2_ROOT_INO, "z", 1, &gone), -EINVAL);
	FAILS(ext2_rename(&d->fs, EXT2_ROOT_INO, "a", 1, EXT2_ROOT_INO, "..", 2, &gone), -EINVAL);
	assert_int_equal(gone.ino, 0);

	iget(d, EXT2_ROOT_INO, &root0);
	u = mkdir_in(d, EXT2_ROOT_INO, "u");
	dir = path_ino(d, "a/b/c/d");
	OK(ext2_rename(&d->fs, path_ino(d, "a/b/c"), "d", 1, EXT2_ROOT_INO, "u", 1, &gone));
	assert_int_equal(gone.ino, u);
	assert_true(gone.last);
	assert_int_equal(path_ino(d, "u"), dir);
	assert_int_equal(path_ino(d, "u/deeper"), path_ino(d, "u/deeper"));
	iget(d, EXT2_ROOT_INO, &ip);
	assert_int_equal(ip.i_links_count, root0.i_links_count + 1); /* d came, u went */
	OK(ext2_free_inode(&d->fs, gone.ino));
	disk_check(d);
	disk_free(d);
}

static void test_rename_onto_another_link_of_the_same_inode_does_nothing(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_unlinked gone;
	uint32_t one;
	(void)state;

	disk_open(d, &rich1k);
	one = path_ino(d, "one");
	OK(ext2_rename(&d->fs, EXT2_ROOT_INO, "one", 3, path_ino(d, "a"), "hard", 4, &gone));
	assert_int_equal(gone.ino, 0);
	assert_int_equal(path_ino(d, "one"), one);
	assert_int_equal(path_ino(d, "a/hard"), one);
	assert_int_equal(d->rd.dirty_puts, 1); /* only the mount's */
	disk_check(d);
	disk_free(d);
}

static void test_enospc_when_the_disk_fills_and_nothing_leaks(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_statfs before, st;
	static uint8_t chunk[64 * KIB];
	struct ext2_inode ip;
	uint64_t off = 0;
	uint32_t ino, dir;
	int n;
	(void)state;

	disk_open(d, &rich1k);
	counts(d, &before);
	ino = create(d, EXT2_ROOT_INO, "fill");
	iget(d, ino, &ip);
	while ((n = ext2_write(&d->fs, ino, &ip, off, chunk, sizeof(chunk))) == sizeof(chunk))
		off += (uint32_t)n;
	assert_true(n > 0 || n == -ENOSPC);
	off += n > 0 ? (uint32_t)n : 0;
	assert_int_equal(ext2_isize(&ip), off);
	FAILS(ext2_write(&d->fs, ino, &ip, off, chunk, 1), -ENOSPC);
	counts(d, &st);
	assert_int_equal(st.free_blocks, 0);
	FAILS(ext2_mkdir(&d->fs, EXT2_ROOT_INO, "nodir", 5, 0755, &dir), -ENOSPC);
	counts(d, &st);
	assert_int_equal(st.free_inodes, before.free_inodes - 1); /* mkdir gave its inode back */
	remove_file(d, EXT2_ROOT_INO, "fill");
	counts(d, &st);
	assert_int_equal(st.free_blocks, before.free_blocks);
	assert_int_equal(st.free_inodes, before.free_inodes);
	disk_check(d);
	disk_free(d);
}

static void test_enospc_when_inodes_run_out_and_nothing_leaks(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_statfs before, st;
	char name[32];
	uint32_t ino, n = 0;
	int err;
	(void)state;

	disk_open(d, &tiny_inodes);
	counts(d, &before);
	for (;;) {
		snprintf(name, sizeof(name), "f%u", (unsigned)n);
		err = ext2_create(&d->fs, EXT2_ROOT_INO, name, (uint32_t)strlen(name), 0644, &ino);
		assert_null(ramdisk_check(&d->rd));
		if (err != 0)
			break;
		n++;
	}
	assert_int_equal(err, -ENOSPC);
	assert_int_equal(n, before.free_inodes);
	for (uint32_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "f%u", (unsigned)i);
		remove_file(d, EXT2_ROOT_INO, name);
	}
	counts(d, &st);
	assert_int_equal(st.free_blocks, before.free_blocks);
	assert_int_equal(st.free_inodes, before.free_inodes);
	disk_check(d);
	disk_free(d);
}

static void test_debugfs_reads_the_directories_the_library_made(void **state)
{
	struct disk dd, *d = &dd;
	static char out[OUTPUT_MAX];
	uint32_t dir;
	(void)state;

	disk_open(d, &rich2k);
	dir = mkdir_in(d, EXT2_ROOT_INO, "made");
	write_file(d, create(d, dir, "first"), 0, 5000, 1);
	write_file(d, create(d, mkdir_in(d, dir, "inner"), "second"), 0, 10, 2);
	disk_check(d);
	debugfs(d->bytes, d->size, "ls -l /made", out, sizeof(out));
	assert_non_null(strstr(out, "first"));
	assert_non_null(strstr(out, "inner"));
	assert_non_null(strstr(out, " 5000 "));
	debugfs(d->bytes, d->size, "cat /made/inner/second", out, sizeof(out));
	assert_pattern((const uint8_t *)out, 10, 2);
	disk_free(d);
}

static void test_changes_at_every_block_size_satisfy_e2fsck(void **state)
{
	const struct image *ims[] = {&rich1k, &rich2k, &rich4k, &small};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(ims); i++) {
		struct disk dd, *d = &dd;
		uint32_t dir;

		disk_open(d, ims[i]);
		assert_null(ext2_exercise(&d->fs));
		dir = mkdir_in(d, EXT2_ROOT_INO, "at-size");
		write_file(d, create(d, dir, "big"), 0, 30 * KIB, 3);
		write_file(d, create(d, dir, "far"), 5u << 20, 10, 4);
		remove_file(d, path_ino(d, "at-size"), "far");
		disk_check(d);
		disk_free(d);
	}
}

static void test_io_errors_come_back_as_eio_from_every_call(void **state)
{
	(void)state;
	for (uint32_t after = 0; after < 400; after += 3) {
		struct disk dd, *d = &dd;
		const char *broke;

		disk_open(d, &small);
		d->rd.fail_after = d->rd.gets + after;
		broke = ext2_exercise(&d->fs);
		if (broke != NULL)
			fail_msg("I/O error after %u gets: %s", (unsigned)after, broke);
		assert_null(ramdisk_check(&d->rd));
		disk_free(d);
	}
}

/* ---- damaged images ---- */

/* What a damaged file system must still do: every call keeps its contract. */
static void walk_and_change(struct disk *d)
{
	struct walk_limits lim = {64, 4096, 1 << 20};
	struct walk_stats st;
	const char *broke = ext2_walk(&d->fs, &lim, &st);

	if (broke == NULL)
		broke = ext2_exercise(&d->fs);
	if (broke != NULL)
		fail_msg("%s", broke);
	assert_null(ramdisk_check(&d->rd));
}

/* Damage the third entry of directory path's first block (the one after
 * ".." in a directory mke2fs made): field at off gets v, width bits. */
static void damage_entry(struct disk *d, const char *path, uint32_t off, int bits, uint32_t v)
{
	uint32_t blk = block_of(d, path_ino(d, path), 0);
	uint8_t *p = d->bytes + (uint64_t)blk * d->fs.block_size;
	uint32_t third = le16(p, DE_REC_LEN) + le16(p, le16(p, DE_REC_LEN) + DE_REC_LEN);

	if (bits == 8)
		p[third + off] = (uint8_t)v;
	else if (bits == 16)
		put16(p, third + off, v);
	else
		put32(p, third + off, v);
}

static void test_damaged_directory_entries_are_eio(void **state)
{
	const struct {
		uint32_t off;
		int bits;
		uint32_t v;
	} cases[] = {
	    {DE_REC_LEN, 16, 0},
	    {DE_REC_LEN, 16, 13},
	    {DE_REC_LEN, 16, 8},
	    {DE_REC_LEN, 16, KIB},
	    {DE_NAME_LEN, 8, 200},
	    {0, 32, 0xFFFFFFF0u},
	    {8, 8, '/'},
	    {DE_NAME_LEN, 8, 0},
	    {DE_REC_LEN, 16, KIB - 24 - 4}, /* the next entry would start 4 bytes before the end */
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct disk dd, *d = &dd;
		uint32_t a, ino;

		disk_open(d, &rich1k);
		a = path_ino(d, "a");
		damage_entry(d, "a", cases[i].off, cases[i].bits, cases[i].v);
		FAILS(ext2_lookup(&d->fs, a, "b", 1, &ino), -EIO);
		FAILS(ext2_mkdir(&d->fs, a, "new", 3, 0755, &ino), -EIO);
		assert_non_null(d->fs.error);
		walk_and_change(d);
		OK(ext2_unmount(&d->fs));
		assert_int_equal(le16(d->bytes + SB_AT, SB_STATE), STATE_VALID | STATE_ERROR);
		disk_free(d);
	}
}

static void test_an_indirect_block_number_past_the_end_is_eio(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	uint8_t buf[16];
	uint32_t ino, blk;
	(void)state;

	disk_open(d, &rich1k);
	ino = path_ino(d, "single");
	iget(d, ino, &ip);
	put32(d->bytes, ip.i_block[FB_SINGLE] * KIB, 0x7FFFFFFF); /* its first entry */
	FAILS(ext2_read(&d->fs, ino, &ip, FB_SINGLE * KIB, buf, 1), -EIO);
	FAILS(ext2_bmap(&d->fs, ino, &ip, FB_SINGLE, true, &blk), -EIO);
	assert_int_equal(ext2_read(&d->fs, ino, &ip, 0, buf, sizeof(buf)), sizeof(buf));
	FAILS(ext2_truncate(&d->fs, ino, &ip, 0), -EIO);
	assert_int_equal(ext2_isize(&ip), 0); /* the size is set even so */

	ino = path_ino(d, "double");
	iget(d, ino, &ip);
	ip.i_block[FB_SINGLE + 1] = d->fs.blocks_count;
	OK(ext2_iput(&d->fs, ino, &ip));
	FAILS(ext2_read(&d->fs, ino, &ip, FB_DOUBLE * KIB, buf, 1), -EIO);
	walk_and_change(d);
	disk_free(d);
}

static void test_a_loop_of_directories_is_eio_not_a_hang(void **state)
{
	struct disk dd, *d = &dd;
	struct ext2_unlinked gone;
	uint32_t a, b;
	uint8_t *p;
	(void)state;

	disk_open(d, &rich1k);
	a = path_ino(d, "a");
	b = path_ino(d, "a/b");
	mkdir_in(d, EXT2_ROOT_INO, "mv");
	p = d->bytes + (uint64_t)block_of(d, a, 0) * KIB;
	put32(p, le16(p, DE_REC_LEN), b); /* a's ".." is now b: b -> a -> b -> ... */
	FAILS(ext2_rename(&d->fs, EXT2_ROOT_INO, "mv", 2, b, "mv", 2, &gone), -EIO);
	assert_non_null(strstr(d->fs.error, "loop"));
	walk_and_change(d);
	disk_free(d);
}

/* The blocks of small that hold metadata: everything up to the end of
 * group 0's inode table, and every directory's blocks. */
static uint32_t metadata_blocks(uint32_t *out, uint32_t max)
{
	struct disk dd, *d = &dd;
	struct ext2_inode ip;
	uint32_t n = 0, end;

	disk_open(d, &small);
	end = le32(d->bytes, 2 * KIB + GD_INODE_TABLE) + d->fs.itable_blocks;
	for (uint32_t blk = 0; blk < end && n < max; blk++)
		out[n++] = blk;
	for (uint32_t ino = 1; ino <= d->fs.inodes_count; ino++) {
		iget(d, ino, &ip);
		if (ext2_is_dir(&ip))
			for (uint32_t f = 0; f < ip.i_size / KIB && n < max; f++)
				out[n++] = block_of(d, ino, f);
		else if (ext2_is_reg(&ip) && ip.i_block[FB_SINGLE] != 0 && n < max)
			out[n++] = ip.i_block[FB_SINGLE];
	}
	disk_free(d);
	return n;
}

#define DAMAGE_ROUNDS 3000
#define DAMAGE_SEED   0x5eed2e2fu

static void test_random_damage_to_metadata_never_breaks_a_contract(void **state)
{
	uint32_t blocks[256], nblocks = metadata_blocks(blocks, ARRAY_SIZE(blocks));
	uint32_t rng = DAMAGE_SEED, mounted = 0;
	(void)state;

	for (int round = 0; round < DAMAGE_ROUNDS; round++) {
		struct disk dd, *d = &dd;
		uint32_t flips = 1 + xorshift32(&rng) % 16;

		disk_copy(d, &small);
		for (uint32_t k = 0; k < flips; k++) {
			uint32_t blk = blocks[xorshift32(&rng) % nblocks];
			uint32_t at = blk * KIB + xorshift32(&rng) % KIB;

			d->bytes[at] = (xorshift32(&rng) % 2)
					   ? (uint8_t)xorshift32(&rng)
					   : d->bytes[at] ^ (uint8_t)(1u << (xorshift32(&rng) % 8));
		}
		int err = ext2_mount(&d->fs, &d->rd.dev, d->size, NULL);
		assert_null(ramdisk_check(&d->rd));
		assert_true(err == 0 || err == -EINVAL || err == -EIO);
		if (err == 0) {
			mounted++;
			walk_and_change(d);
			OK(ext2_unmount(&d->fs));
		}
		disk_free(d);
	}
	assert_true(mounted > DAMAGE_ROUNDS / 4); /* most damage gets past the mount */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mount_reads_the_counts_dumpe2fs_reports),
	    cmocka_unit_test(test_mount_marks_the_superblock_mounted_and_unmount_clean_again),
	    cmocka_unit_test(test_mount_refuses_a_disk_without_the_magic),
	    cmocka_unit_test(test_mount_refuses_revision_0),
	    cmocka_unit_test(test_mount_refuses_ext4_for_its_extents),
	    cmocka_unit_test(test_mount_takes_ext3_with_an_empty_journal_but_not_one_to_recover),
	    cmocka_unit_test(test_mount_refuses_ro_compat_features_it_would_not_keep),
	    cmocka_unit_test(test_mount_refuses_a_superblock_that_disagrees_with_itself),
	    cmocka_unit_test(test_mount_refuses_bad_group_descriptors_and_root),
	    cmocka_unit_test(test_mount_refuses_a_file_system_larger_than_its_disk),
	    cmocka_unit_test(test_mount_warns_about_an_unclean_or_damaged_file_system),
	    cmocka_unit_test(test_mount_reports_io_errors),
	    cmocka_unit_test(test_every_file_reads_back_as_mke2fs_copied_it),
	    cmocka_unit_test(test_inodes_of_every_group_read_back),
	    cmocka_unit_test(test_a_hard_link_names_the_same_inode),
	    cmocka_unit_test(test_bmap_agrees_with_debugfs_through_every_kind_of_block),
	    cmocka_unit_test(test_a_sparse_file_reads_zeroes_in_its_holes),
	    cmocka_unit_test(test_readdir_lists_each_entry_once_with_its_type),
	    cmocka_unit_test(test_readdir_goes_on_from_any_position),
	    cmocka_unit_test(test_lookup_errors),
	    cmocka_unit_test(test_iget_refuses_inode_0_and_past_the_count),
	    cmocka_unit_test(test_symlinks_read_their_targets_fast_and_slow),
	    cmocka_unit_test(test_an_indexed_directory_reads_and_loses_its_index_when_changed),
	    cmocka_unit_test(test_a_new_file_reads_back_and_e2fsck_and_debugfs_agree),
	    cmocka_unit_test(test_writes_into_holes_and_past_the_end),
	    cmocka_unit_test(test_write_and_bmap_past_the_largest_file_are_efbig),
	    cmocka_unit_test(test_truncate_frees_data_and_emptied_indirect_blocks),
	    cmocka_unit_test(test_truncate_frees_an_indirect_block_whose_entries_are_all_gone),
	    cmocka_unit_test(test_truncate_keeps_the_bytes_before_the_size),
	    cmocka_unit_test(test_unlink_drops_a_link_and_leaves_the_inode_to_be_freed),
	    cmocka_unit_test(test_unlink_errors),
	    cmocka_unit_test(test_mkdir_makes_dot_entries_and_counts_the_links),
	    cmocka_unit_test(test_rmdir_removes_only_an_empty_directory),
	    cmocka_unit_test(test_create_refuses_bad_names_and_types),
	    cmocka_unit_test(test_a_full_directory_grows_a_block_and_reuses_freed_room),
	    cmocka_unit_test(test_rename_within_and_across_directories),
	    cmocka_unit_test(test_rename_over_a_file_replaces_it_and_reports_it),
	    cmocka_unit_test(test_rename_moves_a_directory_with_its_dotdot_and_links),
	    cmocka_unit_test(test_rename_of_directories_follows_posix_rules),
	    cmocka_unit_test(test_rename_onto_another_link_of_the_same_inode_does_nothing),
	    cmocka_unit_test(test_enospc_when_the_disk_fills_and_nothing_leaks),
	    cmocka_unit_test(test_enospc_when_inodes_run_out_and_nothing_leaks),
	    cmocka_unit_test(test_debugfs_reads_the_directories_the_library_made),
	    cmocka_unit_test(test_changes_at_every_block_size_satisfy_e2fsck),
	    cmocka_unit_test(test_io_errors_come_back_as_eio_from_every_call),
	    cmocka_unit_test(test_damaged_directory_entries_are_eio),
	    cmocka_unit_test(test_an_indirect_block_number_past_the_end_is_eio),
	    cmocka_unit_test(test_a_loop_of_directories_is_eio_not_a_hang),
	    cmocka_unit_test(test_random_damage_to_metadata_never_breaks_a_contract),
	};
	return cmocka_run_group_tests(tests, make_images, free_images);
}
