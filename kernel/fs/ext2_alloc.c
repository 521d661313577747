/*
 * ext2 block and inode allocation over the per-group bitmaps (see
 * ext2_impl.h). A bit set means in use; each bitmap is one block. Every
 * change of a bit goes with the same change of its group's free count and
 * the superblock's (ext2_group_count), so e2fsck finds the three agreeing.
 * The superblock's reserved blocks (s_r_blocks_count) are not kept back:
 * the kernel has one user, so every free block is available to it.
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define BYTE_BITS 8u
#define BYTE_FULL 0xFFu
#define NO_BIT	  UINT32_MAX

static bool bit_test(const uint8_t *map, uint32_t bit)
{
	return (map[bit / BYTE_BITS] >> (bit % BYTE_BITS)) & 1u;
}

static void bit_set(uint8_t *map, uint32_t bit)
{
	map[bit / BYTE_BITS] |= (uint8_t)(1u << (bit % BYTE_BITS));
}

static void bit_clear(uint8_t *map, uint32_t bit)
{
	map[bit / BYTE_BITS] &= (uint8_t) ~(1u << (bit % BYTE_BITS));
}

/* The first clear bit in [from, n) of map, or NO_BIT; skips full bytes. */
static uint32_t find_clear(const uint8_t *map, uint32_t from, uint32_t n)
{
	uint32_t bit = from;

	while (bit < n) {
		if (bit % BYTE_BITS == 0 && map[bit / BYTE_BITS] == BYTE_FULL) {
			bit += BYTE_BITS;
			continue;
		}
		if (!bit_test(map, bit))
			return bit;
		bit++;
	}
	return NO_BIT;
}

/* True when blk is group metadata: the superblock and descriptors of
 * group 0 (and the boot block before them), the group's bitmaps, its
 * inode table. A corrupt bitmap must not make the library hand one out
 * as data, nor free one. */
static bool is_metadata(const struct ext2_fs *fs, const struct ext2_group *gd, uint32_t blk)
{
	return blk < fs->meta_end || blk == gd->block_bitmap || blk == gd->inode_bitmap ||
	       (blk >= gd->inode_table && blk - gd->inode_table < fs->itable_blocks);
}

/* Set the first clear bit at or after from in group g's block bitmap:
 * *blk. -ENOSPC when there is none from there. */
static int group_take_block(struct ext2_fs *fs, uint32_t g, uint32_t from, uint32_t *blk)
{
	struct ext2_group gd;
	uint32_t bit;
	uint8_t *map;
	int err = ext2_group_read(fs, g, &gd);

	if (err != 0)
		return err;
	if (gd.free_blocks == 0)
		return -ENOSPC;
	err = ext2_bget(fs, gd.block_bitmap, &map);
	if (err != 0)
		return err;
	bit = find_clear(map, from, ext2_group_blocks(fs, g));
	if (bit == NO_BIT) {
		ext2_bput(fs, gd.block_bitmap, false);
		return from == 0 ? ext2_corrupt(fs, "free blocks counted but the bitmap is full")
				 : -ENOSPC;
	}
	*blk = ext2_group_first(fs, g) + bit;
	if (is_metadata(fs, &gd, *blk)) {
		ext2_bput(fs, gd.block_bitmap, false);
		return ext2_corrupt(fs, "block bitmap has metadata free");
	}
	bit_set(map, bit);
	ext2_bput(fs, gd.block_bitmap, true);
	return ext2_group_count(fs, g, -1, 0, 0);
}

/*
 * First fit from goal: the rest of goal's group, then each following
 * group from its start, wrapping, and last goal's group from its start.
 */
int ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk)
{
	uint32_t g0, from;

	if (goal < fs->first_data_block || goal >= fs->blocks_count)
		goal = fs->first_data_block;
	g0 = (goal - fs->first_data_block) / fs->blocks_per_group;
	from = (goal - fs->first_data_block) % fs->blocks_per_group;
	for (uint32_t i = 0; i <= fs->groups; i++) {
		uint32_t g = (g0 + i) % fs->groups;
		int err = group_take_block(fs, g, i == 0 ? from : 0, blk);

		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

/* Clear bit of the bitmap in block map_blk, which must be set (else
 * the disk is corrupt, for the reason what). */
static int bitmap_clear(struct ext2_fs *fs, uint32_t map_blk, uint32_t bit, const char *what)
{
	uint8_t *map;
	int err = ext2_bget(fs, map_blk, &map);

	if (err != 0)
		return err;
	if (!bit_test(map, bit)) {
		ext2_bput(fs, map_blk, false);
		return ext2_corrupt(fs, what);
	}
	bit_clear(map, bit);
	ext2_bput(fs, map_blk, true);
	return 0;
}

int ext2_bfree(struct ext2_fs *fs, uint32_t blk)
{
	struct ext2_group gd;
	uint32_t g, bit;
	int err;

	if (!ext2_data_block_ok(fs, blk))
		return ext2_corrupt(fs, "freeing a block outside the data area");
	g = (blk - fs->first_data_block) / fs->blocks_per_group;
	bit = (blk - fs->first_data_block) % fs->blocks_per_group;
	err = ext2_group_read(fs, g, &gd);
	if (err == 0 && is_metadata(fs, &gd, blk))
		err = ext2_corrupt(fs, "freeing a metadata block");
	if (err == 0)
		err = bitmap_clear(fs, gd.block_bitmap, bit, "freeing a free block");
	return err != 0 ? err : ext2_group_count(fs, g, 1, 0, 0);
}

/* Take a free inode of group g, never a reserved one: *ino. -ENOSPC. */
static int group_take_inode(struct ext2_fs *fs, uint32_t g, bool dir, uint32_t *ino)
{
	uint32_t first = g * fs->inodes_per_group; /* the group's first inode, less 1 */
	uint32_t from = fs->first_ino - 1 > first ? fs->first_ino - 1 - first : 0;
	struct ext2_group gd;
	uint32_t bit;
	uint8_t *map;
	int err = ext2_group_read(fs, g, &gd);

	if (err != 0)
		return err;
	if (gd.free_inodes == 0 || from >= fs->inodes_per_group)
		return -ENOSPC;
	err = ext2_bget(fs, gd.inode_bitmap, &map);
	if (err != 0)
		return err;
	bit = find_clear(map, from, fs->inodes_per_group);
	if (bit == NO_BIT) {
		ext2_bput(fs, gd.inode_bitmap, false);
		return from == 0 ? ext2_corrupt(fs, "free inodes counted but the bitmap is full")
				 : -ENOSPC;
	}
	bit_set(map, bit);
	ext2_bput(fs, gd.inode_bitmap, true);
	*ino = first + bit + 1;
	return ext2_group_count(fs, g, 0, -1, dir ? 1 : 0);
}

/* A directory goes to the group with the most free inodes (ties: the
 * first), which spreads directories, and their files with them. */
static int group_for_dir(struct ext2_fs *fs, uint32_t *best)
{
	uint32_t most = 0;

	*best = 0;
	for (uint32_t g = 0; g < fs->groups; g++) {
		struct ext2_group gd;
		int err = ext2_group_read(fs, g, &gd);

		if (err != 0)
			return err;
		if (gd.free_inodes > most) {
			most = gd.free_inodes;
			*best = g;
		}
	}
	return 0;
}

/* Other files start in their parent's group, near its blocks. */
int ext2_ialloc(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *ino)
{
	uint32_t start = 0;
	int err = 0;

	if (dir)
		err = group_for_dir(fs, &start);
	else if (parent != 0 && parent <= fs->inodes_count)
		start = (parent - 1) / fs->inodes_per_group;
	if (err != 0)
		return err;
	for (uint32_t i = 0; i < fs->groups; i++) {
		err = group_take_inode(fs, (start + i) % fs->groups, dir, ino);
		if (err != -ENOSPC)
			return err;
	}
	return -ENOSPC;
}

int ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool dir)
{
	struct ext2_group gd;
	uint32_t g;
	int err;

	if (ino < fs->first_ino || ino > fs->inodes_count)
		return -EINVAL;
	g = (ino - 1) / fs->inodes_per_group;
	err = ext2_group_read(fs, g, &gd);
	if (err == 0)
		err = bitmap_clear(fs, gd.inode_bitmap, (ino - 1) % fs->inodes_per_group,
				   "freeing a free inode");
	return err != 0 ? err : ext2_group_count(fs, g, 0, 1, dir ? -1 : 0);
}
