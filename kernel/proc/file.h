/*
 * Open files: the console, pipe ends and read-only initramfs files, shared
 * by reference count between descriptors (dup, fork).
 */
#ifndef PROC_FILE_H
#define PROC_FILE_H

#include "lib/types.h"

#define NFILE 128 /* open files in the whole system */

struct pipe;

enum file_type { F_NONE, F_CONSOLE, F_PIPE, F_INITRD };

struct file {
	uint8_t type;
	bool readable, writable;
	uint16_t ref;
	struct pipe *pipe;   /* F_PIPE */
	const uint8_t *data; /* F_INITRD: the file's bytes */
	uint32_t size, off;
};

struct file *file_open_console(bool readable, bool writable);
/* Open path: "/dev/console" or a regular initramfs file; flags K_O_*.
 * Returns the file or NULL with *err set. */
struct file *file_open(const char *path, int flags, int *err);
int file_pipe(struct file **rd, struct file **wr);
struct file *file_dup(struct file *f);
void file_close(struct file *f);
/* Move n bytes between f and user memory at ubuf: bytes moved or -errno. */
int file_read(struct file *f, uint32_t ubuf, uint32_t n);
int file_write(struct file *f, uint32_t ubuf, uint32_t n);
/* Open files now (for the leak check). */
uint32_t file_count_open(void);

/* The initramfs the boot code chose (built in, or QEMU's -initrd): set
 * once before the first process; its bytes and size. */
void initrd_set(const uint8_t *data, uint32_t size);
const uint8_t *initrd_data(void);
uint32_t initrd_size(void);

#endif
