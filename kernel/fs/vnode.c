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

#define NBUCKET 64 /* hash chains, by inode number */

static struct spinlock vn_lock = SPINLOCK_INIT("vnode");
static struct vnode vnodes[NVNODE];    /* [vn_lock] ref, ino, orphan, next */
static struct vnode *chains[NBUCKET];  /* [vn_lock] vnodes in use: held, or orphans */
static struct vnode *free_vnodes;      /* [vn_lock] the others, by next; then vnodes[unused..] */
static uint32_t unused;                /* [vn_lock] vnodes never handed out start here */
static uint32_t orphans;               /* [vn_lock and fs_lock] vnodes marked orphan */

static struct vnode **chain_of(uint32_t ino)
{
	return &chains[ino % NBUCKET];
}

/* The vnode of ino in use, or NULL. */
static struct vnode *find(uint32_t ino)
{
	struct vnode *vn = *chain_of(ino);
	while (vn && vn->ino != ino)
		vn = vn->next;
	return vn;
}

/* vn, in use no more, off its chain and onto the free list. */
static void release(struct vnode *vn)
{
	struct vnode **p = chain_of(vn->ino);
	while (*p != vn)
		p = &(*p)->next;
	*p = vn->next;
	vn->next = free_vnodes;
	free_vnodes = vn;
}

/* The vnode of ino, held; a new one if none is in use. NULL when the
 * table is full. */
struct vnode *vnode_get(uint32_t ino, bool dir)
{
	spin_lock(&vn_lock);
	struct vnode *vn = find(ino);
	if (vn) {
		vn->ref++;
	} else if (free_vnodes || unused < NVNODE) {
		vn = free_vnodes ? free_vnodes : &vnodes[unused++];
		if (vn == free_vnodes)
			free_vnodes = vn->next;
		*vn = (struct vnode){ .ref = 1, .ino = ino, .dir = dir, .next = *chain_of(ino) };
		*chain_of(ino) = vn;
	}
	spin_unlock(&vn_lock);
	return vn;
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
	if (--vn->ref == 0 && !vn->orphan)
		release(vn);
	spin_unlock(&vn_lock);
}

bool vnode_is_dir(const struct vnode *vn)
{
	return vn->dir;
}

bool vnode_orphan(uint32_t ino)
{
	spin_lock(&vn_lock);
	struct vnode *vn = find(ino);
	bool held = vn && vn->ref > 0;
	if (held && !vn->orphan) {
		vn->orphan = true;
		orphans++;
	}
	spin_unlock(&vn_lock);
	return held;
}

uint32_t vnode_take_orphan(void)
{
	uint32_t ino = 0;
	/* Only fs_lock's holder (the caller) marks or takes orphans, so the
	 * count can be read without vn_lock: every file-system call asks. */
	if (orphans == 0)
		return 0;
	spin_lock(&vn_lock);
	for (uint32_t i = 0; i < unused && ino == 0 && orphans > 0; i++) {
		struct vnode *vn = &vnodes[i];
		if (vn->orphan && vn->ref == 0) {
			ino = vn->ino;
			vn->orphan = false;
			orphans--;
			release(vn);
		}
	}
	spin_unlock(&vn_lock);
	return ino;
}

bool vnode_in_use(uint32_t ino)
{
	spin_lock(&vn_lock);
	const struct vnode *vn = find(ino);
	bool used = vn && vn->ref > 0;
	spin_unlock(&vn_lock);
	return used;
}
