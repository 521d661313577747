/*
 * The ext2 superblock and group descriptors while mounted (see
 * ext2_impl.h): blocks through the device, where a group's blocks lie,
 * reading a descriptor (checked each time) and changing the free counts.
 * The superblock and descriptors stay on disk, read and written through
 * get/put. Invariant: a free count changes in a group descriptor and in
 * the superblock together, by the same amount.
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

int ext2_corrupt(struct ext2_fs *fs, const char *what)
{
	if (fs->error == NULL)
		fs->error = what;
	return -EIO;
}

uint32_t ext2_now(struct ext2_fs *fs)
{
	return fs->dev->now(fs->dev->ctx);
}

int ext2_bget(struct ext2_fs *fs, uint32_t blk, uint8_t **data)
{
	if (blk >= fs->blocks_count)
		return ext2_corrupt(fs, "block number past the end");
	*data = fs->dev->get(fs->dev->ctx, blk);
	return *data == NULL ? -EIO : 0;
}

void ext2_bput(struct ext2_fs *fs, uint32_t blk, bool dirty)
{
	fs->dev->put(fs->dev->ctx, blk, dirty);
}

int ext2_sb_get(struct ext2_fs *fs, uint8_t **sb)
{
	uint8_t *blk;
	int err = ext2_bget(fs, fs->sb_block, &blk);

	if (err == 0)
		*sb = blk + fs->sb_off;
	return err;
}

void ext2_sb_put(struct ext2_fs *fs, bool dirty)
{
	ext2_bput(fs, fs->sb_block, dirty);
}

uint32_t ext2_group_first(const struct ext2_fs *fs, uint32_t g)
{
	return fs->first_data_block + g * fs->blocks_per_group;
}

uint32_t ext2_group_blocks(const struct ext2_fs *fs, uint32_t g)
{
	return MIN(fs->blocks_per_group, fs->blocks_count - ext2_group_first(fs, g));
}

/* Where descriptor g lies: its block and byte offset. */
static void group_where(const struct ext2_fs *fs, uint32_t g, uint32_t *blk, uint32_t *off)
{
	uint32_t per_block = fs->block_size / GD_SIZE;

	*blk = fs->first_data_block + 1 + g / per_block;
	*off = (g % per_block) * GD_SIZE;
}

/* The block holding descriptor g: got, as *p, with the descriptor at
 * byte *off, until ext2_bput(*blk). */
static int group_get(struct ext2_fs *fs, uint32_t g, uint32_t *blk, uint32_t *off, uint8_t **p)
{
	if (g >= fs->groups)
		return ext2_corrupt(fs, "group number out of range");
	group_where(fs, g, blk, off);
	return ext2_bget(fs, *blk, p);
}

/* True when the n blocks from start lie inside group g. */
static bool inside_group(const struct ext2_fs *fs, uint32_t g, uint32_t start, uint32_t n)
{
	uint32_t first = ext2_group_first(fs, g), size = ext2_group_blocks(fs, g);

	return start >= first && start - first < size && n <= size - (start - first);
}

int ext2_group_read(struct ext2_fs *fs, uint32_t g, struct ext2_group *gd)
{
	uint32_t blk, off;
	uint8_t *p;
	int err = group_get(fs, g, &blk, &off, &p);

	if (err != 0)
		return err;
	gd->block_bitmap = le32_get(p, off + GD_BLOCK_BITMAP);
	gd->inode_bitmap = le32_get(p, off + GD_INODE_BITMAP);
	gd->inode_table = le32_get(p, off + GD_INODE_TABLE);
	gd->free_blocks = le16_get(p, off + GD_FREE_BLOCKS);
	gd->free_inodes = le16_get(p, off + GD_FREE_INODES);
	gd->used_dirs = le16_get(p, off + GD_USED_DIRS);
	ext2_bput(fs, blk, false);

	if (!inside_group(fs, g, gd->block_bitmap, 1) || !inside_group(fs, g, gd->inode_bitmap, 1))
		return ext2_corrupt(fs, "group descriptor: a bitmap outside its group");
	if (!inside_group(fs, g, gd->inode_table, fs->itable_blocks))
		return ext2_corrupt(fs, "group descriptor: inode table outside its group");
	if (gd->free_blocks > ext2_group_blocks(fs, g) || gd->free_inodes > fs->inodes_per_group ||
	    gd->used_dirs > fs->inodes_per_group)
		return ext2_corrupt(fs, "group descriptor: counts larger than the group");
	return 0;
}

/* v + delta into *out when the result lies in 0..max. */
static bool add_within(uint32_t v, int delta, uint32_t max, uint32_t *out)
{
	int64_t r = (int64_t)v + delta;

	if (r < 0 || r > max)
		return false;
	*out = (uint32_t)r;
	return true;
}

/* Add the deltas to the superblock's free block and inode counts. */
static int sb_count(struct ext2_fs *fs, int dblocks, int dinodes)
{
	uint32_t blocks, inodes;
	uint8_t *sb;
	int err = ext2_sb_get(fs, &sb);

	if (err != 0)
		return err;
	if (!add_within(le32_get(sb, SB_FREE_BLOCKS), dblocks, fs->blocks_count, &blocks) ||
	    !add_within(le32_get(sb, SB_FREE_INODES), dinodes, fs->inodes_count, &inodes)) {
		ext2_sb_put(fs, false);
		return ext2_corrupt(fs, "superblock free counts out of range");
	}
	le32_set(sb, SB_FREE_BLOCKS, blocks);
	le32_set(sb, SB_FREE_INODES, inodes);
	ext2_sb_put(fs, true);
	return 0;
}

int ext2_group_count(struct ext2_fs *fs, uint32_t g, int dblocks, int dinodes, int ddirs)
{
	uint32_t blk, off, blocks, inodes, dirs;
	uint8_t *p;
	int err = group_get(fs, g, &blk, &off, &p);

	if (err != 0)
		return err;
	if (!add_within(le16_get(p, off + GD_FREE_BLOCKS), dblocks, ext2_group_blocks(fs, g),
			&blocks) ||
	    !add_within(le16_get(p, off + GD_FREE_INODES), dinodes, fs->inodes_per_group,
			&inodes) ||
	    !add_within(le16_get(p, off + GD_USED_DIRS), ddirs, fs->inodes_per_group, &dirs)) {
		ext2_bput(fs, blk, false);
		return ext2_corrupt(fs, "group descriptor counts out of range");
	}
	le16_set(p, off + GD_FREE_BLOCKS, blocks);
	le16_set(p, off + GD_FREE_INODES, inodes);
	le16_set(p, off + GD_USED_DIRS, dirs);
	ext2_bput(fs, blk, true);
	return sb_count(fs, dblocks, dinodes);
}

int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *out)
{
	uint8_t *sb;
	int err = ext2_sb_get(fs, &sb);

	if (err != 0)
		return err;
	out->block_size = fs->block_size;
	out->blocks = fs->blocks_count;
	out->inodes = fs->inodes_count;
	out->free_blocks = le32_get(sb, SB_FREE_BLOCKS);
	out->free_inodes = le32_get(sb, SB_FREE_INODES);
	ext2_sb_put(fs, false);
	return 0;
}
