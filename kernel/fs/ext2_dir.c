/*
 * ext2 directories (see ext2.h): blocks of variable-length entries, each
 * with the length of its record, so that the records of a block tile it
 * exactly. An entry with inode 0 is empty. Every block is checked whole
 * when it is read, before any entry in it is used: records aligned, at
 * least 12 bytes, inside the block, long enough for their names; inode
 * numbers in range; names of 1 to 255 bytes without '/' or NUL.
 * Invariant: a directory's size is a whole number of blocks, none a hole.
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define MODE_TYPE_SHIFT 12u /* i_mode's file type: its bits 12-15 */
#define MODE_TYPES	16u

/* The name length of the entry at off, 16 bits wide without filetype. */
static uint32_t de_name_len(const struct ext2_fs *fs, const uint8_t *p, uint32_t off)
{
	if (fs->feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE)
		return p[off + DE_NAME_LEN];
	return le16_get(p, off + DE_NAME_LEN);
}

static uint8_t de_file_type(const struct ext2_fs *fs, const uint8_t *p, uint32_t off)
{
	if (fs->feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE)
		return p[off + DE_FILE_TYPE];
	return EXT2_FT_UNKNOWN;
}

/* Write an entry at off: ino, record length rec, name and file type. */
static void de_write(const struct ext2_fs *fs, uint8_t *p, uint32_t off, uint32_t ino, uint32_t rec,
		     const char *name, uint32_t len, uint8_t file_type)
{
	le32_set(p, off + DE_INODE, ino);
	le16_set(p, off + DE_REC_LEN, rec);
	if (fs->feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE) {
		p[off + DE_NAME_LEN] = (uint8_t)len;
		p[off + DE_FILE_TYPE] = file_type;
	} else {
		le16_set(p, off + DE_NAME_LEN, len);
	}
	memcpy(p + off + DE_NAME, name, len);
	memset(p + off + DE_NAME + len, 0, dirent_len(len) - DE_NAME - len);
}

uint8_t ext2_file_type(const struct ext2_fs *fs, uint32_t mode)
{
	static const uint8_t by_type[MODE_TYPES] = {
	    [EXT2_S_IFREG >> MODE_TYPE_SHIFT] = EXT2_FT_REG,
	    [EXT2_S_IFDIR >> MODE_TYPE_SHIFT] = EXT2_FT_DIR,
	    [EXT2_S_IFCHR >> MODE_TYPE_SHIFT] = EXT2_FT_CHRDEV,
	    [EXT2_S_IFBLK >> MODE_TYPE_SHIFT] = EXT2_FT_BLKDEV,
	    [EXT2_S_IFIFO >> MODE_TYPE_SHIFT] = EXT2_FT_FIFO,
	    [EXT2_S_IFSOCK >> MODE_TYPE_SHIFT] = EXT2_FT_SOCK,
	    [EXT2_S_IFLNK >> MODE_TYPE_SHIFT] = EXT2_FT_SYMLINK,
	};

	if (!(fs->feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE))
		return EXT2_FT_UNKNOWN;
	return by_type[(mode & EXT2_S_IFMT) >> MODE_TYPE_SHIFT];
}

int ext2_name_check(const char *name, uint32_t len)
{
	if (len == 0)
		return -EINVAL;
	if (len > EXT2_NAME_MAX)
		return -ENAMETOOLONG;
	for (uint32_t i = 0; i < len; i++)
		if (name[i] == '/' || name[i] == '\0')
			return -EINVAL;
	return 0;
}

/* Check the entry at off of a directory block; its record length in *rec. */
static int de_check(struct ext2_fs *fs, const uint8_t *p, uint32_t off, uint32_t *rec)
{
	uint32_t len, ino;

	if (fs->block_size - off < DE_MIN_LEN)
		return ext2_corrupt(fs, "directory entry runs past its block");
	*rec = le16_get(p, off + DE_REC_LEN);
	len = de_name_len(fs, p, off);
	ino = le32_get(p, off + DE_INODE);
	if (*rec < DE_MIN_LEN || *rec % DE_ALIGN != 0 || *rec > fs->block_size - off)
		return ext2_corrupt(fs, "directory entry with a bad record length");
	if (len > EXT2_NAME_MAX || dirent_len(len) > *rec)
		return ext2_corrupt(fs, "directory entry name longer than its record");
	if (ino > fs->inodes_count)
		return ext2_corrupt(fs, "directory entry inode out of range");
	if (ino != 0 && ext2_name_check((const char *)p + off + DE_NAME, len) < 0)
		return ext2_corrupt(fs, "directory entry with a bad name");
	return 0;
}

static int block_check(struct ext2_fs *fs, const uint8_t *p)
{
	uint32_t off = 0, rec = 0;

	while (off < fs->block_size) {
		int err = de_check(fs, p, off, &rec);

		if (err != 0)
			return err;
		off += rec;
	}
	return 0;
}

int ext2_dir_get(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip)
{
	int err = ext2_iget(fs, dir, dip);

	if (err != 0)
		return err;
	if (!ext2_is_dir(dip))
		return -ENOTDIR;
	if (dip->i_size % fs->block_size != 0)
		return ext2_corrupt(fs, "directory size not a whole number of blocks");
	if (dip->i_size / fs->block_size > fs->blocks_count)
		return ext2_corrupt(fs, "directory larger than the file system");
	return 0;
}

/* Directory block fblk of *dip, checked: *blk and *p until ext2_bput. */
static int dir_block(struct ext2_fs *fs, struct ext2_inode *dip, uint32_t fblk, uint32_t *blk,
		     uint8_t **p)
{
	int err = ext2_bmap(fs, 0, dip, fblk, false, blk);

	if (err == 0 && *blk == 0)
		err = ext2_corrupt(fs, "hole in a directory");
	if (err == 0)
		err = ext2_bget(fs, *blk, p);
	if (err != 0)
		return err;
	err = block_check(fs, *p);
	if (err != 0)
		ext2_bput(fs, *blk, false);
	return err;
}

/* Find name in a checked directory block: true with loc's offsets, inode
 * and type filled in. */
static bool block_find(const struct ext2_fs *fs, const uint8_t *p, const char *name, uint32_t len,
		       struct ext2_dirloc *loc)
{
	uint32_t prev = DE_NO_PREV;

	for (uint32_t off = 0; off < fs->block_size; off += le16_get(p, off + DE_REC_LEN)) {
		uint32_t ino = le32_get(p, off + DE_INODE);

		if (ino != 0 && de_name_len(fs, p, off) == len &&
		    memcmp(p + off + DE_NAME, name, len) == 0) {
			loc->off = off;
			loc->prev = prev;
			loc->ino = ino;
			loc->file_type = de_file_type(fs, p, off);
			return true;
		}
		prev = off;
	}
	return false;
}

int ext2_dir_find(struct ext2_fs *fs, struct ext2_inode *dip, const char *name, uint32_t len,
		  struct ext2_dirloc *loc)
{
	uint32_t nblocks = dip->i_size / fs->block_size;

	for (uint32_t fblk = 0; fblk < nblocks; fblk++) {
		uint8_t *p;
		bool found;
		int err = dir_block(fs, dip, fblk, &loc->blk, &p);

		if (err != 0)
			return err;
		found = block_find(fs, p, name, len, loc);
		ext2_bput(fs, loc->blk, false);
		if (found) {
			loc->fblk = fblk;
			return 0;
		}
	}
	return -ENOENT;
}

/* After a change to directory dir: times, and the htree flag cleared (the
 * index, not kept up to date here, would mislead an htree reader; its
 * blocks read as ordinary empty entries). */
static int dir_touch(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip)
{
	dip->i_mtime = dip->i_ctime = ext2_now(fs);
	dip->i_flags &= ~EXT2_INDEX_FL;
	return ext2_iput(fs, dir, dip);
}

/* Put an entry for name in the first record of a checked block with room
 * for it, splitting off the record's slack: true if one had room. */
static bool block_insert(const struct ext2_fs *fs, uint8_t *p, const char *name, uint32_t len,
			 uint32_t ino, uint8_t file_type)
{
	uint32_t need = dirent_len(len), rec;

	for (uint32_t off = 0; off < fs->block_size; off += rec) {
		uint32_t used = 0;

		rec = le16_get(p, off + DE_REC_LEN);
		if (le32_get(p, off + DE_INODE) != 0)
			used = dirent_len(de_name_len(fs, p, off));
		if (rec - used < need)
			continue;
		if (used != 0)
			le16_set(p, off + DE_REC_LEN, used);
		de_write(fs, p, off + used, ino, rec - used, name, len, file_type);
		return true;
	}
	return false;
}

/* Add a block to directory dir holding only the entry for name. */
static int dir_grow(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip, const char *name,
		    uint32_t len, uint32_t ino, uint8_t file_type)
{
	uint32_t blk;
	uint8_t *p;
	int err;

	if ((uint64_t)dip->i_size + fs->block_size > ext2_max_size(fs, dip))
		return -EFBIG;
	err = ext2_bmap(fs, dir, dip, dip->i_size / fs->block_size, true, &blk);
	if (err == 0)
		err = ext2_bget(fs, blk, &p);
	if (err != 0)
		return err;
	de_write(fs, p, 0, ino, fs->block_size, name, len, file_type);
	ext2_bput(fs, blk, true);
	dip->i_size += fs->block_size;
	return dir_touch(fs, dir, dip);
}

int ext2_dir_add(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip, const char *name,
		 uint32_t len, uint32_t ino, uint8_t file_type)
{
	uint32_t nblocks = dip->i_size / fs->block_size;

	for (uint32_t fblk = 0; fblk < nblocks; fblk++) {
		uint32_t blk;
		uint8_t *p;
		bool added;
		int err = dir_block(fs, dip, fblk, &blk, &p);

		if (err != 0)
			return err;
		added = block_insert(fs, p, name, len, ino, file_type);
		ext2_bput(fs, blk, added);
		if (added)
			return dir_touch(fs, dir, dip);
	}
	return dir_grow(fs, dir, dip, name, len, ino, file_type);
}

/* The checked block of loc, where loc's entry still follows loc->prev
 * (or starts the block) and still holds loc->ino: -EIO otherwise. */
static int loc_block(struct ext2_fs *fs, struct ext2_inode *dip, const struct ext2_dirloc *loc,
		     uint8_t **p)
{
	uint32_t blk;
	bool linked;
	int err = dir_block(fs, dip, loc->fblk, &blk, p);

	if (err != 0)
		return err;
	if (loc->prev == DE_NO_PREV)
		linked = loc->off == 0;
	else
		linked = loc->prev < loc->off &&
			 loc->prev + le16_get(*p, loc->prev + DE_REC_LEN) == loc->off;
	if (blk == loc->blk && linked && le32_get(*p, loc->off + DE_INODE) == loc->ino)
		return 0;
	ext2_bput(fs, blk, false);
	return ext2_corrupt(fs, "directory entry moved");
}

int ext2_dir_remove(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip,
		    const struct ext2_dirloc *loc)
{
	uint8_t *p;
	int err = loc_block(fs, dip, loc, &p);

	if (err != 0)
		return err;
	if (loc->prev == DE_NO_PREV)
		le32_set(p, loc->off + DE_INODE, 0);
	else
		le16_set(p, loc->prev + DE_REC_LEN,
			 le16_get(p, loc->prev + DE_REC_LEN) + le16_get(p, loc->off + DE_REC_LEN));
	ext2_bput(fs, loc->blk, true);
	return dir_touch(fs, dir, dip);
}

int ext2_dir_retarget(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip,
		      const struct ext2_dirloc *loc, uint32_t ino, uint8_t file_type)
{
	uint8_t *p;
	int err = loc_block(fs, dip, loc, &p);

	if (err != 0)
		return err;
	le32_set(p, loc->off + DE_INODE, ino);
	if (fs->feature_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE)
		p[loc->off + DE_FILE_TYPE] = file_type;
	ext2_bput(fs, loc->blk, true);
	return dir_touch(fs, dir, dip);
}

/* True when a checked block has no entry in use but "." and "..". */
static bool block_empty(const struct ext2_fs *fs, const uint8_t *p)
{
	for (uint32_t off = 0; off < fs->block_size; off += le16_get(p, off + DE_REC_LEN)) {
		uint32_t len = de_name_len(fs, p, off);
		const uint8_t *name = p + off + DE_NAME;
		bool dot = len == 1 && name[0] == '.';
		bool dotdot = len == 2 && name[0] == '.' && name[1] == '.';

		if (le32_get(p, off + DE_INODE) != 0 && !dot && !dotdot)
			return false;
	}
	return true;
}

int ext2_dir_empty(struct ext2_fs *fs, struct ext2_inode *dip)
{
	uint32_t nblocks = dip->i_size / fs->block_size;

	for (uint32_t fblk = 0; fblk < nblocks; fblk++) {
		uint32_t blk;
		uint8_t *p;
		bool empty;
		int err = dir_block(fs, dip, fblk, &blk, &p);

		if (err != 0)
			return err;
		empty = block_empty(fs, p);
		ext2_bput(fs, blk, false);
		if (!empty)
			return 0;
	}
	return 1;
}

int ext2_dir_init(struct ext2_fs *fs, uint32_t blk, uint32_t self, uint32_t parent)
{
	uint8_t *p;
	int err = ext2_bget(fs, blk, &p);

	if (err != 0)
		return err;
	de_write(fs, p, 0, self, DE_MIN_LEN, ".", 1, ext2_file_type(fs, EXT2_S_IFDIR));
	de_write(fs, p, DE_MIN_LEN, parent, fs->block_size - DE_MIN_LEN, "..", 2,
		 ext2_file_type(fs, EXT2_S_IFDIR));
	ext2_bput(fs, blk, true);
	return 0;
}

int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len, uint32_t *ino)
{
	struct ext2_inode dip;
	struct ext2_dirloc loc;
	int err = ext2_name_check(name, len);

	if (err == 0)
		err = ext2_dir_get(fs, dir, &dip);
	if (err == 0)
		err = ext2_dir_find(fs, &dip, name, len, &loc);
	if (err == 0)
		*ino = loc.ino;
	return err;
}

/* The first entry in use at or after offset from of a checked block:
 * into *out, returning the offset past it; 0 if there is none. */
static uint32_t block_next(const struct ext2_fs *fs, const uint8_t *p, uint32_t from,
			   struct ext2_dirent_out *out)
{
	for (uint32_t off = 0, rec; off < fs->block_size; off += rec) {
		rec = le16_get(p, off + DE_REC_LEN);
		if (off < from || le32_get(p, off + DE_INODE) == 0)
			continue;
		out->ino = le32_get(p, off + DE_INODE);
		out->file_type = de_file_type(fs, p, off);
		out->name_len = (uint8_t)de_name_len(fs, p, off);
		memcpy(out->name, p + off + DE_NAME, out->name_len);
		out->name[out->name_len] = '\0';
		return off + rec;
	}
	return 0;
}

/* Entries are looked for from *pos even if it falls inside a record (the
 * directory changed since): the first that starts at or after it. */
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint32_t *pos, struct ext2_dirent_out *out)
{
	struct ext2_inode dip;
	int err = ext2_dir_get(fs, dir, &dip);

	while (err == 0 && *pos < dip.i_size) {
		uint32_t fblk = *pos / fs->block_size, blk, next;
		uint8_t *p;

		err = dir_block(fs, &dip, fblk, &blk, &p);
		if (err != 0)
			break;
		next = block_next(fs, p, *pos % fs->block_size, out);
		ext2_bput(fs, blk, false);
		*pos = fblk * fs->block_size + (next != 0 ? next : fs->block_size);
		if (next != 0)
			return 1;
	}
	return err;
}
