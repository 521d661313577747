/*
 * For the host tests and the fuzz harness of kernel/fs/ext2*.c: an
 * ext2_dev over a disk image in memory that checks the block interface's
 * contract as the kernel's cache will rely on it (one block held at a
 * time, each get put back, no block past the disk, a changed block put
 * back dirty), handing out each block in a buffer of its own size, with
 * I/O errors to order; a walk that reads a mounted file system whole; and a round of
 * changes. The walk and the round check what every call returns and say
 * which property broke, so cmocka and libFuzzer can both report it.
 */
#ifndef TESTS_UNIT_HOST_EXT2_H
#define TESTS_UNIT_HOST_EXT2_H

#include "fs/ext2.h"

#define RAMDISK_NONE UINT32_MAX

struct ramdisk {
	struct ext2_dev dev;
	uint8_t *bytes; /* the image; a buffer of exactly size bytes */
	uint64_t size;
	uint32_t held;	     /* the block got and not put yet, or RAMDISK_NONE */
	uint8_t *copy;	     /* its bytes, in a buffer of exactly one block */
	uint32_t held_size;  /* the block size it was got with */
	uint32_t gets;	     /* successful gets so far */
	uint32_t dirty_puts; /* puts that said the block changed */
	uint32_t fail_block; /* a get of this block fails, or RAMDISK_NONE */
	uint32_t fail_after; /* gets that succeed before every later one fails */
	uint32_t time;	     /* what now returns */
	const char *broken;  /* the first break of the contract, or NULL */
};

/* A disk over bytes[0, size), every get succeeding, the time fixed. */
void ramdisk_init(struct ramdisk *rd, uint8_t *bytes, uint64_t size, uint32_t time);

/* NULL when no block is held and the contract held so far, else what broke. */
const char *ramdisk_check(const struct ramdisk *rd);

struct walk_limits {
	uint32_t max_dirs;	 /* directories read, "/" first, breadth first */
	uint32_t max_entries;	 /* entries read in each directory */
	uint32_t max_file_bytes; /* bytes read of each file */
};

struct walk_stats {
	uint32_t dirs, entries, files;
	uint64_t bytes;
	uint32_t errors; /* calls that failed with a negative errno the contract allows */
};

/*
 * Read every directory (from "/", each once, within the limits) with
 * ext2_readdir, look each name up again and read each file and symlink.
 * NULL when every call kept its contract (a valid result or an allowed
 * negative errno), else the property that broke.
 */
const char *ext2_walk(struct ext2_fs *fs, const struct walk_limits *lim, struct walk_stats *st);

/*
 * Create, write, read back, truncate, rename and remove a file and a
 * directory in "/", freeing what it unlinked. NULL when every call kept
 * its contract and, if all succeeded and the library met no corruption,
 * the free counts are back where they were; else what broke.
 */
const char *ext2_exercise(struct ext2_fs *fs);

/* True for the negative errnos an ext2 call may return. */
bool ext2_errno_ok(int err);

#endif
