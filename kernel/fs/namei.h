/*
 * Path walks inside fs/ (fs/namei.c); fs_lock held. Paths are kernel
 * strings, absolute or relative to cwd (NULL: the root).
 */
#ifndef FS_NAMEI_H
#define FS_NAMEI_H

#include "fs/fs.h"

/* The inode path names. */
int namei(const struct vnode *cwd, const char *path, uint32_t *ino);
/* The directory that holds path's last component, in *dir, and that
 * component in last (EXT2_NAME_MAX + 1 bytes). -EEXIST for the root. */
int namei_parent(const struct vnode *cwd, const char *path, uint32_t *dir, char *last);
/* Empty the name cache: a name went away or moved (unlink, rmdir,
 * rename). */
void namei_forget(void);
/* The absolute path of directory ino in buf: its length with the NUL. */
int namei_path(uint32_t ino, char *buf, uint32_t size);

#endif
