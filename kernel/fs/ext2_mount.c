/*
 * ext2 mount and unmount (see ext2.h): the superblock's checks, each with
 * its reason, then every group descriptor and the root directory.
 * Invariant: after a successful mount every field of struct ext2_fs has
 * been checked against the others and the disk size, so the other files
 * may compute block and inode positions from it without overflow; a
 * refused mount has written nothing.
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define BITS_PER_BYTE 8u
#define SB_BLOCK_1K   1u /* the superblock, as block 1 of 1 KiB */

/* The features refused at mount, by bit, for the reason given. */
struct feature_name {
	uint32_t bit;
	const char *name;
};

static const struct feature_name incompat_names[] = {
    {0x0001, "compression"},
    {0x0004, "needs_recovery"},
    {0x0008, "journal_dev"},
    {0x0010, "meta_bg"},
    {0x0040, "extents"},
    {0x0080, "64bit"},
    {0x0100, "mmp"},
    {0x0200, "flex_bg"},
    {0x0400, "ea_inode"},
    {0x1000, "dirdata"},
    {0x2000, "metadata_csum_seed"},
    {0x4000, "large_dir"},
    {0x8000, "inline_data"},
    {0x10000, "encrypt"},
    {0x20000, "casefold"},
};

static const struct feature_name ro_compat_names[] = {
    {0x0004, "btree_dir"},     {0x0008, "huge_file"},	{0x0010, "uninit_bg"},
    {0x0020, "dir_nlink"},     {0x0040, "extra_isize"}, {0x0080, "snapshot"},
    {0x0100, "quota"},	       {0x0200, "bigalloc"},	{0x0400, "metadata_csum"},
    {0x0800, "replica"},       {0x1000, "read-only"},	{0x2000, "project"},
    {0x4000, "shared_blocks"}, {0x8000, "verity"},	{0x10000, "orphan_present"},
};

/* The reason for refusing features, or NULL if all of them are supported. */
static const char *feature_check(struct ext2_fs *fs, const char *kind, uint32_t unsupported,
				 const struct feature_name *names, uint32_t nnames)
{
	uint32_t bit = unsupported & -unsupported; /* the lowest one */
	const char *name = "unknown";

	if (unsupported == 0)
		return NULL;
	for (uint32_t i = 0; i < nnames; i++)
		if (names[i].bit == bit)
			name = names[i].name;
	ksnprintf(fs->why, sizeof(fs->why), "%s feature 0x%x (%s) not supported", kind,
		  (unsigned)bit, name);
	return fs->why;
}

static const char *features_check(struct ext2_fs *fs, const uint8_t *sb)
{
	const char *why;

	fs->feature_compat = le32_get(sb, SB_FEATURE_COMPAT);
	fs->feature_incompat = le32_get(sb, SB_FEATURE_INCOMPAT);
	fs->feature_ro_compat = le32_get(sb, SB_FEATURE_RO_COMPAT);
	why = feature_check(fs, "incompat", fs->feature_incompat & ~EXT2_INCOMPAT_SUPPORTED,
			    incompat_names, ARRAY_SIZE(incompat_names));
	if (why != NULL)
		return why;
	return feature_check(fs, "ro_compat", fs->feature_ro_compat & ~EXT2_RO_COMPAT_SUPPORTED,
			     ro_compat_names, ARRAY_SIZE(ro_compat_names));
}

/* Block size, inode size and the group sizes. */
static const char *sizes_check(struct ext2_fs *fs, const uint8_t *sb)
{
	uint32_t log = le32_get(sb, SB_LOG_BLOCK_SIZE);
	uint32_t isize = le16_get(sb, SB_INODE_SIZE);

	if (log > EXT2_MAX_BLOCK_LOG - EXT2_MIN_BLOCK_LOG)
		return "block size is not 1, 2 or 4 KiB";
	fs->block_size = 1u << (EXT2_MIN_BLOCK_LOG + log);
	fs->first_data_block = le32_get(sb, SB_FIRST_DATA_BLOCK);
	if (fs->first_data_block != (fs->block_size == SB_OFFSET ? 1u : 0u))
		return "first data block does not match the block size";
	if (isize < EXT2_GOOD_OLD_ISIZE || (isize & (isize - 1)) != 0 || isize > fs->block_size)
		return "inode size is not a power of two from 128 to the block size";
	fs->inode_size = isize;
	fs->blocks_per_group = le32_get(sb, SB_BLOCKS_PER_GROUP);
	fs->inodes_per_group = le32_get(sb, SB_INODES_PER_GROUP);
	if (fs->blocks_per_group == 0 || fs->blocks_per_group > fs->block_size * BITS_PER_BYTE)
		return "blocks per group out of range";
	if (fs->inodes_per_group == 0 || fs->inodes_per_group > fs->block_size * BITS_PER_BYTE)
		return "inodes per group out of range";
	fs->itable_blocks = (fs->inodes_per_group * isize + fs->block_size - 1) / fs->block_size;
	return NULL;
}

/* The counts against each other and the disk, and where group 0's
 * superblock and descriptors end. */
static const char *counts_check(struct ext2_fs *fs, const uint8_t *sb, uint64_t dev_bytes)
{
	uint32_t data_blocks, gdt_blocks;

	fs->blocks_count = le32_get(sb, SB_BLOCKS_COUNT);
	fs->inodes_count = le32_get(sb, SB_INODES_COUNT);
	fs->first_ino = le32_get(sb, SB_FIRST_INO);
	if (fs->blocks_count <= fs->first_data_block)
		return "block count too small";
	if ((uint64_t)fs->blocks_count * fs->block_size > dev_bytes)
		return "file system is larger than the disk";
	data_blocks = fs->blocks_count - fs->first_data_block;
	fs->groups = data_blocks / fs->blocks_per_group + (data_blocks % fs->blocks_per_group != 0);
	if ((uint64_t)fs->groups * fs->inodes_per_group != fs->inodes_count)
		return "inode count does not match the groups";
	if (fs->first_ino < EXT2_GOOD_OLD_FIRST_INO || fs->first_ino >= fs->inodes_count)
		return "first inode out of range";
	if (le32_get(sb, SB_FREE_BLOCKS) > fs->blocks_count ||
	    le32_get(sb, SB_FREE_INODES) > fs->inodes_count)
		return "free counts larger than the totals";
	gdt_blocks = (fs->groups + fs->block_size / GD_SIZE - 1) / (fs->block_size / GD_SIZE);
	fs->meta_end = fs->first_data_block + 1 + gdt_blocks + le16_get(sb, SB_RESERVED_GDT_BLOCKS);
	if (fs->meta_end - fs->first_data_block > ext2_group_blocks(fs, 0))
		return "group descriptors do not fit in group 0";
	return NULL;
}

/* Everything the superblock says, or why it is refused. */
static const char *super_check(struct ext2_fs *fs, const uint8_t *sb, uint64_t dev_bytes)
{
	const char *why;

	if (le16_get(sb, SB_MAGIC) != EXT2_MAGIC)
		return "not ext2: no magic";
	if (le32_get(sb, SB_REV_LEVEL) != EXT2_DYNAMIC_REV)
		return "revision is not 1 (dynamic)";
	why = features_check(fs, sb);
	if (why == NULL)
		why = sizes_check(fs, sb);
	if (why == NULL)
		why = counts_check(fs, sb, dev_bytes);
	fs->mount_state = le16_get(sb, SB_STATE);
	return why;
}

/* Every group descriptor, and the root directory. */
static int layout_check(struct ext2_fs *fs)
{
	struct ext2_group gd;
	struct ext2_inode root;
	int err;

	for (uint32_t g = 0; g < fs->groups; g++) {
		err = ext2_group_read(fs, g, &gd);
		if (err != 0)
			return err;
		if (g < EXT2_ITABLES_KEPT)
			fs->itable[g] = gd.inode_table;
	}
	err = ext2_iget(fs, EXT2_ROOT_INO, &root);
	if (err != 0)
		return err;
	if (!ext2_is_dir(&root) || root.i_links_count == 0 || root.i_size == 0)
		return ext2_corrupt(fs, "the root inode is not a directory");
	return 0;
}

/* Fail the mount with err, for reason. */
static int refuse(struct ext2_fs *fs, const char **why, const char *reason, int err)
{
	if (why != NULL)
		*why = reason;
	fs->error = NULL;
	return err;
}

/* Mark the superblock mounted: not clean, one mount more. */
static int mark_mounted(struct ext2_fs *fs)
{
	uint32_t now = ext2_now(fs);
	uint8_t *sb;
	int err = ext2_sb_get(fs, &sb);

	if (err != 0)
		return err;
	le16_set(sb, SB_STATE, fs->mount_state & ~EXT2_VALID_FS);
	le16_set(sb, SB_MNT_COUNT, le16_get(sb, SB_MNT_COUNT) + 1u);
	le32_set(sb, SB_MTIME, now);
	le32_set(sb, SB_WTIME, now);
	ext2_sb_put(fs, true);
	fs->next_generation = now;
	return 0;
}

/* What to say about a file system mounted with s_state state, or NULL. */
static const char *mount_warning(uint16_t state)
{
	if (state & EXT2_ERROR_FS)
		return "file system has errors, run e2fsck";
	if (!(state & EXT2_VALID_FS))
		return "not cleanly unmounted, run e2fsck";
	return NULL;
}

int ext2_mount(struct ext2_fs *fs, struct ext2_dev *dev, uint64_t dev_bytes, const char **why)
{
	const char *reason;
	uint8_t *sb;
	int err;

	memset(fs, 0, sizeof(*fs));
	fs->dev = dev;
	if (dev_bytes < SB_OFFSET + SB_SIZE)
		return refuse(fs, why, "not ext2: the disk is too small", -EINVAL);
	dev->block_size = SB_OFFSET;
	sb = dev->get(dev->ctx, SB_BLOCK_1K);
	if (sb == NULL)
		return refuse(fs, why, "I/O error reading the superblock", -EIO);
	reason = super_check(fs, sb, dev_bytes);
	dev->put(dev->ctx, SB_BLOCK_1K, false);
	if (reason != NULL)
		return refuse(fs, why, reason, -EINVAL);
	dev->block_size = fs->block_size;
	fs->sb_block = SB_OFFSET / fs->block_size;
	fs->sb_off = SB_OFFSET % fs->block_size;
	err = layout_check(fs);
	if (err != 0)
		return refuse(fs, why, fs->error ? fs->error : "I/O error reading the layout",
			      fs->error ? -EINVAL : err);
	err = mark_mounted(fs);
	if (err != 0)
		return refuse(fs, why, "I/O error writing the superblock", err);
	if (why != NULL)
		*why = mount_warning(fs->mount_state);
	return 0;
}

int ext2_unmount(struct ext2_fs *fs)
{
	uint8_t *sb;
	int err = ext2_sb_get(fs, &sb);

	if (err != 0)
		return err;
	le16_set(sb, SB_STATE, fs->mount_state | (fs->error != NULL ? EXT2_ERROR_FS : 0u));
	le32_set(sb, SB_WTIME, ext2_now(fs));
	ext2_sb_put(fs, true);
	return 0;
}
