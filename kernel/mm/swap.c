/*
 * Swap glue between page replacement, the slot allocator (swap_area.c) and
 * the disk (virtio_blk.c). The kernel refuses a disk without the mkswap
 * signature, so it never writes over something that is not swap. Slot
 * reference counts and the slot -> frame map of the swap cache live in
 * contiguous frames taken at boot.
 */
#include "mm/swap.h"
#include "dev/virtio_blk.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "lib/spinlock.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/readahead.h"
#include "mm/swap_area.h"
#include "mm/vm.h"

#define WRITE_TRIES 4 /* slots tried before a page write gives up */

_Static_assert(SWAP_READ_MAX <= VBLK_MAX_BUFS, "one read is one disk request");

static struct swap_area area;
static struct swap_info info;
static uint32_t *cache; /* cache[slot] = frame index + 1, 0 when not cached */
static bool enabled;
static struct vblk *disk; /* the swap disk, set by swap_init */

static uint32_t pages_for(uint64_t bytes)
{
	return (uint32_t)((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
}

int swap_init(void)
{
	enabled = false;
	disk = vblk_disk(VBLK_SWAP);
	if (disk == NULL) {
		kprintf("swap: no disk, no swap\n");
		return -ENODEV;
	}
	paddr_t page0 = frame_alloc(0);
	if (page0 == 0)
		return -ENOMEM;
	const char *why = NULL;
	int err = vblk_rw(disk, 0, pa2kva(page0), PAGE_SIZE, false);
	if (err == 0)
		err = swap_area_parse(pa2kva(page0), vblk_capacity(disk), &info, &why);
	frame_free(page0);
	if (err) {
		kprintf("swap: the virtio-blk disk: %s, not used\n",
			why ? why : "cannot read its first page");
		return err;
	}
	uint32_t ref_pages = pages_for(swap_area_bytes(info.nslots));
	uint32_t map_pages = pages_for(((uint64_t)info.nslots + 1) * sizeof(uint32_t));
	paddr_t refs = frame_alloc_contig(ref_pages);
	paddr_t map = frame_alloc_contig(map_pages);
	if (refs == 0 || map == 0) {
		kprintf("swap: no memory for %u slots, not used\n", info.nslots);
		return -ENOMEM;
	}
	memset(pa2kva(map), 0, map_pages * PAGE_SIZE);
	cache = pa2kva(map);
	err = swap_area_init(&area, &info, pa2kva(refs), ref_pages * PAGE_SIZE);
	if (err) {
		kprintf("swap: bad slot table (error %d), not used\n", err);
		return err;
	}
	enabled = true;
	kprintf("swap: %u slots (%u MiB) on virtio-blk%s%s\n", swap_area_total_slots(&area),
		info.nslots / (1024 * 1024 / PAGE_SIZE), info.label[0] ? ", label " : "", info.label);
	return 0;
}

bool swap_on(void)
{
	return enabled;
}

uint32_t swap_total_slots(void)
{
	return enabled ? swap_area_total_slots(&area) : 0;
}

uint32_t swap_free_slots(void)
{
	return enabled ? swap_area_free_slots(&area) : 0;
}

uint32_t swap_slots_end(void)
{
	return enabled ? area.high + 1 : 1;
}

void swap_ref(uint32_t slot)
{
	swap_area_ref(&area, slot);
}

void swap_unref(uint32_t slot)
{
	swap_area_unref(&area, slot);
}

uint32_t swap_refs(uint32_t slot)
{
	return swap_area_refs(&area, slot);
}

struct frame *swap_cache_lookup(uint32_t slot)
{
	return cache[slot] ? frame_linked(cache[slot] - 1) : NULL;
}

void swap_cache_set(uint32_t slot, struct frame *f)
{
	cache[slot] = frame_to_index(f) + 1;
}

void swap_cache_clear(uint32_t slot)
{
	cache[slot] = 0;
}

static uint64_t slot_sector(uint32_t slot)
{
	return (uint64_t)slot * SWAP_SECTORS_PER_PAGE;
}

/* n buffers between the disk, from slot on, and memory, in one request,
 * with vm_lock dropped while the disk works: nothing may sleep holding a
 * spinlock. */
static int disk_io(uint32_t slot, const struct vblk_buf *bufs, uint32_t n, bool write)
{
	spin_assert_held(&vm_lock);
	spin_unlock(&vm_lock);
	int err = vblk_rwv(disk, slot_sector(slot), bufs, n, write);
	spin_lock(&vm_lock);
	return err;
}

/* A new slot for f's page: where its neighbours' slots say (ra_place). */
static uint32_t new_slot(const struct frame *f)
{
	struct swap_place at = ra_place(f);
	return swap_area_alloc_near(&area, at.want, at.offset);
}

int swap_write_frame(uint32_t *slot, const struct frame *f)
{
	struct vblk_buf buf = { pa2kva(frame_to_pa(f)), PAGE_SIZE };
	for (int tries = 0; tries < WRITE_TRIES; tries++) {
		if (*slot == 0 && (*slot = new_slot(f)) == 0)
			return -ENOSPC;
		if (disk_io(*slot, &buf, 1, true) == 0)
			return 0;
		/* The slot cannot hold data: take it out of service for good
		 * (its one reference is ours) and try another. */
		kprintf("swap: write to slot %u failed, slot retired\n", *slot);
		swap_area_retire(&area, *slot);
		*slot = 0;
	}
	return -EIO;
}

int swap_read_frames(uint32_t slot, struct frame *const frames[], uint32_t n)
{
	struct vblk_buf bufs[SWAP_READ_MAX];
	if (n == 0 || n > SWAP_READ_MAX)
		return -EINVAL;
	for (uint32_t k = 0; k < n; k++)
		bufs[k] = (struct vblk_buf){ pa2kva(frame_to_pa(frames[k])), PAGE_SIZE };
	return disk_io(slot, bufs, n, false);
}
