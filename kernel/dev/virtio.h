/*
 * The virtio-mmio transport (legacy version 1 and modern version 2) and
 * the split virtqueue shared by every virtio driver (PLATFORM.md 7, virtio
 * 1.2 sections 2.7 and 4.2). The queue has no lock of its own: the driver
 * that owns it serialises every call under its lock.
 */
#ifndef DEV_VIRTIO_H
#define DEV_VIRTIO_H

#include "lib/types.h"

/* Register byte offsets (virtio 1.2, 4.2.2 MMIO Device Register Layout;
 * legacy-only ones from 4.2.4). Every access is 32 bits wide. */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00C
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_GUEST_PAGE_SIZE 0x028 /* legacy */
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_ALIGN 0x03C /* legacy */
#define VIRTIO_MMIO_QUEUE_PFN 0x040   /* legacy */
#define VIRTIO_MMIO_QUEUE_READY 0x044 /* modern */
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080 /* modern, as are the five below */
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0A0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0A4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0FC /* modern */
#define VIRTIO_MMIO_CONFIG 0x100             /* device-specific configuration */

#define VIRTIO_MMIO_MAGIC 0x74726976 /* "virt", little-endian */
#define VIRTIO_MMIO_LEGACY 1         /* QEMU's default */
#define VIRTIO_MMIO_MODERN 2         /* with -global virtio-mmio.force-legacy=false */

#define VIRTIO_ID_NONE 0 /* an empty slot */
#define VIRTIO_ID_BLOCK 2

/* Device status bits (virtio 1.2, 2.1 Device Status Field). */
#define VIRTIO_STATUS_ACKNOWLEDGE 1
#define VIRTIO_STATUS_DRIVER 2
#define VIRTIO_STATUS_DRIVER_OK 4
#define VIRTIO_STATUS_FEATURES_OK 8
#define VIRTIO_STATUS_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED 128

/* InterruptStatus bits (virtio 1.2, 4.2.2). */
#define VIRTIO_INT_USED_BUFFER 1
#define VIRTIO_INT_CONFIG_CHANGE 2

/* Feature bits common to every device type (virtio 1.2, 6 Reserved Feature Bits). */
#define VIRTIO_F_VERSION_1 (1ull << 32)

/* Split virtqueue layout (virtio 1.2, 2.7.5, 2.7.6, 2.7.8). */
/* Descriptors: room for a request of VBLK_MAX_BUFS buffers and a few of
 * one beside it, and small enough that the legacy layout fits in two
 * pages (descriptors and available ring 582 bytes, used ring 262). */
#define VIRTQ_SIZE 32
#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2 /* the device writes this buffer */
#define VIRTQ_ALIGN PAGE_SIZE /* legacy QueueAlign: where the used ring starts */

struct virtq_desc {
	uint64_t addr; /* physical */
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[VIRTQ_SIZE];
	uint16_t used_event;
};

struct virtq_used_elem {
	uint32_t id; /* head of the chain the device is done with */
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[VIRTQ_SIZE];
	uint16_t avail_event;
};

/*
 * The memory a queue shares with the device, in the legacy layout (virtio
 * 1.2, 2.7.2): descriptors, then the available ring, then the used ring at
 * the next VIRTQ_ALIGN boundary, all physically contiguous. The modern
 * transport accepts the same layout through its three address registers.
 */
/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding): the layout is the spec's */
struct virtq_ring {
	struct virtq_desc desc[VIRTQ_SIZE];
	struct virtq_avail avail;
	struct virtq_used used __attribute__((aligned(VIRTQ_ALIGN)));
} __attribute__((aligned(PAGE_SIZE)));

/* The driver's side of a queue: what it has handed out and taken back. */
struct virtq {
	struct virtq_ring *ring; /* VA = PA RAM, so its address is also physical */
	uint16_t free_head;      /* first free descriptor; free ones chain through next */
	uint16_t nfree;
	uint16_t last_used; /* used.idx up to which completions were taken */
};

/* One virtio-mmio slot. */
struct virtio_dev {
	volatile uint32_t *regs; /* mapped registers */
	paddr_t base;            /* their physical address, for messages */
	uint32_t irq;
	uint32_t version;   /* VIRTIO_MMIO_LEGACY or VIRTIO_MMIO_MODERN */
	uint32_t device_id; /* VIRTIO_ID_* */
	uint64_t features;  /* what the driver accepted */
};

/* Fill *d from the slot mapped at regs. Returns 0, or -ENODEV when the slot
 * has no virtio magic or an unknown version. DeviceID 0 is an empty slot. */
int virtio_probe(struct virtio_dev *d, volatile uint32_t *regs, paddr_t base, uint32_t irq);

/* Reset the device, announce the driver and accept the features in wanted
 * that the device offers, plus VERSION_1 on a modern device (virtio 1.2,
 * 3.1.1 steps 1-6). Returns 0, or -EIO when the device refuses. */
int virtio_negotiate(struct virtio_dev *d, uint64_t wanted);

/* Give queue 0 to the device with vq's ring (virtio 1.2, 4.2.3.2 and
 * 4.2.4). Returns 0, or -EIO when the queue is missing, in use or too small. */
int virtio_queue_setup(struct virtio_dev *d, struct virtq *vq);

/* Set DRIVER_OK: the device is live. */
void virtio_driver_ok(struct virtio_dev *d);

/* Give up on the device: set FAILED. */
void virtio_fail(struct virtio_dev *d);

/* The 64-bit device-specific configuration field at byte offset off. */
uint64_t virtio_config_read64(struct virtio_dev *d, uint32_t off);

/* Tell the device that queue 0 has new available buffers. */
void virtio_notify(struct virtio_dev *d);

/* Read InterruptStatus and acknowledge those bits; returns them. */
uint32_t virtio_intr_ack(struct virtio_dev *d);

/* Whether the device has stopped and wants a reset (a modern device that
 * found a malformed request). */
bool virtio_needs_reset(struct virtio_dev *d);

/* Put every descriptor of ring on the free list and clear the rings. */
void virtq_init(struct virtq *vq, struct virtq_ring *ring);

/* Take n descriptors chained with NEXT into head; returns 0, or -EAGAIN
 * when fewer than n are free. The caller fills addr, len and WRITE. */
int virtq_alloc_chain(struct virtq *vq, uint16_t n, uint16_t *head);

/* Return the chain that starts at head to the free list. */
void virtq_free_chain(struct virtq *vq, uint16_t head);

/* Make the chain at head available to the device (without notifying). */
void virtq_submit(struct virtq *vq, uint16_t head);

/* Take the next completion: true with its chain head in *head and the
 * bytes the device wrote in *len, or false when there is none. */
bool virtq_pop_used(struct virtq *vq, uint16_t *head, uint32_t *len);

#endif
