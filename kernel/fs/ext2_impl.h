/*
 * What the ext2 files share and no other subsystem uses: the on-disk
 * layout of the superblock, group descriptors and directory entries (read
 * and written field by field, little-endian, in the blocks that get
 * returns), and the internal calls between the files. Layout names and
 * offsets follow the ext2 documentation ("The Second Extended File
 * System", Dave Poirier) and Linux's fs/ext2/ext2.h.
 */
#ifndef FS_EXT2_IMPL_H
#define FS_EXT2_IMPL_H

#include "fs/ext2.h"

/* Little-endian fields at byte off of p. */
static inline uint16_t le16_get(const uint8_t *p, uint32_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static inline uint32_t le32_get(const uint8_t *p, uint32_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}

static inline void le16_set(uint8_t *p, uint32_t off, uint32_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static inline void le32_set(uint8_t *p, uint32_t off, uint32_t v)
{
	le16_set(p, off, v & 0xFFFFu);
	le16_set(p, off + 2, v >> 16);
}

/* The superblock: 1024 bytes at byte 1024 of the disk, whatever the block size. */
#define SB_OFFSET	       1024u
#define SB_SIZE		       1024u
#define SB_INODES_COUNT	       0u
#define SB_BLOCKS_COUNT	       4u
#define SB_FREE_BLOCKS	       12u
#define SB_FREE_INODES	       16u
#define SB_FIRST_DATA_BLOCK    20u
#define SB_LOG_BLOCK_SIZE      24u /* block size = 1024 << this */
#define SB_BLOCKS_PER_GROUP    32u
#define SB_INODES_PER_GROUP    40u
#define SB_MTIME	       44u
#define SB_WTIME	       48u
#define SB_MNT_COUNT	       52u /* 16 bits */
#define SB_MAGIC	       56u /* 16 bits */
#define SB_STATE	       58u /* 16 bits */
#define SB_REV_LEVEL	       76u
#define SB_FIRST_INO	       84u
#define SB_INODE_SIZE	       88u /* 16 bits */
#define SB_FEATURE_COMPAT      92u
#define SB_FEATURE_INCOMPAT    96u
#define SB_FEATURE_RO_COMPAT   100u
#define SB_RESERVED_GDT_BLOCKS 206u /* 16 bits: room to grow the descriptors */

#define EXT2_MAGIC		0xEF53u
#define EXT2_DYNAMIC_REV	1u
#define EXT2_VALID_FS		0x0001u /* s_state: cleanly unmounted */
#define EXT2_ERROR_FS		0x0002u /* s_state: errors detected */
#define EXT2_MIN_BLOCK_LOG	10u	/* 1 KiB */
#define EXT2_MAX_BLOCK_LOG	12u /* 4 KiB: the page size, the most this kernel's cache maps */
#define EXT2_GOOD_OLD_ISIZE	128u
#define EXT2_GOOD_OLD_FIRST_INO 11u

#define EXT2_FEATURE_INCOMPAT_FILETYPE	    0x0002u
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER 0x0001u
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE   0x0002u
#define EXT2_INCOMPAT_SUPPORTED		    EXT2_FEATURE_INCOMPAT_FILETYPE
#define EXT2_RO_COMPAT_SUPPORTED                                                                   \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE)

/* A group descriptor: 32 bytes each, in the blocks after the superblock's. */
#define GD_SIZE		32u
#define GD_BLOCK_BITMAP 0u
#define GD_INODE_BITMAP 4u
#define GD_INODE_TABLE	8u
#define GD_FREE_BLOCKS	12u /* 16 bits, as are the next two */
#define GD_FREE_INODES	14u
#define GD_USED_DIRS	16u

/* A directory entry: inode, rec_len (to the next entry), name_len,
 * file_type (the high byte of name_len without the filetype feature), the
 * name, padded to 4 bytes. */
#define DE_INODE     0u
#define DE_REC_LEN   4u
#define DE_NAME_LEN  6u
#define DE_FILE_TYPE 7u
#define DE_NAME	     8u
#define DE_ALIGN     4u
#define DE_MIN_LEN   12u /* an entry with a one-byte name; nothing is shorter */

/* Bytes a directory entry with a name of len bytes needs. */
static inline uint32_t dirent_len(uint32_t len)
{
	return (DE_NAME + len + DE_ALIGN - 1) & ~(DE_ALIGN - 1);
}

/* The block map: i_block[0..11] are direct; 12, 13, 14 the roots of trees
 * of depth 1, 2 and 3 of indirect blocks holding 32-bit block numbers. */
#define EXT2_NDIR_BLOCKS 12u
#define EXT2_IND_BLOCK	 12u
#define EXT2_MAX_DEPTH	 3u
#define SECTOR_SIZE	 512u /* i_blocks' unit */
#define EXT2_ENTRY_SIZE	 4u   /* bytes of a block number in an indirect block */

/* Block numbers in one indirect block. */
static inline uint32_t ext2_per_block(const struct ext2_fs *fs)
{
	return fs->block_size / EXT2_ENTRY_SIZE;
}

/* ext2_super.c: blocks, the superblock, group descriptors, free counts. */

/* Record that the disk is corrupt (what, a short phrase) and return -EIO. */
int ext2_corrupt(struct ext2_fs *fs, const char *what);

uint32_t ext2_now(struct ext2_fs *fs);

/* Block blk, which must lie in the file system: 0 with *data until
 * ext2_bput; -EIO for an I/O error or a block past the end. */
int ext2_bget(struct ext2_fs *fs, uint32_t blk, uint8_t **data);
void ext2_bput(struct ext2_fs *fs, uint32_t blk, bool dirty);

/* The primary superblock's bytes, until ext2_sb_put. */
int ext2_sb_get(struct ext2_fs *fs, uint8_t **sb);
void ext2_sb_put(struct ext2_fs *fs, bool dirty);

/* True when blk may hold file data or an indirect block: inside the file
 * system and past the superblock. */
static inline bool ext2_data_block_ok(const struct ext2_fs *fs, uint32_t blk)
{
	return blk > fs->first_data_block && blk < fs->blocks_count;
}

struct ext2_group {
	uint32_t block_bitmap, inode_bitmap, inode_table;
	uint32_t free_blocks, free_inodes, used_dirs;
};

/* The first block of group g and how many blocks it has (the last group
 * may be short). */
uint32_t ext2_group_first(const struct ext2_fs *fs, uint32_t g);
uint32_t ext2_group_blocks(const struct ext2_fs *fs, uint32_t g);

/* Group descriptor g, checked: its bitmaps and inode table inside the
 * group, its counts within the group's size. -EIO otherwise. */
int ext2_group_read(struct ext2_fs *fs, uint32_t g, struct ext2_group *gd);

/* Add the deltas to group g's free blocks, free inodes and used
 * directories, and the first two to the superblock's totals. */
int ext2_group_count(struct ext2_fs *fs, uint32_t g, int dblocks, int dinodes, int ddirs);

/* ext2_alloc.c: the bitmaps. */

/* A free block, as near after goal as can be found; not zeroed. -ENOSPC. */
int ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk);
/* Give block blk back; -EIO if it was not in use. */
int ext2_bfree(struct ext2_fs *fs, uint32_t blk);
/* A free inode for a directory (dir) or another file under parent. -ENOSPC. */
int ext2_ialloc(struct ext2_fs *fs, uint32_t parent, bool dir, uint32_t *ino);
/* Clear inode ino's bitmap bit and count it free (and a directory fewer). */
int ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool dir);

/* ext2_inode.c */

/* A fresh inode of mode under parent, zeroed on disk and written, with
 * links and times set: *ino and *ip. */
int ext2_inode_new(struct ext2_fs *fs, uint32_t parent, uint32_t mode, uint32_t *ino,
		   struct ext2_inode *ip);
/* True when i_block[] is a block map (not a fast symlink's text or a device number). */
bool ext2_has_block_map(const struct ext2_fs *fs, const struct ext2_inode *ip);
/* Count one block more or fewer in ip's i_blocks. */
void ext2_iblocks_add(const struct ext2_fs *fs, struct ext2_inode *ip, int nblocks);
/* Allocate a block near goal and zero it. */
int ext2_zalloc(struct ext2_fs *fs, uint32_t goal, uint32_t *blk);
/* The block inode ino's allocations start near: its group's first. */
uint32_t ext2_inode_goal(const struct ext2_fs *fs, uint32_t ino);
/* Add delta to inode ino's link count and set its ctime. */
int ext2_link_add(struct ext2_fs *fs, uint32_t ino, int delta);

/* ext2_bmap.c */

/* The largest size inode *ip may have: what its block map reaches, and
 * what i_size holds (32 bits without large_file, and for all but regular
 * files). */
uint64_t ext2_max_size(const struct ext2_fs *fs, const struct ext2_inode *ip);
/* Set i_size (and i_size_high for a regular file); size <= ext2_max_size. */
void ext2_set_isize(struct ext2_inode *ip, uint64_t size);

/* Entry idx of indirect block blk, and the one before it (0 for the first). */
int ext2_entry_get(struct ext2_fs *fs, uint32_t blk, uint32_t idx, uint32_t *entry, uint32_t *prev);
int ext2_entry_set(struct ext2_fs *fs, uint32_t blk, uint32_t idx, uint32_t entry);

/* ext2_trunc.c: ext2_truncate for any inode with a block map, directories too. */
int ext2_trim(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip, uint64_t size);

/* ext2_dir.c: entries inside directory blocks. */

/* Where an entry is: the directory block (file block fblk, disk block blk),
 * its byte offset there, the offset of the entry before it in that block
 * (DE_NO_PREV for the first), and what it holds. */
#define DE_NO_PREV UINT32_MAX
struct ext2_dirloc {
	uint32_t fblk, blk, off, prev;
	uint32_t ino;
	uint8_t file_type;
};

int ext2_name_check(const char *name, uint32_t len);
/* Load directory dir into *dip: -ENOTDIR if it is not one. */
int ext2_dir_get(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip);
int ext2_dir_find(struct ext2_fs *fs, struct ext2_inode *dip, const char *name, uint32_t len,
		  struct ext2_dirloc *loc);
int ext2_dir_add(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip, const char *name,
		 uint32_t len, uint32_t ino, uint8_t file_type);
int ext2_dir_remove(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip,
		    const struct ext2_dirloc *loc);
/* Point the entry at loc to ino (file_type) instead. */
int ext2_dir_retarget(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip,
		      const struct ext2_dirloc *loc, uint32_t ino, uint8_t file_type);
/* 1 if directory *dip holds only "." and "..", 0 if more, or an error. */
int ext2_dir_empty(struct ext2_fs *fs, struct ext2_inode *dip);
/* Write the first block blk of a new directory: "." (self) and ".." (parent). */
int ext2_dir_init(struct ext2_fs *fs, uint32_t blk, uint32_t self, uint32_t parent);
/* The file_type byte for an inode of this mode. */
uint8_t ext2_file_type(const struct ext2_fs *fs, uint32_t mode);

/* ext2_namei.c: what ext2_rename.c shares with unlink and rmdir. */

bool ext2_is_dot_or_dotdot(const char *name, uint32_t len);
/* Find name in dir: its directory inode in *dip, the entry in *loc. */
int ext2_find_entry(struct ext2_fs *fs, uint32_t dir, struct ext2_inode *dip, const char *name,
		    uint32_t len, struct ext2_dirloc *loc);
/* Drop one link of inode ino (*ip), written back, and say so in *gone. */
int ext2_drop_link(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip,
		   struct ext2_unlinked *gone);
/* Check that directory ino (read into *ip) may go: -ENOTDIR, -ENOTEMPTY. */
int ext2_removable_dir(struct ext2_fs *fs, uint32_t ino, struct ext2_inode *ip);

#endif
