/*
 * An ext2 (revision 1) file system, read-write, as a library: mount checks,
 * inodes, the block map, directories, allocation. It does no I/O itself;
 * it reaches the disk only through struct ext2_dev, one block at a time.
 * Not thread-safe: the caller holds one sleeping lock around every call.
 * Everything read from the disk is hostile: every block number, inode
 * number, directory record and group index is checked before use, and a
 * bad one is -EIO (and recorded in fs->error), never a wild read.
 */
#ifndef FS_EXT2_H
#define FS_EXT2_H

#include "lib/types.h"

/*
 * The disk, as the library sees it. Block blk is the block_size bytes at
 * byte blk * block_size. The library writes block_size itself: ext2_mount
 * sets it to 1024 to read the superblock (block 1 then), and to the file
 * system's block size before any other get; it changes it only while it
 * holds no block. The library holds at most one block at a time, so a
 * cache of a single buffer is enough, and every get has its put before the
 * call that made it returns.
 */
struct ext2_dev {
	void *ctx;
	uint32_t block_size; /* written by ext2_mount, read by get and put */
	/* The bytes of block blk, valid until the matching put; NULL on an I/O
	 * error. May sleep in the kernel. */
	uint8_t *(*get)(void *ctx, uint32_t blk);
	/* Done with block blk; dirty: its bytes were changed and must reach the disk. */
	void (*put)(void *ctx, uint32_t blk, bool dirty);
	/* Seconds since 1970, for inode and superblock times. */
	uint32_t (*now)(void *ctx);
};

#define EXT2_ROOT_INO 2u /* "/"; inode 1 lists the bad blocks */
#define EXT2_NAME_MAX 255u
#define EXT2_N_BLOCKS 15u /* i_block[]: 12 direct, then single, double, triple indirect */
#define EXT2_LINK_MAX 32000u
#define EXT2_WHY_LEN  80u

/* i_mode: the file type (the st_mode values) and permission bits. */
#define EXT2_S_IFMT   0xF000u
#define EXT2_S_IFSOCK 0xC000u
#define EXT2_S_IFLNK  0xA000u
#define EXT2_S_IFREG  0x8000u
#define EXT2_S_IFBLK  0x6000u
#define EXT2_S_IFDIR  0x4000u
#define EXT2_S_IFCHR  0x2000u
#define EXT2_S_IFIFO  0x1000u
#define EXT2_S_PERM   0x0FFFu /* rwx for user, group, other; setuid, setgid, sticky */

/* i_flags the library acts on. */
#define EXT2_INDEX_FL 0x00001000u /* hashed (htree) directory: cleared by any change */

/*
 * The first 128 bytes of an on-disk inode (the "good old" size; larger
 * inodes keep their extra bytes on disk untouched). Little-endian on disk,
 * as this little-endian CPU reads it. i_blocks counts 512-byte sectors of
 * data, indirect and attribute blocks, not file-system blocks.
 */
struct ext2_inode {
	uint16_t i_mode;
	uint16_t i_uid;
	uint32_t i_size; /* bytes; the low 32 bits for a regular file */
	uint32_t i_atime;
	uint32_t i_ctime;
	uint32_t i_mtime;
	uint32_t i_dtime; /* when it was freed; 0 while in use */
	uint16_t i_gid;
	uint16_t i_links_count;
	uint32_t i_blocks; /* 512-byte units */
	uint32_t i_flags;
	uint32_t i_version; /* osd1 */
	uint32_t i_block[EXT2_N_BLOCKS];
	uint32_t i_generation;
	uint32_t i_file_acl;  /* extended-attribute block, or 0 */
	uint32_t i_size_high; /* bits 32..63 of a regular file's size (i_dir_acl) */
	uint32_t i_faddr;
	uint8_t i_frag; /* osd2, as Linux's ext2 names it */
	uint8_t i_fsize;
	uint16_t i_pad1;
	uint16_t i_uid_high;
	uint16_t i_gid_high;
	uint32_t i_reserved2;
};

_Static_assert(sizeof(struct ext2_inode) == 128, "the good old inode is 128 bytes");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "struct ext2_inode is little-endian");

static inline bool ext2_is_dir(const struct ext2_inode *ip)
{
	return (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
}

static inline bool ext2_is_reg(const struct ext2_inode *ip)
{
	return (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFREG;
}

static inline bool ext2_is_symlink(const struct ext2_inode *ip)
{
	return (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK;
}

/* The size in bytes: 64 bits for a regular file (large_file), else 32. */
static inline uint64_t ext2_isize(const struct ext2_inode *ip)
{
	if (!ext2_is_reg(ip))
		return ip->i_size;
	return (uint64_t)ip->i_size_high << 32 | ip->i_size;
}

/* What a mount keeps: a copy of the superblock fields the library needs.
 * The superblock and group descriptors themselves stay on disk. */
#define EXT2_ITABLES_KEPT 16 /* groups whose inode table struct ext2_fs keeps */

struct ext2_fs {
	struct ext2_dev *dev;
	uint32_t block_size;
	uint32_t blocks_count;
	uint32_t inodes_count;
	uint32_t first_data_block; /* the superblock's block: 1 for 1 KiB blocks, else 0 */
	uint32_t blocks_per_group;
	uint32_t inodes_per_group;
	uint32_t inode_size;
	uint32_t first_ino; /* the first inode not reserved */
	uint32_t groups;
	uint32_t itable_blocks; /* inode-table blocks per group */
	/* Where the first groups' inode tables start, read at mount (they never
	 * move): an inode look needs no group descriptor there. */
	uint32_t itable[EXT2_ITABLES_KEPT];
	uint32_t meta_end;	/* the first block after group 0's superblock and descriptors */
	uint32_t sb_block;	/* the primary superblock: byte sb_off of block sb_block */
	uint32_t sb_off;
	uint32_t feature_compat;
	uint32_t feature_incompat;
	uint32_t feature_ro_compat;
	uint16_t mount_state;	  /* s_state as found at mount */
	uint32_t next_generation; /* i_generation of the next new inode */
	const char *error;	  /* the first corruption met since mount, or NULL */
	char why[EXT2_WHY_LEN];	  /* ext2_mount's reason, when it had to be formatted */
};

/* One directory entry, as ext2_readdir hands it out. */
struct ext2_dirent_out {
	uint32_t ino;
	uint8_t file_type; /* EXT2_FT_*; EXT2_FT_UNKNOWN without the filetype feature */
	uint8_t name_len;
	char name[EXT2_NAME_MAX + 1]; /* NUL-terminated, no '/' inside */
};

/* The file_type byte of a directory entry. */
#define EXT2_FT_UNKNOWN 0u
#define EXT2_FT_REG	1u
#define EXT2_FT_DIR	2u
#define EXT2_FT_CHRDEV	3u
#define EXT2_FT_BLKDEV	4u
#define EXT2_FT_FIFO	5u
#define EXT2_FT_SOCK	6u
#define EXT2_FT_SYMLINK 7u

/* An inode that unlink or rename took a name from: ino 0 if none; last when
 * its link count reached 0, so the caller frees it (ext2_free_inode) once
 * no one has it open or mapped. */
struct ext2_unlinked {
	uint32_t ino;
	bool last;
};

struct ext2_statfs {
	uint32_t block_size;
	uint32_t blocks, free_blocks;
	uint32_t inodes, free_inodes;
};

/*
 * Check the file system on dev (dev_bytes long) and mount it read-write.
 * Refused (nothing written): not ext2 (magic), a revision other than 1, a
 * block size other than 1, 2 or 4 KiB, counts that disagree with each
 * other or with dev_bytes, a bad inode size or group descriptor, a root
 * that is not a directory, an incompat feature other than filetype, a ro_compat feature other than
 * sparse_super and large_file. Then -EINVAL (-EIO for an I/O error) and
 * *why is a short reason ("not ext2: no magic"). On success it clears
 * VALID_FS in s_state, counts the mount and sets s_mtime; *why is NULL, or
 * a warning to print: the file system was not cleanly unmounted, or has
 * errors recorded (it is mounted all the same). why may be NULL.
 */
int ext2_mount(struct ext2_fs *fs, struct ext2_dev *dev, uint64_t dev_bytes, const char **why);

/* Write back s_state as it was at mount (VALID_FS again after a clean one),
 * with ERROR_FS added if the library met corruption (fs->error), and the
 * write time. The kernel calls it at poweroff, after writing all back. */
int ext2_unmount(struct ext2_fs *fs);

/* The superblock's totals and free counts. */
int ext2_statfs(struct ext2_fs *fs, struct ext2_statfs *out);

/* Read or write the first 128 bytes of inode ino; -EINVAL for ino 0 or past
 * s_inodes_count. */
int ext2_iget(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *out);
int ext2_iput(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *in);

/*
 * The disk block of file block fblock of inode ino (*ip, as iget read it),
 * through the direct, indirect, double and triple indirect blocks: *blk is
 * 0 for a hole unless alloc, which allocates the missing data and indirect
 * blocks (zeroed, through get and put) near the inode, updates i_blocks
 * and writes the inode. -EFBIG past the largest file block, -ENOSPC, -EIO;
 * -EINVAL for an inode without a block map (a device, a fast symlink).
 * The kernel's page cache reads and writes regular-file data itself, at
 * the blocks this returns. A new data block is zeroed through get/put
 * like the indirect ones; a cache of file pages kept apart from the
 * disk's blocks must see that dirty block written or dropped before it
 * writes its page there, or the zeroes may land after the data.
 */
int ext2_bmap(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint32_t fblock, bool alloc,
	      uint32_t *blk);

/*
 * Set the size to size: free every data block past it and every indirect
 * block left with no entries, update i_blocks, ctime and mtime, and write
 * the inode. Growing only sets the size (a hole). The bytes of a partial
 * last block are left as they are: the page cache zeroes them.
 */
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t size);

/*
 * Copy bytes [off, off + n) of the file out of or into buf, through
 * ext2_bmap and get/put: the number of bytes copied (read stops at the end
 * of the file; holes read as zeroes), or a negative errno if none was.
 * Write allocates blocks, grows the size, sets mtime and writes the inode.
 * n is at most EXT2_IO_MAX. The kernel uses these for directories and
 * symlinks only (and the host tests for everything); regular-file data
 * goes through its page cache and ext2_bmap.
 */
#define EXT2_IO_MAX 0x40000000u
int ext2_read(struct ext2_fs *fs, uint32_t ino, const struct ext2_inode *ip, uint64_t off,
	      void *buf, uint32_t n);
int ext2_write(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t off,
	       const void *buf, uint32_t n);

/*
 * Names are len bytes (not NUL-terminated), 1 to 255 of them
 * (-ENAMETOOLONG beyond, -EINVAL for none), with no '/' or NUL (-EINVAL):
 * the caller splits paths. Every call on a directory ino that is not one
 * is -ENOTDIR.
 */

/* The inode that name in directory dir refers to; -ENOENT. */
int ext2_lookup(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len, uint32_t *ino);

/* The first entry in use at or after byte *pos of directory dir, and *pos
 * moved past it: 1 for an entry, 0 at the end, or a negative errno. Start
 * at *pos = 0; "." and ".." are entries too. */
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint32_t *pos, struct ext2_dirent_out *out);

/* A new regular file (mode: its permission bits; a type other than
 * EXT2_S_IFREG is -EINVAL) named name in dir, with one link: *ino. -EEXIST. */
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len, uint32_t mode,
		uint32_t *ino);

/* A new directory with "." and "..": *ino. The parent gains a link (-EMLINK
 * at EXT2_LINK_MAX). -EEXIST. */
int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len, uint32_t mode,
	       uint32_t *ino);

/* Remove name (not a directory: -EISDIR) from dir and drop a link of its
 * inode, which is not freed: *gone says which and whether it was the last. */
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len,
		struct ext2_unlinked *gone);

/* Remove the empty directory name from dir and free it (-ENOTEMPTY,
 * -ENOTDIR; -EINVAL for "." and ".."). */
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t len);

/*
 * Move oname in odir to nname in ndir, as POSIX rename: an existing file
 * there is replaced (it loses that link: *gone), a directory only replaces
 * an empty directory (-ENOTEMPTY; -EISDIR and -ENOTDIR for the mixed
 * cases), a directory moved elsewhere has its ".." and both parents' link
 * counts updated; moving a directory into its own subtree, or "." or "..",
 * is -EINVAL. Renaming a name onto another link of the same inode does
 * nothing.
 */
int ext2_rename(struct ext2_fs *fs, uint32_t odir, const char *oname, uint32_t olen, uint32_t ndir,
		const char *nname, uint32_t nlen, struct ext2_unlinked *gone);

/* Free inode ino, which has no links left (-EINVAL otherwise): its blocks
 * and attribute block, then its bitmap bit, with i_dtime set. */
int ext2_free_inode(struct ext2_fs *fs, uint32_t ino);

#endif
