/*
 * Swap area header check and slot allocator (see swap_area.h). Pure code:
 * page 0 comes from the caller, the reference counts live in storage the
 * caller gives. Invariant: nfree is the number of slots in 1..nslots whose
 * refcnt is 0, ntotal the number whose refcnt is not SWAP_REF_DEAD, and
 * taken[c] the slots of cluster c whose refcnt is not 0 (slot 0 and the
 * slots past nslots count as taken), free_clusters those with taken 0.
 */
#include "mm/swap_area.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

/*
 * Page 0 of a Linux swap v1 area, as util-linux mkswap writes it. The first
 * 1024 bytes are left alone (room for a boot block or a disk label); the
 * header follows, its fields little-endian on a little-endian machine:
 *   1024 version      (1)
 *   1028 last_page    (the last usable page; the area is last_page + 1 pages)
 *   1032 nr_badpages
 *   1036 uuid         (16 bytes)
 *   1052 volume label (16 bytes, NUL-padded)
 *   1068 padding      (117 words)
 *   1536 badpages[]   (nr_badpages page numbers)
 *   4086 "SWAPSPACE2" (the last 10 bytes of the page)
 */
#define HDR_BASE	1024u
#define HDR_VERSION	(HDR_BASE + 0u)
#define HDR_LAST_PAGE	(HDR_BASE + 4u)
#define HDR_NR_BADPAGES (HDR_BASE + 8u)
#define HDR_UUID	(HDR_BASE + 12u)
#define HDR_LABEL	(HDR_UUID + SWAP_UUID_LEN)
#define HDR_PAD_WORDS	117u
#define HDR_BADPAGES	(HDR_LABEL + SWAP_LABEL_LEN + HDR_PAD_WORDS * sizeof(uint32_t))

#define SIG_LEN 10u
#define SIG_OFF (PAGE_SIZE - SIG_LEN)

#define SWAP_VERSION_1	       1u
#define SWAP_VERSION_1_SWAPPED 0x01000000u /* version 1 written big-endian */

_Static_assert(HDR_BADPAGES == 1536u, "badpages[] starts at 1536");
_Static_assert(SWAP_BADPAGES_MAX == (SIG_OFF - HDR_BADPAGES) / sizeof(uint32_t),
	       "SWAP_BADPAGES_MAX is what fits before the signature");

static const char SIG_V1[SIG_LEN] = {'S', 'W', 'A', 'P', 'S', 'P', 'A', 'C', 'E', '2'};
static const char SIG_V0[SIG_LEN] = {'S', 'W', 'A', 'P', '-', 'S', 'P', 'A', 'C', 'E'};

#define ASCII_PRINT_FIRST ' '
#define ASCII_PRINT_LAST  '~'
#define LABEL_UNPRINTABLE '?'

#define NIBBLE_BITS 4
#define NIBBLE_MASK 0xFu

/* Fail with code err and reason r. */
static int reject(const char **why, const char *r, int err)
{
	if (why != NULL)
		*why = r;
	return err;
}

/* Copy the label field, stopping at the first NUL, so that a corrupt
 * header cannot put control characters on the console. */
static void copy_label(char *dst, const uint8_t *src)
{
	uint32_t i;

	for (i = 0; i < SWAP_LABEL_LEN && src[i] != '\0'; i++) {
		bool printable = src[i] >= ASCII_PRINT_FIRST && src[i] <= ASCII_PRINT_LAST;
		dst[i] = printable ? (char)src[i] : LABEL_UNPRINTABLE;
	}
	dst[i] = '\0';
}

/* Check and copy the bad-page list; each entry must name a slot. */
static int read_badpages(const uint8_t *p, struct swap_info *out, const char **why)
{
	uint32_t n = get_le32(p, HDR_NR_BADPAGES);

	if (n > SWAP_BADPAGES_MAX)
		return reject(why, "too many bad pages in the header", -EINVAL);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t page = get_le32(p, HDR_BADPAGES + i * (uint32_t)sizeof(uint32_t));
		if (page == 0 || page > out->nslots)
			return reject(why, "bad page number outside the swap area", -EINVAL);
		out->bad[i] = page;
	}
	out->nbad = n;
	return 0;
}

/* Check page 0 of a disk of disk_sectors sectors and describe it in *out. */
int swap_area_parse(const void *page0, uint64_t disk_sectors, struct swap_info *out,
		      const char **why)
{
	const uint8_t *p = page0;
	uint32_t version = get_le32(p, HDR_VERSION);
	uint32_t last_page = get_le32(p, HDR_LAST_PAGE);
	int err;

	if (memcmp(p + SIG_OFF, SIG_V0, SIG_LEN) == 0)
		return reject(why, "old swap v0 format (SWAP-SPACE)", -ENODEV);
	if (memcmp(p + SIG_OFF, SIG_V1, SIG_LEN) != 0)
		return reject(why, "no swap signature", -ENODEV);
	if (version == SWAP_VERSION_1_SWAPPED)
		return reject(why, "byte-swapped swap header (made on a big-endian machine)",
			      -EINVAL);
	if (version != SWAP_VERSION_1)
		return reject(why, "swap header version is not 1", -EINVAL);
	if (last_page == 0)
		return reject(why, "swap area has no pages (last_page 0)", -EINVAL);
	/* The area is pages 0..last_page; 64-bit so last_page + 1 cannot wrap. */
	if (((uint64_t)last_page + 1) * SWAP_SECTORS_PER_PAGE > disk_sectors)
		return reject(why, "swap area is larger than the disk", -EINVAL);

	out->nslots = last_page;
	err = read_badpages(p, out, why);
	if (err < 0)
		return err;
	memcpy(out->uuid, p + HDR_UUID, SWAP_UUID_LEN);
	copy_label(out->label, p + HDR_LABEL);
	if (why != NULL)
		*why = NULL;
	return 0;
}

/* Format uuid as 8-4-4-4-12 lower-case hex digits. */
void swap_area_uuid_str(const uint8_t uuid[SWAP_UUID_LEN], char out[SWAP_UUID_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	/* A dash comes before these bytes: the 8-4-4-4-12 grouping. */
	static const bool dash_before[SWAP_UUID_LEN] = {
	    [4] = true, [6] = true, [8] = true, [10] = true};
	uint32_t o = 0;

	for (uint32_t i = 0; i < SWAP_UUID_LEN; i++) {
		if (dash_before[i])
			out[o++] = '-';
		out[o++] = hex[uuid[i] >> NIBBLE_BITS];
		out[o++] = hex[uuid[i] & NIBBLE_MASK];
	}
	out[o] = '\0';
}

/* The allocator. */

static uint32_t cluster_count(uint32_t nslots)
{
	return nslots / SWAP_CLUSTER + 1; /* slots 0..nslots */
}

uint64_t swap_area_bytes(uint32_t nslots)
{
	return ((uint64_t)nslots + 1) * sizeof(uint16_t) + cluster_count(nslots);
}

/* One more slot of cluster c cannot be handed out. */
static void cluster_take(struct swap_area *s, uint32_t c)
{
	if (s->taken[c]++ == 0)
		s->free_clusters--;
}

/* Every cluster free but for slot 0 (the header) and the slots past
 * nslots in the last one; the bad pages are counted as they are marked. */
static void clusters_init(struct swap_area *s)
{
	s->nclusters = cluster_count(s->nslots);
	s->free_clusters = s->nclusters;
	s->ccursor = 0;
	memset(s->taken, 0, s->nclusters);
	cluster_take(s, 0);
	for (uint32_t slot = s->nslots + 1; slot < s->nclusters * SWAP_CLUSTER; slot++)
		cluster_take(s, slot / SWAP_CLUSTER);
}

/* Free every slot of info but its bad pages; bad pages may repeat. */
int swap_area_init(struct swap_area *s, const struct swap_info *info, uint16_t *refcnt_storage,
		    uint32_t storage_len)
{
	uint32_t n = info->nslots;

	if (n == 0 || storage_len < swap_area_bytes(n) || info->nbad > SWAP_BADPAGES_MAX)
		return -EINVAL;
	for (uint32_t i = 0; i < info->nbad; i++)
		if (info->bad[i] == 0 || info->bad[i] > n)
			return -EINVAL;

	s->refcnt = refcnt_storage;
	s->taken = (uint8_t *)(refcnt_storage + n + 1);
	s->nslots = n;
	s->ntotal = n;
	s->cursor = 1;
	s->high = 0;
	s->refcnt[0] = SWAP_REF_DEAD; /* the header page; never looked at */
	/* One memset, not a loop of halfword stores: 0.2 million instructions
	 * of boot less for a 256 MiB disk. */
	memset(&s->refcnt[1], 0, n * sizeof(s->refcnt[0]));
	clusters_init(s);
	for (uint32_t i = 0; i < info->nbad; i++) {
		if (s->refcnt[info->bad[i]] != SWAP_REF_DEAD) {
			s->refcnt[info->bad[i]] = SWAP_REF_DEAD;
			s->ntotal--;
			cluster_take(s, info->bad[i] / SWAP_CLUSTER);
		}
	}
	s->nfree = s->ntotal;
	return 0;
}

/* Free slot goes into use, with refcount 1. */
static void take(struct swap_area *s, uint32_t slot)
{
	s->refcnt[slot] = 1;
	s->nfree--;
	s->high = MAX(s->high, slot);
	cluster_take(s, slot / SWAP_CLUSTER);
}

/* Slot in use lost its last reference. */
static void give_back(struct swap_area *s, uint32_t slot)
{
	s->nfree++;
	if (--s->taken[slot / SWAP_CLUSTER] == 0)
		s->free_clusters++;
}

/*
 * Next fit: the search goes on from the slot after the last one handed out,
 * wrapping at the end, so a run of allocations walks the area once instead
 * of rescanning the busy slots at its start each time. When nothing is free
 * it returns at once; otherwise nfree > 0 bounds the walk to one lap.
 */
uint32_t swap_area_alloc(struct swap_area *s)
{
	if (s->nfree == 0)
		return 0;
	for (uint32_t tried = 0; tried < s->nslots; tried++) {
		uint32_t slot = s->cursor;

		s->cursor = slot == s->nslots ? 1 : slot + 1;
		if (s->refcnt[slot] == 0) {
			take(s, slot);
			return slot;
		}
	}
	panic("swap: %u slots counted free but none found", (unsigned)s->nfree);
}

/* A wholly free cluster, next fit as for slots; 0 when there is none
 * (cluster 0 never is: it holds the header). */
static uint32_t free_cluster(struct swap_area *s)
{
	if (s->free_clusters == 0)
		return 0;
	for (uint32_t tried = 0; tried < s->nclusters; tried++) {
		uint32_t c = s->ccursor;

		s->ccursor = c + 1 == s->nclusters ? 0 : c + 1;
		if (s->taken[c] == 0)
			return c;
	}
	panic("swap: %u clusters counted free but none found", (unsigned)s->free_clusters);
}

uint32_t swap_area_alloc_near(struct swap_area *s, uint32_t want, uint32_t offset)
{
	if (want >= 1 && want <= s->nslots && s->refcnt[want] == 0) {
		take(s, want);
		return want;
	}
	uint32_t c = free_cluster(s);
	if (c == 0)
		return swap_area_alloc(s);
	uint32_t slot = c * SWAP_CLUSTER + offset % SWAP_CLUSTER;
	take(s, slot);
	return slot;
}
/* The refcnt entry of slot, panicking (as op) when slot is out of range. */
static uint16_t *slot_entry(const struct swap_area *s, uint32_t slot, const char *op)
{
	if (slot == 0 || slot > s->nslots)
		panic("swap: %s of slot %u, outside 1..%u", op, (unsigned)slot,
		      (unsigned)s->nslots);
	return &s->refcnt[slot];
}

/* Panic (as op) unless slot is in use. */
static uint16_t *slot_in_use(const struct swap_area *s, uint32_t slot, const char *op)
{
	uint16_t *r = slot_entry(s, slot, op);

	if (*r == 0)
		panic("swap: %s of free slot %u", op, (unsigned)slot);
	if (*r == SWAP_REF_DEAD)
		panic("swap: %s of slot %u, out of service", op, (unsigned)slot);
	return r;
}

void swap_area_ref(struct swap_area *s, uint32_t slot)
{
	uint16_t *r = slot_in_use(s, slot, "ref");

	if (*r == SWAP_REF_MAX)
		panic("swap: refcount overflow on slot %u", (unsigned)slot);
	(*r)++;
}

void swap_area_unref(struct swap_area *s, uint32_t slot)
{
	uint16_t *r = slot_in_use(s, slot, "unref");

	(*r)--;
	if (*r == 0)
		give_back(s, slot);
}

uint32_t swap_area_refs(const struct swap_area *s, uint32_t slot)
{
	uint16_t r = *slot_entry(s, slot, "refcount");

	return r == SWAP_REF_DEAD ? 0 : r;
}

void swap_area_retire(struct swap_area *s, uint32_t slot)
{
	uint16_t *r = slot_in_use(s, slot, "retire");

	if (*r != 1)
		panic("swap: retire of slot %u with %u references", (unsigned)slot, (unsigned)*r);
	*r = SWAP_REF_DEAD;
	s->ntotal--;
}

uint32_t swap_area_free_slots(const struct swap_area *s)
{
	return s->nfree;
}

uint32_t swap_area_total_slots(const struct swap_area *s)
{
	return s->ntotal;
}
