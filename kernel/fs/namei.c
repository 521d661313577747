/*
 * Paths to inodes on the mounted ext2 file system: a walk one component at
 * a time from the root or a working directory, and the way back up (the
 * name of a directory in its parent) for getcwd. fs_lock held throughout.
 */
#include "fs/namei.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

/* The next component of *path (slashes skipped): its length, with *path
 * moved past it; 0 at the end. */
static uint32_t next_name(const char **path, const char **name)
{
	const char *p = *path;
	while (*p == '/')
		p++;
	*name = p;
	while (*p != '\0' && *p != '/')
		p++;
	*path = p;
	return (uint32_t)(p - *name);
}

/*
 * The name cache: (directory, name) -> inode for names found before, so a
 * warm walk of "/bin/true" costs three hash probes instead of three
 * directory scans, whatever the directories hold. Direct-mapped, short
 * names only (like Linux's inline dentry names). Only found names are
 * kept, so a new name cannot make an entry wrong; a name that goes away
 * or moves (unlink, rmdir, rename) empties the whole cache (namei_forget),
 * which is rare next to lookups. fs_lock guards it.
 */
#define NC_ENTRIES 128
#define NC_NAME_MAX 27 /* longer names are looked up on the disk each time */

struct nc_entry {
	uint32_t dir, ino; /* ino 0: empty */
	uint8_t len;
	char name[NC_NAME_MAX];
};

static struct nc_entry name_cache[NC_ENTRIES];

static struct nc_entry *nc_slot(uint32_t dir, const char *name, uint32_t len)
{
	uint32_t h = dir * 0x9E3779B1u;
	for (uint32_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 0x01000193u;
	return &name_cache[(h >> 16) % NC_ENTRIES];
}

void namei_forget(void)
{
	bulk_zero(name_cache, sizeof(name_cache));
}

/* name (len bytes) in directory dir, through the cache. */
static int lookup(uint32_t dir, const char *name, uint32_t len, uint32_t *ino)
{
	struct nc_entry *e = nc_slot(dir, name, len);
	if (e->ino && e->dir == dir && e->len == len && memcmp(e->name, name, len) == 0) {
		*ino = e->ino;
		return 0;
	}
	int err = ext2_lookup(&fs, dir, name, len, ino);
	if (err == 0 && len <= NC_NAME_MAX) {
		*e = (struct nc_entry){ .dir = dir, .ino = *ino, .len = (uint8_t)len };
		memcpy(e->name, name, len);
	}
	return err;
}

static uint32_t start_of(const struct vnode *cwd, const char *path)
{
	return path[0] == '/' || cwd == NULL ? EXT2_ROOT_INO : cwd->ino;
}

int namei(const struct vnode *cwd, const char *path, uint32_t *ino)
{
	if (path[0] == '\0')
		return -ENOENT;
	uint32_t at = start_of(cwd, path);
	const char *name;
	for (uint32_t len; (len = next_name(&path, &name)) != 0;) {
		if (len > EXT2_NAME_MAX)
			return -ENAMETOOLONG;
		int err = lookup(at, name, len, &at);
		if (err)
			return err;
	}
	*ino = at;
	return 0;
}

int namei_parent(const struct vnode *cwd, const char *path, uint32_t *dir, char *last)
{
	if (path[0] == '\0')
		return -ENOENT;
	uint32_t at = start_of(cwd, path);
	const char *name;
	uint32_t len = next_name(&path, &name);
	if (len == 0)
		return -EEXIST; /* the root itself: it has no parent to change */
	for (;;) {
		if (len > EXT2_NAME_MAX)
			return -ENAMETOOLONG;
		const char *next;
		uint32_t nlen = next_name(&path, &next);
		if (nlen == 0)
			break;
		int err = lookup(at, name, len, &at);
		if (err)
			return err;
		name = next;
		len = nlen;
	}
	memcpy(last, name, len);
	last[len] = '\0';
	*dir = at;
	struct ext2_inode ip;
	int err = ext2_iget(&fs, at, &ip);
	return err ? err : ext2_is_dir(&ip) ? 0 : -ENOTDIR;
}

/* The name of inode ino in directory dir, in name (EXT2_NAME_MAX + 1). */
static int name_in(uint32_t dir, uint32_t ino, char *name, uint32_t *len)
{
	struct ext2_dirent_out e;
	uint32_t pos = 0;
	int r;
	while ((r = ext2_readdir(&fs, dir, &pos, &e)) == 1) {
		if (e.ino == ino && strcmp(e.name, ".") != 0 && strcmp(e.name, "..") != 0) {
			memcpy(name, e.name, e.name_len);
			*len = e.name_len;
			return 0;
		}
	}
	return r < 0 ? r : -ENOENT;
}

int namei_path(uint32_t ino, char *buf, uint32_t size)
{
	char name[EXT2_NAME_MAX + 1];
	uint32_t at = size; /* the path is built backwards from buf[size] */
	if (size < 2)
		return -ERANGE;
	buf[--at] = '\0';
	while (ino != EXT2_ROOT_INO) {
		uint32_t parent, len;
		int err = ext2_lookup(&fs, ino, "..", 2, &parent);
		if (err == 0)
			err = name_in(parent, ino, name, &len);
		if (err)
			return err;
		if (len + 1 > at)
			return -ERANGE;
		at -= len;
		memcpy(buf + at, name, len);
		buf[--at] = '/';
		ino = parent;
	}
	if (at == size - 1)
		buf[--at] = '/';
	memmove(buf, buf + at, size - at);
	return (int)(size - at);
}
