/*
 * virtio-blk driver (virtio 1.2, 5.2) on the virtio-mmio transport. Every
 * request is a chain of three descriptors: header, data, status byte.
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
#define DESCS_PER_REQ 3
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
 * vblk_lock protects vq (free list, available ring, last_used), slots[],
 * stats and broken. The interrupt handler takes it, and a spinlock is
 * held with interrupts off, so the handler never spins against the code
 * it interrupted. Order: vblk_lock before proc_lock (sleep, wakeup).
 */
static struct spinlock vblk_lock = SPINLOCK_INIT("vblk");
static struct virtq_ring ring; /* in .bss: VA = PA, two contiguous pages */
static struct vblk_slot slots[VIRTQ_SIZE];
static struct virtq vq;
static struct vblk_stats stats;
static bool broken; /* the device stopped (NEEDS_RESET): every request fails */

/* Set once by vblk_init, read-only after. */
static struct virtio_dev dev;
static bool present;
static uint64_t capacity;

/* Hand the request whose chain starts at head back to its waiter;
 * vblk_lock held. */
static void finish(uint16_t head, uint8_t status)
{
	spin_assert_held(&vblk_lock);
	struct vblk_slot *s = &slots[head];
	s->waiter->status = status;
	s->waiter->done = true;
	wakeup(s->waiter);
	s->waiter = NULL;
	virtq_free_chain(&vq, head);
}

/* The device wants a reset and will not complete what it holds: fail all. */
static void fail_all(void)
{
	kprintf("virtio-blk: device needs a reset; failing every request\n");
	broken = true;
	for (uint16_t i = 0; i < VIRTQ_SIZE; i++)
		if (slots[i].waiter)
			finish(i, VIRTIO_BLK_S_IOERR);
}

/*
 * Acknowledge the interrupt status, then finish every request the device
 * has returned. Acknowledging first means a completion that lands after
 * the drain raises a new interrupt rather than being lost. vblk_lock held.
 */
static void reap(void)
{
	spin_assert_held(&vblk_lock);
	uint32_t isr = virtio_intr_ack(&dev);
	if (broken || ((isr & VIRTIO_INT_CONFIG_CHANGE) && virtio_needs_reset(&dev))) {
		if (!broken)
			fail_all();
		wakeup(&vq);
		return;
	}
	uint16_t head;
	uint32_t len;
	bool freed = false;
	while (virtq_pop_used(&vq, &head, &len)) {
		if (head >= VIRTQ_SIZE || slots[head].waiter == NULL) {
			kprintf("virtio-blk: device returned descriptor %u, not in flight\n", head);
			continue;
		}
		finish(head, slots[head].status);
		freed = true;
	}
	if (freed)
		wakeup(&vq);
}

/* PLIC handler, between claim and complete: reap acknowledges the device. */
static void vblk_intr(uint32_t irq)
{
	(void)irq;
	spin_lock(&vblk_lock);
	reap();
	spin_unlock(&vblk_lock);
}

/* Wait once for the device: sleep on chan in a process (the interrupt
 * handler wakes it), or, with no process to put to sleep, reap the used
 * ring and wait for an interrupt. Interrupts are off (vblk_lock is held),
 * but wfi still wakes when one is pending, and the disk's line stays
 * pending until claimed, so a completion that came first is not missed. */
static void wait_once(void *chan)
{
	if (sleep_possible()) {
		sleep(chan, &vblk_lock);
		return;
	}
	reap();
	idle_wait();
}

/* Point the chain at head at the request's header, data and status. */
static void fill_chain(uint16_t head, uint64_t sector, void *buf, uint32_t len, bool write,
		       struct vblk_wait *w)
{
	struct virtq_desc *d = vq.ring->desc;
	uint16_t data = d[head].next, status = d[data].next;
	struct vblk_slot *s = &slots[head];

	s->hdr = (struct vblk_header){ write ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN, 0, sector };
	s->status = STATUS_PENDING;
	s->waiter = w;
	d[head].addr = kva2pa(&s->hdr);
	d[head].len = sizeof(s->hdr);
	d[data].addr = kva2pa(buf);
	d[data].len = len;
	if (!write)
		d[data].flags |= VIRTQ_DESC_F_WRITE;
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

int vblk_rw(uint64_t sector, void *buf, uint32_t len, bool write)
{
	if (!buffer_ok(buf, len))
		return -EINVAL;
	if (!present)
		return -ENODEV;
	struct vblk_wait w = { .done = false, .status = STATUS_PENDING };
	uint16_t head;
	int err = -EIO;

	spin_lock(&vblk_lock);
	while (!broken && vq.nfree < DESCS_PER_REQ)
		wait_once(&vq);
	if (!broken && virtq_alloc_chain(&vq, DESCS_PER_REQ, &head) == 0) {
		fill_chain(head, sector, buf, len, write, &w);
		virtq_submit(&vq, head);
		virtio_notify(&dev);
		while (!w.done)
			wait_once(&w);
		if (!sleep_possible())
			reap(); /* drop the status our polling left (PLATFORM.md pitfall 8) */
		err = w.status == VIRTIO_BLK_S_OK ? 0 : -EIO;
	}
	if (write)
		stats.writes++;
	else
		stats.reads++;
	if (err)
		stats.errors++;
	spin_unlock(&vblk_lock);
	return err;
}

uint64_t vblk_capacity(void)
{
	return present ? capacity : 0;
}

struct vblk_stats vblk_stats(void)
{
	spin_lock(&vblk_lock);
	struct vblk_stats s = stats;
	spin_unlock(&vblk_lock);
	return s;
}

/* Map each virtio-mmio slot in tree order and stop at the first block device. */
static int find_device(const struct dt_device *slots, int n)
{
	for (int i = 0; i < n; i++) {
		const struct dt_device *slot = &slots[i];
		if (slot->size < SLOT_MIN_SIZE)
			continue;
		volatile uint32_t *regs = kmap_map_mmio(slot->base, slot->size);
		if (virtio_probe(&dev, regs, slot->base, slot->irq) == 0 &&
		    dev.device_id == VIRTIO_ID_BLOCK)
			return 0;
	}
	return -ENODEV;
}

/* The driver initialisation sequence (virtio 1.2, 3.1.1). Returns NULL or
 * why the device cannot be used. */
static const char *start_device(void)
{
	virtq_init(&vq, &ring);
	if (virtio_negotiate(&dev, 0) != 0)
		return "feature negotiation failed";
	if (virtio_queue_setup(&dev, &vq) != 0)
		return "queue 0 is missing, in use or too small";
	capacity = virtio_config_read64(&dev, VBLK_CFG_CAPACITY);
	if (dev.irq == 0)
		return "no interrupt line";
	virtio_driver_ok(&dev);
	return NULL;
}

int vblk_init(const struct dt_device *slots, int n, bool quiet)
{
	if (find_device(slots, n) != 0) {
		kprintf("virtio-blk: no block device in %d virtio-mmio slots\n", n);
		return -ENODEV;
	}
	const char *why = start_device();
	if (why == NULL) {
		/* Stale status would fire the moment the line is enabled
		 * (PLATFORM.md pitfall 8); a fresh device has none, but drop
		 * whatever is there. */
		virtio_intr_ack(&dev);
		if (plic_enable(dev.irq, vblk_intr) != 0)
			why = "bad interrupt line";
	}
	if (why) {
		virtio_fail(&dev);
		kprintf("virtio-blk: 0x%08x: %s; no disk\n", dev.base, why);
		return -ENODEV;
	}
	present = true;
	if (!quiet)
		kprintf("virtio-blk: 0x%08x irq %u, %s, %llu sectors (%llu MiB)\n", dev.base,
			dev.irq, dev.version == VIRTIO_MMIO_MODERN ? "modern" : "legacy", capacity,
			capacity / SECTORS_PER_MIB);
	return 0;
}
