/*
 * virtio-blk driver (virtio 1.2, 5.2) on the virtio-mmio transport, for up
 * to two disks: swap, then the file system, in QEMU command-line order.
 * Every request is a chain of descriptors: header, one or more data
 * buffers, status byte.
 * Completions arrive by interrupt (or by polling when no process runs);
 * whoever sees one first finishes it, so a completion is never lost and
 * an interrupt with nothing to do is harmless.
 */
#include "dev/virtio_blk.h"
#include "dev/devtree.h"
#include "dev/plic.h"
#include "dev/virtio.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/spinlock.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "proc/sleep.h"
#include "riscv/kmap.h"

/* Request types and status values (virtio 1.2, 5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2
#define STATUS_PENDING 0xFF /* no device value: the device has not written the byte */

#define VBLK_CFG_CAPACITY 0 /* le64 config field, in 512-byte sectors (virtio 1.2, 5.2.4) */
#define DESCS_AROUND_DATA 2 /* header and status: a request takes these plus its buffers */
_Static_assert(VBLK_MAX_BUFS + DESCS_AROUND_DATA <= VIRTQ_SIZE, "a whole request fits the queue");
#define SLOT_MIN_SIZE (VIRTIO_MMIO_CONFIG + 8) /* registers plus the capacity field */
#define SECTORS_PER_MIB ((1024u * 1024u) / VBLK_SECTOR_SIZE)

/* The header the device reads first (virtio 1.2, 5.2.6). */
struct vblk_header {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

/* What a requester waits on; it lives on the requester's stack. */
struct vblk_wait {
	bool done;
	uint8_t status;
};

/* The device-visible part of the request whose chain starts at one head. */
struct vblk_slot {
	struct vblk_header hdr;
	volatile uint8_t status;
	struct vblk_wait *waiter; /* NULL while the head is not in flight */
};

/*
 * One disk. Its lock protects vq (free list, available ring, last_used),
 * slots[], stats and broken. The interrupt handler takes it, and a
 * spinlock is held with interrupts off, so the handler never spins
 * against the code it interrupted. Order: a disk's lock before proc_lock
 * (sleep, wakeup). dev, capacity and present are set once by vblk_init.
 */
struct vblk {
	struct virtq_ring ring; /* first: page-aligned, VA = PA, two contiguous pages */
	struct spinlock lock;
	struct vblk_slot slots[VIRTQ_SIZE];
	struct virtq vq;
	struct vblk_stats stats;
	bool broken; /* the device stopped (NEEDS_RESET): every request fails */
	bool present;
	struct virtio_dev dev;
	uint64_t capacity;
};

static struct vblk disks[VBLK_MAX_DISKS];

/* Hand the request whose chain starts at head back to its waiter;
 * d->lock held. */
static void finish(struct vblk *d, uint16_t head, uint8_t status)
{
	spin_assert_held(&d->lock);
	struct vblk_slot *s = &d->slots[head];
	s->waiter->status = status;
	s->waiter->done = true;
	wakeup(s->waiter);
	s->waiter = NULL;
	virtq_free_chain(&d->vq, head);
}

/* The device wants a reset and will not complete what it holds: fail all. */
static void fail_all(struct vblk *d)
{
	kprintf("virtio-blk: 0x%08x: device needs a reset; failing every request\n", d->dev.base);
	d->broken = true;
	for (uint16_t i = 0; i < VIRTQ_SIZE; i++)
		if (d->slots[i].waiter)
			finish(d, i, VIRTIO_BLK_S_IOERR);
}

/*
 * Acknowledge the interrupt status, then finish every request the device
 * has returned. Acknowledging first means a completion that lands after
 * the drain raises a new interrupt rather than being lost. d->lock held.
 */
static void reap(struct vblk *d)
{
	spin_assert_held(&d->lock);
	uint32_t isr = virtio_intr_ack(&d->dev);
	if (d->broken || ((isr & VIRTIO_INT_CONFIG_CHANGE) && virtio_needs_reset(&d->dev))) {
		if (!d->broken)
			fail_all(d);
		wakeup(&d->vq);
		return;
	}
	uint16_t head;
	uint32_t len;
	bool freed = false;
	while (virtq_pop_used(&d->vq, &head, &len)) {
		if (head >= VIRTQ_SIZE || d->slots[head].waiter == NULL) {
			kprintf("virtio-blk: 0x%08x: device returned descriptor %u, not in flight\n",
				d->dev.base, head);
			continue;
		}
		finish(d, head, d->slots[head].status);
		freed = true;
	}
	if (freed)
		wakeup(&d->vq);
}

/* PLIC handler, between claim and complete: reap acknowledges the device. */
static void vblk_intr(uint32_t irq)
{
	for (int i = 0; i < VBLK_MAX_DISKS; i++) {
		struct vblk *d = &disks[i];
		if (d->present && d->dev.irq == irq) {
			spin_lock(&d->lock);
			reap(d);
			spin_unlock(&d->lock);
		}
	}
}

/* Wait once for the device: sleep on chan in a process (the interrupt
 * handler wakes it), or, with no process to put to sleep, reap the used
 * ring and wait for an interrupt. Interrupts are off (d->lock is held),
 * but wfi still wakes when one is pending, and the disk's line stays
 * pending until claimed, so a completion that came first is not missed. */
static void wait_once(struct vblk *d, void *chan)
{
	if (sleep_possible()) {
		sleep(chan, &d->lock);
		return;
	}
	reap(d);
	idle_wait();
}

/* Point the chain at head at the request's header, its n buffers and
 * its status byte. */
static void fill_chain(struct vblk *disk, uint16_t head, uint64_t sector,
		       const struct vblk_buf *bufs, uint32_t n, bool write, struct vblk_wait *w)
{
	struct virtq_desc *d = disk->vq.ring->desc;
	struct vblk_slot *s = &disk->slots[head];

	s->hdr = (struct vblk_header){ write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 0, sector };
	s->status = STATUS_PENDING;
	s->waiter = w;
	d[head].addr = kva2pa(&s->hdr);
	d[head].len = sizeof(s->hdr);
	uint16_t i = head;
	for (uint32_t k = 0; k < n; k++) {
		i = d[i].next;
		d[i].addr = kva2pa(bufs[k].addr);
		d[i].len = bufs[k].len;
		if (!write)
			d[i].flags |= VIRTQ_DESC_F_WRITE;
	}
	uint16_t status = d[i].next;
	d[status].addr = kva2pa((const void *)&s->status);
	d[status].len = 1;
	d[status].flags |= VIRTQ_DESC_F_WRITE;
}

/* Whether [buf, buf + len) is whole sectors of RAM, where VA = PA. RAM is
 * one range, so checking both ends covers the middle. */
static bool buffer_ok(const void *buf, uint32_t len)
{
	if (buf == NULL || len == 0 || len % VBLK_SECTOR_SIZE != 0)
		return false;
	paddr_t pa = kva2pa(buf);
	return pa + (len - 1) > pa && frame_of(pa) != NULL && frame_of(pa + (len - 1)) != NULL;
}

static bool buffers_ok(const struct vblk_buf *bufs, uint32_t n)
{
	if (n == 0 || n > VBLK_MAX_BUFS)
		return false;
	for (uint32_t k = 0; k < n; k++)
		if (!buffer_ok(bufs[k].addr, bufs[k].len))
			return false;
	return true;
}

struct vblk *vblk_disk(unsigned int n)
{
	return n < VBLK_MAX_DISKS && disks[n].present ? &disks[n] : NULL;
}

int vblk_rw(struct vblk *d, uint64_t sector, void *buf, uint32_t len, bool write)
{
	struct vblk_buf b = { buf, len };
	return vblk_rwv(d, sector, &b, 1, write);
}

int vblk_rwv(struct vblk *d, uint64_t sector, const struct vblk_buf *bufs, uint32_t n, bool write)
{
	if (!buffers_ok(bufs, n))
		return -EINVAL;
	if (d == NULL)
		return -ENODEV;
	struct vblk_wait w = { .done = false, .status = STATUS_PENDING };
	uint16_t descs = (uint16_t)(n + DESCS_AROUND_DATA), head;
	int err = -EIO;

	spin_lock(&d->lock);
	while (!d->broken && d->vq.nfree < descs)
		wait_once(d, &d->vq);
	if (!d->broken && virtq_alloc_chain(&d->vq, descs, &head) == 0) {
		fill_chain(d, head, sector, bufs, n, write, &w);
		virtq_submit(&d->vq, head);
		virtio_notify(&d->dev);
		while (!w.done)
			wait_once(d, &w);
		if (!sleep_possible())
			reap(d); /* drop the status our polling left (PLATFORM.md pitfall 8) */
		err = w.status == VIRTIO_BLK_S_OK ? 0 : -EIO;
	}
	if (write)
		d->stats.writes++;
	else
		d->stats.reads++;
	if (err)
		d->stats.errors++;
	spin_unlock(&d->lock);
	return err;
}

uint64_t vblk_capacity(const struct vblk *d)
{
	return d ? d->capacity : 0;
}

struct vblk_stats vblk_stats(struct vblk *d)
{
	if (d == NULL)
		return (struct vblk_stats){ 0 };
	spin_lock(&d->lock);
	struct vblk_stats s = d->stats;
	spin_unlock(&d->lock);
	return s;
}

/* The block devices among the n virtio-mmio slots, highest address first:
 * each -device takes the highest free slot (PLATFORM.md 6.4), so this is
 * the order of the QEMU command line. At most max; returns how many. */
static int find_devices(const struct dt_device *slots, int n, struct virtio_dev *out, int max)
{
	int found = 0;
	for (uint32_t below = 0xFFFFFFFFu; found < max;) {
		const struct dt_device *next = NULL;
		for (int i = 0; i < n; i++)
			if (slots[i].size >= SLOT_MIN_SIZE && slots[i].base < below &&
			    (next == NULL || slots[i].base > next->base))
				next = &slots[i];
		if (next == NULL)
			break;
		below = next->base;
		volatile uint32_t *regs = kmap_map_mmio(next->base, next->size);
		if (virtio_probe(&out[found], regs, next->base, next->irq) == 0 &&
		    out[found].device_id == VIRTIO_ID_BLOCK)
			found++;
	}
	return found;
}

/* The driver initialisation sequence (virtio 1.2, 3.1.1). Returns NULL or
 * why the device cannot be used. */
static const char *start_device(struct vblk *d)
{
	d->lock = (struct spinlock)SPINLOCK_INIT("vblk");
	virtq_init(&d->vq, &d->ring);
	if (virtio_negotiate(&d->dev, 0) != 0)
		return "feature negotiation failed";
	if (virtio_queue_setup(&d->dev, &d->vq) != 0)
		return "queue 0 is missing, in use or too small";
	d->capacity = virtio_config_read64(&d->dev, VBLK_CFG_CAPACITY);
	if (d->dev.irq == 0)
		return "no interrupt line";
	virtio_driver_ok(&d->dev);
	/* Stale status would fire the moment the line is enabled (PLATFORM.md
	 * pitfall 8); a fresh device has none, but drop whatever is there. */
	virtio_intr_ack(&d->dev);
	if (plic_enable(d->dev.irq, vblk_intr) != 0)
		return "bad interrupt line";
	return NULL;
}

int vblk_init(const struct dt_device *slots, int n, bool quiet)
{
	struct virtio_dev found[VBLK_MAX_DISKS];
	int nfound = find_devices(slots, n, found, VBLK_MAX_DISKS);
	if (nfound == 0) {
		kprintf("virtio-blk: no block device in %d virtio-mmio slots\n", n);
		return -ENODEV;
	}
	for (int i = 0; i < nfound; i++) {
		struct vblk *d = &disks[i];
		d->dev = found[i];
		const char *why = start_device(d);
		if (why) {
			virtio_fail(&d->dev);
			kprintf("virtio-blk: 0x%08x: %s; no disk %d\n", d->dev.base, why, i);
			continue;
		}
		d->present = true;
		if (!quiet)
			kprintf("virtio-blk: disk %d at 0x%08x irq %u, %s, %llu sectors (%llu MiB)\n",
				i, d->dev.base, d->dev.irq,
				d->dev.version == VIRTIO_MMIO_MODERN ? "modern" : "legacy",
				d->capacity, d->capacity / SECTORS_PER_MIB);
	}
	return disks[0].present ? 0 : -ENODEV;
}
