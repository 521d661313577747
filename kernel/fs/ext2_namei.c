/*
 * Changing the ext2 name space (see ext2.h): create, mkdir, unlink and
 * rmdir (ext2_rename.c renames), on ext2_dir.c's entries and ext2_inode.c's
 * inodes. Link counts follow the usual rule: a file has one link per entry
 * naming it; a directory one for its entry, one for its own ".", and one
 * for the ".." of each subdirectory. Each call checks what it can before
 * its first write, and undoes a new inode when a later step fails.
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

bool ext2_is_dot_or_dotdot(const char *name, uint32_t len)
{
	return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* Check that dir (into *dip) can take the new entry name: -EEXIST if it
 * has one, -ENOENT if dir itself was removed. */
static int new_entry_check(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip,
			   const char *name, uint32_t len)
{
	struct ext2_dirloc loc;
	int err = ext2_name_check(name, len);

	if (err == 0)
		err = ext2_dir_get(fs, dir, dip);
	if (err != 0)
		return err;
	if (dip->i_links_count == 0)
		return -ENOENT;
	err = ext2_dir_find(fs, dip, name, len, &loc);
	if (err == 0)
		return -EEXIST;
	return err == -ENOENT ? 0 : err;
}

/* Give a new directory ino its first block, with "." and "..". */
static int dir_first_block(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint32_t parent)
{
	uint32_t blk;
	int err = ext2_bmap(fs, ino, ip, 0, true, &blk);

	if (err == 0)
		err = ext2_dir_init(fs, blk, ino, parent);
	if (err != 0)
		return err;
	ip->i_size = fs->block_size;
	return ext2_iput(fs, ino, ip);
}

/* Drop the new inode ino again after a later step failed with err. */
static int undo_new(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, int err)
{
	ip->i_links_count = 0;
	if (ext2_iput(fs, ino, ip) == 0)
		(void)ext2_free_inode(fs, ino);
	return err;
}

/* A new inode of mode, named name in dir. */
static int make_node(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len,
		     uint32_t mode, uint32_t *ino)
{
	bool is_dir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	struct ext2_inode dip, ip;
	int err = new_entry_check(fs, dir, &dip, name, len);

	if (err != 0)
		return err;
	if (is_dir && dip.i_links_count >= EXT2_LINK_MAX)
		return -EMLINK;
	err = ext2_inode_new(fs, dir, mode, ino, &ip);
	if (err != 0)
		return err;
	if (is_dir)
		err = dir_first_block(fs, *ino, &ip, dir);
	if (err == 0)
		err = ext2_dir_add(fs, dir, &dip, name, len, *ino, ext2_file_type(fs, mode));
	if (err != 0)
		return undo_new(fs, *ino, &ip, err);
	return is_dir ? ext2_link_add(fs, dir, 1) : 0;
}

int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len, uint32_t mode,
		uint32_t *ino)
{
	if ((mode & EXT2_S_IFMT) != 0 && (mode & EXT2_S_IFMT) != EXT2_S_IFREG)
		return -EINVAL;
	return make_node(fs, dir, name, len, EXT2_S_IFREG | (mode & EXT2_S_PERM), ino);
}

int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len, uint32_t mode,
	       uint32_t *ino)
{
	return make_node(fs, dir, name, len, EXT2_S_IFDIR | (mode & EXT2_S_PERM), ino);
}

int ext2_find_entry(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip, const char *name,
		    uint32_t len, struct ext2_dirloc *loc)
{
	int err = ext2_name_check(name, len);

	if (err == 0)
		err = ext2_dir_get(fs, dir, dip);
	if (err == 0)
		err = ext2_dir_find(fs, dip, name, len, loc);
	return err;
}

int ext2_drop_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip,
		   struct ext2_unlinked *gone)
{
	if (ip->i_links_count == 0)
		return ext2_corrupt(fs, "an entry names an inode with no links");
	ip->i_links_count--;
	ip->i_ctime = ext2_now(fs);
	gone->ino = ino;
	gone->last = ip->i_links_count == 0;
	return ext2_iput(fs, ino, ip);
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len,
		struct ext2_unlinked *gone)
{
	struct ext2_inode dip, ip;
	struct ext2_dirloc loc;
	int err = ext2_find_entry(fs, dir, &dip, name, len, &loc);

	gone->ino = 0;
	gone->last = false;
	if (err == 0)
		err = ext2_iget(fs, loc.ino, &ip);
	if (err != 0)
		return err;
	if (ext2_is_dir(&ip))
		return -EISDIR;
	if (ip.i_links_count == 0)
		return ext2_corrupt(fs, "an entry names an inode with no links");
	err = ext2_dir_remove(fs, dir, &dip, &loc);
	if (err != 0)
		return err;
	return ext2_drop_link(fs, loc.ino, &ip, gone);
}

int ext2_removable_dir(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip)
{
	int err = ext2_dir_get(fs, ino, ip);

	if (err != 0)
		return err;
	err = ext2_dir_empty(fs, ip);
	if (err < 0)
		return err;
	return err == 1 ? 0 : -ENOTEMPTY;
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len)
{
	struct ext2_inode dip, ip;
	struct ext2_dirloc loc;
	int err = ext2_find_entry(fs, dir, &dip, name, len, &loc);

	if (err == 0 && ext2_is_dot_or_dotdot(name, len))
		err = -EINVAL;
	if (err == 0)
		err = ext2_removable_dir(fs, loc.ino, &ip);
	if (err == 0)
		err = ext2_dir_remove(fs, dir, &dip, &loc);
	if (err == 0)
		err = ext2_link_add(fs, dir, -1); /* the ".." of the one removed */
	if (err != 0)
		return err;
	ip.i_links_count = 0;
	ip.i_ctime = ext2_now(fs);
	err = ext2_iput(fs, loc.ino, &ip);
	return err < 0 ? err : ext2_free_inode(fs, loc.ino);
}
