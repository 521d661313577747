/*
 * Byte ranges of ext2 files through the block map and get/put (see
 * ext2.h): what the host tests use for everything and the kernel for
 * directories and symlinks. A fast symlink's target is read from
 * i_block[] itself. Invariant: a write changes i_size only to cover bytes
 * it has put on disk.
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define FAST_SYMLINK_MAX (EXT2_N_BLOCKS * sizeof(uint32_t)) /* 60 bytes in i_block[] */

/* The part of a copy that lies in one block: file block, offset, length. */
struct span {
	uint32_t fblock, off, len;
};

/* The span of [pos, pos + left) in its first block; -EFBIG if the block
 * number needs more than 32 bits. */
static int span_at(const struct ext2_fs *fs, uint64_t pos, uint32_t left, struct span *s)
{
	uint64_t fblock = pos / fs->block_size;

	if (fblock > UINT32_MAX)
		return -EFBIG;
	s->fblock = (uint32_t)fblock;
	s->off = (uint32_t)(pos % fs->block_size);
	s->len = MIN(fs->block_size - s->off, left);
	return 0;
}

/* Copy span s of file ino into dst: zeroes for a hole. */
static int read_span(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, const struct span *s,
		     uint8_t *dst)
{
	uint32_t blk;
	uint8_t *p;
	int err = ext2_bmap(fs, ino, ip, s->fblock, false, &blk);

	if (err != 0)
		return err;
	if (blk == 0) {
		memset(dst, 0, s->len);
		return 0;
	}
	err = ext2_bget(fs, blk, &p);
	if (err != 0)
		return err;
	memcpy(dst, p + s->off, s->len);
	ext2_bput(fs, blk, false);
	return 0;
}

/* A fast symlink's target, bytes [off, off + n), from i_block[]. */
static int read_fast_symlink(struct ext2_fs *fs, const struct ext2_inode *ip, uint32_t off,
			     uint8_t *dst, uint32_t n)
{
	if (ip->i_size > FAST_SYMLINK_MAX)
		return ext2_corrupt(fs, "fast symlink longer than i_block");
	memcpy(dst, (const uint8_t *)ip->i_block + off, n);
	return (int)n;
}

int ext2_read(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *ip, uint64_t off,
	      void *buf, uint32_t n)
{
	struct ext2_inode in = *ip; /* ext2_bmap's walk takes a writable inode */
	uint64_t size = ext2_isize(ip);
	uint8_t *dst = buf;
	uint32_t done = 0;
	int err = 0;

	if (n > EXT2_IO_MAX)
		return -EINVAL;
	if (off >= size)
		return 0;
	n = (uint32_t)MIN(n, size - off);
	if (ext2_is_symlink(ip) && !ext2_has_block_map(fs, ip))
		return read_fast_symlink(fs, ip, (uint32_t)off, dst, n);
	while (done < n && err == 0) {
		struct span s;

		err = span_at(fs, off + done, n - done, &s);
		if (err == 0)
			err = read_span(fs, ino, &in, &s, dst + done);
		if (err == 0)
			done += s.len;
	}
	return done > 0 ? (int)done : err;
}

/* Copy src into span s of file ino, allocating its block if it is a hole. */
static int write_span(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, const struct span *s,
		      const uint8_t *src)
{
	uint32_t blk;
	uint8_t *p;
	int err = ext2_bmap(fs, ino, ip, s->fblock, true, &blk);

	if (err == 0)
		err = ext2_bget(fs, blk, &p);
	if (err != 0)
		return err;
	memcpy(p + s->off, src, s->len);
	ext2_bput(fs, blk, true);
	return 0;
}

int ext2_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t off,
	       const void *buf, uint32_t n)
{
	const uint8_t *src = buf;
	uint32_t done = 0;
	int err = 0;

	if (n > EXT2_IO_MAX || !ext2_has_block_map(fs, ip))
		return -EINVAL;
	if (off > ext2_max_size(fs, ip) || n > ext2_max_size(fs, ip) - off)
		return -EFBIG;
	while (done < n && err == 0) {
		struct span s;

		err = span_at(fs, off + done, n - done, &s);
		if (err == 0)
			err = write_span(fs, ino, ip, &s, src + done);
		if (err == 0)
			done += s.len;
	}
	if (done == 0)
		return err;
	if (off + done > ext2_isize(ip))
		ext2_set_isize(ip, off + done);
	ip->i_mtime = ip->i_ctime = ext2_now(fs);
	err = ext2_iput(fs, ino, ip);
	return err < 0 ? err : (int)done;
}
