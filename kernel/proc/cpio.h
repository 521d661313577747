/*
 * A reader for the initramfs: a cpio "newc" archive (GNU cpio -o -H newc, as
 * QEMU's -initrd hands it over), read in place. Each entry is a 110-byte
 * ASCII header, the NUL-terminated name padded so header and name end on a
 * 4-byte boundary, then the file data padded to 4; "TRAILER!!!" ends it.
 * The archive is hostile input: no read ever leaves [archive, archive + size).
 */
#ifndef PROC_CPIO_H
#define PROC_CPIO_H

#include "lib/types.h"
#include "proc/uapi.h"

#define CPIO_NEWC_MAGIC	 "070701"
#define CPIO_MAGIC_LEN	 6
#define CPIO_TRAILER	 "TRAILER!!!"
#define CPIO_HEADER_SIZE 110
#define CPIO_FIELD_LEN	 8 /* every field after the magic: 8 hex digits */
#define CPIO_ALIGN	 4 /* names and data are padded to this */

/* Byte offsets of the header fields. */
#define CPIO_H_MAGIC	 0
#define CPIO_H_INO	 6
#define CPIO_H_MODE	 14
#define CPIO_H_UID	 22
#define CPIO_H_GID	 30
#define CPIO_H_NLINK	 38
#define CPIO_H_MTIME	 46
#define CPIO_H_FILESIZE	 54
#define CPIO_H_DEVMAJOR	 62
#define CPIO_H_DEVMINOR	 70
#define CPIO_H_RDEVMAJOR 78
#define CPIO_H_RDEVMINOR 86
#define CPIO_H_NAMESIZE	 94 /* name length including its NUL */
#define CPIO_H_CHECK	 102

/* File types in c_mode: the st_mode bits of proc/uapi.h (K_S_IFMT...),
 * prefixed to keep clear of the host's <sys/stat.h> in the unit tests. */
#define K_S_IFLNK 0120000

struct cpio_file {
	const void *data; /* the file's bytes, inside the archive */
	uint32_t size;	  /* c_filesize */
	uint32_t mode;	  /* c_mode: K_S_IFMT type bits and permissions */
	const char *name; /* NUL-terminated, inside the archive, without leading "/" or "./" */
	const char *why;  /* after -EINVAL: what is wrong with the archive; else NULL */
};

/*
 * Find path ("/bin/init", "bin/init" or "./bin/init": leading "/" and "./"
 * are ignored on both sides) and describe it in *out. Returns 0, -ENOENT,
 * or -EINVAL when the archive is malformed before the entry or the trailer
 * is reached (out->why says how).
 */
int cpio_find(const void *archive, uint32_t size, const char *path, struct cpio_file *out);

/*
 * Describe the index-th entry (from 0) in *out, counting neither the root
 * "." nor the trailer. Returns 0, -ENOENT past the last entry, or -EINVAL
 * for a malformed archive (out->why says how).
 */
int cpio_entry(const void *archive, uint32_t size, uint32_t index, struct cpio_file *out);

#endif
