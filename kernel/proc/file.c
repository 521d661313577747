/*
 * The file table and the three kinds of file. Pipes live in one frame
 * each: a small header and a ring buffer, guarded by the pipe's lock;
 * readers sleep on nread, writers on nwrite. The file table's lock guards
 * every file's ref and type.
 */
#include "proc/file.h"
#include "dev/console.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/spinlock.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "fs/vfs.h"
#include "proc/cpio.h"
#include "proc/proc.h"
#include "proc/sleep.h"
#include "proc/uapi.h"
#include "riscv/cpu.h"

struct pipe {
	struct spinlock lock;
	uint32_t nread, nwrite; /* bytes read and written so far */
	bool readopen, writeopen;
	/* Readers and writers asleep in the pipe: a read or write wakes the
	 * other side only if it waits (a wakeup takes proc_lock). */
	uint16_t readers_asleep, writers_asleep;
	uint8_t data[];
};

#define PIPE_SIZE (PAGE_SIZE - sizeof(struct pipe))
#define COPY_CHUNK 512 /* bytes moved per copy through the kernel stack */

static struct spinlock ftable_lock = SPINLOCK_INIT("ftable");
static struct file ftable[NFILE];
static const uint8_t *initrd;
static uint32_t initrd_len;

void initrd_set(const uint8_t *data, uint32_t size)
{
	initrd = data;
	initrd_len = size;
}

const uint8_t *initrd_data(void)
{
	return initrd;
}

uint32_t initrd_size(void)
{
	return initrd_len;
}

static struct file *file_alloc(enum file_type type, bool readable, bool writable)
{
	spin_lock(&ftable_lock);
	for (int i = 0; i < NFILE; i++) {
		struct file *f = &ftable[i];
		if (f->ref == 0) {
			memset(f, 0, sizeof(*f));
			f->ref = 1;
			f->type = type;
			f->readable = readable;
			f->writable = writable;
			spin_unlock(&ftable_lock);
			return f;
		}
	}
	spin_unlock(&ftable_lock);
	return NULL;
}

struct file *file_open_console(bool readable, bool writable)
{
	return file_alloc(F_CONSOLE, readable, writable);
}

/* A file or directory of the ext2 root. */
static struct file *open_vnode(struct vnode *cwd, const char *path, int flags, uint32_t mode,
			       int *err)
{
	int acc = flags & K_O_ACCMODE;
	struct vnode *vn;
	if ((*err = vfs_open(cwd, path, flags, mode, &vn)) != 0)
		return NULL;
	struct file *f = file_alloc(F_VNODE, acc != K_O_WRONLY, acc != K_O_RDONLY);
	if (f == NULL) {
		vnode_put(vn);
		*err = -ENFILE;
		return NULL;
	}
	f->vn = vn;
	f->append = flags & K_O_APPEND;
	return f;
}

/* A regular file of the initramfs root, read-only. */
static struct file *open_initrd(const char *path, bool wr, int *err)
{
	struct cpio_file cf;
	*err = cpio_find(initrd_data(), initrd_size(), path, &cf);
	if (*err)
		return NULL;
	if ((cf.mode & K_S_IFMT) == K_S_IFDIR) {
		*err = -EISDIR;
		return NULL;
	}
	if (wr) {
		*err = -EROFS;
		return NULL;
	}
	struct file *f = file_alloc(F_INITRD, true, false);
	if (f == NULL) {
		*err = -ENFILE;
		return NULL;
	}
	f->data = cf.data;
	f->size = cf.size;
	return f;
}

struct file *file_open(struct vnode *cwd, const char *path, int flags, uint32_t mode, int *err)
{
	int acc = flags & K_O_ACCMODE;
	if (acc != K_O_RDONLY && acc != K_O_WRONLY && acc != K_O_RDWR) {
		*err = -EINVAL;
		return NULL;
	}
	bool rd = acc != K_O_WRONLY, wr = acc != K_O_RDONLY;
	if (strcmp(path, "/dev/console") == 0) {
		struct file *f = file_open_console(rd, wr);
		*err = f ? 0 : -ENFILE;
		return f;
	}
	if (fs_mounted())
		return open_vnode(cwd, path, flags, mode, err);
	if (flags & (K_O_CREAT | K_O_TRUNC))
		wr = true; /* a change the read-only root refuses */
	return open_initrd(path, wr, err);
}

int file_pipe(struct file **rd, struct file **wr)
{
	paddr_t pa = frame_alloc(0);
	if (pa == 0)
		return -ENOMEM;
	struct pipe *p = pa2kva(pa);
	*p = (struct pipe){ .lock = SPINLOCK_INIT("pipe"), .readopen = true, .writeopen = true };
	*rd = file_alloc(F_PIPE, true, false);
	*wr = file_alloc(F_PIPE, false, true);
	if (*rd == NULL || *wr == NULL) {
		if (*rd)
			file_close(*rd);
		if (*wr)
			file_close(*wr);
		frame_free(pa);
		return -ENFILE;
	}
	(*rd)->pipe = (*wr)->pipe = p;
	return 0;
}

struct file *file_dup(struct file *f)
{
	spin_lock(&ftable_lock);
	f->ref++;
	spin_unlock(&ftable_lock);
	return f;
}

/* One end of a pipe closed: wake the other side; free it when both are. */
static void pipe_close(struct pipe *p, bool writer)
{
	spin_lock(&p->lock);
	if (writer) {
		p->writeopen = false;
		wakeup(&p->nread);
	} else {
		p->readopen = false;
		wakeup(&p->nwrite);
	}
	bool last = !p->readopen && !p->writeopen;
	spin_unlock(&p->lock);
	if (last)
		frame_free(kva2pa(p));
}

void file_close(struct file *f)
{
	spin_lock(&ftable_lock);
	if (f->ref == 0)
		panic("file: close of a closed file");
	if (--f->ref > 0) {
		spin_unlock(&ftable_lock);
		return;
	}
	struct file copy = *f;
	f->type = F_NONE;
	spin_unlock(&ftable_lock);
	if (copy.type == F_PIPE)
		pipe_close(copy.pipe, copy.writable);
	if (copy.type == F_VNODE)
		vnode_put(copy.vn);
}

/* Copy n bytes out of the ring at position pos (which may wrap); p->lock held. */
static void ring_get(const struct pipe *p, uint32_t pos, uint8_t *dst, uint32_t n)
{
	spin_assert_held(&p->lock);
	uint32_t at = pos % PIPE_SIZE, first = MIN(n, PIPE_SIZE - at);
	memcpy(dst, &p->data[at], first);
	memcpy(dst + first, &p->data[0], n - first);
}

/* Copy n bytes into the ring at position pos (which may wrap); p->lock held. */
static void ring_put(struct pipe *p, uint32_t pos, const uint8_t *src, uint32_t n)
{
	spin_assert_held(&p->lock);
	uint32_t at = pos % PIPE_SIZE, first = MIN(n, PIPE_SIZE - at);
	memcpy(&p->data[at], src, first);
	memcpy(&p->data[0], src + first, n - first);
}

/*
 * Pipes move data through a small buffer on the kernel stack and touch
 * user memory only with the pipe unlocked: a copy can fault on a page that
 * is out on swap and sleep on the disk, and nothing may sleep holding a
 * spinlock. A read returns at most COPY_CHUNK bytes, as a pipe may.
 */
static int pipe_read(struct pipe *p, uint32_t ubuf, uint32_t n)
{
	uint8_t buf[COPY_CHUNK];
	spin_lock(&p->lock);
	while (p->nread == p->nwrite && p->writeopen) {
		if (sleep_killed()) {
			spin_unlock(&p->lock);
			return -EINTR;
		}
		p->readers_asleep++;
		sleep(&p->nread, &p->lock);
		p->readers_asleep--;
	}
	uint32_t take = MIN(MIN(n, p->nwrite - p->nread), (uint32_t)sizeof(buf));
	ring_get(p, p->nread, buf, take);
	p->nread += take;
	bool writers = p->writers_asleep != 0;
	spin_unlock(&p->lock);
	if (writers)
		wakeup(&p->nwrite);
	if (copyout(ubuf, buf, take) != 0)
		return -EFAULT;
	return (int)take;
}

static int pipe_write(struct pipe *p, uint32_t ubuf, uint32_t n)
{
	uint8_t buf[COPY_CHUNK];
	uint32_t done = 0;
	while (done < n) {
		uint32_t chunk = MIN(n - done, (uint32_t)sizeof(buf));
		if (copyin(buf, ubuf + done, chunk) != 0)
			return done ? (int)done : -EFAULT;
		spin_lock(&p->lock);
		for (uint32_t put = 0; put < chunk;) {
			if (!p->readopen || sleep_killed()) {
				bool reader = p->readopen;
				spin_unlock(&p->lock);
				done += put;
				return done ? (int)done : (reader ? -EINTR : -EPIPE);
			}
			uint32_t room = PIPE_SIZE - (p->nwrite - p->nread);
			if (room == 0) {
				/* Lock order: a pipe's lock, then proc_lock. */
				if (p->readers_asleep)
					wakeup(&p->nread);
				p->writers_asleep++;
				sleep(&p->nwrite, &p->lock);
				p->writers_asleep--;
				continue;
			}
			uint32_t part = MIN(chunk - put, room);
			ring_put(p, p->nwrite, buf + put, part);
			p->nwrite += part;
			put += part;
		}
		bool readers = p->readers_asleep != 0;
		spin_unlock(&p->lock);
		if (readers)
			wakeup(&p->nread);
		done += chunk;
	}
	return (int)done;
}

static int console_file_read(uint32_t ubuf, uint32_t n)
{
	char buf[COPY_CHUNK];
	uint32_t got = console_readline(buf, MIN(n, (uint32_t)sizeof(buf)));
	if (copyout(ubuf, buf, got) != 0)
		return -EFAULT;
	return (int)got;
}

static int console_file_write(uint32_t ubuf, uint32_t n)
{
	char buf[COPY_CHUNK];
	uint32_t done = 0;
	while (done < n) {
		uint32_t chunk = MIN(n - done, (uint32_t)sizeof(buf));
		if (done && !syscall_pause())
			break;
		if (copyin(buf, ubuf + done, chunk) != 0)
			return done ? (int)done : -EFAULT;
		console_write(buf, chunk);
		done += chunk;
	}
	return (int)done;
}

int file_read(struct file *f, uint32_t ubuf, uint32_t n)
{
	if (!f->readable)
		return -EBADF;
	if (!vm_range_ok(mycpu()->vm, ubuf, n, VM_W))
		return -EFAULT;
	switch (f->type) {
	case F_CONSOLE:
		return console_file_read(ubuf, n);
	case F_PIPE:
		return pipe_read(f->pipe, ubuf, n);
	case F_INITRD: {
		uint32_t count = f->off < f->size ? MIN(n, f->size - f->off) : 0;
		if (copyout(ubuf, f->data + f->off, count) != 0)
			return -EFAULT;
		f->off += count;
		return (int)count;
	}
	case F_VNODE:
		return vfs_read(f->vn, &f->off, ubuf, n);
	default:
		return -EBADF;
	}
}

int file_write(struct file *f, uint32_t ubuf, uint32_t n)
{
	if (!f->writable)
		return -EBADF;
	if (!vm_range_ok(mycpu()->vm, ubuf, n, VM_R))
		return -EFAULT;
	switch (f->type) {
	case F_CONSOLE:
		return console_file_write(ubuf, n);
	case F_PIPE:
		return pipe_write(f->pipe, ubuf, n);
	case F_VNODE:
		return vfs_write(f->vn, &f->off, f->append, ubuf, n);
	default:
		return -EBADF;
	}
}

int file_seek(struct file *f, int32_t off, int whence)
{
	if (f->type != F_VNODE && f->type != F_INITRD)
		return -ESPIPE;
	int64_t base;
	if (whence == K_SEEK_SET)
		base = 0;
	else if (whence == K_SEEK_CUR)
		base = f->off;
	else if (whence == K_SEEK_END)
		base = f->type == F_VNODE ? vfs_size(f->vn) : f->size;
	else
		return -EINVAL;
	int64_t to = base + off;
	if (to < 0)
		return -EINVAL;
	if (to > INT32_MAX)
		return -EOVERFLOW;
	f->off = (uint32_t)to;
	return (int)to;
}

/* A k_stat for an initramfs entry or the console. */
static void stat_other(uint32_t dev, uint32_t mode, uint32_t size, struct k_stat *out)
{
	*out = (struct k_stat){ .dev = dev, .mode = mode, .nlink = 1, .size = size,
				.blocks = (size + 511) / 512, .blksize = PAGE_SIZE };
}

int file_stat(struct file *f, struct k_stat *out)
{
	switch (f->type) {
	case F_VNODE:
		return vfs_stat(f->vn, out);
	case F_INITRD:
		stat_other(2, K_S_IFREG | 0444, f->size, out);
		return 0;
	case F_CONSOLE:
		stat_other(3, K_S_IFCHR | 0666, 0, out);
		return 0;
	default:
		stat_other(0, 0, 0, out); /* a pipe: no file type this API names */
		return 0;
	}
}

int file_stat_path(struct vnode *cwd, const char *path, struct k_stat *out)
{
	if (strcmp(path, "/dev/console") == 0) {
		stat_other(3, K_S_IFCHR | 0666, 0, out);
		return 0;
	}
	if (fs_mounted()) {
		struct vnode *vn;
		int err = vfs_lookup(cwd, path, &vn);
		if (err == 0) {
			err = vfs_stat(vn, out);
			vnode_put(vn);
		}
		return err;
	}
	struct cpio_file cf;
	int err = cpio_find(initrd_data(), initrd_size(), path, &cf);
	if (err == 0)
		stat_other(2, cf.mode, cf.size, out);
	return err == -EINVAL ? -ENOENT : err;
}

uint32_t file_count_open(void)
{
	uint32_t n = 0;
	for (int i = 0; i < NFILE; i++)
		n += ftable[i].ref > 0;
	return n;
}
