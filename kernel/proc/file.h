/*
 * Open files: the console, pipe ends, files and directories of the ext2
 * root (vnodes) and read-only initramfs files, shared by reference count
 * between descriptors (dup, fork), each with its own offset.
 */
#ifndef PROC_FILE_H
#define PROC_FILE_H

#include "lib/types.h"
#include "proc/uapi.h"

#define NFILE 128 /* open files in the whole system */

struct pipe;
struct vnode;

enum file_type { F_NONE, F_CONSOLE, F_PIPE, F_INITRD, F_VNODE };

struct file {
	uint8_t type;
	bool readable, writable;
	bool append;        /* K_O_APPEND: every write goes to the end */
	uint16_t ref;
	struct pipe *pipe;   /* F_PIPE */
	const uint8_t *data; /* F_INITRD: the file's bytes */
	struct vnode *vn;    /* F_VNODE: the file or directory, held */
	uint32_t size, off;  /* off: the offset; for a directory, getdents' position */
};

struct file *file_open_console(bool readable, bool writable);
/* Open path (relative to cwd, NULL: the root): "/dev/console", a file or
 * directory of the ext2 root, or an initramfs file when that is the root;
 * flags K_O_*, mode for K_O_CREAT. Returns the file or NULL with *err. */
struct file *file_open(struct vnode *cwd, const char *path, int flags, uint32_t mode, int *err);
int file_pipe(struct file **rd, struct file **wr);
struct file *file_dup(struct file *f);
void file_close(struct file *f);
/* Move n bytes between f and user memory at ubuf: bytes moved or -errno. */
/* Whether f is the console (a guest takes its input raw, riscv/hv.c). */
static inline bool file_is_console(const struct file *f)
{
	return f->type == F_CONSOLE;
}
int file_read(struct file *f, uint32_t ubuf, uint32_t n);
int file_write(struct file *f, uint32_t ubuf, uint32_t n);
/* lseek: the new offset, or -ESPIPE for a pipe or the console. */
int file_seek(struct file *f, int32_t off, int whence);
int file_stat(struct file *f, struct k_stat *out);
/* Stat of a path, whatever the root is. */
int file_stat_path(struct vnode *cwd, const char *path, struct k_stat *out);
/* Open files now (for the leak check). */
uint32_t file_count_open(void);

/* The initramfs the boot code chose (built in, or QEMU's -initrd): set
 * once before the first process; its bytes and size. */
void initrd_set(const uint8_t *data, uint32_t size);
const uint8_t *initrd_data(void);
uint32_t initrd_size(void);

#endif
