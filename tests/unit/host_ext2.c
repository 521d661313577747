/*
 * The disk in memory, the walk and the round of changes of host_ext2.h.
 * Plain C with no test framework, so that tests/fuzz/fuzz_ext2.c links it
 * too. Properties are checked with PROP, which returns the text of the
 * one that broke.
 */
#include <stdlib.h>
#include <string.h>

#include "host_ext2.h"
#include "lib/kerrno.h"

#define PROP(cond)                                                                                 \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return #cond;                                                              \
	} while (0)

/* The contract of a call that returns 0 or a negative errno. */
#define PROP_CALL(err) PROP((err) == 0 || ext2_errno_ok(err))

#define CHUNK	     4096u
#define WALK_QUEUE   256u
#define ROUND_OFFSET 1000u
#define ROUND_BYTES  5000u
#define ROUND_KEEP   10u

bool ext2_errno_ok(int err)
{
	static const int allowed[] = {EIO,    ENOENT, EEXIST, ENOTDIR, EISDIR,	    ENOTEMPTY,
				      ENOSPC, EINVAL, EFBIG,  EMLINK,  ENAMETOOLONG};

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (err == -allowed[i])
			return true;
	return false;
}

static void note(struct ramdisk *rd, const char *what)
{
	if (rd->broken == NULL)
		rd->broken = what;
}

/* Each block handed out is a copy in a heap buffer of exactly one block,
 * so AddressSanitizer reports any access past the block (not only past
 * the disk), and a change put back clean can be seen. */
static uint8_t *rd_get(void *ctx, uint32_t blk)
{
	struct ramdisk *rd = ctx;
	uint32_t bs = rd->dev.block_size;

	if (bs != 1024 && bs != 2048 && bs != 4096)
		note(rd, "get with a block size that is not 1, 2 or 4 KiB");
	else if (rd->held != RAMDISK_NONE)
		note(rd, "get while another block is held");
	else if ((uint64_t)blk * bs + bs > rd->size)
		note(rd, "get of a block past the end of the disk");
	else if (blk != rd->fail_block && rd->gets < rd->fail_after) {
		rd->copy = malloc(bs);
		if (rd->copy == NULL)
			abort();
		memcpy(rd->copy, rd->bytes + (uint64_t)blk * bs, bs);
		rd->held = blk;
		rd->held_size = bs;
		rd->gets++;
		return rd->copy;
	}
	return NULL;
}

static void rd_put(void *ctx, uint32_t blk, bool dirty)
{
	struct ramdisk *rd = ctx;
	uint8_t *home;

	if (rd->held != blk || rd->copy == NULL) {
		note(rd, "put of a block that is not held");
		return;
	}
	home = rd->bytes + (uint64_t)blk * rd->held_size;
	if (dirty)
		memcpy(home, rd->copy, rd->held_size);
	else if (memcmp(home, rd->copy, rd->held_size) != 0)
		note(rd, "a block changed but was put back clean");
	free(rd->copy);
	rd->copy = NULL;
	rd->held = RAMDISK_NONE;
	rd->dirty_puts += dirty;
}

static uint32_t rd_now(void *ctx)
{
	const struct ramdisk *rd = ctx;
	return rd->time;
}

void ramdisk_init(struct ramdisk *rd, uint8_t *bytes, uint64_t size, uint32_t time)
{
	memset(rd, 0, sizeof(*rd));
	rd->dev = (struct ext2_dev){.ctx = rd, .get = rd_get, .put = rd_put, .now = rd_now};
	rd->bytes = bytes;
	rd->size = size;
	rd->held = RAMDISK_NONE;
	rd->fail_block = RAMDISK_NONE;
	rd->fail_after = UINT32_MAX;
	rd->time = time;
}

const char *ramdisk_check(const struct ramdisk *rd)
{
	if (rd->broken != NULL)
		return rd->broken;
	return rd->held == RAMDISK_NONE ? NULL : "a call returned holding a block";
}

/* The ramdisk under fs, checked after a call. */
static const char *after_call(const struct ext2_fs *fs)
{
	return ramdisk_check(fs->dev->ctx);
}

/* Read the whole of file ino (up to max bytes) in chunks. */
static const char *walk_file(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *ip,
			     uint32_t max, struct walk_stats *st)
{
	static uint8_t buf[CHUNK];
	uint64_t off = 0;

	st->files++;
	while (off < max) {
		uint32_t want = (uint32_t)(max - off < CHUNK ? max - off : CHUNK);
		int n = ext2_read(fs, ino, ip, off, buf, want);

		PROP(after_call(fs) == NULL);
		PROP(n <= (int)want);
		PROP(n >= 0 || ext2_errno_ok(n));
		PROP(n != 0 || off >= ext2_isize(ip));
		if (n <= 0) {
			st->errors += n < 0;
			break;
		}
		off += (uint32_t)n;
		st->bytes += (uint32_t)n;
	}
	return NULL;
}

/* The contract of one entry readdir handed out. */
static const char *entry_check(struct ext2_fs *fs, uint32_t dir, const struct ext2_dirent_out *de)
{
	uint32_t ino = 0;
	int err;

	PROP(de->name_len >= 1 && strlen(de->name) == de->name_len);
	PROP(memchr(de->name, '/', de->name_len) == NULL);
	PROP(de->ino >= 1 && de->ino <= fs->inodes_count);
	err = ext2_lookup(fs, dir, de->name, de->name_len, &ino);
	PROP(after_call(fs) == NULL);
	PROP(err == 0 || err == -EIO);
	PROP(err != 0 || (ino >= 1 && ino <= fs->inodes_count));
	return NULL;
}

static bool is_dot(const struct ext2_dirent_out *de)
{
	return strcmp(de->name, ".") == 0 || strcmp(de->name, "..") == 0;
}

struct queue {
	uint32_t ino[WALK_QUEUE];
	uint32_t n, next;
};

/* Queue directory ino unless it was seen, or the queue is full. */
static void enqueue(struct queue *q, uint32_t ino, uint32_t max)
{
	for (uint32_t i = 0; i < q->n; i++)
		if (q->ino[i] == ino)
			return;
	if (q->n < max && q->n < WALK_QUEUE)
		q->ino[q->n++] = ino;
}

/* What the walk does with an entry: descend, read, or nothing. */
static const char *walk_entry(struct ext2_fs *fs, const struct ext2_dirent_out *de,
			      const struct walk_limits *lim, struct walk_stats *st, struct queue *q)
{
	struct ext2_inode ip;
	int err = ext2_iget(fs, de->ino, &ip);

	PROP(after_call(fs) == NULL);
	PROP_CALL(err);
	if (err < 0) {
		st->errors++;
		return NULL;
	}
	if (ext2_is_dir(&ip))
		enqueue(q, de->ino, lim->max_dirs);
	else if (ext2_is_reg(&ip) || ext2_is_symlink(&ip))
		return walk_file(fs, de->ino, &ip, lim->max_file_bytes, st);
	return NULL;
}

static const char *walk_dir(struct ext2_fs *fs, uint32_t dir, const struct walk_limits *lim,
			    struct walk_stats *st, struct queue *q)
{
	static struct ext2_dirent_out de;
	uint32_t pos = 0, before;
	const char *broke;

	st->dirs++;
	for (uint32_t n = 0; n < lim->max_entries; n++) {
		before = pos;
		int r = ext2_readdir(fs, dir, &pos, &de);

		PROP(after_call(fs) == NULL);
		PROP(r == 0 || r == 1 || ext2_errno_ok(r));
		if (r != 1) {
			st->errors += r < 0;
			return NULL;
		}
		PROP(pos > before);
		st->entries++;
		broke = entry_check(fs, dir, &de);
		if (broke == NULL && !is_dot(&de))
			broke = walk_entry(fs, &de, lim, st, q);
		if (broke != NULL)
			return broke;
	}
	return NULL;
}

const char *ext2_walk(struct ext2_fs *fs, const struct walk_limits *lim, struct walk_stats *st)
{
	static struct queue q;
	const char *broke = NULL;

	memset(st, 0, sizeof(*st));
	q.n = q.next = 0;
	enqueue(&q, EXT2_ROOT_INO, lim->max_dirs);
	while (broke == NULL && q.next < q.n)
		broke = walk_dir(fs, q.ino[q.next++], lim, st, &q);
	return broke;
}

/* The round's calls, each checked; ok stays true while all succeed. */
struct round {
	struct ext2_fs *fs;
	bool ok;
	const char *broke;
};

/* Record the result of one call: its contract, and whether it failed. */
static int step(struct round *r, int err)
{
	if (r->broke == NULL && after_call(r->fs) != NULL)
		r->broke = after_call(r->fs);
	if (r->broke == NULL && err != 0 && !ext2_errno_ok(err))
		r->broke = "a call returned a value outside its contract";
	if (err != 0)
		r->ok = false;
	return err;
}

/* Free what an unlink or rename left without links. */
static void reap(struct round *r, const struct ext2_unlinked *gone)
{
	if (gone->ino != 0 && gone->last)
		step(r, ext2_free_inode(r->fs, gone->ino));
}

/* A file: create, write, read back, truncate, unlink, free. */
static void round_file(struct round *r)
{
	static uint8_t out[ROUND_BYTES], in[ROUND_BYTES];
	struct ext2_unlinked gone;
	struct ext2_inode ip;
	uint32_t ino;

	for (uint32_t i = 0; i < ROUND_BYTES; i++)
		out[i] = (uint8_t)(i * 13 + 7);
	if (step(r, ext2_create(r->fs, EXT2_ROOT_INO, "r.tmp", 5, 0644, &ino)) != 0 ||
	    step(r, ext2_iget(r->fs, ino, &ip)) != 0)
		return;
	int n = ext2_write(r->fs, ino, &ip, ROUND_OFFSET, out, ROUND_BYTES);
	step(r, n == ROUND_BYTES ? 0 : n < 0 ? n : -ENOSPC);
	if (n == ROUND_BYTES &&
	    ext2_read(r->fs, ino, &ip, ROUND_OFFSET, in, ROUND_BYTES) == ROUND_BYTES &&
	    memcmp(in, out, ROUND_BYTES) != 0 && r->fs->error == NULL && r->broke == NULL)
		r->broke = "a file does not read back what was written";
	step(r, ext2_truncate(r->fs, ino, &ip, ROUND_KEEP));
	if (step(r, ext2_unlink(r->fs, EXT2_ROOT_INO, "r.tmp", 5, &gone)) == 0) {
		if (r->broke == NULL && (gone.ino != ino || !gone.last))
			r->broke = "unlink of a new file's only name did not report its last link";
		reap(r, &gone);
	}
}

/* A directory: mkdir, a file in it moved out, the directory renamed and removed. */
static void round_dir(struct round *r)
{
	struct ext2_unlinked gone;
	uint32_t dir, ino;

	if (step(r, ext2_mkdir(r->fs, EXT2_ROOT_INO, "d.tmp", 5, 0755, &dir)) != 0)
		return;
	if (step(r, ext2_create(r->fs, dir, "f", 1, 0600, &ino)) == 0 &&
	    step(r, ext2_rename(r->fs, dir, "f", 1, EXT2_ROOT_INO, "g.tmp", 5, &gone)) == 0)
		reap(r, &gone);
	if (step(r, ext2_rename(r->fs, EXT2_ROOT_INO, "d.tmp", 5, EXT2_ROOT_INO, "e.tmp", 5,
				&gone)) == 0)
		step(r, ext2_rmdir(r->fs, EXT2_ROOT_INO, "e.tmp", 5));
	if (step(r, ext2_unlink(r->fs, EXT2_ROOT_INO, "g.tmp", 5, &gone)) == 0)
		reap(r, &gone);
}

const char *ext2_exercise(struct ext2_fs *fs)
{
	struct round r = {.fs = fs, .ok = true};
	struct ext2_statfs before, after;
	bool clean = fs->error == NULL;

	if (step(&r, ext2_statfs(fs, &before)) != 0)
		return r.broke;
	round_file(&r);
	round_dir(&r);
	if (r.broke == NULL && r.ok && clean && fs->error == NULL &&
	    step(&r, ext2_statfs(fs, &after)) == 0 &&
	    (after.free_blocks != before.free_blocks || after.free_inodes != before.free_inodes))
		return "free counts not back after a round of changes";
	return r.broke;
}
