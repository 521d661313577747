/*
 * libFuzzer harness for the swap header check and the slot allocator
 * (kernel/mm/swap_area.c). The input is page 0 of a disk (zero-filled when
 * short), then the disk's size in 512-byte sectors (8 bytes, little-endian).
 * A page without the "SWAPSPACE2" signature is never taken for swap; an
 * accepted header fits the disk, names bad pages only inside the area, and
 * has a printable label. Over an accepted area, the allocator hands out
 * every usable slot exactly once, never a bad page, and then no more.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/kerrno.h"
#include "mm/swap_area.h"
#include "tests/fuzz/fuzz.h"

#define SIG	  "SWAPSPACE2"
#define SIG_LEN	  10u
#define SIZE_LEN  8u
#define MAX_SLOTS 4096u /* areas larger than this are parsed, not allocated from */

static void check_header(const struct swap_info *info, uint64_t sectors)
{
	CHECK(info->nslots >= 1);
	CHECK(((uint64_t)info->nslots + 1) * SWAP_SECTORS_PER_PAGE <= sectors);
	CHECK(info->nbad <= SWAP_BADPAGES_MAX);
	for (uint32_t i = 0; i < info->nbad; i++)
		CHECK(info->bad[i] >= 1 && info->bad[i] <= info->nslots);
	size_t n = strnlen(info->label, sizeof(info->label));
	CHECK(n <= SWAP_LABEL_LEN);
	for (size_t i = 0; i < n; i++)
		CHECK(info->label[i] >= ' ' && info->label[i] <= '~');
	char uuid[SWAP_UUID_STRLEN];
	swap_area_uuid_str(info->uuid, uuid);
	CHECK(strlen(uuid) == SWAP_UUID_STRLEN - 1);
}

static bool is_bad(const struct swap_info *info, uint32_t slot)
{
	for (uint32_t i = 0; i < info->nbad; i++)
		if (info->bad[i] == slot)
			return true;
	return false;
}

/* Take every slot, plainly and placed by turns, then give every one back. */
static void check_allocator(const struct swap_info *info)
{
	uint32_t bytes = (uint32_t)swap_area_bytes(info->nslots);
	uint16_t *refcnt = malloc(bytes);
	uint8_t *taken = calloc(info->nslots + 1, 1);
	struct swap_area s;

	CHECK(refcnt != NULL && taken != NULL);
	CHECK(swap_area_init(&s, info, refcnt, bytes - 1) == -EINVAL);
	CHECK(swap_area_init(&s, info, refcnt, bytes) == 0);
	uint32_t total = swap_area_total_slots(&s);
	CHECK(total <= info->nslots && swap_area_free_slots(&s) == total);
	for (uint32_t i = 0; i < total; i++) {
		uint32_t slot = i % 2 ? swap_area_alloc(&s) : swap_area_alloc_near(&s, i, i);
		CHECK(slot >= 1 && slot <= info->nslots && !taken[slot] && !is_bad(info, slot));
		CHECK(swap_area_refs(&s, slot) == 1);
		taken[slot] = 1;
	}
	CHECK(swap_area_alloc(&s) == 0 && swap_area_free_slots(&s) == 0);
	for (uint32_t slot = 1; slot <= info->nslots; slot++)
		if (taken[slot])
			swap_area_unref(&s, slot);
	CHECK(swap_area_free_slots(&s) == total);
	free(taken);
	free(refcnt);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[PAGE_SIZE];
	static struct swap_info info;
	uint8_t size_bytes[SIZE_LEN] = {0};
	uint64_t sectors = 0;
	const char *why = NULL;

	memset(page, 0, sizeof(page));
	memcpy(page, data, size < PAGE_SIZE ? size : PAGE_SIZE);
	if (size > PAGE_SIZE)
		memcpy(size_bytes, data + PAGE_SIZE,
		       size - PAGE_SIZE < SIZE_LEN ? size - PAGE_SIZE : SIZE_LEN);
	for (int i = SIZE_LEN - 1; i >= 0; i--)
		sectors = sectors << 8 | size_bytes[i];

	int err = swap_area_parse(page, sectors, &info, &why);
	if (memcmp(page + PAGE_SIZE - SIG_LEN, SIG, SIG_LEN) != 0)
		CHECK(err == -ENODEV);
	CHECK(err == 0 ? why == NULL : (err == -ENODEV || err == -EINVAL) && why != NULL);
	if (err != 0)
		return 0;
	check_header(&info, sectors);
	if (info.nslots <= MAX_SLOTS)
		check_allocator(&info);
	return 0;
}
