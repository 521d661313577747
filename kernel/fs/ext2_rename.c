/*
 * ext2 rename, with POSIX's rules (see ext2.h). It first finds and checks
 * everything (a plan), then links the new name, unlinks the old one, and
 * only then, for a directory that changes parents, points its ".." at the
 * new one and moves a link between them; a replaced target loses its link
 * last. Every directory inode is read afresh before it is changed, since
 * the old and new directories may be one.
 */
#include "fs/ext2_impl.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

/* What rename found before changing anything. */
struct rename_plan {
	uint32_t odir, ndir;
	struct ext2_dirloc src; /* the old entry */
	struct ext2_dirloc dst; /* the new one, if has_dst */
	bool has_dst;
	bool src_dir;	/* the inode moved is a directory */
	bool moves_dir; /* ... and changes parents */
	uint8_t src_type;
};

/* -EINVAL when directory dir is src or lies below it; walks ".." up to
 * the root, so a loop of directories on disk is -EIO. */
static int outside_of(struct ext2_fs *fs, uint32_t src, uint32_t dir)
{
	struct ext2_inode ip;
	struct ext2_dirloc up;

	for (uint32_t steps = 0;; steps++) {
		int err;

		if (dir == src)
			return -EINVAL;
		if (dir == EXT2_ROOT_INO)
			return 0;
		if (steps >= fs->inodes_count)
			return ext2_corrupt(fs, "a loop of directories");
		err = ext2_dir_get(fs, dir, &ip);
		if (err == 0)
			err = ext2_dir_find(fs, &ip, "..", 2, &up);
		if (err == -ENOTDIR || err == -ENOENT)
			return ext2_corrupt(fs, "a directory without a parent");
		if (err != 0)
			return err;
		dir = up.ino;
	}
}

/* The target's type against the source's: a directory replaces only an
 * empty directory, a file only a file. */
static int target_check(struct ext2_fs *fs, const struct rename_plan *rp)
{
	struct ext2_inode tip;
	int err = ext2_iget(fs, rp->dst.ino, &tip);

	if (err != 0)
		return err;
	if (!rp->src_dir)
		return ext2_is_dir(&tip) ? -EISDIR : 0;
	if (!ext2_is_dir(&tip))
		return -ENOTDIR;
	return ext2_removable_dir(fs, rp->dst.ino, &tip);
}

/* Find both entries: the old one must exist, the new one may (has_dst);
 * *ndip is the new directory, which must not have been removed. */
static int find_both(struct ext2_fs *fs, struct rename_plan *rp, const char *oname, uint32_t olen,
		     const char *nname, uint32_t nlen, struct ext2_inode *ndip)
{
	struct ext2_inode odip;
	int err = ext2_name_check(oname, olen);

	if (err == 0)
		err = ext2_name_check(nname, nlen);
	if (err == 0 && (ext2_is_dot_or_dotdot(oname, olen) || ext2_is_dot_or_dotdot(nname, nlen)))
		err = -EINVAL;
	if (err == 0)
		err = ext2_find_entry(fs, rp->odir, &odip, oname, olen, &rp->src);
	if (err != 0)
		return err;
	err = ext2_find_entry(fs, rp->ndir, ndip, nname, nlen, &rp->dst);
	rp->has_dst = err == 0;
	if (err == -ENOENT)
		err = ndip->i_links_count == 0 ? -ENOENT : 0;
	return err;
}

/* Find both names and check the move; 1 when both name the same inode
 * (nothing to do). */
static int plan(struct ext2_fs *fs, struct rename_plan *rp, const char *oname, uint32_t olen,
		const char *nname, uint32_t nlen)
{
	struct ext2_inode ndip, sip;
	int err = find_both(fs, rp, oname, olen, nname, nlen, &ndip);

	if (err == 0)
		err = ext2_iget(fs, rp->src.ino, &sip);
	if (err != 0)
		return err;
	if (rp->has_dst && rp->dst.ino == rp->src.ino)
		return 1;
	rp->src_dir = ext2_is_dir(&sip);
	rp->src_type = ext2_file_type(fs, sip.i_mode);
	rp->moves_dir = rp->src_dir && rp->odir != rp->ndir;
	if (rp->has_dst)
		err = target_check(fs, rp);
	if (err == 0 && rp->moves_dir)
		err = outside_of(fs, rp->src.ino, rp->ndir);
	if (err == 0 && rp->moves_dir && !rp->has_dst && ndip.i_links_count >= EXT2_LINK_MAX)
		err = -EMLINK;
	return err;
}

/* Make nname in ndir name the source: a new entry, or the target's. */
static int link_new(struct ext2_fs *fs, const struct rename_plan *rp, const char *nname,
		    uint32_t nlen)
{
	struct ext2_inode dip;
	int err = ext2_dir_get(fs, rp->ndir, &dip);

	if (err != 0)
		return err;
	if (rp->has_dst)
		return ext2_dir_retarget(fs, rp->ndir, &dip, &rp->dst, rp->src.ino, rp->src_type);
	return ext2_dir_add(fs, rp->ndir, &dip, nname, nlen, rp->src.ino, rp->src_type);
}

/* Remove oname from odir, found afresh: adding the new entry may have
 * split the old one's record. */
static int unlink_old(struct ext2_fs *fs, const struct rename_plan *rp, const char *oname,
		      uint32_t olen)
{
	struct ext2_inode dip;
	struct ext2_dirloc loc;
	int err = ext2_find_entry(fs, rp->odir, &dip, oname, olen, &loc);

	if (err == 0 && loc.ino != rp->src.ino)
		err = ext2_corrupt(fs, "rename: the old entry changed");
	if (err != 0)
		return err;
	return ext2_dir_remove(fs, rp->odir, &dip, &loc);
}

/* A directory moved to ndir: its ".." and a link move from odir to ndir. */
static int reparent(struct ext2_fs *fs, const struct rename_plan *rp)
{
	struct ext2_inode dip;
	struct ext2_dirloc up;
	int err = ext2_find_entry(fs, rp->src.ino, &dip, "..", 2, &up);

	if (err == 0)
		err = ext2_dir_retarget(fs, rp->src.ino, &dip, &up, rp->ndir,
					ext2_file_type(fs, EXT2_S_IFDIR));
	if (err == 0)
		err = ext2_link_add(fs, rp->odir, -1);
	if (err == 0)
		err = ext2_link_add(fs, rp->ndir, 1);
	return err;
}

/* The replaced target loses its name: a directory all its links, and
 * ndir the one its ".." gave it. */
static int drop_target(struct ext2_fs *fs, const struct rename_plan *rp, struct ext2_unlinked *gone)
{
	struct ext2_inode tip;
	int err = ext2_iget(fs, rp->dst.ino, &tip);

	if (err != 0)
		return err;
	if (!ext2_is_dir(&tip))
		return ext2_drop_link(fs, rp->dst.ino, &tip, gone);
	tip.i_links_count = 1; /* its "." goes with the entry */
	err = ext2_drop_link(fs, rp->dst.ino, &tip, gone);
	return err < 0 ? err : ext2_link_add(fs, rp->ndir, -1);
}

int ext2_rename(struct ext2_fs *fs, uint32_t odir, const char *oname, uint32_t olen, uint32_t ndir,
		const char *nname, uint32_t nlen, struct ext2_unlinked *gone)
{
	struct rename_plan rp = {.odir = odir, .ndir = ndir};
	int err = plan(fs, &rp, oname, olen, nname, nlen);

	gone->ino = 0;
	gone->last = false;
	if (err != 0)
		return err < 0 ? err : 0;
	err = link_new(fs, &rp, nname, nlen);
	if (err == 0)
		err = unlink_old(fs, &rp, oname, olen);
	if (err == 0 && rp.moves_dir)
		err = reparent(fs, &rp);
	if (err == 0 && rp.has_dst)
		err = drop_target(fs, &rp, gone);
	if (err == 0)
		err = ext2_link_add(fs, rp.src.ino, 0); /* its ctime */
	return err;
}
