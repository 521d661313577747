/*
 * The file system as processes see it: the ext2 disk mounted as "/", with
 * paths, open files (vnodes), directories and the page cache behind
 * read and write. Without a file-system disk (or with one that is refused)
 * the initramfs is the root instead, read-only, and these calls answer
 * for it as far as it can (proc/file.c). Paths are kernel strings; user
 * memory is touched only by vfs_read, vfs_write and vfs_getdents, never
 * with the file-system lock held (a copy may fault on a file mapping).
 */
#ifndef FS_VFS_H
#define FS_VFS_H

#include "lib/types.h"
#include "proc/uapi.h"

struct vnode;

/* Mount disk 1 if there is one. Prints one line either way (only refusals
 * when quiet). 0 when mounted, -ENODEV without a disk, else the reason
 * the disk was refused (it is never written then). */
int fs_init(bool quiet);
bool fs_mounted(void);
/* Write every dirty page back and mark the file system clean (poweroff). */
void fs_shutdown(void);

/* References: every vnode handed out is held; vnode_put (mm/vm.h) lets go. */
void vnode_hold(struct vnode *vn);
void vnode_put(struct vnode *vn);
bool vnode_is_dir(const struct vnode *vn);

/* path against the directory cwd (NULL: the root). */
int vfs_lookup(struct vnode *cwd, const char *path, struct vnode **out);
/* open(2): flags K_O_*; creates with mode, truncates, refuses a directory
 * for writing. The vnode in *out. */
int vfs_open(struct vnode *cwd, const char *path, int flags, uint32_t mode, struct vnode **out);

/* Bytes moved between the file at *off and user memory at ubuf, *off
 * advanced; append: write at the end. */
int vfs_read(struct vnode *vn, uint32_t *off, uint32_t ubuf, uint32_t n);
/* The same into kernel memory (exec's headers). */
int vfs_read_kernel(struct vnode *vn, uint32_t off, void *buf, uint32_t n);
int vfs_write(struct vnode *vn, uint32_t *off, bool append, uint32_t ubuf, uint32_t n);
/* The size, for lseek's SEEK_END. */
uint32_t vfs_size(struct vnode *vn);
int vfs_stat(struct vnode *vn, struct k_stat *out);
int vfs_truncate(struct vnode *vn, uint32_t size);
int vfs_fsync(struct vnode *vn);
int vfs_sync(void);
/* k_dirent records of directory vn from byte *pos into user memory: the
 * bytes filled, 0 at the end. */
int vfs_getdents(struct vnode *vn, uint32_t *pos, uint32_t ubuf, uint32_t size);

int vfs_unlink(struct vnode *cwd, const char *path);
int vfs_mkdir(struct vnode *cwd, const char *path, uint32_t mode);
int vfs_rmdir(struct vnode *cwd, const char *path);
int vfs_rename(struct vnode *cwd, const char *from, const char *to);
/* The absolute path of directory vn (NULL: the root) in buf, NUL ended:
 * its length with the NUL, or -ERANGE. */
int vfs_path(struct vnode *vn, char *buf, uint32_t size);

#endif
