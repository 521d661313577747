/*
 * Vnodes: the in-memory handle of an ext2 inode that something uses (an
 * open file, a mapping, a process's working directory), with a reference
 * count under vn_lock, a spinlock, so that mm/ can hold and put them with
 * vm_lock held. An inode whose last link went while it was in use is
 * freed after its last reference, by the next file-system call (freeing
 * needs the disk, which a put must never wait for).
 */
#include "fs/vnode.h"
#include "lib/klib.h"
#include "lib/spinlock.h"

static struct spinlock vn_lock = SPINLOCK_INIT("vnode");
static struct vnode vnodes[NVNODE]; /* [vn_lock] ref, ino, orphan */
static uint32_t orphans;            /* [vn_lock] vnodes marked orphan */

/* The vnode of ino, held; a new one if none is in use. NULL when the
 * table is full. */
struct vnode *vnode_get(uint32_t ino, bool dir)
{
	struct vnode *free = NULL;
	spin_lock(&vn_lock);
	for (int i = 0; i < NVNODE; i++) {
		struct vnode *vn = &vnodes[i];
		if ((vn->ref > 0 || vn->orphan) && vn->ino == ino) {
			vn->ref++;
			spin_unlock(&vn_lock);
			return vn;
		}
		if (free == NULL && vn->ref == 0 && !vn->orphan)
			free = vn;
	}
	if (free)
		*free = (struct vnode){ .ref = 1, .ino = ino, .dir = dir };
	spin_unlock(&vn_lock);
	return free;
}

void vnode_hold(struct vnode *vn)
{
	spin_lock(&vn_lock);
	vn->ref++;
	spin_unlock(&vn_lock);
}

void vnode_put(struct vnode *vn)
{
	spin_lock(&vn_lock);
	if (vn->ref == 0)
		panic("vnode: put of inode %u, which has no reference", vn->ino);
	vn->ref--;
	spin_unlock(&vn_lock);
}

bool vnode_is_dir(const struct vnode *vn)
{
	return vn->dir;
}

bool vnode_orphan(uint32_t ino)
{
	bool held = false;
	spin_lock(&vn_lock);
	for (int i = 0; i < NVNODE; i++) {
		if (vnodes[i].ref == 0 || vnodes[i].ino != ino)
			continue;
		held = true;
		if (!vnodes[i].orphan) {
			vnodes[i].orphan = true;
			orphans++;
		}
	}
	spin_unlock(&vn_lock);
	return held;
}

uint32_t vnode_take_orphan(void)
{
	uint32_t ino = 0;
	spin_lock(&vn_lock);
	for (int i = 0; i < NVNODE && ino == 0 && orphans > 0; i++) {
		struct vnode *vn = &vnodes[i];
		if (vn->orphan && vn->ref == 0) {
			ino = vn->ino;
			vn->orphan = false;
			orphans--;
		}
	}
	spin_unlock(&vn_lock);
	return ino;
}

bool vnode_in_use(uint32_t ino)
{
	bool used = false;
	spin_lock(&vn_lock);
	for (int i = 0; i < NVNODE; i++)
		used |= vnodes[i].ref > 0 && vnodes[i].ino == ino;
	spin_unlock(&vn_lock);
	return used;
}
