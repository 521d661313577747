/*
 * ext2 truncation (see ext2.h): freeing the blocks of a file past its new
 * size. The indirect trees are walked depth first without recursion (the
 * kernel stack is small), with a stack of at most three levels, holding
 * one block at a time. Each data block is freed, then its entry cleared.
 * Invariant: an indirect block is freed exactly when it has no entry
 * left, whether its entries all lay past the new size or the ones before
 * it were holes.
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

/* Where the walk stands in one indirect block: the next entry to look at,
 * and the first file block to free, counted from the block's first. */
struct level {
	uint32_t blk;
	uint32_t idx;
	uint32_t from;
};

/* The first non-zero entry at or after *idx of indirect block blk: *idx
 * moves to it (to the end of the block if there is none). */
static int next_entry(struct ext2_fs *fs, uint32_t blk, uint32_t *idx, uint32_t *entry)
{
	uint8_t *p;
	int err = ext2_bget(fs, blk, &p);

	if (err != 0)
		return err;
	for (*entry = 0; *idx < ext2_per_block(fs); (*idx)++) {
		*entry = le32_get(p, *idx * EXT2_ENTRY_SIZE);
		if (*entry != 0)
			break;
	}
	ext2_bput(fs, blk, false);
	return 0;
}

/* Free block blk of *ip and count it out of i_blocks. */
static int release(struct ext2_fs *fs, struct ext2_inode *ip, uint32_t blk)
{
	int err = ext2_bfree(fs, blk);

	if (err == 0)
		ext2_iblocks_add(fs, ip, -1);
	return err;
}

/* Done with the block at level l: free it if no entry is left, clearing
 * the entry that names it (in the level above, or *root). */
static int level_done(struct ext2_fs *fs, struct ext2_inode *ip, const struct level *lv, uint32_t l,
		      uint32_t *root)
{
	uint32_t idx = 0, entry;
	int err = next_entry(fs, lv[l].blk, &idx, &entry);

	if (err != 0 || entry != 0)
		return err;
	err = release(fs, ip, lv[l].blk);
	if (err != 0)
		return err;
	if (l == 0) {
		*root = 0;
		return 0;
	}
	return ext2_entry_set(fs, lv[l - 1].blk, lv[l - 1].idx, 0);
}

/* span[l]: the file blocks one entry of a level-l block covers, in a tree
 * of depth levels (1 at the bottom). */
static void spans(const struct ext2_fs *fs, uint32_t depth, uint32_t span[])
{
	span[depth - 1] = 1;
	for (uint32_t l = depth - 1; l > 0; l--)
		span[l - 1] = span[l] * ext2_per_block(fs);
}

/*
 * Free the blocks for file blocks first and on in the tree of the given
 * depth at *root (first counted from the tree's first file block), and
 * every indirect block of it left empty.
 */
static int trim_tree(struct ext2_fs *fs, struct ext2_inode *ip, uint32_t *root, uint32_t depth,
		     uint32_t first)
{
	struct level lv[EXT2_MAX_DEPTH];
	uint32_t span[EXT2_MAX_DEPTH], l = 0, entry, from;
	int err;

	if (*root == 0)
		return 0;
	if (!ext2_data_block_ok(fs, *root))
		return ext2_corrupt(fs, "block number out of range");
	spans(fs, depth, span);
	lv[0] = (struct level){*root, first / span[0], first};
	for (;;) {
		struct level *c = &lv[l];

		err = next_entry(fs, c->blk, &c->idx, &entry);
		if (err == 0 && c->idx == ext2_per_block(fs)) {
			err = level_done(fs, ip, lv, l, root);
			if (err < 0 || l == 0)
				return err;
			lv[--l].idx++;
			continue;
		}
		if (err == 0 && !ext2_data_block_ok(fs, entry))
			err = ext2_corrupt(fs, "indirect block entry out of range");
		if (err != 0)
			return err;
		if (l + 1 == depth) {
			err = release(fs, ip, entry);
			if (err == 0)
				err = ext2_entry_set(fs, c->blk, c->idx++, 0);
			if (err != 0)
				return err;
			continue;
		}
		from = c->idx == c->from / span[l] ? c->from % span[l] : 0;
		l++;
		lv[l] = (struct level){entry, from / span[l], from};
	}
}

/* Free the direct blocks from keep on. */
static int trim_direct(struct ext2_fs *fs, struct ext2_inode *ip, uint64_t keep)
{
	for (uint64_t i = keep; i < EXT2_NDIR_BLOCKS; i++) {
		uint32_t blk = ip->i_block[i];
		int err;

		if (blk == 0)
			continue;
		err = release(fs, ip, blk);
		if (err != 0)
			return err;
		ip->i_block[i] = 0;
	}
	return 0;
}

int ext2_trim(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t size)
{
	uint64_t keep, base = EXT2_NDIR_BLOCKS, span = ext2_per_block(fs);
	int err, werr;

	if (size > ext2_max_size(fs, ip))
		return -EFBIG;
	keep = (size + fs->block_size - 1) / fs->block_size;
	err = trim_direct(fs, ip, keep);
	for (uint32_t depth = 1; depth <= EXT2_MAX_DEPTH && err == 0; depth++) {
		if (keep < base + span)
			err = trim_tree(fs, ip, &ip->i_block[EXT2_IND_BLOCK + depth - 1], depth,
					(uint32_t)(keep > base ? keep - base : 0));
		base += span;
		span *= ext2_per_block(fs);
	}
	ext2_set_isize(ip, size);
	ip->i_mtime = ip->i_ctime = ext2_now(fs);
	werr = ext2_iput(fs, ino, ip);
	return err < 0 ? err : werr;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t size)
{
	if (ext2_is_dir(ip))
		return -EISDIR;
	if (!ext2_is_reg(ip))
		return -EINVAL;
	return ext2_trim(fs, ino, ip, size);
}
