/*
 * libFuzzer harness for the ext2 library (kernel/fs/ext2*.c). The input
 * is a whole disk image, mounted from a copy in a buffer of exactly its
 * size (a mount writes the superblock). A refused image has a reason and
 * was not written to. A mounted one is read whole, every directory and
 * every file within bounds, then given a round of changes: every call
 * keeps its contract, and the block interface's (tests/unit/host_ext2.c
 * says which property broke).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/kerrno.h"
#include "tests/fuzz/fuzz.h"
#include "tests/unit/host_ext2.h"

#define MAX_IMAGE (1u << 20) /* larger inputs are skipped: the seeds are 64-128 KiB */
#define NOW	  1700000000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct walk_limits lim = {
	    .max_dirs = 32, .max_entries = 512, .max_file_bytes = 64 * 1024};
	struct walk_stats st;
	struct ramdisk rd;
	struct ext2_fs fs;
	const char *why = NULL, *broke;
	uint8_t *disk;
	int err;

	if (size > MAX_IMAGE)
		return 0;
	disk = malloc(size > 0 ? size : 1);
	CHECK(disk != NULL);
	memcpy(disk, data, size);
	ramdisk_init(&rd, disk, size, NOW);
	err = ext2_mount(&fs, &rd.dev, size, &why);
	CHECK(ramdisk_check(&rd) == NULL);
	if (err != 0) {
		CHECK((err == -EINVAL || err == -EIO) && why != NULL);
		CHECK(rd.dirty_puts == 0 && memcmp(disk, data, size) == 0);
		free(disk);
		return 0;
	}
	broke = ext2_walk(&fs, &lim, &st);
	if (broke == NULL)
		broke = ext2_exercise(&fs);
	if (broke != NULL)
		fuzz_fail(__FILE__, __LINE__, broke);
	err = ext2_unmount(&fs);
	CHECK(err == 0 && ramdisk_check(&rd) == NULL);
	free(disk);
	return 0;
}
