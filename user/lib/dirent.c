/*
 * opendir/readdir/closedir (<dirent.h>) on getdents. A DIR buffers one
 * getdents' worth of k_dirent records and walks them by their reclen; a
 * record that would run past what the kernel filled ends the listing with
 * EIO rather than be read out of bounds.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <kernel_calls.h>

#define DIR_BUF_SIZE  4096 /* many records; a longest one (263 bytes) fits */
#define K_DIRENT_HEAD offsetof(struct k_dirent, name)

struct dir {
	int fd;
	size_t pos; /* the next record in buf */
	size_t len; /* bytes of records in buf */
	struct dirent entry;
	_Alignas(uint32_t) char buf[DIR_BUF_SIZE];
};

DIR *fdopendir(int fd)
{
	struct stat st;
	DIR *d;

	if (fstat(fd, &st) < 0)
		return NULL;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return NULL;
	}
	d = malloc(sizeof(*d));
	if (d == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	d->fd = fd;
	d->pos = 0;
	d->len = 0;
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (d == NULL) {
		int err = errno;
		close(fd);
		errno = err;
	}
	return d;
}

/* Refill d's buffer if it is used up; true if a record is there. */
static bool refill(DIR *d)
{
	int n;

	if (d->pos < d->len)
		return true;
	n = getdents(d->fd, d->buf, sizeof(d->buf));
	if (n <= 0)
		return false;
	d->pos = 0;
	d->len = (size_t)n;
	return true;
}

/* Read the record at d->pos into *head and its name's length into
 * *namelen; false if it is cut short or its name has no NUL. */
static bool take_record(const DIR *d, struct k_dirent *head, size_t *namelen)
{
	size_t left = d->len - d->pos, room;

	if (left <= K_DIRENT_HEAD)
		return false;
	memcpy(head, d->buf + d->pos, K_DIRENT_HEAD);
	if (head->reclen <= K_DIRENT_HEAD || head->reclen > left)
		return false;
	room = head->reclen - K_DIRENT_HEAD;
	*namelen = strnlen(d->buf + d->pos + K_DIRENT_HEAD, room);
	return *namelen < room && *namelen <= K_NAME_MAX;
}

struct dirent *readdir(DIR *d)
{
	struct k_dirent head;
	size_t namelen;

	if (!refill(d))
		return NULL;
	if (!take_record(d, &head, &namelen)) {
		d->pos = d->len;
		errno = EIO;
		return NULL;
	}
	memcpy(d->entry.d_name, d->buf + d->pos + K_DIRENT_HEAD, namelen + 1);
	d->entry.d_ino = (ino_t)head.ino;
	d->entry.d_type = head.type;
	d->pos += head.reclen;
	return &d->entry;
}

void rewinddir(DIR *d)
{
	lseek(d->fd, 0, SEEK_SET);
	d->pos = 0;
	d->len = 0;
}

int closedir(DIR *d)
{
	int ret = close(d->fd);

	free(d);
	return ret;
}

int dirfd(DIR *d)
{
	return d->fd;
}
