/*
 * The file-system calls (open through sync, proc/uapi.h): they copy paths
 * in, check descriptors, and hand the work to proc/file.c and fs/vfs.c.
 * Without the ext2 disk the root is the read-only initramfs: calls that
 * would change it fail with EROFS, and the only directory a process can
 * be in is "/".
 */
#include "fs/vfs.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/pagecache.h"
#include "mm/vm.h"
#include "proc/file.h"
#include "proc/proc.h"
#include "proc/syscall.h"

static int path_in(char *path, uint32_t upath)
{
	int n = copyinstr(path, upath, K_PATH_MAX);
	return n < 0 ? n : 0;
}

int32_t sys_open(struct trapframe *tf)
{
	char path[K_PATH_MAX];
	int err = path_in(path, ARG(tf, 0));
	if (err)
		return err;
	struct file *f = file_open(myproc()->cwd, path, (int)ARG(tf, 1), ARG(tf, 2), &err);
	if (f == NULL)
		return err;
	int fd = fd_install(f, 0);
	if (fd < 0)
		file_close(f);
	return fd;
}

int32_t sys_lseek(struct trapframe *tf)
{
	struct file *f = fd_file((int)ARG(tf, 0));
	return f ? file_seek(f, (int32_t)ARG(tf, 1), (int)ARG(tf, 2)) : -EBADF;
}

int32_t sys_fstat(struct trapframe *tf)
{
	struct file *f = fd_file((int)ARG(tf, 0));
	struct k_stat st;
	if (f == NULL)
		return -EBADF;
	int err = file_stat(f, &st);
	return err ? err : copyout(ARG(tf, 1), &st, sizeof(st));
}

int32_t sys_stat(struct trapframe *tf)
{
	char path[K_PATH_MAX];
	struct k_stat st;
	int err = path_in(path, ARG(tf, 0));
	if (err == 0)
		err = file_stat_path(myproc()->cwd, path, &st);
	return err ? err : copyout(ARG(tf, 1), &st, sizeof(st));
}

/* The descriptor's vnode, for the calls that need a file of the ext2
 * root; *err says why there is none. */
static struct file *vnode_file(int fd, int *err)
{
	struct file *f = fd_file(fd);
	*err = f == NULL ? -EBADF : f->type == F_INITRD ? -EROFS : f->type != F_VNODE ? -EINVAL : 0;
	return *err ? NULL : f;
}

int32_t sys_ftruncate(struct trapframe *tf)
{
	int err;
	struct file *f = vnode_file((int)ARG(tf, 0), &err);
	if (f && !f->writable)
		return -EBADF;
	return f ? vfs_truncate(f->vn, ARG(tf, 1)) : err;
}

int32_t sys_fsync(struct trapframe *tf)
{
	struct file *f = fd_file((int)ARG(tf, 0));
	if (f == NULL)
		return -EBADF;
	return f->type == F_VNODE ? vfs_fsync(f->vn) : 0;
}

int32_t sys_sync(struct trapframe *tf)
{
	(void)tf;
	return fs_mounted() ? vfs_sync() : 0;
}

int32_t sys_dropcache(struct trapframe *tf)
{
	(void)tf;
	if (!fs_mounted())
		return 0;
	int err = vfs_sync();
	return err ? err : (int32_t)pc_drop_clean();
}

/* A call that changes a name: path copied, EROFS without the ext2 root. */
static int name_call(uint32_t upath, char *path)
{
	int err = path_in(path, upath);
	return err ? err : fs_mounted() ? 0 : -EROFS;
}

int32_t sys_unlink(struct trapframe *tf)
{
	char path[K_PATH_MAX];
	int err = name_call(ARG(tf, 0), path);
	return err ? err : vfs_unlink(myproc()->cwd, path);
}

int32_t sys_mkdir(struct trapframe *tf)
{
	char path[K_PATH_MAX];
	int err = name_call(ARG(tf, 0), path);
	return err ? err : vfs_mkdir(myproc()->cwd, path, ARG(tf, 1));
}

int32_t sys_rmdir(struct trapframe *tf)
{
	char path[K_PATH_MAX];
	int err = name_call(ARG(tf, 0), path);
	return err ? err : vfs_rmdir(myproc()->cwd, path);
}

int32_t sys_rename(struct trapframe *tf)
{
	char from[K_PATH_MAX], to[K_PATH_MAX];
	int err = name_call(ARG(tf, 0), from);
	if (err == 0)
		err = path_in(to, ARG(tf, 1));
	return err ? err : vfs_rename(myproc()->cwd, from, to);
}

int32_t sys_getdents(struct trapframe *tf)
{
	int err;
	struct file *f = vnode_file((int)ARG(tf, 0), &err);
	if (f == NULL)
		return err == -EROFS || err == -EINVAL ? -ENOTDIR : err;
	if (!vm_range_ok(myproc()->as, ARG(tf, 1), ARG(tf, 2), VM_W))
		return -EFAULT;
	return vfs_getdents(f->vn, &f->off, ARG(tf, 1), ARG(tf, 2));
}

int32_t sys_chdir(struct trapframe *tf)
{
	char path[K_PATH_MAX];
	struct proc *p = myproc();
	struct vnode *vn;
	int err = path_in(path, ARG(tf, 0));
	if (err == 0 && !fs_mounted())
		return strcmp(path, "/") == 0 ? 0 : -EACCES; /* the initramfs root: "/" only */
	if (err == 0)
		err = vfs_lookup(p->cwd, path, &vn);
	if (err)
		return err;
	if (!vnode_is_dir(vn)) {
		vnode_put(vn);
		return -ENOTDIR;
	}
	if (p->cwd)
		vnode_put(p->cwd);
	p->cwd = vn;
	return 0;
}

int32_t sys_getcwd(struct trapframe *tf)
{
	char path[K_PATH_MAX];
	uint32_t size = ARG(tf, 1);
	if (size == 0)
		return -EINVAL;
	int n = 2;
	if (fs_mounted())
		n = vfs_path(myproc()->cwd, path, sizeof(path));
	else
		memcpy(path, "/", 2);
	if (n < 0)
		return n;
	if ((uint32_t)n > size)
		return -ERANGE;
	int err = copyout(ARG(tf, 0), path, (uint32_t)n);
	return err ? err : n;
}

int32_t sys_msync(struct trapframe *tf)
{
	uint32_t addr = ARG(tf, 0), len = ARG(tf, 1), flags = ARG(tf, 2);
	if ((addr % PAGE_SIZE) || (flags & ~(K_MS_ASYNC | K_MS_SYNC | K_MS_INVALIDATE)) ||
	    ((flags & K_MS_ASYNC) && (flags & K_MS_SYNC)))
		return -EINVAL;
	if (len && !vm_range_ok(myproc()->as, addr, len, 0))
		return -ENOMEM; /* part of the range is not mapped */
	return (flags & K_MS_SYNC) && fs_mounted() ? vfs_sync() : 0;
}

/* mmap of a file of the ext2 root: from the page cache. */
int sys_mmap_vnode(struct file *f, struct trapframe *tf, uint32_t *addr)
{
	if (!f->readable)
		return -EACCES;
	if (vnode_is_dir(f->vn))
		return -ENODEV;
	return vm_mmap_vnode(myproc()->as, ARG(tf, 0), ARG(tf, 1), ARG(tf, 2), ARG(tf, 3), f->vn,
			     f->writable, ARG(tf, 5), addr);
}
