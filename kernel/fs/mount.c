/*
 * The file-system disk: disk 1, ext2 with 4 KiB blocks, mounted as "/".
 * The ext2 library (fs/ext2.h) reaches its blocks through the page cache,
 * whose pages are the disk's 4 KiB blocks. fs_lock, a sleeping lock,
 * serialises every call into the library (it may wait for the disk); each
 * call first frees the inodes that lost their last link and reference.
 */
#include "fs/fs.h"
#include "dev/virtio_blk.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/frame.h"
#include "mm/pagecache.h"
#include "mm/phys.h"
#include "riscv/csr.h"
#include "riscv/timer.h"

/* Superblock fields the probe reads before the library mounts (they
 * decide whether to mount at all): byte offsets in the disk's first page. */
#define SB_OFFSET 1024u
#define SB_LOG_BLOCK_SIZE (SB_OFFSET + 24u)
#define SB_WTIME (SB_OFFSET + 48u)
#define SB_MAGIC (SB_OFFSET + 56u)
#define EXT2_MAGIC 0xEF53u
#define LOG_4K 2u /* block size 1024 << 2 */
/* Below this much RAM the initramfs stays the root: the page cache would
 * compete with the programs for the few frames there are. */
#define FS_MIN_RAM_MIB 16u
#define FRAMES_PER_MIB 256u

struct ext2_fs fs;
struct sleeplock fs_lock = SLEEPLOCK_INIT("fs");
static struct ext2_dev dev;
static bool mounted;
static uint32_t time_base; /* the disk's last write time: inode times count on from it */

bool fs_mounted(void)
{
	return mounted;
}

/* Block blk within its page of the cache. dev.block_size is 1 KiB while
 * ext2_mount reads the superblock and 4 KiB after (probe refuses others),
 * so a page holds a whole number of blocks and 32 bits do. */
static uint8_t *dev_get(void *ctx, uint32_t blk)
{
	(void)ctx;
	uint32_t per_page = PAGE_SIZE / dev.block_size;
	struct frame *f;
	if (pc_get(blk / per_page, false, &f) != 0)
		return NULL;
	return (uint8_t *)pc_bytes(f) + blk % per_page * dev.block_size;
}

static void dev_put(void *ctx, uint32_t blk, bool dirty)
{
	(void)ctx;
	pc_put_block(blk / (PAGE_SIZE / dev.block_size), dirty);
}

uint32_t fs_now(void)
{
	return time_base + (uint32_t)(read_time() / timer_timebase_hz());
}

static uint32_t dev_now(void *ctx)
{
	(void)ctx;
	return fs_now();
}

/* Why the kernel cannot mount disk d (read straight from the disk, so a
 * refused one is never cached, let alone written), or NULL. */
static const char *probe(struct vblk *d)
{
	paddr_t pa = frame_alloc(0);
	if (pa == 0)
		return "no memory to read its first page";
	const uint8_t *page = pa2kva(pa);
	const char *why = NULL;
	if (vblk_rw(d, 0, pa2kva(pa), PAGE_SIZE, false) != 0)
		why = "its first page cannot be read";
	else if ((get_le32(page, SB_MAGIC) & 0xFFFFu) != EXT2_MAGIC)
		why = "not ext2 (no magic 0xEF53)";
	else if (get_le32(page, SB_LOG_BLOCK_SIZE) != LOG_4K)
		why = "ext2 blocks are not 4096 bytes, as a page-cache page is (mke2fs -b 4096)";
	time_base = why ? 0 : get_le32(page, SB_WTIME);
	frame_free(pa);
	return why;
}

int fs_init(bool quiet)
{
	struct vblk *d = vblk_disk(VBLK_FS);
	if (d == NULL)
		return -ENODEV;
	if (frame_count_total() < FS_MIN_RAM_MIB * FRAMES_PER_MIB) {
		if (!quiet)
			kprintf("fs: disk 1 not mounted below %u MiB of RAM; the initramfs is the root\n",
				FS_MIN_RAM_MIB);
		return -ENOMEM;
	}
	const char *why = probe(d);
	int err = why ? -EINVAL : pc_init(d);
	if (err == 0) {
		dev = (struct ext2_dev){ .get = dev_get, .put = dev_put, .now = dev_now };
		err = ext2_mount(&fs, &dev, vblk_capacity(d) * VBLK_SECTOR_SIZE, &why);
	}
	if (err) {
		kprintf("fs: disk 1: %s; not mounted, the initramfs is the root\n",
			why ? why : "no memory for the page cache");
		return err;
	}
	if (why)
		kprintf("fs: warning: %s\n", why);
	mounted = true;
	struct ext2_statfs st;
	if (!quiet && ext2_statfs(&fs, &st) == 0)
		kprintf("fs: ext2 on disk 1 is /: %u blocks of 4 KiB (%u free), %u inodes (%u free)\n",
			st.blocks, st.free_blocks, st.inodes, st.free_inodes);
	return 0;
}

void fs_enter(void)
{
	sleeplock_acquire(&fs_lock);
	uint32_t ino;
	while ((ino = vnode_take_orphan()) != 0)
		if (ext2_free_inode(&fs, ino) != 0)
			kprintf("fs: inode %u could not be freed (e2fsck will)\n", ino);
}

void fs_leave(void)
{
	sleeplock_release(&fs_lock);
}

void fs_shutdown(void)
{
	if (!mounted)
		return;
	fs_enter();
	int err = pc_sync();
	if (err == 0)
		err = ext2_unmount(&fs);
	if (err == 0)
		err = pc_sync();
	fs_leave();
	if (err)
		kprintf("fs: write-back at poweroff failed (%d); run e2fsck\n", err);
}
