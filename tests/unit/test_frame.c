/*
 * Host tests for kernel/mm/frame.c: the frame table's layout, the free
 * list, reference counts, and the panics that catch kernel bugs. Each test
 * builds simulated RAM (host_ram.c) and runs frame_init over it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "mm/frame.h"
#include "mm/phys.h"
#include "lib/kerrno.h"
#include "host_ram.h"

#define RAM_BASE 0x80000000u
#define SMALL_RAM_PAGES 64u   /* table: 64 * 8 B, one page */
#define LARGE_RAM_PAGES 1024u
/* Pages the frame table of LARGE_RAM_PAGES frames takes (at least two). */
#define LARGE_TABLE_PAGES ((LARGE_RAM_PAGES * sizeof(struct frame) + PAGE_SIZE - 1) / PAGE_SIZE)
#define DIRT 0xA5

static paddr_t page(uint32_t n)
{
	return RAM_BASE + n * PAGE_SIZE;
}

static void ram_make(paddr_t base, uint32_t npages)
{
	assert_int_equal(host_ram_make(base, npages), 0);
}

static int ram_free(void **state)
{
	(void)state;
	host_ram_teardown();
	return 0;
}

static struct phys_range ram_range(uint32_t npages)
{
	return (struct phys_range){ .base = RAM_BASE, .size = npages * PAGE_SIZE };
}

/* Simulated RAM of npages at RAM_BASE with the allocator built over it. */
static void ram_init(uint32_t npages, const struct phys_range *res, int nres)
{
	assert_int_equal(host_ram_setup(RAM_BASE, npages, res, nres), 0);
}

static paddr_t table_pa(void)
{
	return kva2pa(frame_of(RAM_BASE));
}

static bool in_range(paddr_t pa, const struct phys_range *r)
{
	return pa + PAGE_SIZE > r->base && pa < r->base + r->size;
}

/* Frames 0-2 (firmware), a byte range inside frame 10, and one that
 * straddles frames 20 and 21: six reserved frames, the table at frame 3. */
static const struct phys_range small_res[] = {
	{ .base = RAM_BASE, .size = 3 * PAGE_SIZE },
	{ .base = RAM_BASE + 10 * PAGE_SIZE + 100, .size = 200 },
	{ .base = RAM_BASE + 21 * PAGE_SIZE - 96, .size = 200 },
};
#define SMALL_RES_FRAMES 6u
#define SMALL_TABLE_FRAME 3u

static void test_init_counts_total_and_free_with_reserved_ranges(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, small_res, ARRAY_SIZE(small_res));

	assert_int_equal(frame_count_total(), SMALL_RAM_PAGES);
	assert_int_equal(frame_count_free(), SMALL_RAM_PAGES - SMALL_RES_FRAMES - 1);
	assert_int_equal(frame_of(page(10))->state, FRAME_RESERVED);
	assert_int_equal(frame_of(page(20))->state, FRAME_RESERVED);
	assert_int_equal(frame_of(page(21))->state, FRAME_RESERVED);
	assert_int_equal(frame_of(page(11))->state, FRAME_FREE);
	assert_int_equal(frame_of(page(22))->state, FRAME_FREE);
}

static void test_reserved_frames_and_table_never_handed_out(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, small_res, ARRAY_SIZE(small_res));
	paddr_t table = table_pa();
	uint32_t handed = 0;

	for (paddr_t pa; (pa = frame_alloc(0)) != 0; handed++) {
		for (size_t r = 0; r < ARRAY_SIZE(small_res); r++)
			assert_false(in_range(pa, &small_res[r]));
		assert_int_not_equal(pa, table);
	}
	assert_int_equal(handed, SMALL_RAM_PAGES - SMALL_RES_FRAMES - 1);
	assert_int_equal(frame_count_free(), 0);
}

static void test_table_placed_in_first_free_run_that_fits(void **state)
{
	(void)state;
	/* Frame 1 alone is free before frame 2 is reserved: too small for a
	 * table of two or more pages, which must start on frame 3. */
	const struct phys_range res[] = {
		{ .base = page(0), .size = PAGE_SIZE },
		{ .base = page(2), .size = PAGE_SIZE },
	};
	ram_init(LARGE_RAM_PAGES, res, ARRAY_SIZE(res));

	assert_true(LARGE_TABLE_PAGES >= 2);
	assert_int_equal(table_pa(), page(3));
	assert_int_equal(frame_of(page(1))->state, FRAME_FREE);
	for (uint32_t i = 0; i < LARGE_TABLE_PAGES; i++)
		assert_int_equal(frame_of(page(3 + i))->state, FRAME_RESERVED);
	assert_int_equal(frame_of(page(3 + LARGE_TABLE_PAGES))->state, FRAME_FREE);
	assert_int_equal(frame_count_free(), LARGE_RAM_PAGES - 2 - LARGE_TABLE_PAGES);
}

static void test_alloc_until_exhaustion_returns_zero_and_free_makes_one_available(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, small_res, ARRAY_SIZE(small_res));
	uint32_t nfree = frame_count_free();
	paddr_t last = 0;

	for (uint32_t i = 0; i < nfree; i++) {
		last = frame_alloc(0);
		assert_int_not_equal(last, 0);
	}
	assert_int_equal(frame_count_free(), 0);
	assert_int_equal(frame_alloc(0), 0);

	frame_free(last);
	assert_int_equal(frame_count_free(), 1);
	assert_int_equal(frame_alloc(0), last);
	assert_int_equal(frame_alloc(0), 0);
}

static void test_allocated_frames_distinct_aligned_and_inside_ram(void **state)
{
	(void)state;
	ram_init(LARGE_RAM_PAGES, NULL, 0);
	bool seen[LARGE_RAM_PAGES] = { false };

	for (paddr_t pa; (pa = frame_alloc(0)) != 0;) {
		assert_true(pa % PAGE_SIZE == 0);
		assert_in_range(pa, RAM_BASE, page(LARGE_RAM_PAGES - 1));
		uint32_t n = (pa - RAM_BASE) / PAGE_SIZE;
		assert_false(seen[n]);
		seen[n] = true;
	}
}

static void test_alloc_sets_used_with_refcnt_one(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, NULL, 0);
	paddr_t pa = frame_alloc(0);

	assert_int_equal(frame_of(pa)->state, FRAME_USED);
	assert_int_equal(frame_of(pa)->refcnt, 1);
	frame_free(pa);
	assert_int_equal(frame_of(pa)->state, FRAME_FREE);
}

static void test_frame_zero_clears_a_dirtied_frame(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, NULL, 0);
	paddr_t all[SMALL_RAM_PAGES];
	uint32_t n = 0;
	static const uint8_t zero[PAGE_SIZE];

	/* Dirty every free frame, so whichever comes back was dirty. */
	while ((all[n] = frame_alloc(0)) != 0) {
		memset(pa2kva(all[n]), DIRT, PAGE_SIZE);
		n++;
	}
	while (n > 0)
		frame_free(all[--n]);

	paddr_t pa = frame_alloc(FRAME_ZERO);
	assert_memory_equal(pa2kva(pa), zero, PAGE_SIZE);
}

static void test_ref_then_two_frees_release_the_frame(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, NULL, 0);
	paddr_t pa = frame_alloc(0);
	uint32_t nfree = frame_count_free();

	frame_ref(pa);
	assert_int_equal(frame_of(pa)->refcnt, 2);
	frame_free(pa);
	assert_int_equal(frame_of(pa)->state, FRAME_USED);
	assert_int_equal(frame_of(pa)->refcnt, 1);
	assert_int_equal(frame_count_free(), nfree);
	frame_free(pa);
	assert_int_equal(frame_of(pa)->state, FRAME_FREE);
	assert_int_equal(frame_count_free(), nfree + 1);
}

static void test_double_free_panics(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, NULL, 0);
	paddr_t pa = frame_alloc(0);

	frame_free(pa);
	expect_assert_failure(frame_free(pa));
}

static void test_free_of_reserved_frame_panics(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, small_res, ARRAY_SIZE(small_res));

	expect_assert_failure(frame_free(page(1)));
	expect_assert_failure(frame_free(table_pa()));
}

static void test_free_outside_ram_panics(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, NULL, 0);

	expect_assert_failure(frame_free(RAM_BASE - PAGE_SIZE));
	expect_assert_failure(frame_free(page(SMALL_RAM_PAGES)));
}

static void test_ref_of_unallocated_frame_panics(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, small_res, ARRAY_SIZE(small_res));
	paddr_t pa = frame_alloc(0);

	frame_free(pa);
	expect_assert_failure(frame_ref(pa));
	expect_assert_failure(frame_ref(page(0)));
	expect_assert_failure(frame_ref(page(SMALL_RAM_PAGES)));
}

static void test_frame_of_null_outside_ram(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, NULL, 0);

	assert_null(frame_of(0));
	assert_null(frame_of(RAM_BASE - 1));
	assert_null(frame_of(page(SMALL_RAM_PAGES)));
	assert_null(frame_of(0xFFFFFFFFu));
	assert_non_null(frame_of(RAM_BASE));
	assert_ptr_equal(frame_of(page(SMALL_RAM_PAGES) - 1), frame_of(page(SMALL_RAM_PAGES - 1)));
}

static void test_init_misaligned_or_empty_ram_is_einval(void **state)
{
	(void)state;
	ram_make(RAM_BASE, SMALL_RAM_PAGES);

	struct phys_range base_off = { .base = RAM_BASE + 8, .size = PAGE_SIZE * 4 };
	struct phys_range size_off = { .base = RAM_BASE, .size = PAGE_SIZE * 4 + 8 };
	struct phys_range empty = { .base = RAM_BASE, .size = 0 };
	struct phys_range wraps = { .base = 0xFFFFF000u, .size = 2 * PAGE_SIZE };
	assert_int_equal(frame_init(base_off, NULL, 0), -EINVAL);
	assert_int_equal(frame_init(size_off, NULL, 0), -EINVAL);
	assert_int_equal(frame_init(empty, NULL, 0), -EINVAL);
	assert_int_equal(frame_init(wraps, NULL, 0), -EINVAL);
}

static void test_init_where_table_cannot_fit_is_enomem(void **state)
{
	(void)state;
	ram_make(RAM_BASE, LARGE_RAM_PAGES);
	/* Every odd frame reserved: no two free frames in a row for the table. */
	static struct phys_range res[LARGE_RAM_PAGES / 2];
	for (uint32_t i = 0; i < ARRAY_SIZE(res); i++)
		res[i] = (struct phys_range){ .base = page(2 * i + 1), .size = PAGE_SIZE };

	assert_int_equal(frame_init(ram_range(LARGE_RAM_PAGES), res, ARRAY_SIZE(res)), -ENOMEM);
	assert_int_equal(frame_count_total(), 0);
	assert_int_equal(frame_alloc(0), 0);
	assert_null(frame_of(RAM_BASE));
}

static void test_reserved_ranges_beyond_ram_are_clipped(void **state)
{
	(void)state;
	const struct phys_range res[] = {
		{ .base = RAM_BASE - 2 * PAGE_SIZE, .size = 3 * PAGE_SIZE },
		{ .base = page(SMALL_RAM_PAGES - 1), .size = 16 * PAGE_SIZE },
		{ .base = 0x10000000u, .size = 0x1000000u },
	};
	ram_init(SMALL_RAM_PAGES, res, ARRAY_SIZE(res));

	assert_int_equal(frame_of(page(0))->state, FRAME_RESERVED);
	assert_int_equal(frame_of(page(SMALL_RAM_PAGES - 1))->state, FRAME_RESERVED);
	assert_int_equal(table_pa(), page(1));
	assert_int_equal(frame_count_free(), SMALL_RAM_PAGES - 3);
}

static void test_empty_reserved_range_reserves_nothing(void **state)
{
	(void)state;
	const struct phys_range res[] = { { .base = RAM_BASE + 5 * PAGE_SIZE + 100, .size = 0 } };
	ram_init(SMALL_RAM_PAGES, res, ARRAY_SIZE(res));

	assert_int_equal(frame_of(page(5))->state, FRAME_FREE);
	assert_int_equal(frame_count_free(), SMALL_RAM_PAGES - 1);
}

static void test_frame_at_physical_zero_never_handed_out(void **state)
{
	(void)state;
	ram_make(0, SMALL_RAM_PAGES);
	struct phys_range ram = { .base = 0, .size = SMALL_RAM_PAGES * PAGE_SIZE };
	assert_int_equal(frame_init(ram, NULL, 0), 0);

	/* Frame 0 stands for "none left"; the table then goes to frame 1. */
	assert_int_equal(frame_of(0)->state, FRAME_RESERVED);
	assert_int_equal(frame_count_free(), SMALL_RAM_PAGES - 2);
	uint32_t handed = 0;
	while (frame_alloc(0) != 0)
		handed++;
	assert_int_equal(handed, SMALL_RAM_PAGES - 2);
}

static void test_lifo_reuse_keeps_counts_consistent(void **state)
{
	(void)state;
	ram_init(SMALL_RAM_PAGES, small_res, ARRAY_SIZE(small_res));
	uint32_t nfree = frame_count_free();
	paddr_t a = frame_alloc(0), b = frame_alloc(0), c = frame_alloc(0);

	assert_int_equal(frame_count_free(), nfree - 3);
	frame_free(b);
	frame_free(a);
	assert_int_equal(frame_alloc(0), a);
	assert_int_equal(frame_alloc(0), b);
	frame_free(a);
	frame_free(b);
	frame_free(c);
	assert_int_equal(frame_count_free(), nfree);
}

/* A frame in use keeps its next link when a contiguous allocation
 * rebuilds the free list: that link chains the replacement ring (a page
 * cache page taken before the process table was made lost it once). */
static void test_contig_alloc_leaves_links_of_frames_in_use(void **state)
{
	(void)state;
	ram_init(LARGE_RAM_PAGES, NULL, 0);
	paddr_t a = frame_alloc(0), b = frame_alloc(0);
	frame_of(a)->next = frame_to_index(frame_of(b));
	frame_of(b)->next = frame_to_index(frame_of(a));
	assert_int_not_equal(frame_alloc_contig(4), 0);
	assert_int_equal(frame_of(a)->next, frame_to_index(frame_of(b)));
	assert_int_equal(frame_of(b)->next, frame_to_index(frame_of(a)));
	assert_true(frame_free_list_ok());
}

#define RAM_TEST(t) cmocka_unit_test_teardown(t, ram_free)

int main(void)
{
	const struct CMUnitTest tests[] = {
		RAM_TEST(test_init_counts_total_and_free_with_reserved_ranges),
		RAM_TEST(test_reserved_frames_and_table_never_handed_out),
		RAM_TEST(test_table_placed_in_first_free_run_that_fits),
		RAM_TEST(test_alloc_until_exhaustion_returns_zero_and_free_makes_one_available),
		RAM_TEST(test_allocated_frames_distinct_aligned_and_inside_ram),
		RAM_TEST(test_alloc_sets_used_with_refcnt_one),
		RAM_TEST(test_frame_zero_clears_a_dirtied_frame),
		RAM_TEST(test_ref_then_two_frees_release_the_frame),
		RAM_TEST(test_double_free_panics),
		RAM_TEST(test_free_of_reserved_frame_panics),
		RAM_TEST(test_free_outside_ram_panics),
		RAM_TEST(test_ref_of_unallocated_frame_panics),
		RAM_TEST(test_frame_of_null_outside_ram),
		RAM_TEST(test_init_misaligned_or_empty_ram_is_einval),
		RAM_TEST(test_init_where_table_cannot_fit_is_enomem),
		RAM_TEST(test_reserved_ranges_beyond_ram_are_clipped),
		RAM_TEST(test_empty_reserved_range_reserves_nothing),
		RAM_TEST(test_frame_at_physical_zero_never_handed_out),
		RAM_TEST(test_lifo_reuse_keeps_counts_consistent),
		RAM_TEST(test_contig_alloc_leaves_links_of_frames_in_use),
	};
	return cmocka_run_group_tests_name("frame", tests, NULL, NULL);
}
