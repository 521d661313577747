/*
 * Vnodes inside fs/: the table of inodes in use (fs/vnode.c). The public
 * calls (hold, put, is_dir) are in fs/vfs.h and mm/vm.h.
 */
#ifndef FS_VNODE_H
#define FS_VNODE_H

#include "lib/types.h"

#define NVNODE 512 /* inodes in use at once: open, mapped, or a working directory */

struct vnode {
	uint32_t ref;  /* [vn_lock] */
	uint32_t ino;  /* the ext2 inode */
	bool dir;      /* a directory (fixed for the inode's life) */
	bool orphan;   /* [vn_lock] its last link is gone: free the inode after the last put */
	struct vnode *next; /* [vn_lock] its hash chain while in use, else the free list */
};

/* The vnode of inode ino (dir: it is a directory), held; NULL if the
 * table is full. */
struct vnode *vnode_get(uint32_t ino, bool dir);
/* Inode ino lost its last link: if someone holds it, mark it to be freed
 * after the last reference and say so; else false (free it now). Both
 * this and vnode_take_orphan with fs_lock held. */
bool vnode_orphan(uint32_t ino);
/* An orphan no one holds any more (now no longer an orphan), or 0;
 * fs_lock held. */
uint32_t vnode_take_orphan(void);
/* Whether someone holds inode ino. */
bool vnode_in_use(uint32_t ino);

#endif
