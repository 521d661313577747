/*
 * The calls on names and on whole files: stat, truncate, sync, directory
 * listing, unlink, mkdir, rmdir, rename and getcwd (fs/vfs.h), and the
 * page lookup the memory manager's file faults use (mm/vm.h).
 */
#include "fs/namei.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/pagecache.h"
#include "mm/vm.h"

#define DIRENT_HEAD 7u /* k_dirent's ino, reclen and type */

uint32_t vfs_size(struct vnode *vn)
{
	struct ext2_inode ip;
	fs_enter();
	int err = ext2_iget(&fs, vn->ino, &ip);
	fs_leave();
	return err ? 0 : ip.i_size;
}

int vfs_stat(struct vnode *vn, struct k_stat *out)
{
	struct ext2_inode ip;
	fs_enter();
	int err = ext2_iget(&fs, vn->ino, &ip);
	fs_leave();
	if (err)
		return err;
	*out = (struct k_stat){ .dev = 1, .ino = vn->ino, .mode = ip.i_mode,
				.nlink = ip.i_links_count, .size = ip.i_size,
				.blocks = ip.i_blocks, .blksize = PAGE_SIZE, .atime = ip.i_atime,
				.mtime = ip.i_mtime, .ctime = ip.i_ctime };
	return 0;
}

int vfs_truncate(struct vnode *vn, uint32_t size)
{
	if (vn->dir)
		return -EISDIR;
	struct ext2_inode ip;
	fs_enter();
	int err = ext2_iget(&fs, vn->ino, &ip);
	if (err == 0)
		err = fs_resize(vn->ino, &ip, size);
	fs_leave();
	return err;
}

/* fsync writes every dirty page, not only the file's: the inode, the
 * bitmaps and the directory entry that make the file findable after a
 * crash are dirty pages too. */
int vfs_fsync(struct vnode *vn)
{
	(void)vn;
	return vfs_sync();
}

int vfs_sync(void)
{
	fs_enter();
	int err = pc_sync();
	fs_leave();
	return err;
}

static uint8_t dirent_type(uint8_t ft)
{
	switch (ft) {
	case EXT2_FT_REG: return K_DT_REG;
	case EXT2_FT_DIR: return K_DT_DIR;
	case EXT2_FT_CHRDEV: return K_DT_CHR;
	default: return K_DT_UNKNOWN;
	}
}

/* The next entry as a k_dirent record in rec: its length, 0 at the end,
 * -EINVAL if it would not fit in room (*pos then stays). */
static int next_record(struct vnode *vn, uint32_t *pos, uint8_t *rec, uint32_t room)
{
	struct ext2_dirent_out e;
	uint32_t was = *pos;
	fs_enter();
	int r = ext2_readdir(&fs, vn->ino, pos, &e);
	fs_leave();
	if (r <= 0)
		return r;
	uint32_t len = (DIRENT_HEAD + e.name_len + 1 + 3) & ~3u;
	if (len > room) {
		*pos = was;
		return -EINVAL;
	}
	struct k_dirent *d = (struct k_dirent *)rec;
	memset(rec, 0, len);
	d->ino = e.ino;
	d->reclen = (uint16_t)len;
	d->type = dirent_type(e.file_type);
	memcpy(d->name, e.name, e.name_len);
	return (int)len;
}

int vfs_getdents(struct vnode *vn, uint32_t *pos, uint32_t ubuf, uint32_t size)
{
	uint8_t rec[(DIRENT_HEAD + EXT2_NAME_MAX + 1 + 3) & ~3u] __attribute__((aligned(4)));
	if (!vn->dir)
		return -ENOTDIR;
	uint32_t filled = 0;
	for (;;) {
		int len = next_record(vn, pos, rec, MIN(size - filled, (uint32_t)sizeof(rec)));
		if (len == -EINVAL && filled > 0)
			break; /* the next one goes in the next call */
		if (len <= 0)
			return filled ? (int)filled : len;
		if (copyout(ubuf + filled, rec, (uint32_t)len) != 0)
			return -EFAULT;
		filled += (uint32_t)len;
	}
	return (int)filled;
}

/* An inode that lost a name: free it if that was its last link and no one
 * holds it; if someone does, after the last reference. */
static int release_name(const struct ext2_unlinked *gone)
{
	if (gone->ino == 0 || !gone->last)
		return 0;
	if (vnode_orphan(gone->ino))
		return 0;
	return ext2_free_inode(&fs, gone->ino);
}

int vfs_unlink(struct vnode *cwd, const char *path)
{
	char last[EXT2_NAME_MAX + 1];
	struct ext2_unlinked gone = { 0 };
	uint32_t dir;
	fs_enter();
	int err = namei_parent(cwd, path, &dir, last);
	if (err == -EEXIST)
		err = -EISDIR; /* "/" */
	if (err == 0)
		err = ext2_unlink(&fs, dir, last, strlen(last), &gone);
	namei_forget();
	if (err == 0)
		err = release_name(&gone);
	fs_leave();
	return err;
}

int vfs_mkdir(struct vnode *cwd, const char *path, uint32_t mode)
{
	char last[EXT2_NAME_MAX + 1];
	uint32_t dir, ino;
	fs_enter();
	int err = namei_parent(cwd, path, &dir, last);
	if (err == 0)
		err = ext2_mkdir(&fs, dir, last, strlen(last), mode & 07777u, &ino);
	fs_leave();
	return err;
}

int vfs_rmdir(struct vnode *cwd, const char *path)
{
	char last[EXT2_NAME_MAX + 1];
	uint32_t dir, ino;
	fs_enter();
	int err = namei_parent(cwd, path, &dir, last);
	if (err == -EEXIST)
		err = -EBUSY; /* "/" */
	if (err == 0)
		err = ext2_lookup(&fs, dir, last, strlen(last), &ino);
	if (err == 0 && vnode_in_use(ino))
		err = -EBUSY; /* a working directory, or open */
	if (err == 0)
		err = ext2_rmdir(&fs, dir, last, strlen(last));
	namei_forget();
	fs_leave();
	return err;
}

int vfs_rename(struct vnode *cwd, const char *from, const char *to)
{
	char oname[EXT2_NAME_MAX + 1], nname[EXT2_NAME_MAX + 1];
	struct ext2_unlinked gone = { 0 };
	uint32_t odir, ndir;
	fs_enter();
	int err = namei_parent(cwd, from, &odir, oname);
	if (err == 0)
		err = namei_parent(cwd, to, &ndir, nname);
	if (err == -EEXIST)
		err = -EBUSY; /* "/" */
	if (err == 0)
		err = ext2_rename(&fs, odir, oname, strlen(oname), ndir, nname, strlen(nname), &gone);
	namei_forget();
	if (err == 0)
		err = release_name(&gone);
	fs_leave();
	return err;
}

int vfs_path(struct vnode *vn, char *buf, uint32_t size)
{
	fs_enter();
	int n = namei_path(vn ? vn->ino : EXT2_ROOT_INO, buf, size);
	fs_leave();
	return n;
}

int vnode_map_page(struct vnode *vn, uint32_t index, bool alloc, struct frame **out)
{
	struct ext2_inode ip;
	uint32_t blk = 0;
	fs_enter();
	int err = ext2_iget(&fs, vn->ino, &ip);
	if (err == 0 && (uint64_t)index * PAGE_SIZE >= ip.i_size)
		err = -ENXIO; /* wholly past the end: SIGBUS */
	if (err == 0)
		err = ext2_bmap(&fs, vn->ino, &ip, index, alloc, &blk);
	if (err == 0 && blk != 0)
		err = pc_get(blk, false, out);
	fs_leave();
	if (err == -ENOMEM)
		return err;
	if (err)
		return -ENXIO; /* a read error, or no room for the block: SIGBUS too */
	return blk == 0 ? 1 : 0;
}
