/*
 * File operations on the mounted ext2 file system (fs/vfs.h). Regular-file
 * bytes live in the page cache, one page per 4 KiB block: a read or write
 * finds the block with ext2_bmap and pins its page under fs_lock, then
 * drops the lock to copy to or from user memory (the copy may fault, and
 * the fault may need the lock). A file's size changes before a write's
 * copies, so appends never overlap; bytes past the end in its last page
 * are kept zero, so a file that grows shows zeroes there.
 */
#include "fs/namei.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/pagecache.h"
#include "mm/vm.h"
#include "proc/sleep.h"

#define MODE_PERM 07777u

static const uint8_t zeroes[512];

int vfs_lookup(struct vnode *cwd, const char *path, struct vnode **out)
{
	uint32_t ino;
	struct ext2_inode ip;
	fs_enter();
	int err = namei(cwd, path, &ino);
	if (err == 0)
		err = ext2_iget(&fs, ino, &ip);
	if (err == 0 && (*out = vnode_get(ino, ext2_is_dir(&ip))) == NULL)
		err = -ENFILE;
	fs_leave();
	return err;
}

/* Zero the bytes of the file past size in the page that holds it, if it
 * is on disk: a mapping's store past the end may have left some there. */
static int zero_tail(uint32_t ino, struct ext2_inode *ip, uint32_t size)
{
	uint32_t blk, at = size % PAGE_SIZE;
	struct frame *f;
	if (at == 0)
		return 0;
	int err = ext2_bmap(&fs, ino, ip, size / PAGE_SIZE, false, &blk);
	if (err || blk == 0)
		return err;
	if ((err = pc_get(blk, false, &f)) != 0)
		return err;
	memset((uint8_t *)pc_bytes(f) + at, 0, PAGE_SIZE - at);
	pc_put(f, true);
	return 0;
}

/* Set the size of regular file ino: pages wholly past the new end leave
 * every mapping first (their blocks go back to the disk's free pool). */
int fs_resize(uint32_t ino, struct ext2_inode *ip, uint32_t size)
{
	uint32_t old = ip->i_size, first = PAGE_ROUND_UP(size) / PAGE_SIZE;
	for (uint32_t page = first; size < old && page < PAGE_ROUND_UP(old) / PAGE_SIZE; page++) {
		uint32_t blk;
		if (ext2_bmap(&fs, ino, ip, page, false, &blk) == 0 && blk != 0)
			pc_discard(blk);
	}
	int err = zero_tail(ino, ip, MIN(size, old));
	return err ? err : ext2_truncate(&fs, ino, ip, size);
}

/* The inode of the file open(2) names, made with mode if flags say so. */
static int open_ino(struct vnode *cwd, const char *path, int flags, uint32_t mode, uint32_t *ino)
{
	char last[EXT2_NAME_MAX + 1];
	uint32_t dir;
	int err = namei_parent(cwd, path, &dir, last);
	if (err == -EEXIST) /* "/" */
		return (flags & K_O_CREAT) && (flags & K_O_EXCL) ? -EEXIST : namei(cwd, path, ino);
	if (err)
		return err; /* a directory on the way is missing, or not one */
	err = ext2_lookup(&fs, dir, last, strlen(last), ino);
	if (err == -ENOENT && (flags & K_O_CREAT))
		return ext2_create(&fs, dir, last, strlen(last), mode & MODE_PERM, ino);
	if (err == 0 && (flags & K_O_CREAT) && (flags & K_O_EXCL))
		return -EEXIST;
	return err;
}

int vfs_open(struct vnode *cwd, const char *path, int flags, uint32_t mode, struct vnode **out)
{
	bool writing = (flags & K_O_ACCMODE) != K_O_RDONLY;
	struct ext2_inode ip = { 0 }; /* read only when err is 0, but say so to cppcheck */
	uint32_t ino;
	fs_enter();
	int err = open_ino(cwd, path, flags, mode, &ino);
	if (err == 0)
		err = ext2_iget(&fs, ino, &ip);
	if (err == 0 && ext2_is_dir(&ip) && (writing || (flags & K_O_TRUNC)))
		err = -EISDIR;
	else if (err == 0 && !ext2_is_dir(&ip) && (flags & K_O_DIRECTORY))
		err = -ENOTDIR;
	else if (err == 0 && !ext2_is_dir(&ip) && !ext2_is_reg(&ip))
		err = -EACCES; /* a device, a socket or a symlink: not supported */
	if (err == 0 && (flags & K_O_TRUNC) && writing && ip.i_size != 0)
		err = fs_resize(ino, &ip, 0);
	if (err == 0 && (*out = vnode_get(ino, ext2_is_dir(&ip))) == NULL)
		err = -ENFILE;
	fs_leave();
	return err;
}

/* Pin the page of file page index of ino for reading: *f, or NULL for a
 * hole. fs_lock held. */
static int pin_page(uint32_t ino, struct ext2_inode *ip, uint32_t index, bool alloc,
		    struct frame **f)
{
	uint32_t blk;
	*f = NULL;
	int err = ext2_bmap(&fs, ino, ip, index, alloc, &blk);
	if (err == 0 && blk != 0)
		err = pc_get(blk, false, f);
	return err;
}

static int copyout_zeroes(uint32_t udst, uint32_t n)
{
	for (uint32_t done = 0; done < n; done += sizeof(zeroes))
		if (copyout(udst + done, zeroes, MIN(n - done, (uint32_t)sizeof(zeroes))) != 0)
			return -EFAULT;
	return 0;
}

/* One page's part of a read: *chunk bytes at *off, 0 at the end of file. */
static int read_chunk(struct vnode *vn, uint32_t off, uint32_t want, struct frame **f,
		      uint32_t *chunk)
{
	struct ext2_inode ip;
	fs_enter();
	int err = ext2_iget(&fs, vn->ino, &ip);
	*chunk = 0;
	if (err == 0 && off < ip.i_size) {
		*chunk = MIN(MIN(want, PAGE_SIZE - off % PAGE_SIZE), ip.i_size - off);
		err = pin_page(vn->ino, &ip, off / PAGE_SIZE, false, f);
	}
	fs_leave();
	return err;
}

/* Move file bytes to user memory (user) or to kernel memory (dst). */
static int read_into(struct vnode *vn, uint32_t *off, uint32_t user, void *dst, uint32_t n)
{
	uint32_t done = 0;
	while (done < n) {
		struct frame *f;
		uint32_t chunk;
		if (done && !dst && !syscall_pause())
			return (int)done;
		int err = read_chunk(vn, *off, n - done, &f, &chunk);
		if (err || chunk == 0)
			return done ? (int)done : err;
		const uint8_t *src = f ? (const uint8_t *)pc_bytes(f) + *off % PAGE_SIZE : NULL;
		if (dst)
			src ? memcpy((uint8_t *)dst + done, src, chunk)
			    : memset((uint8_t *)dst + done, 0, chunk);
		else
			err = src ? copyout(user + done, src, chunk) : copyout_zeroes(user + done, chunk);
		if (f)
			pc_put(f, false);
		if (err)
			return done ? (int)done : -EFAULT;
		done += chunk;
		*off += chunk;
	}
	return (int)done;
}

int vfs_read(struct vnode *vn, uint32_t *off, uint32_t ubuf, uint32_t n)
{
	if (vn->dir)
		return -EISDIR;
	return read_into(vn, off, ubuf, NULL, n);
}

int vfs_read_kernel(struct vnode *vn, uint32_t off, void *buf, uint32_t n)
{
	return read_into(vn, &off, 0, buf, n);
}

/* Give the file room for [off, off + n) before a write copies: its new
 * size now. *off is the end of the file for an append. */
static int write_begin(struct vnode *vn, uint32_t *off, bool append, uint32_t n)
{
	struct ext2_inode ip;
	fs_enter();
	int err = ext2_iget(&fs, vn->ino, &ip);
	if (err == 0 && append)
		*off = ip.i_size;
	if (err == 0 && *off > UINT32_MAX - n)
		err = -EFBIG;
	if (err == 0 && *off + n > ip.i_size) {
		err = zero_tail(vn->ino, &ip, ip.i_size);
		if (err == 0)
			err = ext2_truncate(&fs, vn->ino, &ip, *off + n);
	} else if (err == 0) {
		ip.i_mtime = ip.i_ctime = fs_now();
		err = ext2_iput(&fs, vn->ino, &ip);
	}
	fs_leave();
	return err;
}

/* A write that stopped at end: the size it set goes back to end, unless
 * a later write moved it meanwhile. */
static void write_short(struct vnode *vn, uint32_t end, uint32_t planned)
{
	struct ext2_inode ip;
	fs_enter();
	if (ext2_iget(&fs, vn->ino, &ip) == 0 && ip.i_size == planned && end < planned)
		fs_resize(vn->ino, &ip, end);
	fs_leave();
}

static int write_chunk(struct vnode *vn, uint32_t off, uint32_t ubuf, uint32_t chunk)
{
	struct ext2_inode ip;
	struct frame *f = NULL;
	fs_enter();
	int err = ext2_iget(&fs, vn->ino, &ip);
	if (err == 0)
		err = pin_page(vn->ino, &ip, off / PAGE_SIZE, true, &f);
	fs_leave();
	if (err)
		return err;
	err = copyin((uint8_t *)pc_bytes(f) + off % PAGE_SIZE, ubuf, chunk);
	pc_put(f, true);
	return err ? -EFAULT : 0;
}

int vfs_write(struct vnode *vn, uint32_t *off, bool append, uint32_t ubuf, uint32_t n)
{
	if (vn->dir)
		return -EISDIR;
	if (n == 0)
		return 0;
	int err = write_begin(vn, off, append, n);
	if (err)
		return err;
	uint32_t start = *off, done = 0;
	while (done < n && err == 0) {
		uint32_t chunk = MIN(n - done, PAGE_SIZE - *off % PAGE_SIZE);
		if (done && !syscall_pause())
			break;
		err = write_chunk(vn, *off, ubuf + done, chunk);
		if (err == 0) {
			done += chunk;
			*off += chunk;
		}
	}
	if (done < n)
		write_short(vn, start + done, start + n);
	return done ? (int)done : err;
}
