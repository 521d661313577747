/*
 * Inside fs/: the mounted ext2 file system and its lock (fs/mount.c). Every
 * call into the ext2 library runs between fs_enter and fs_leave.
 */
#ifndef FS_FS_H
#define FS_FS_H

#include "fs/ext2.h"
#include "fs/vfs.h"
#include "fs/vnode.h"
#include "proc/sleeplock.h"

extern struct ext2_fs fs;
extern struct sleeplock fs_lock;

/* Take fs_lock, then free the inodes nothing holds any more. */
void fs_enter(void);
void fs_leave(void);
/* Seconds since 1970, for inode times. */
uint32_t fs_now(void);
/* Set regular file ino's size (fs/vfs.c): pages wholly past the new end
 * leave every mapping and the cache, the rest of the last page is zeroed. */
int fs_resize(uint32_t ino, struct ext2_inode *ip, uint32_t size);

#endif
