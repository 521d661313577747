/*
 * virtio-mmio transport and split virtqueue (virtio 1.2, 2.7 and 4.2).
 * Both register sets are driven: legacy (version 1, QEMU's default) places
 * the queue with GuestPageSize and QueuePFN, modern (version 2) with three
 * 64-bit addresses. Invariant: a descriptor is on the free list or in
 * exactly one chain that the device may be reading, never both.
 */
#include "dev/virtio.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/phys.h"

#define RESET_POLLS 1000 /* reads of Status before a reset counts as stuck */

_Static_assert(__builtin_offsetof(struct virtq_ring, used) == VIRTQ_ALIGN,
	       "legacy layout: the used ring starts at the first QueueAlign boundary");
_Static_assert(sizeof(struct virtq_ring) == 2 * PAGE_SIZE, "the ring takes two pages");

static uint32_t rd(struct virtio_dev *d, uint32_t off)
{
	return d->regs[off / 4];
}

static void wr(struct virtio_dev *d, uint32_t off, uint32_t val)
{
	d->regs[off / 4] = val;
}

/* The fence the spec asks for between ring writes and the index or the
 * notification that publishes them (virtio 1.2, 2.7.13.3 and 2.7.13.4). */
static inline void mb(void)
{
	__sync_synchronize();
}

int virtio_probe(struct virtio_dev *d, volatile uint32_t *regs, paddr_t base, uint32_t irq)
{
	memset(d, 0, sizeof(*d));
	d->regs = regs;
	d->base = base;
	d->irq = irq;
	if (rd(d, VIRTIO_MMIO_MAGIC_VALUE) != VIRTIO_MMIO_MAGIC)
		return -ENODEV;
	d->version = rd(d, VIRTIO_MMIO_VERSION);
	if (d->version != VIRTIO_MMIO_LEGACY && d->version != VIRTIO_MMIO_MODERN)
		return -ENODEV;
	d->device_id = rd(d, VIRTIO_MMIO_DEVICE_ID);
	return 0;
}

static void set_status(struct virtio_dev *d, uint32_t bits)
{
	wr(d, VIRTIO_MMIO_STATUS, rd(d, VIRTIO_MMIO_STATUS) | bits);
}

/* Writing 0 resets; the reset is done once Status reads 0 (virtio 1.2, 2.4.2). */
static int reset(struct virtio_dev *d)
{
	wr(d, VIRTIO_MMIO_STATUS, 0);
	for (int i = 0; i < RESET_POLLS; i++)
		if (rd(d, VIRTIO_MMIO_STATUS) == 0)
			return 0;
	return -EIO;
}

static uint64_t device_features(struct virtio_dev *d)
{
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t lo = rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	if (d->version == VIRTIO_MMIO_LEGACY)
		return lo; /* a legacy device has 32 feature bits */
	wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return lo | (uint64_t)rd(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void write_driver_features(struct virtio_dev *d, uint64_t f)
{
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	if (d->version == VIRTIO_MMIO_LEGACY)
		return; /* QEMU accepts only word 0 from a legacy driver */
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

int virtio_negotiate(struct virtio_dev *d, uint64_t wanted)
{
	if (reset(d) != 0)
		return -EIO;
	set_status(d, VIRTIO_STATUS_ACKNOWLEDGE);
	set_status(d, VIRTIO_STATUS_DRIVER);
	uint64_t offered = device_features(d);
	/* A modern device needs VERSION_1, or it falls back to legacy
	 * behaviour the modern registers cannot express (virtio 1.2, 6). */
	if (d->version == VIRTIO_MMIO_MODERN) {
		if (!(offered & VIRTIO_F_VERSION_1))
			return -EIO;
		wanted |= VIRTIO_F_VERSION_1;
	}
	d->features = offered & wanted;
	write_driver_features(d, d->features);
	if (d->version == VIRTIO_MMIO_LEGACY)
		return 0; /* no FEATURES_OK handshake in legacy (virtio 1.2, 3.1.2) */
	set_status(d, VIRTIO_STATUS_FEATURES_OK);
	if (!(rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK))
		return -EIO; /* the device refused this subset (virtio 1.2, 3.1.1 step 6) */
	return 0;
}

/* Legacy: one contiguous block at QueuePFN, used ring at QueueAlign. The
 * page size must be set first, or QEMU shifts the PFN by 0 (PLATFORM.md
 * pitfall 6; virtio 1.2, 4.2.4). */
static int queue_setup_legacy(struct virtio_dev *d, paddr_t pa)
{
	if (rd(d, VIRTIO_MMIO_QUEUE_PFN) != 0)
		return -EIO;
	wr(d, VIRTIO_MMIO_GUEST_PAGE_SIZE, PAGE_SIZE);
	wr(d, VIRTIO_MMIO_QUEUE_NUM, VIRTQ_SIZE);
	wr(d, VIRTIO_MMIO_QUEUE_ALIGN, VIRTQ_ALIGN);
	wr(d, VIRTIO_MMIO_QUEUE_PFN, pa >> PAGE_SHIFT);
	return 0;
}

/* Modern: the three parts by address, then QueueReady (virtio 1.2, 4.2.3.2). */
static int queue_setup_modern(struct virtio_dev *d, struct virtq_ring *ring)
{
	if (rd(d, VIRTIO_MMIO_QUEUE_READY) != 0)
		return -EIO;
	wr(d, VIRTIO_MMIO_QUEUE_NUM, VIRTQ_SIZE);
	wr(d, VIRTIO_MMIO_QUEUE_DESC_LOW, kva2pa(ring->desc));
	wr(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, kva2pa(&ring->avail));
	wr(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, 0);
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, kva2pa(&ring->used));
	wr(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0);
	wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return 0;
}

int virtio_queue_setup(struct virtio_dev *d, struct virtq *vq)
{
	wr(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	uint32_t max = rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (max < VIRTQ_SIZE)
		return -EIO; /* 0: no such queue */
	if (d->version == VIRTIO_MMIO_LEGACY)
		return queue_setup_legacy(d, kva2pa(vq->ring));
	return queue_setup_modern(d, vq->ring);
}

void virtio_driver_ok(struct virtio_dev *d)
{
	set_status(d, VIRTIO_STATUS_DRIVER_OK);
}

void virtio_fail(struct virtio_dev *d)
{
	set_status(d, VIRTIO_STATUS_FAILED);
}

/* A modern device may change its configuration between our two reads;
 * ConfigGeneration tells (virtio 1.2, 2.5.1). Legacy has no such register. */
uint64_t virtio_config_read64(struct virtio_dev *d, uint32_t off)
{
	uint32_t gen, lo, hi;
	do {
		gen = d->version == VIRTIO_MMIO_MODERN ? rd(d, VIRTIO_MMIO_CONFIG_GENERATION) : 0;
		lo = rd(d, VIRTIO_MMIO_CONFIG + off);
		hi = rd(d, VIRTIO_MMIO_CONFIG + off + 4);
	} while (d->version == VIRTIO_MMIO_MODERN && gen != rd(d, VIRTIO_MMIO_CONFIG_GENERATION));
	return (uint64_t)hi << 32 | lo;
}

void virtio_notify(struct virtio_dev *d)
{
	mb();
	wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
}

/* The device keeps its interrupt line up until these bits are written to
 * InterruptACK (virtio 1.2, 4.2.3.4), so this must run before PLIC complete. */
uint32_t virtio_intr_ack(struct virtio_dev *d)
{
	uint32_t bits = rd(d, VIRTIO_MMIO_INTERRUPT_STATUS);
	if (bits)
		wr(d, VIRTIO_MMIO_INTERRUPT_ACK, bits);
	return bits;
}

bool virtio_needs_reset(struct virtio_dev *d)
{
	return d->version == VIRTIO_MMIO_MODERN &&
	       (rd(d, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
}

void virtq_init(struct virtq *vq, struct virtq_ring *ring)
{
	memset(ring, 0, sizeof(*ring));
	vq->ring = ring;
	for (uint16_t i = 0; i < VIRTQ_SIZE; i++)
		ring->desc[i].next = i + 1;
	vq->free_head = 0;
	vq->nfree = VIRTQ_SIZE;
	vq->last_used = 0;
}

int virtq_alloc_chain(struct virtq *vq, uint16_t n, uint16_t *head)
{
	if (n == 0 || vq->nfree < n)
		return -EAGAIN;
	struct virtq_desc *desc = vq->ring->desc;
	uint16_t i = vq->free_head;
	*head = i;
	for (uint16_t k = 1; k < n; k++) {
		desc[i].flags = VIRTQ_DESC_F_NEXT;
		i = desc[i].next;
	}
	desc[i].flags = 0;
	vq->free_head = desc[i].next;
	vq->nfree -= n;
	return 0;
}

void virtq_free_chain(struct virtq *vq, uint16_t head)
{
	struct virtq_desc *desc = vq->ring->desc;
	uint16_t i = head;
	for (;;) {
		bool more = desc[i].flags & VIRTQ_DESC_F_NEXT;
		desc[i].addr = 0;
		desc[i].len = 0;
		desc[i].flags = 0;
		vq->nfree++;
		if (!more)
			break;
		i = desc[i].next;
	}
	desc[i].next = vq->free_head;
	vq->free_head = head;
}

/* Ring entry first, index after, so the device never sees an index that
 * covers an entry not yet written (virtio 1.2, 2.7.13.2 and 2.7.13.3). */
void virtq_submit(struct virtq *vq, uint16_t head)
{
	struct virtq_avail *avail = &vq->ring->avail;
	uint16_t idx = *(volatile uint16_t *)&avail->idx;
	avail->ring[idx % VIRTQ_SIZE] = head;
	mb();
	*(volatile uint16_t *)&avail->idx = (uint16_t)(idx + 1);
	mb();
}

/* The device writes the element before it moves used.idx, so read the
 * index first and the element after a fence (virtio 1.2, 2.7.14). */
bool virtq_pop_used(struct virtq *vq, uint16_t *head, uint32_t *len)
{
	struct virtq_used *used = &vq->ring->used;
	if (*(volatile uint16_t *)&used->idx == vq->last_used)
		return false;
	mb();
	volatile struct virtq_used_elem *e = &used->ring[vq->last_used % VIRTQ_SIZE];
	*head = (uint16_t)e->id;
	*len = e->len;
	vq->last_used++;
	return true;
}
