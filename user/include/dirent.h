/*
 * Directories (POSIX <dirent.h>), on the kernel's getdents: a DIR holds an
 * open directory and a buffer of the k_dirent records getdents returned,
 * which readdir hands out one at a time. picolibc's own <dirent.h> needs a
 * <sys/dirent.h> from the system; this one takes its place.
 */
#ifndef USER_DIRENT_H
#define USER_DIRENT_H

#include <sys/types.h>
#include <proc/uapi.h>

#define DT_UNKNOWN K_DT_UNKNOWN
#define DT_CHR	   K_DT_CHR
#define DT_DIR	   K_DT_DIR
#define DT_REG	   K_DT_REG

struct dirent {
	ino_t d_ino;		     /* the low 16 bits, as st_ino (<sys/stat.h>) */
	unsigned char d_type;	     /* DT_*, DT_UNKNOWN if the file system does not say */
	char d_name[K_NAME_MAX + 1]; /* NUL-terminated */
};

typedef struct dir DIR;

/* Open the directory path (or take the open directory fd, which closedir
 * then closes); NULL with errno on failure (ENOTDIR for another file). */
DIR *opendir(const char *path);
DIR *fdopendir(int fd);

/* The next entry, valid until the next call on d; NULL at the end (errno
 * unchanged) or on an error (errno set). "." and ".." come too. */
struct dirent *readdir(DIR *d);

/* Start again from the first entry. */
void rewinddir(DIR *d);

/* Close the directory and free d; 0, or -1 with errno. */
int closedir(DIR *d);

/* The descriptor d reads. */
int dirfd(DIR *d);

#endif
