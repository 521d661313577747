/*
 * File-system stubs: open, seek, stat, truncate, sync and the calls on
 * names (unlink, rename, mkdir, rmdir, chdir, getcwd), one ecall each
 * (ecall.h). Paths go to the kernel as given; it resolves relative ones
 * against the caller's working directory. stat and fstat convert the
 * kernel's struct k_stat into picolibc's struct stat.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <kernel_calls.h>

#include "ecall.h"

/* The constants a program passes through must mean the same on both sides. */
_Static_assert(O_RDONLY == K_O_RDONLY && O_WRONLY == K_O_WRONLY && O_RDWR == K_O_RDWR &&
		   O_ACCMODE == K_O_ACCMODE,
	       "open access modes differ from uapi.h");
_Static_assert(O_CREAT == K_O_CREAT && O_TRUNC == K_O_TRUNC && O_APPEND == K_O_APPEND &&
		   O_EXCL == K_O_EXCL && O_DIRECTORY == K_O_DIRECTORY,
	       "open flags differ from uapi.h");
_Static_assert(SEEK_SET == K_SEEK_SET && SEEK_CUR == K_SEEK_CUR && SEEK_END == K_SEEK_END,
	       "lseek whence values differ from uapi.h");
_Static_assert(S_IFMT == K_S_IFMT && S_IFDIR == K_S_IFDIR && S_IFCHR == K_S_IFCHR &&
		   S_IFREG == K_S_IFREG,
	       "file types differ from uapi.h");

/* Open path; with O_CREAT the third argument is the new file's mode. */
int open(const char *path, int flags, ...)
{
	unsigned int mode = 0;

	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, unsigned int);
		va_end(ap);
	}
	return (int)check(sys3(SYS_open, (long)path, flags, (long)mode));
}

off_t lseek(int fd, off_t offset, int whence)
{
	return (off_t)check(sys3(SYS_lseek, fd, (long)offset, whence));
}

/* Fill *st from the kernel's record. Owners and rdev do not exist here (0);
 * st_ino and st_nlink keep the low 16 bits, all picolibc's types hold. */
static void from_k_stat(const struct k_stat *k, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = (dev_t)k->dev;
	st->st_ino = (ino_t)k->ino;
	st->st_mode = (mode_t)k->mode;
	st->st_nlink = (nlink_t)k->nlink;
	st->st_size = (off_t)k->size;
	st->st_blocks = (blkcnt_t)k->blocks;
	st->st_blksize = (blksize_t)k->blksize;
	st->st_atim.tv_sec = (time_t)k->atime;
	st->st_mtim.tv_sec = (time_t)k->mtime;
	st->st_ctim.tv_sec = (time_t)k->ctime;
}

/* Convert what the kernel filled: 0, or -1 with EOVERFLOW for a size off_t
 * cannot hold (POSIX). */
static int stat_result(long ret, const struct k_stat *k, struct stat *st)
{
	if (check(ret) < 0)
		return -1;
	if (k->size > INT32_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	from_k_stat(k, st);
	return 0;
}

int fstat(int fd, struct stat *st)
{
	struct k_stat k;

	return stat_result(sys2(SYS_fstat, fd, (long)&k), &k, st);
}

int stat(const char *restrict path, struct stat *restrict st)
{
	struct k_stat k;

	return stat_result(sys2(SYS_stat, (long)path, (long)&k), &k, st);
}

int ftruncate(int fd, off_t length)
{
	if (length < 0) {
		errno = EINVAL;
		return -1;
	}
	return (int)check(sys2(SYS_ftruncate, fd, (long)length));
}

int fsync(int fd)
{
	return (int)check(sys1(SYS_fsync, fd));
}

/* Every dirty page to the disk; POSIX gives sync no way to fail. */
void sync(void)
{
	sys0(SYS_sync);
}

int unlink(const char *path)
{
	return (int)check(sys1(SYS_unlink, (long)path));
}

int rename(const char *from, const char *to)
{
	return (int)check(sys2(SYS_rename, (long)from, (long)to));
}

int mkdir(const char *path, mode_t mode)
{
	return (int)check(sys2(SYS_mkdir, (long)path, (long)mode));
}

int rmdir(const char *path)
{
	return (int)check(sys1(SYS_rmdir, (long)path));
}

int chdir(const char *path)
{
	return (int)check(sys1(SYS_chdir, (long)path));
}

/* The working directory into buf (size bytes with the NUL), or ERANGE if
 * it does not fit. With buf NULL, into a malloc'd buffer of size bytes
 * (K_PATH_MAX for 0), as on Linux; the caller frees it. */
char *getcwd(char *buf, size_t size)
{
	char *mine = NULL;

	if (buf == NULL) {
		size = size ? size : K_PATH_MAX;
		buf = mine = malloc(size);
		if (buf == NULL) {
			errno = ENOMEM;
			return NULL;
		}
	} else if (size == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (check(sys2(SYS_getcwd, (long)buf, (long)size)) < 0) {
		free(mine);
		return NULL;
	}
	return buf;
}

int getdents(int fd, void *buf, size_t size)
{
	return (int)check(sys3(SYS_getdents, fd, (long)buf, (long)size));
}
