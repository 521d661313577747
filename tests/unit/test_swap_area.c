/*
 * Host tests of kernel/mm/swap_area.c: page 0 as the real mkswap
 * (util-linux, $MKSWAP or /sbin/mkswap) writes it on temporary files,
 * headers damaged on purpose from those, and the slot allocator, last of
 * all against a reference model under random operations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm/swap_area.h"
#include "lib/kerrno.h"

#define KIB	       1024u
#define DISK_1M	       (1024u * KIB)
#define DISK_40K       (40u * KIB) /* the smallest area mkswap makes */
#define SECTORS(bytes) ((uint64_t)(bytes) / SWAP_SECTOR_SIZE)
#define PAGES_1M       (DISK_1M / PAGE_SIZE)

/* Page 0 of a swap v1 area, spelled out here apart from swap_area.c. */
#define OFF_VERSION	1024
#define OFF_LAST_PAGE	1028
#define OFF_NR_BADPAGES 1032
#define OFF_LABEL	1052
#define OFF_BADPAGES	1536
#define OFF_SIG		4086
#define SIG_FIELD	10
#define LABEL_FIELD	16

#define MKSWAP_OUTPUT_MAX 4096
#define CMD_MAX		  512
#define REPORT_MAX	  64

/* A swap area made by mkswap: its page 0 and what mkswap said about it. */
struct made {
	uint8_t page0[PAGE_SIZE];
	uint64_t sectors;
	uint32_t last_page;	/* from "size = N KiB (B bytes)": B / PAGE_SIZE */
	char label[REPORT_MAX]; /* from "LABEL=x,"; "" after "no label" */
	char uuid[REPORT_MAX];	/* from "UUID=x" */
};

static struct made m;
static struct swap_info info;
static const char *why;

static const char *mkswap_path(void)
{
	const char *env = getenv("MKSWAP");

	if (env != NULL && *env != '\0')
		return env;
	if (access("/sbin/mkswap", X_OK) == 0)
		return "/sbin/mkswap";
	if (access("/usr/sbin/mkswap", X_OK) == 0)
		return "/usr/sbin/mkswap";
	return "mkswap";
}

/* Copy the text after key in out up to one of the stop characters. */
static void report_field(const char *out, const char *key, const char *stop, char *dst)
{
	const char *p = strstr(out, key);

	dst[0] = '\0';
	if (p == NULL)
		return;
	p += strlen(key);
	size_t n = strcspn(p, stop);
	if (n >= REPORT_MAX)
		n = REPORT_MAX - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

/* Read mkswap's report: the usable size, the label and the UUID. */
static void parse_report(struct made *mk, const char *out)
{
	/* "size = 1020 KiB (1044480 bytes)"; the unit changes with the size. */
	const char *size = strstr(out, "size = ");
	unsigned long long bytes;

	if (size != NULL)
		size = strchr(size, '(');
	if (size == NULL || sscanf(size, "(%llu bytes)", &bytes) != 1)
		fail_msg("no size in mkswap's output:\n%s", out);
	mk->last_page = (uint32_t)(bytes / PAGE_SIZE);
	report_field(out, "LABEL=", ",\n", mk->label);
	report_field(out, "UUID=", " \n", mk->uuid);
}

/* Run "mkswap args FILE kib" on a zero-filled file of disk_bytes (written
 * out, not sparse, so mkswap has nothing to warn about) and keep page 0;
 * kib, the size of the area in KiB, is "" for the whole file. */
static void make_swap_sized(struct made *mk, uint32_t disk_bytes, const char *args, const char *kib)
{
	static const uint8_t zero[KIB];
	char path[] = "/tmp/test_swap_area.XXXXXX";
	char cmd[CMD_MAX], out[MKSWAP_OUTPUT_MAX];
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	for (uint32_t done = 0; done < disk_bytes; done += sizeof(zero))
		assert_int_equal(write(fd, zero, sizeof(zero)), sizeof(zero));
	close(fd);

	snprintf(cmd, sizeof(cmd), "%s %s %s %s 2>&1", mkswap_path(), args, path, kib);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	int status = pclose(f);

	FILE *img = fopen(path, "rb");
	assert_non_null(img);
	assert_int_equal(fread(mk->page0, 1, PAGE_SIZE, img), PAGE_SIZE);
	fclose(img);
	unlink(path);
	if (status != 0)
		fail_msg("%s failed:\n%s", cmd, out);
	mk->sectors = SECTORS(disk_bytes);
	parse_report(mk, out);
}

static void make_swap(struct made *mk, uint32_t disk_bytes, const char *args)
{
	make_swap_sized(mk, disk_bytes, args, "");
}

static void put_le32(uint8_t *page, uint32_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		page[off + i] = (uint8_t)(v >> (8 * i));
}

/* Parse m.page0 over m.sectors, expecting err and (if err) reason. */
static void expect_parse(int err, const char *reason)
{
	why = "untouched";
	assert_int_equal(swap_area_parse(m.page0, m.sectors, &info, &why), err);
	if (err == 0)
		assert_null(why);
	else
		assert_string_equal(why, reason);
}

static void expect_uuid(const uint8_t *uuid, const char *text)
{
	char s[SWAP_UUID_STRLEN];

	swap_area_uuid_str(uuid, s);
	assert_string_equal(s, text);
}

/* Headers mkswap makes. */

static void test_default_header_gives_size_and_uuid_mkswap_reports(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	assert_int_equal(m.last_page, PAGES_1M - 1);
	expect_parse(0, NULL);
	assert_int_equal(info.nslots, m.last_page);
	assert_int_equal(info.nbad, 0);
	assert_string_equal(info.label, "");
	assert_string_equal(m.label, "");
	expect_uuid(info.uuid, m.uuid);
}

static void test_label_given_to_mkswap_is_read_back(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "-L swaplabel");
	assert_string_equal(m.label, "swaplabel");
	expect_parse(0, NULL);
	assert_string_equal(info.label, "swaplabel");
}

static void test_label_mkswap_truncates_is_read_as_mkswap_reports(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "-L 0123456789abcdefXYZ");
	expect_parse(0, NULL);
	assert_string_equal(info.label, m.label);
	assert_true(strlen(info.label) > 0);
}

static void test_uuid_given_to_mkswap_is_read_back(void **state)
{
	(void)state;
	static const char uuid[] = "01234567-89ab-cdef-0011-223344556677";

	make_swap(&m, DISK_1M, "-U 01234567-89ab-cdef-0011-223344556677");
	assert_string_equal(m.uuid, uuid);
	expect_parse(0, NULL);
	expect_uuid(info.uuid, uuid);
}

static void test_smallest_40k_area_has_nine_slots(void **state)
{
	(void)state;
	make_swap(&m, DISK_40K, "");
	assert_int_equal(m.last_page, DISK_40K / PAGE_SIZE - 1);
	expect_parse(0, NULL);
	assert_int_equal(info.nslots, 9);
	expect_uuid(info.uuid, m.uuid);
}

/*
 * util-linux 2.38 mkswap cannot write a bad-page list into a file (no list
 * option; -c on a regular file says "checking bad blocks from swap file is
 * not supported"), so these lists are written into a real header.
 */
static void set_badpages(const uint32_t *pages, uint32_t n)
{
	put_le32(m.page0, OFF_NR_BADPAGES, n);
	for (uint32_t i = 0; i < n; i++)
		put_le32(m.page0, OFF_BADPAGES + 4 * i, pages[i]);
}

static void test_bad_page_list_is_returned_in_order(void **state)
{
	(void)state;
	const uint32_t bad[] = {200, 1, PAGES_1M - 1, 7};

	make_swap(&m, DISK_1M, "");
	set_badpages(bad, ARRAY_SIZE(bad));
	expect_parse(0, NULL);
	assert_int_equal(info.nbad, ARRAY_SIZE(bad));
	for (uint32_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(info.bad[i], bad[i]);
}

/* Not swap. */

static void test_zeroed_page_has_no_swap_signature(void **state)
{
	(void)state;
	memset(m.page0, 0, PAGE_SIZE);
	m.sectors = SECTORS(DISK_1M);
	expect_parse(-ENODEV, "no swap signature");
}

static void test_signature_one_letter_off_is_no_swap_signature(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	memcpy(m.page0 + OFF_SIG, "SWAPSPACE3", SIG_FIELD);
	expect_parse(-ENODEV, "no swap signature");
}

static void test_old_v0_signature_is_rejected_with_its_own_reason(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	memcpy(m.page0 + OFF_SIG, "SWAP-SPACE", SIG_FIELD);
	expect_parse(-ENODEV, "old swap v0 format (SWAP-SPACE)");
}

static void test_area_made_for_8k_pages_has_no_signature_at_4k(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "-p 8192");
	expect_parse(-ENODEV, "no swap signature");
}

static void test_null_why_is_allowed(void **state)
{
	(void)state;
	memset(m.page0, 0, PAGE_SIZE);
	assert_int_equal(swap_area_parse(m.page0, SECTORS(DISK_1M), &info, NULL), -ENODEV);
	make_swap(&m, DISK_1M, "");
	assert_int_equal(swap_area_parse(m.page0, m.sectors, &info, NULL), 0);
}

/* Swap, but unusable. */

static void test_version_other_than_1_is_rejected(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	put_le32(m.page0, OFF_VERSION, 2);
	expect_parse(-EINVAL, "swap header version is not 1");
	put_le32(m.page0, OFF_VERSION, 0);
	expect_parse(-EINVAL, "swap header version is not 1");
}

static void test_byte_swapped_header_is_rejected_as_byte_swapped(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	put_le32(m.page0, OFF_VERSION, 0x01000000u);
	put_le32(m.page0, OFF_LAST_PAGE, __builtin_bswap32(m.last_page));
	expect_parse(-EINVAL, "byte-swapped swap header (made on a big-endian machine)");
}

static void test_last_page_0_is_rejected(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	put_le32(m.page0, OFF_LAST_PAGE, 0);
	expect_parse(-EINVAL, "swap area has no pages (last_page 0)");
}

static void test_area_mkswap_made_larger_than_the_file_is_rejected(void **state)
{
	(void)state;
	/* -f lets mkswap write an area of 2 MiB into a file of 1 MiB. */
	make_swap_sized(&m, DISK_1M, "-f", "2048");
	assert_int_equal(m.last_page, 2 * PAGES_1M - 1);
	expect_parse(-EINVAL, "swap area is larger than the disk");
	m.sectors = 2 * SECTORS(DISK_1M);
	expect_parse(0, NULL);
	assert_int_equal(info.nslots, m.last_page);
}

static void test_area_must_fit_the_disk_to_the_sector(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	m.sectors = SECTORS(DISK_1M);
	expect_parse(0, NULL);
	m.sectors = SECTORS(DISK_1M) - 1;
	expect_parse(-EINVAL, "swap area is larger than the disk");
}

static void test_last_page_at_uint32_max_does_not_wrap_past_the_disk_check(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	put_le32(m.page0, OFF_LAST_PAGE, UINT32_MAX);
	m.sectors = SWAP_SECTORS_PER_PAGE;
	expect_parse(-EINVAL, "swap area is larger than the disk");
	m.sectors = UINT64_MAX;
	expect_parse(0, NULL);
	assert_int_equal(info.nslots, UINT32_MAX);
}

static void test_637_bad_pages_fit_and_638_are_too_many(void **state)
{
	(void)state;
	uint32_t bad[SWAP_BADPAGES_MAX + 1];

	assert_int_equal(SWAP_BADPAGES_MAX, (OFF_SIG - OFF_BADPAGES) / 4);
	for (uint32_t i = 0; i < ARRAY_SIZE(bad); i++)
		bad[i] = 1 + i % (PAGES_1M - 1);
	make_swap(&m, DISK_1M, "");
	set_badpages(bad, SWAP_BADPAGES_MAX);
	expect_parse(0, NULL);
	assert_int_equal(info.nbad, SWAP_BADPAGES_MAX);
	assert_int_equal(info.bad[SWAP_BADPAGES_MAX - 1], bad[SWAP_BADPAGES_MAX - 1]);
	put_le32(m.page0, OFF_NR_BADPAGES, SWAP_BADPAGES_MAX + 1);
	expect_parse(-EINVAL, "too many bad pages in the header");
	put_le32(m.page0, OFF_NR_BADPAGES, UINT32_MAX);
	expect_parse(-EINVAL, "too many bad pages in the header");
}

static void test_bad_page_0_is_rejected(void **state)
{
	(void)state;
	const uint32_t bad[] = {5, 0};

	make_swap(&m, DISK_1M, "");
	set_badpages(bad, ARRAY_SIZE(bad));
	expect_parse(-EINVAL, "bad page number outside the swap area");
}

static void test_bad_page_past_last_page_is_rejected(void **state)
{
	(void)state;
	uint32_t bad[] = {0};

	make_swap(&m, DISK_1M, "");
	bad[0] = m.last_page;
	set_badpages(bad, 1);
	expect_parse(0, NULL);
	bad[0] = m.last_page + 1;
	set_badpages(bad, 1);
	expect_parse(-EINVAL, "bad page number outside the swap area");
}

/* Labels as they reach the console. */

static void test_label_of_16_bytes_without_nul_is_kept_whole(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	memcpy(m.page0 + OFF_LABEL, "0123456789abcdef", LABEL_FIELD);
	expect_parse(0, NULL);
	assert_string_equal(info.label, "0123456789abcdef");
}

static void test_unprintable_label_bytes_become_question_marks(void **state)
{
	(void)state;
	make_swap(&m, DISK_1M, "");
	memcpy(m.page0 + OFF_LABEL, "\x1b[2J\x7f\xffok\0junk", 13);
	expect_parse(0, NULL);
	assert_string_equal(info.label, "?[2J??ok");
}

/* The slot allocator. */

#define SMALL_SLOTS 100u

static struct swap_area s;
static uint16_t *store;

/* Slots 1..nslots with the given bad pages, over storage of exactly
 * swap_area_bytes(nslots) bytes, so that ASan catches any overrun. */
static void slots_make(uint32_t nslots, const uint32_t *bad, uint32_t nbad)
{
	uint64_t bytes = swap_area_bytes(nslots);

	memset(&info, 0, sizeof(info));
	info.nslots = nslots;
	info.nbad = nbad;
	for (uint32_t i = 0; i < nbad; i++)
		info.bad[i] = bad[i];
	free(store);
	store = malloc(bytes);
	assert_non_null(store);
	memset(store, 0xA5, bytes); /* init must not rely on zeroed storage */
	assert_int_equal(swap_area_init(&s, &info, store, (uint32_t)bytes), 0);
}

static int slots_free_store(void **state)
{
	(void)state;
	free(store);
	store = NULL;
	return 0;
}

/* Allocate until the allocator says 0; return how many it gave. Checks
 * each slot is in range, fresh (seen[] marks it) and has refcount 1. */
static uint32_t alloc_all(bool *seen)
{
	uint32_t n = 0, slot;

	while ((slot = swap_area_alloc(&s)) != 0) {
		assert_in_range(slot, 1, s.nslots);
		assert_false(seen[slot]);
		seen[slot] = true;
		assert_int_equal(swap_area_refs(&s, slot), 1);
		n++;
		assert_true(n <= s.nslots);
	}
	return n;
}

static void test_slots_bytes_is_a_uint16_per_slot_and_slot_0_and_a_byte_per_cluster(void **state)
{
	(void)state;
	assert_int_equal(swap_area_bytes(1), 2 * sizeof(uint16_t) + 1);
	assert_int_equal(swap_area_bytes(SWAP_CLUSTER - 1), SWAP_CLUSTER * sizeof(uint16_t) + 1);
	assert_int_equal(swap_area_bytes(SWAP_CLUSTER), (SWAP_CLUSTER + 1) * sizeof(uint16_t) + 2);
	assert_int_equal(swap_area_bytes(PAGES_1M - 1),
			 PAGES_1M * sizeof(uint16_t) + PAGES_1M / SWAP_CLUSTER);
	assert_true(swap_area_bytes(UINT32_MAX) ==
		    ((uint64_t)UINT32_MAX + 1) * sizeof(uint16_t) + (1u << 28));
}

static void test_init_rejects_short_storage_no_slots_and_bad_page_out_of_range(void **state)
{
	(void)state;
	uint16_t buf[2 * SMALL_SLOTS];
	uint32_t len = (uint32_t)swap_area_bytes(SMALL_SLOTS);

	memset(&info, 0, sizeof(info));
	info.nslots = SMALL_SLOTS;
	assert_int_equal(swap_area_init(&s, &info, buf, len), 0);
	assert_int_equal(swap_area_init(&s, &info, buf, len - 1), -EINVAL);
	info.nslots = 0;
	assert_int_equal(swap_area_init(&s, &info, buf, len), -EINVAL);
	info.nslots = SMALL_SLOTS;
	info.nbad = 1;
	info.bad[0] = 0;
	assert_int_equal(swap_area_init(&s, &info, buf, len), -EINVAL);
	info.bad[0] = SMALL_SLOTS + 1;
	assert_int_equal(swap_area_init(&s, &info, buf, len), -EINVAL);
	info.bad[0] = SMALL_SLOTS;
	assert_int_equal(swap_area_init(&s, &info, buf, len), 0);
	/* A count past the array is refused before any entry is read, even
	 * when every entry (and what lies after the array) looks valid. */
	for (uint32_t i = 0; i < SWAP_BADPAGES_MAX; i++)
		info.bad[i] = 1;
	memset(info.uuid, 0, sizeof(info.uuid));
	info.uuid[0] = 1;
	info.nbad = SWAP_BADPAGES_MAX;
	assert_int_equal(swap_area_init(&s, &info, buf, len), 0);
	info.nbad = SWAP_BADPAGES_MAX + 1;
	assert_int_equal(swap_area_init(&s, &info, buf, len), -EINVAL);
}

static void test_init_frees_all_but_bad_pages_counting_repeats_once(void **state)
{
	(void)state;
	const uint32_t bad[] = {7, 3, 7, SMALL_SLOTS};

	slots_make(SMALL_SLOTS, bad, ARRAY_SIZE(bad));
	assert_int_equal(swap_area_total_slots(&s), SMALL_SLOTS - 3);
	assert_int_equal(swap_area_free_slots(&s), SMALL_SLOTS - 3);
	for (uint32_t slot = 1; slot <= SMALL_SLOTS; slot++)
		assert_int_equal(swap_area_refs(&s, slot), 0);
}

static void test_alloc_hands_out_every_usable_slot_once_then_0(void **state)
{
	(void)state;
	const uint32_t bad[] = {1, 50, SMALL_SLOTS};
	bool seen[SMALL_SLOTS + 1] = {false};

	slots_make(SMALL_SLOTS, bad, ARRAY_SIZE(bad));
	assert_int_equal(alloc_all(seen), SMALL_SLOTS - ARRAY_SIZE(bad));
	for (uint32_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_false(seen[bad[i]]);
	assert_int_equal(swap_area_alloc(&s), 0);
	assert_int_equal(swap_area_free_slots(&s), 0);
	assert_int_equal(swap_area_total_slots(&s), SMALL_SLOTS - ARRAY_SIZE(bad));
}

static void test_one_slot_area_gives_slot_1_then_0(void **state)
{
	(void)state;
	slots_make(1, NULL, 0);
	assert_int_equal(swap_area_alloc(&s), 1);
	assert_int_equal(swap_area_alloc(&s), 0);
	swap_area_unref(&s, 1);
	assert_int_equal(swap_area_alloc(&s), 1);
}

static void test_parsed_mkswap_area_feeds_the_allocator(void **state)
{
	(void)state;
	const uint32_t bad[] = {10, 11};
	bool seen[PAGES_1M] = {false};

	make_swap(&m, DISK_1M, "");
	set_badpages(bad, ARRAY_SIZE(bad));
	expect_parse(0, NULL);
	uint64_t bytes = swap_area_bytes(info.nslots);
	free(store);
	store = malloc(bytes);
	assert_non_null(store);
	assert_int_equal(swap_area_init(&s, &info, store, (uint32_t)bytes), 0);
	assert_int_equal(swap_area_total_slots(&s), m.last_page - ARRAY_SIZE(bad));
	assert_int_equal(alloc_all(seen), m.last_page - ARRAY_SIZE(bad));
	assert_false(seen[10] || seen[11]);
}

static void test_ref_and_unref_count_and_last_unref_frees(void **state)
{
	(void)state;
	slots_make(SMALL_SLOTS, NULL, 0);
	uint32_t slot = swap_area_alloc(&s);
	assert_int_equal(swap_area_free_slots(&s), SMALL_SLOTS - 1);
	swap_area_ref(&s, slot);
	swap_area_ref(&s, slot);
	assert_int_equal(swap_area_refs(&s, slot), 3);
	swap_area_unref(&s, slot);
	swap_area_unref(&s, slot);
	assert_int_equal(swap_area_refs(&s, slot), 1);
	assert_int_equal(swap_area_free_slots(&s), SMALL_SLOTS - 1);
	swap_area_unref(&s, slot);
	assert_int_equal(swap_area_refs(&s, slot), 0);
	assert_int_equal(swap_area_free_slots(&s), SMALL_SLOTS);
	assert_int_equal(swap_area_total_slots(&s), SMALL_SLOTS);
}

static void test_slot_freed_in_a_full_area_is_the_next_allocated(void **state)
{
	(void)state;
	bool seen[SMALL_SLOTS + 1] = {false};

	slots_make(SMALL_SLOTS, NULL, 0);
	alloc_all(seen);
	swap_area_unref(&s, 37);
	assert_int_equal(swap_area_free_slots(&s), 1);
	assert_int_equal(swap_area_alloc(&s), 37);
	assert_int_equal(swap_area_alloc(&s), 0);
}

static void test_alloc_finds_a_slot_freed_behind_its_cursor(void **state)
{
	(void)state;
	slots_make(SMALL_SLOTS, NULL, 0);
	assert_int_equal(swap_area_alloc(&s), 1);
	assert_int_equal(swap_area_alloc(&s), 2);
	swap_area_unref(&s, 1);
	for (uint32_t i = 3; i <= SMALL_SLOTS; i++)
		assert_int_equal(swap_area_alloc(&s), i);
	assert_int_equal(swap_area_alloc(&s), 1);
	assert_int_equal(swap_area_alloc(&s), 0);
}

static void test_retired_slot_is_never_free_nor_allocated_again(void **state)
{
	(void)state;
	bool seen[SMALL_SLOTS + 1] = {false};
	const uint32_t retired = 42;

	slots_make(SMALL_SLOTS, NULL, 0);
	alloc_all(seen);
	swap_area_retire(&s, retired);
	assert_int_equal(swap_area_total_slots(&s), SMALL_SLOTS - 1);
	assert_int_equal(swap_area_free_slots(&s), 0);
	assert_int_equal(swap_area_refs(&s, retired), 0);
	assert_int_equal(swap_area_alloc(&s), 0);
	for (uint32_t slot = 1; slot <= SMALL_SLOTS; slot++)
		if (slot != retired)
			swap_area_unref(&s, slot);
	assert_int_equal(swap_area_free_slots(&s), SMALL_SLOTS - 1);
	memset(seen, 0, sizeof(seen));
	assert_int_equal(alloc_all(seen), SMALL_SLOTS - 1);
	assert_false(seen[retired]);
}

/* Placement in clusters (swap_area_alloc_near). An area of 47 slots has
 * clusters 0 (the header and slots 1-15), 1 (16-31) and 2 (32-47). */
#define THREE_CLUSTERS (3 * SWAP_CLUSTER - 1)

static void test_alloc_near_takes_the_wanted_slot_while_it_is_free(void **state)
{
	(void)state;
	slots_make(SMALL_SLOTS, NULL, 0);
	assert_int_equal(swap_area_alloc_near(&s, 37, 0), 37);
	assert_int_equal(swap_area_refs(&s, 37), 1);
	assert_int_equal(swap_area_alloc_near(&s, 38, 6), 38);
	assert_int_equal(swap_area_free_slots(&s), SMALL_SLOTS - 2);
	/* Taken, or out of range: the page goes to a free cluster instead. */
	assert_int_equal(swap_area_alloc_near(&s, 37, 5) % SWAP_CLUSTER, 5);
	assert_int_equal(swap_area_alloc_near(&s, SMALL_SLOTS + 1, 5) % SWAP_CLUSTER, 5);
}

static void test_alloc_near_puts_a_page_at_its_offset_in_a_wholly_free_cluster(void **state)
{
	(void)state;
	slots_make(THREE_CLUSTERS, NULL, 0);
	assert_int_equal(swap_area_alloc_near(&s, 0, 3), SWAP_CLUSTER + 3);
	/* Cluster 1 is no longer wholly free: the next page without a
	 * neighbour gets cluster 2, at its own offset. */
	assert_int_equal(swap_area_alloc_near(&s, 0, 3), 2 * SWAP_CLUSTER + 3);
	/* Freed, cluster 2 is wholly free again; offsets count modulo the
	 * cluster. */
	swap_area_unref(&s, 2 * SWAP_CLUSTER + 3);
	assert_int_equal(swap_area_alloc_near(&s, 0, SWAP_CLUSTER + 1), 2 * SWAP_CLUSTER + 1);
}

static void test_alloc_near_falls_back_to_any_slot_and_a_freed_cluster_is_free_again(void **state)
{
	(void)state;
	slots_make(THREE_CLUSTERS, NULL, 0);
	assert_int_equal(swap_area_alloc_near(&s, 0, 0), SWAP_CLUSTER);
	assert_int_equal(swap_area_alloc_near(&s, 0, 0), 2 * SWAP_CLUSTER);
	/* No cluster is wholly free (cluster 0 never is): next fit. */
	assert_int_equal(swap_area_alloc_near(&s, 0, 9), 1);
	swap_area_unref(&s, SWAP_CLUSTER);
	assert_int_equal(swap_area_alloc_near(&s, 0, 9), SWAP_CLUSTER + 9);
}

static void test_cluster_with_a_bad_page_or_past_the_end_is_never_wholly_free(void **state)
{
	(void)state;
	const uint32_t bad[] = {SWAP_CLUSTER + 7};
	/* Slots 1..40: cluster 2 (32-47) is partly past the end. */
	slots_make(40, bad, ARRAY_SIZE(bad));
	assert_int_equal(swap_area_alloc_near(&s, 0, 4), 1); /* next fit: no cluster is free */
	assert_int_equal(swap_area_alloc_near(&s, 0, 4), 2);
}

/* Misuse is a kernel bug: it panics. */

static void test_ref_of_free_slot_panics(void **state)
{
	(void)state;
	slots_make(SMALL_SLOTS, NULL, 0);
	expect_assert_failure(swap_area_ref(&s, 5));
	assert_int_equal(swap_area_refs(&s, 5), 0);
}

static void test_unref_of_free_slot_panics_also_after_last_unref(void **state)
{
	(void)state;
	slots_make(SMALL_SLOTS, NULL, 0);
	expect_assert_failure(swap_area_unref(&s, 5));
	uint32_t slot = swap_area_alloc(&s);
	swap_area_unref(&s, slot);
	expect_assert_failure(swap_area_unref(&s, slot));
	assert_int_equal(swap_area_free_slots(&s), SMALL_SLOTS);
}

static void test_slot_outside_1_to_nslots_panics(void **state)
{
	(void)state;
	const uint32_t outside[] = {0, SMALL_SLOTS + 1, UINT32_MAX};

	slots_make(SMALL_SLOTS, NULL, 0);
	for (uint32_t i = 0; i < ARRAY_SIZE(outside); i++) {
		expect_assert_failure(swap_area_ref(&s, outside[i]));
		expect_assert_failure(swap_area_unref(&s, outside[i]));
		expect_assert_failure(swap_area_refs(&s, outside[i]));
		expect_assert_failure(swap_area_retire(&s, outside[i]));
	}
}

static void test_bad_or_retired_slot_panics_on_ref_unref_retire(void **state)
{
	(void)state;
	const uint32_t bad[] = {9};

	slots_make(SMALL_SLOTS, bad, ARRAY_SIZE(bad));
	uint32_t slot = swap_area_alloc(&s);
	swap_area_retire(&s, slot);
	const uint32_t dead[] = {9, slot};
	for (uint32_t i = 0; i < ARRAY_SIZE(dead); i++) {
		expect_assert_failure(swap_area_ref(&s, dead[i]));
		expect_assert_failure(swap_area_unref(&s, dead[i]));
		expect_assert_failure(swap_area_retire(&s, dead[i]));
	}
	assert_int_equal(swap_area_total_slots(&s), SMALL_SLOTS - 2);
	assert_int_equal(swap_area_free_slots(&s), SMALL_SLOTS - 2);
}

static void test_retire_of_free_or_shared_slot_panics(void **state)
{
	(void)state;
	slots_make(SMALL_SLOTS, NULL, 0);
	expect_assert_failure(swap_area_retire(&s, 3));
	uint32_t slot = swap_area_alloc(&s);
	swap_area_ref(&s, slot);
	expect_assert_failure(swap_area_retire(&s, slot));
	assert_int_equal(swap_area_refs(&s, slot), 2);
	assert_int_equal(swap_area_total_slots(&s), SMALL_SLOTS);
}

static void test_refcount_stops_at_65534_with_a_panic(void **state)
{
	(void)state;
	assert_int_equal(SWAP_REF_MAX, 65534);
	slots_make(SMALL_SLOTS, NULL, 0);
	uint32_t slot = swap_area_alloc(&s);
	for (uint32_t i = 1; i < SWAP_REF_MAX; i++)
		swap_area_ref(&s, slot);
	assert_int_equal(swap_area_refs(&s, slot), SWAP_REF_MAX);
	expect_assert_failure(swap_area_ref(&s, slot));
	assert_int_equal(swap_area_refs(&s, slot), SWAP_REF_MAX);
	for (uint32_t i = 0; i < SWAP_REF_MAX; i++)
		swap_area_unref(&s, slot);
	assert_int_equal(swap_area_refs(&s, slot), 0);
	assert_int_equal(swap_area_free_slots(&s), SMALL_SLOTS);
}

/*
 * Random operations against a model: per slot a reference count and an
 * out-of-service flag, plus the list of slots in use; allocations plain
 * and placed. Phases alternate
 * between mostly allocating (the area fills and alloc returns 0) and
 * mostly dropping references, so both a full and an emptying area are
 * covered.
 */
#define RANDOM_OPS	   100000u
#define RANDOM_SEED	   0x5eed2024u
#define RANDOM_SLOTS	   500u
#define RANDOM_PHASE	   5000u /* ops before the mix of operations flips */
#define RANDOM_REF_CAP	   8u	 /* keeps counts small so unrefs do free slots */
#define RANDOM_RETIRE_ODDS 1000u
#define RANDOM_CHECK_EVERY 1000u
#define PERCENT		   100u

static uint32_t rng_state;

static uint32_t rng(void)
{
	/* xorshift32: deterministic, so a failure reproduces. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

struct model {
	uint32_t ref[RANDOM_SLOTS + 1];
	bool dead[RANDOM_SLOTS + 1];
	uint32_t used[RANDOM_SLOTS];	  /* slots with ref > 0 */
	uint32_t where[RANDOM_SLOTS + 1]; /* index of a slot in used[] */
	uint32_t nused, nfree, ntotal;
	uint32_t allocs, fulls;
	uint32_t placed; /* placed allocations that took the wanted slot or a free cluster */
};

static struct model md;

static void model_use(uint32_t slot)
{
	md.ref[slot] = 1;
	md.where[slot] = md.nused;
	md.used[md.nused++] = slot;
	md.nfree--;
}

static void model_drop(uint32_t slot)
{
	uint32_t last = md.used[--md.nused];

	md.used[md.where[slot]] = last;
	md.where[last] = md.where[slot];
	md.ref[slot] = 0;
}

static void random_alloc(void)
{
	uint32_t slot = swap_area_alloc(&s);

	if (md.nfree == 0) {
		assert_int_equal(slot, 0);
		md.fulls++;
		return;
	}
	assert_in_range(slot, 1, RANDOM_SLOTS);
	assert_false(md.dead[slot]);
	assert_int_equal(md.ref[slot], 0);
	model_use(slot);
	md.allocs++;
}

/* Whether cluster c is wholly free in the model: each of its slots
 * exists, is in service and free. */
static bool model_cluster_free(uint32_t c)
{
	for (uint32_t slot = c * SWAP_CLUSTER; slot < (c + 1) * SWAP_CLUSTER; slot++)
		if (slot == 0 || slot > RANDOM_SLOTS || md.dead[slot] || md.ref[slot] != 0)
			return false;
	return true;
}

static bool model_some_cluster_free(void)
{
	for (uint32_t c = 0; c <= RANDOM_SLOTS / SWAP_CLUSTER; c++)
		if (model_cluster_free(c))
			return true;
	return false;
}

/* A placed allocation: the wanted slot if the model has it free, else a
 * slot at the offset of a cluster the model has wholly free, else any. */
static void random_alloc_near(void)
{
	uint32_t want = rng() % (RANDOM_SLOTS + 2), offset = rng() % (2 * SWAP_CLUSTER);
	bool want_free = want >= 1 && want <= RANDOM_SLOTS && !md.dead[want] && md.ref[want] == 0;
	bool cluster = model_some_cluster_free();
	uint32_t slot = swap_area_alloc_near(&s, want, offset);

	if (md.nfree == 0) {
		assert_int_equal(slot, 0);
		md.fulls++;
		return;
	}
	if (want_free) {
		assert_int_equal(slot, want);
	} else if (cluster) {
		assert_int_equal(slot % SWAP_CLUSTER, offset % SWAP_CLUSTER);
		assert_true(model_cluster_free(slot / SWAP_CLUSTER));
	}
	assert_in_range(slot, 1, RANDOM_SLOTS);
	assert_false(md.dead[slot]);
	assert_int_equal(md.ref[slot], 0);
	model_use(slot);
	md.allocs++;
	md.placed += want_free || cluster;
}

static void random_ref(uint32_t slot)
{
	if (md.ref[slot] < RANDOM_REF_CAP) {
		swap_area_ref(&s, slot);
		md.ref[slot]++;
	}
}

static void random_unref(uint32_t slot)
{
	swap_area_unref(&s, slot);
	if (--md.ref[slot] == 0) {
		md.ref[slot] = 1; /* model_drop clears it */
		model_drop(slot);
		md.nfree++;
	}
}

static void random_retire(uint32_t slot)
{
	if (md.ref[slot] != 1)
		return;
	swap_area_retire(&s, slot);
	model_drop(slot);
	md.dead[slot] = true;
	md.ntotal--;
}

static void random_one(uint32_t op)
{
	bool filling = (op / RANDOM_PHASE) % 2 == 0;
	uint32_t r = rng() % PERCENT;
	uint32_t alloc_pct = filling ? 60 : 25;

	if (rng() % RANDOM_RETIRE_ODDS == 0 && md.nused > 0) {
		random_retire(md.used[rng() % md.nused]);
		return;
	}
	if (r < alloc_pct || md.nused == 0) {
		if (rng() % 2)
			random_alloc();
		else
			random_alloc_near();
		return;
	}
	uint32_t slot = md.used[rng() % md.nused];
	if (r < alloc_pct + 15)
		random_ref(slot);
	else
		random_unref(slot);
}

static void model_compare(void)
{
	for (uint32_t slot = 1; slot <= RANDOM_SLOTS; slot++)
		assert_int_equal(swap_area_refs(&s, slot), md.ref[slot]);
}

static void test_random_ops_match_a_reference_model(void **state)
{
	(void)state;
	const uint32_t bad[] = {2, 3, 250, RANDOM_SLOTS};

	slots_make(RANDOM_SLOTS, bad, ARRAY_SIZE(bad));
	memset(&md, 0, sizeof(md));
	for (uint32_t i = 0; i < ARRAY_SIZE(bad); i++)
		md.dead[bad[i]] = true;
	md.ntotal = md.nfree = RANDOM_SLOTS - ARRAY_SIZE(bad);
	rng_state = RANDOM_SEED;

	for (uint32_t op = 0; op < RANDOM_OPS; op++) {
		random_one(op);
		assert_int_equal(swap_area_free_slots(&s), md.nfree);
		assert_int_equal(swap_area_total_slots(&s), md.ntotal);
		if (op % RANDOM_CHECK_EVERY == 0)
			model_compare();
	}
	model_compare();
	/* The run covered both a full area and many allocations. */
	assert_true(md.fulls > 0);
	assert_true(md.allocs > RANDOM_OPS / 10);
	assert_true(md.placed > RANDOM_OPS / 100);
	assert_true(md.ntotal < RANDOM_SLOTS - ARRAY_SIZE(bad));
}

#define SLOTS_TEST(f) cmocka_unit_test_teardown(f, slots_free_store)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_header_gives_size_and_uuid_mkswap_reports),
	    cmocka_unit_test(test_label_given_to_mkswap_is_read_back),
	    cmocka_unit_test(test_label_mkswap_truncates_is_read_as_mkswap_reports),
	    cmocka_unit_test(test_uuid_given_to_mkswap_is_read_back),
	    cmocka_unit_test(test_smallest_40k_area_has_nine_slots),
	    cmocka_unit_test(test_bad_page_list_is_returned_in_order),
	    cmocka_unit_test(test_zeroed_page_has_no_swap_signature),
	    cmocka_unit_test(test_signature_one_letter_off_is_no_swap_signature),
	    cmocka_unit_test(test_old_v0_signature_is_rejected_with_its_own_reason),
	    cmocka_unit_test(test_area_made_for_8k_pages_has_no_signature_at_4k),
	    cmocka_unit_test(test_null_why_is_allowed),
	    cmocka_unit_test(test_version_other_than_1_is_rejected),
	    cmocka_unit_test(test_byte_swapped_header_is_rejected_as_byte_swapped),
	    cmocka_unit_test(test_last_page_0_is_rejected),
	    cmocka_unit_test(test_area_mkswap_made_larger_than_the_file_is_rejected),
	    cmocka_unit_test(test_area_must_fit_the_disk_to_the_sector),
	    cmocka_unit_test(test_last_page_at_uint32_max_does_not_wrap_past_the_disk_check),
	    cmocka_unit_test(test_637_bad_pages_fit_and_638_are_too_many),
	    cmocka_unit_test(test_bad_page_0_is_rejected),
	    cmocka_unit_test(test_bad_page_past_last_page_is_rejected),
	    cmocka_unit_test(test_label_of_16_bytes_without_nul_is_kept_whole),
	    cmocka_unit_test(test_unprintable_label_bytes_become_question_marks),
	    cmocka_unit_test(test_slots_bytes_is_a_uint16_per_slot_and_slot_0_and_a_byte_per_cluster),
	    cmocka_unit_test(test_init_rejects_short_storage_no_slots_and_bad_page_out_of_range),
	    SLOTS_TEST(test_init_frees_all_but_bad_pages_counting_repeats_once),
	    SLOTS_TEST(test_alloc_hands_out_every_usable_slot_once_then_0),
	    SLOTS_TEST(test_one_slot_area_gives_slot_1_then_0),
	    SLOTS_TEST(test_parsed_mkswap_area_feeds_the_allocator),
	    SLOTS_TEST(test_ref_and_unref_count_and_last_unref_frees),
	    SLOTS_TEST(test_slot_freed_in_a_full_area_is_the_next_allocated),
	    SLOTS_TEST(test_alloc_finds_a_slot_freed_behind_its_cursor),
	    SLOTS_TEST(test_retired_slot_is_never_free_nor_allocated_again),
	    SLOTS_TEST(test_alloc_near_takes_the_wanted_slot_while_it_is_free),
	    SLOTS_TEST(test_alloc_near_puts_a_page_at_its_offset_in_a_wholly_free_cluster),
	    SLOTS_TEST(test_alloc_near_falls_back_to_any_slot_and_a_freed_cluster_is_free_again),
	    SLOTS_TEST(test_cluster_with_a_bad_page_or_past_the_end_is_never_wholly_free),
	    SLOTS_TEST(test_ref_of_free_slot_panics),
	    SLOTS_TEST(test_unref_of_free_slot_panics_also_after_last_unref),
	    SLOTS_TEST(test_slot_outside_1_to_nslots_panics),
	    SLOTS_TEST(test_bad_or_retired_slot_panics_on_ref_unref_retire),
	    SLOTS_TEST(test_retire_of_free_or_shared_slot_panics),
	    SLOTS_TEST(test_refcount_stops_at_65534_with_a_panic),
	    SLOTS_TEST(test_random_ops_match_a_reference_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
