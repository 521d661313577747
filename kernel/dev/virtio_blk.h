/*
 * The virtio block devices: disk 0 holds swap, disk 1 the file system.
 * Whole-sector reads and writes of kernel buffers. A caller in a process sleeps until its request is
 * done; a caller with no process (boot, self-tests) polls.
 */
#ifndef DEV_VIRTIO_BLK_H
#define DEV_VIRTIO_BLK_H

#include "lib/types.h"

#define VBLK_SECTOR_SIZE 512u /* the unit of sector numbers and lengths, always */
#define VBLK_SECTORS_PER_PAGE (PAGE_SIZE / VBLK_SECTOR_SIZE)

/* Completed requests since boot, for vmstat. */
struct vblk_stats {
	uint32_t reads;
	uint32_t writes;
	uint32_t errors; /* requests that ended in -EIO (counted in reads/writes too) */
};

struct dt_device;
struct vblk;

#define VBLK_MAX_DISKS 2
#define VBLK_SWAP 0 /* the first -device of the QEMU command line */
#define VBLK_FS 1   /* the second */

/* Find the block devices among the n virtio-mmio slots (from the device
 * tree), start them and route their interrupts. Prints a line a disk
 * (only failures when quiet). Returns 0, or -ENODEV when disk 0 is
 * missing or cannot be started. */
int vblk_init(const struct dt_device *slots, int n, bool quiet);

/* Disk n (VBLK_SWAP, VBLK_FS), or NULL when there is none. */
struct vblk *vblk_disk(unsigned int n);

/* The disk's size in 512-byte sectors; 0 for NULL. */
uint64_t vblk_capacity(const struct vblk *d);

/*
 * Read (write = false) or write len bytes at sector from or to buf, a
 * kernel address in RAM; len a non-zero multiple of 512. Returns 0, -EIO
 * when the device reports an error (a request past the end included),
 * -EINVAL for a bad length or buffer, -ENODEV without a disk. From a
 * process it sleeps, so the caller must hold no spinlock.
 */
int vblk_rw(struct vblk *d, uint64_t sector, void *buf, uint32_t len, bool write);

/* One buffer of a request that moves several. */
struct vblk_buf {
	void *addr;
	uint32_t len;
};
#define VBLK_MAX_BUFS 16u /* buffers in one request */

/* The same for n buffers (1..VBLK_MAX_BUFS), one after another on the disk
 * from sector, in one request: one descriptor each between the header and
 * the status byte (virtio 1.2, 5.2.6). -EINVAL also for a bad n. */
int vblk_rwv(struct vblk *d, uint64_t sector, const struct vblk_buf *bufs, uint32_t n, bool write);

/* A snapshot of the counters; zeroes for NULL. */
struct vblk_stats vblk_stats(struct vblk *d);

#endif
