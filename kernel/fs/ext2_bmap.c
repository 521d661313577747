/*
 * The ext2 block map (see ext2.h): i_block[0..11] name the first twelve
 * blocks of a file; i_block[12], [13] and [14] are the roots of trees of
 * single, double and triple indirect blocks, each an array of 32-bit block
 * numbers, 0 for a hole. ext2_bmap walks one path down a tree, allocating
 * on the way if asked, one block held at a time (ext2_trunc.c frees).
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define SIZE_32_MAX  0xFFFFFFFFull
#define SIZE_31_MAX  0x7FFFFFFFull  /* the most without large_file */
#define FBLOCK_LIMIT 0x100000000ull /* file block numbers are 32-bit */

/* File blocks the block map reaches: direct, then the three trees. */
static uint64_t map_blocks(const struct ext2_fs *fs)
{
	uint64_t n = ext2_per_block(fs);

	return MIN(EXT2_NDIR_BLOCKS + n + n * n + n * n * n, FBLOCK_LIMIT);
}

uint64_t ext2_max_size(const struct ext2_fs *fs, const struct ext2_inode *ip)
{
	uint64_t field = SIZE_32_MAX;

	if (ext2_is_reg(ip))
		field = (fs->feature_ro_compat & EXT2_FEATURE_RO_COMPAT_LARGE_FILE) ? UINT64_MAX
										    : SIZE_31_MAX;
	return MIN(map_blocks(fs) * fs->block_size, field);
}

void ext2_set_isize(struct ext2_inode *ip, uint64_t size)
{
	ip->i_size = (uint32_t)size;
	if (ext2_is_reg(ip))
		ip->i_size_high = (uint32_t)(size >> 32);
}

/*
 * The path to file block fblock: path[0] the i_block[] slot, path[1..d]
 * the entry in each indirect block on the way. Returns d (0 for a direct
 * block), or -EFBIG past what the triple indirect tree reaches.
 */
static int block_path(const struct ext2_fs *fs, uint32_t fblock, uint32_t path[])
{
	uint64_t f = fblock, span = ext2_per_block(fs);

	if (f < EXT2_NDIR_BLOCKS) {
		path[0] = (uint32_t)f;
		return 0;
	}
	f -= EXT2_NDIR_BLOCKS;
	for (uint32_t depth = 1; depth <= EXT2_MAX_DEPTH; depth++) {
		if (f < span) {
			/* f <= fblock fits in 32 bits (only span needs 64): the
			 * hart divides those itself, where a 64-bit division is
			 * a libgcc call of some 80 instructions. */
			uint32_t rest = (uint32_t)f;
			path[0] = EXT2_IND_BLOCK + depth - 1;
			for (uint32_t l = depth; l >= 1; l--) {
				path[l] = rest % ext2_per_block(fs);
				rest /= ext2_per_block(fs);
			}
			return (int)depth;
		}
		f -= span;
		span *= ext2_per_block(fs);
	}
	return -EFBIG;
}

int ext2_entry_get(struct ext2_fs *fs, uint32_t blk, uint32_t idx, uint32_t *entry, uint32_t *prev)
{
	uint8_t *p;
	int err = ext2_bget(fs, blk, &p);

	if (err != 0)
		return err;
	*entry = le32_get(p, idx * EXT2_ENTRY_SIZE);
	*prev = idx > 0 ? le32_get(p, (idx - 1) * EXT2_ENTRY_SIZE) : 0;
	ext2_bput(fs, blk, false);
	return 0;
}

int ext2_entry_set(struct ext2_fs *fs, uint32_t blk, uint32_t idx, uint32_t entry)
{
	uint8_t *p;
	int err = ext2_bget(fs, blk, &p);

	if (err != 0)
		return err;
	le32_set(p, idx * EXT2_ENTRY_SIZE, entry);
	ext2_bput(fs, blk, true);
	return 0;
}

/* One bmap walk: the inode and what it has changed in it. */
struct walk {
	struct ext2_fs *fs;
	struct ext2_inode *ip;
	bool alloc;
	bool changed; /* i_block[] or i_blocks: the inode must be written */
};

/* The block in i_block[slot], allocated (near the block before it, or the
 * inode's group) if it is a hole and the walk allocates. */
static int walk_root(struct walk *w, uint32_t ino, uint32_t slot, uint32_t *blk)
{
	uint32_t goal;
	int err;

	*blk = w->ip->i_block[slot];
	if (*blk != 0)
		return ext2_data_block_ok(w->fs, *blk)
			   ? 0
			   : ext2_corrupt(w->fs, "block number out of range");
	if (!w->alloc)
		return 0;
	if (slot > 0 && ext2_data_block_ok(w->fs, w->ip->i_block[slot - 1]))
		goal = w->ip->i_block[slot - 1] + 1;
	else
		goal = ext2_inode_goal(w->fs, ino);
	err = ext2_zalloc(w->fs, goal, blk);
	if (err != 0)
		return err;
	w->ip->i_block[slot] = *blk;
	ext2_iblocks_add(w->fs, w->ip, 1);
	w->changed = true;
	return 0;
}

/* The block in entry idx of indirect block parent, allocated like
 * walk_root's (near the entry before, or after parent). */
static int walk_down(struct walk *w, uint32_t parent, uint32_t idx, uint32_t *blk)
{
	uint32_t prev;
	int err = ext2_entry_get(w->fs, parent, idx, blk, &prev);

	if (err != 0)
		return err;
	if (*blk != 0)
		return ext2_data_block_ok(w->fs, *blk)
			   ? 0
			   : ext2_corrupt(w->fs, "indirect block entry out of range");
	if (!w->alloc)
		return 0;
	err = ext2_zalloc(w->fs, ext2_data_block_ok(w->fs, prev) ? prev + 1 : parent + 1, blk);
	if (err != 0)
		return err;
	err = ext2_entry_set(w->fs, parent, idx, *blk);
	if (err != 0) {
		(void)ext2_bfree(w->fs, *blk);
		return err;
	}
	ext2_iblocks_add(w->fs, w->ip, 1);
	w->changed = true;
	return 0;
}

int ext2_bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint32_t fblock, bool alloc,
	      uint32_t *blk)
{
	struct walk w = {.fs = fs, .ip = ip, .alloc = alloc};
	uint32_t path[EXT2_MAX_DEPTH + 1];
	int depth, err, werr;

	if (!ext2_has_block_map(fs, ip))
		return -EINVAL;
	depth = block_path(fs, fblock, path);
	if (depth < 0)
		return depth;
	err = walk_root(&w, ino, path[0], blk);
	for (int l = 1; l <= depth && err == 0 && *blk != 0; l++)
		err = walk_down(&w, *blk, path[l], blk);
	if (w.changed) {
		ip->i_ctime = ext2_now(fs);
		werr = ext2_iput(fs, ino, ip);
		err = err < 0 ? err : werr;
	}
	if (err != 0)
		*blk = 0;
	return err;
}
