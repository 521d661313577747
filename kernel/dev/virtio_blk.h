/*
 * The virtio block device that holds swap: whole-sector reads and writes
 * of kernel buffers. A caller in a process sleeps until its request is
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

/* Find the first block device among the n virtio-mmio slots (from the
 * device tree), start it and route its interrupt. Prints one line either
 * way (only failures when quiet). Returns 0, or -ENODEV when there is none
 * or it cannot be started. */
int vblk_init(const struct dt_device *slots, int n, bool quiet);

/* The disk's size in 512-byte sectors; 0 without a disk. */
uint64_t vblk_capacity(void);

/*
 * Read (write = false) or write len bytes at sector from or to buf, a
 * kernel address in RAM; len a non-zero multiple of 512. Returns 0, -EIO
 * when the device reports an error (a request past the end included),
 * -EINVAL for a bad length or buffer, -ENODEV without a disk. From a
 * process it sleeps, so the caller must hold no spinlock.
 */
int vblk_rw(uint64_t sector, void *buf, uint32_t len, bool write);

/* A snapshot of the counters. */
struct vblk_stats vblk_stats(void);

#endif
