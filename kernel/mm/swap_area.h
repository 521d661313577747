/*
 * The swap area, without any I/O: checking the Linux swap v1 header that
 * util-linux mkswap writes in page 0 of the disk, and the allocator of its
 * slots (slot n is the page at byte n * PAGE_SIZE; slot 0 is the header and
 * is never handed out). Each slot carries a reference count, so a page
 * swapped out and shared after fork is freed by its last owner.
 */
#ifndef MM_SWAP_AREA_H
#define MM_SWAP_AREA_H

#include "lib/types.h"

#define SWAP_SECTOR_SIZE      512u
#define SWAP_SECTORS_PER_PAGE (PAGE_SIZE / SWAP_SECTOR_SIZE)

/* Bad-page entries that fit in page 0 between the start of the list (byte
 * 1536) and the signature (byte 4086): (4086 - 1536) / 4. */
#define SWAP_BADPAGES_MAX 637u

#define SWAP_LABEL_LEN	 16u /* bytes of the label field on disk */
#define SWAP_UUID_LEN	 16u
#define SWAP_UUID_STRLEN 37u /* "01234567-89ab-cdef-0011-223344556677" and NUL */

/* What page 0 says about the area, once swap_area_parse accepted it. */
struct swap_info {
	uint32_t nslots;		 /* slots are 1..nslots (the header's last_page) */
	uint32_t nbad;			 /* entries in bad[], as on disk (may repeat) */
	uint32_t bad[SWAP_BADPAGES_MAX]; /* slots never to use, each in 1..nslots */
	uint8_t uuid[SWAP_UUID_LEN];
	char label[SWAP_LABEL_LEN + 1]; /* NUL-terminated; unprintable bytes are '?' */
};

/*
 * Check page0 (the first PAGE_SIZE bytes of a disk of disk_sectors 512-byte
 * sectors) and fill *out. Returns 0; -ENODEV when page 0 has no swap v1
 * signature (not a swap area: leave the disk alone); -EINVAL when it has one
 * but the header is unusable (wrong version, byte-swapped, larger than the
 * disk, a bad-page list out of range). A byte-swapped header (mkswap run on
 * a big-endian machine) is rejected, not converted. On failure *why, if why
 * is not NULL, gets a short phrase without final punctuation for a message
 * such as "swap: vda: %s, not used" ("no swap signature"); on success NULL.
 * *out is meaningful only on success.
 */
int swap_area_parse(const void *page0, uint64_t disk_sectors, struct swap_info *out,
		      const char **why);

/* Write uuid as text in the usual 8-4-4-4-12 form (lower-case hex). */
void swap_area_uuid_str(const uint8_t uuid[SWAP_UUID_LEN], char out[SWAP_UUID_STRLEN]);

/*
 * The slot allocator. refcnt[slot] is 0 for a free slot, 1..SWAP_REF_MAX
 * for a slot in use, SWAP_REF_DEAD for one out of service (a bad page, or
 * retired after a failed write). The caller serialises all calls on one
 * struct swap_area (the swap lock) and owns the refcnt storage.
 */
#define SWAP_REF_DEAD 0xFFFFu
#define SWAP_REF_MAX  (SWAP_REF_DEAD - 1u) /* references one slot can hold */

/*
 * Slots come in clusters of SWAP_CLUSTER: cluster c is slots
 * c * SWAP_CLUSTER .. c * SWAP_CLUSTER + SWAP_CLUSTER - 1 (cluster 0 holds
 * the header, so it is never wholly free). swap_area_alloc_near places the
 * pages of one aligned run of SWAP_CLUSTER pages of a region in one
 * cluster, each at its own offset, so that they lie in order on the disk
 * and one request can read them back together.
 */
#define SWAP_CLUSTER 16u

struct swap_area {
	uint16_t *refcnt;	/* refcnt[1..nslots]; refcnt[0] is unused */
	uint8_t *taken;		/* taken[c]: slots of cluster c not free (or not there) */
	uint32_t nslots;
	uint32_t ntotal;	/* usable: nslots minus bad pages minus retired slots */
	uint32_t nfree;		/* slots with refcnt 0 */
	uint32_t nclusters;	/* clusters, the last one perhaps partly past nslots */
	uint32_t free_clusters; /* clusters with taken 0 */
	uint32_t cursor;	/* where the next allocation starts looking, 1..nslots */
	uint32_t ccursor;	/* where the next search for a free cluster starts */
	uint32_t high;		/* the highest slot ever handed out, 0 for none */
};

/* Bytes of storage swap_area_init needs for nslots slots: one uint16_t
 * per slot plus the unused entry for slot 0, then one byte per cluster. */
uint64_t swap_area_bytes(uint32_t nslots);

/*
 * Set up s over refcnt_storage (storage_len bytes, at least
 * swap_area_bytes(info->nslots)): every slot of info free except its bad
 * pages. Returns 0, or -EINVAL for storage too short, an area of no slots,
 * or a bad page outside 1..info->nslots.
 */
int swap_area_init(struct swap_area *s, const struct swap_info *info, uint16_t *refcnt_storage,
		    uint32_t storage_len);

/* Take a free slot, with refcount 1. Returns its number, or 0 when no slot
 * is free. Never returns a bad page or a retired slot. */
uint32_t swap_area_alloc(struct swap_area *s);

/*
 * The same, placed for a page at offset (0..SWAP_CLUSTER - 1) of its
 * aligned run of pages: slot want if it is free (the slot a neighbour's
 * placement implies; 0 or out of range for none), else the slot at offset
 * in a wholly free cluster, else any free slot (swap_area_alloc).
 */
uint32_t swap_area_alloc_near(struct swap_area *s, uint32_t want, uint32_t offset);

/* Add a reference to a slot in use. Panics on a free or out-of-service
 * slot, a slot out of range, or a count already at SWAP_REF_MAX. */
void swap_area_ref(struct swap_area *s, uint32_t slot);

/* Drop a reference to a slot in use; at zero the slot is free again.
 * Panics on a free or out-of-service slot or a slot out of range. */
void swap_area_unref(struct swap_area *s, uint32_t slot);

/* References to slot: 0 when free or out of service. Panics out of range. */
uint32_t swap_area_refs(const struct swap_area *s, uint32_t slot);

/*
 * Take a slot whose write failed out of service for good. The caller holds
 * its only reference (refcount 1, as swap_area_alloc returned it), and
 * retiring drops it: the slot is then neither free nor counted in the
 * total. Panics on any other refcount, or a slot out of range.
 */
void swap_area_retire(struct swap_area *s, uint32_t slot);

uint32_t swap_area_free_slots(const struct swap_area *s);
uint32_t swap_area_total_slots(const struct swap_area *s); /* usable slots, free or not */

#endif
