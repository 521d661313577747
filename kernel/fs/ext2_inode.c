/*
 * ext2 inodes: finding one in its group's inode table, reading and writing
 * its first 128 bytes, making a new one and freeing one (see ext2.h).
 * Relies on ext2_super.c for checked group descriptors and ext2_alloc.c
 * for the bitmaps. Invariant: an inode's bitmap bit is set from
 * ext2_inode_new until ext2_free_inode, and only then is i_dtime non-zero.
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

/* An extended-attribute block starts with this magic and its reference
 * count (Linux fs/ext2/xattr.h, struct ext2_xattr_header). */
#define XATTR_MAGIC	 0xEA020000u
#define XATTR_H_MAGIC	 0u
#define XATTR_H_REFCOUNT 4u

/* Get the block of the inode table that holds inode ino: *blk, with *p
 * at the inode's bytes, until ext2_bput(*blk). */
static int inode_get(struct ext2_fs *fs, uint32_t ino, uint32_t *blk, uint8_t **p)
{
	struct ext2_group gd;
	uint32_t byte, g, table;
	int err;

	if (ino == 0 || ino > fs->inodes_count)
		return -EINVAL;
	g = (ino - 1) / fs->inodes_per_group;
	if (g < EXT2_ITABLES_KEPT) {
		table = fs->itable[g];
	} else {
		err = ext2_group_read(fs, g, &gd);
		if (err != 0)
			return err;
		table = gd.inode_table;
	}
	/* Below 2^27: inodes per group and the inode size are checked at mount. */
	byte = (ino - 1) % fs->inodes_per_group * fs->inode_size;
	*blk = table + byte / fs->block_size;
	err = ext2_bget(fs, *blk, p);
	if (err == 0)
		*p += byte % fs->block_size;
	return err;
}

/* Copy the first 128 bytes of inode ino out to *out, or in from *in:
 * one of the two is NULL. */
static int inode_copy(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out,
		      const struct ext2_inode *in)
{
	uint32_t blk;
	uint8_t *p;
	int err = inode_get(fs, ino, &blk, &p);

	if (err != 0)
		return err;
	if (in != NULL)
		memcpy(p, in, sizeof(*in));
	else
		memcpy(out, p, sizeof(*out));
	ext2_bput(fs, blk, in != NULL);
	return 0;
}

int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out)
{
	return inode_copy(fs, ino, out, NULL);
}

int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in)
{
	return inode_copy(fs, ino, NULL, in);
}

uint32_t ext2_inode_goal(const struct ext2_fs *fs, uint32_t ino)
{
	if (ino == 0 || ino > fs->inodes_count)
		return fs->first_data_block;
	return ext2_group_first(fs, (ino - 1) / fs->inodes_per_group);
}

/* Blocks of 512 bytes that one file-system block counts in i_blocks. */
static uint32_t sectors_per_block(const struct ext2_fs *fs)
{
	return fs->block_size / SECTOR_SIZE;
}

void ext2_iblocks_add(const struct ext2_fs *fs, struct ext2_inode *ip, int nblocks)
{
	int64_t sectors = (int64_t)ip->i_blocks + (int64_t)nblocks * sectors_per_block(fs);

	ip->i_blocks = sectors < 0 ? 0 : (uint32_t)sectors;
}

/*
 * A fast symlink keeps its target in i_block[] itself; Linux tells it by
 * its i_blocks, which count no block but an attribute block. Devices keep
 * their numbers there, and FIFOs and sockets nothing.
 */
bool ext2_has_block_map(const struct ext2_fs *fs, const struct ext2_inode *ip)
{
	uint32_t xattr_sectors = ip->i_file_acl != 0 ? sectors_per_block(fs) : 0;

	if (ext2_is_reg(ip) || ext2_is_dir(ip))
		return true;
	return ext2_is_symlink(ip) && ip->i_blocks != xattr_sectors;
}

int ext2_zalloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk)
{
	uint8_t *p;
	int err = ext2_balloc(fs, goal, blk);

	if (err != 0)
		return err;
	err = ext2_bget(fs, *blk, &p);
	if (err != 0) {
		(void)ext2_bfree(fs, *blk);
		return err;
	}
	memset(p, 0, fs->block_size);
	ext2_bput(fs, *blk, true);
	return 0;
}

int ext2_link_add(struct ext2_fs *fs, uint32_t ino, int delta)
{
	struct ext2_inode ip;
	int32_t links;
	int err = ext2_iget(fs, ino, &ip);

	if (err != 0)
		return err;
	links = (int32_t)ip.i_links_count + delta;
	if (links < 0 || links > (int32_t)EXT2_LINK_MAX)
		return ext2_corrupt(fs, "link count out of range");
	ip.i_links_count = (uint16_t)links;
	ip.i_ctime = ext2_now(fs);
	return ext2_iput(fs, ino, &ip);
}

/* Zero all inode_size bytes of inode ino on disk, then write *ip there. */
static int inode_write_new(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *ip)
{
	uint32_t blk;
	uint8_t *p;
	int err = inode_get(fs, ino, &blk, &p);

	if (err != 0)
		return err;
	memset(p, 0, fs->inode_size);
	memcpy(p, ip, sizeof(*ip));
	ext2_bput(fs, blk, true);
	return 0;
}

/*
 * i_extra_isize (the bytes past 128 that are in use) stays 0, as Linux's
 * ext2 leaves it, and so do the extra time fields: e2fsck accepts that.
 */
int ext2_inode_new(struct ext2_fs *fs, uint32_t parent, uint32_t mode, uint32_t *ino,
		   struct ext2_inode *ip)
{
	bool dir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	uint32_t now = ext2_now(fs);
	int err = ext2_ialloc(fs, parent, dir, ino);

	if (err != 0)
		return err;
	memset(ip, 0, sizeof(*ip));
	ip->i_mode = (uint16_t)mode;
	ip->i_links_count = dir ? 2 : 1; /* a directory's "." links it too */
	ip->i_atime = ip->i_ctime = ip->i_mtime = now;
	ip->i_generation = fs->next_generation++;
	err = inode_write_new(fs, *ino, ip);
	if (err != 0)
		(void)ext2_ifree(fs, *ino, dir);
	return err;
}

/* Drop inode *ip's reference to its extended-attribute block, freeing the
 * block with the last one. */
static int xattr_release(struct ext2_fs *fs, struct ext2_inode *ip)
{
	uint32_t blk = ip->i_file_acl, refs;
	uint8_t *p;
	int err;

	if (!ext2_data_block_ok(fs, blk))
		return ext2_corrupt(fs, "attribute block number out of range");
	err = ext2_bget(fs, blk, &p);
	if (err != 0)
		return err;
	refs = le32_get(p, XATTR_H_REFCOUNT);
	if (le32_get(p, XATTR_H_MAGIC) != XATTR_MAGIC || refs == 0) {
		ext2_bput(fs, blk, false);
		return ext2_corrupt(fs, "attribute block without its header");
	}
	if (refs > 1)
		le32_set(p, XATTR_H_REFCOUNT, refs - 1);
	ext2_bput(fs, blk, refs > 1);
	if (refs == 1) {
		err = ext2_bfree(fs, blk);
		if (err != 0)
			return err;
	}
	ip->i_file_acl = 0;
	ext2_iblocks_add(fs, ip, -1);
	return 0;
}

int ext2_free_inode(struct ext2_fs *fs, uint32_t ino)
{
	struct ext2_inode ip;
	int err = ext2_iget(fs, ino, &ip);

	if (err != 0)
		return err;
	if (ino < fs->first_ino || ip.i_links_count != 0 || ip.i_mode == 0 || ip.i_dtime != 0)
		return -EINVAL; /* reserved, still linked, or free already */
	if (ext2_has_block_map(fs, &ip)) {
		err = ext2_trim(fs, ino, &ip, 0);
		if (err != 0)
			return err;
	}
	if (ip.i_file_acl != 0) {
		err = xattr_release(fs, &ip);
		if (err != 0)
			return err;
	}
	ip.i_dtime = ext2_now(fs);
	err = ext2_iput(fs, ino, &ip);
	if (err != 0)
		return err;
	return ext2_ifree(fs, ino, ext2_is_dir(&ip));
}
