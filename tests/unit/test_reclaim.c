/*
 * Host tests of kernel/mm/reclaim.c's replacement policy 2q, through the
 * real memory manager (host_vm.c): a page that comes back soon after its
 * eviction joins the hot ring and outlives a scan that evicts pages
 * touched once (clock evicts both); a hot page in use keeps its place
 * against refaulting pages, and one back soon pushes an unused hot page to
 * probation; a page back only after more evictions than
 * half the hot ring holds stays in probation; and 2q examines at most one
 * frame per eviction where clock examines at least one. An access is a
 * fault when the page is out, else the A bit the hardware would set.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "mm/frame.h"
#include "mm/reclaim.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "tests/unit/host_vm.h"

#define RAM_PAGES  1024u
#define SWAP_PAGES 2048u
#define MAX_FRAMES 64u
#define REGION	   0x10000000u
#define PAGES	   1536u /* the region's pages: room for every stream below */
#define RW	   (VM_R | VM_W)
#define ANON	   (VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED)

static struct addrspace *as;
static uint32_t next_new; /* the region's first page not touched yet */

static void world(const char *policy)
{
	assert_int_equal(host_vm_setup_policy(RAM_PAGES, SWAP_PAGES, MAX_FRAMES, policy), 0);
	memset(&vm_stats, 0, sizeof(vm_stats));
	as = vm_create();
	assert_non_null(as);
	uint32_t at;
	assert_int_equal(vm_mmap(as, REGION, PAGES * PAGE_SIZE, RW, ANON, NULL, 0, 0, &at), 0);
	next_new = 0;
}

/* The books must balance after every test; the world goes either way. */
static int teardown(void **state)
{
	(void)state;
	if (as == NULL)
		return 0;
	uint32_t problems = vm_check();
	vm_destroy(as);
	as = NULL;
	host_vm_teardown();
	return problems == 0 ? 0 : -1;
}

static uint32_t va_of(uint32_t page)
{
	return REGION + page * PAGE_SIZE;
}

static pte_t *pte_at(uint32_t page)
{
	return sv32_walk(as->root, va_of(page), false);
}

static bool resident(uint32_t page)
{
	pte_t *pte = pte_at(page);
	return pte && pte_valid(pte_load(pte));
}

static bool hot(uint32_t page)
{
	return resident(page) && (frame_of(pte_pa(pte_load(pte_at(page))))->flags & FRAME_F_HOT);
}

/* An access to page: the first a store, a fault; later ones loads, a
 * fault if the page is out, else the A bit the hardware sets. */
static void touch(uint32_t page)
{
	if (resident(page))
		pte_set_bits(pte_at(page), PTE_A);
	else
		assert_int_equal(vm_fault(as, va_of(page), page < next_new ? VM_R : VM_W), 0);
}

static void touch_range(uint32_t first, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		touch(first + i);
}

/* n pages never touched before, each touched once: n evictions at the cap. */
static void stream(uint32_t n)
{
	assert_true(next_new + n <= PAGES);
	for (uint32_t i = 0; i < n; i++)
		touch(next_new++);
}

static uint32_t count_resident(uint32_t first, uint32_t n)
{
	uint32_t r = 0;
	for (uint32_t i = 0; i < n; i++)
		r += resident(first + i);
	return r;
}

#define FEW 4u /* pages of each small set */

/* FEW pages touched, pushed out by the least stream that evicts them,
 * and touched again: refaults, each within fewer evictions than a ghost
 * set has ways, so all are remembered. Then FEW more pages touched once.
 * The first FEW pages of the region are the refaulted ones; next_new - FEW
 * is the first of those touched once. */
static uint32_t refault_some_touch_others_once(void)
{
	stream(FEW);
	stream(MAX_FRAMES);
	assert_int_equal(count_resident(0, FEW), 0);
	touch_range(0, FEW);
	uint32_t once = next_new;
	stream(FEW);
	return once;
}

static void test_2q_a_page_back_soon_after_its_eviction_outlives_a_scan(void **state)
{
	(void)state;
	world("2q");
	uint32_t once = refault_some_touch_others_once();
	for (uint32_t i = 0; i < FEW; i++)
		assert_true(hot(i));
	assert_int_equal(vm_stats.hot_admissions, FEW);
	stream(4 * MAX_FRAMES);
	assert_int_equal(count_resident(0, FEW), FEW);
	assert_int_equal(count_resident(once, FEW), 0);
}

static void test_clock_evicts_both_in_the_same_scan(void **state)
{
	(void)state;
	world("clock");
	uint32_t once = refault_some_touch_others_once();
	stream(4 * MAX_FRAMES);
	assert_int_equal(count_resident(0, FEW) + count_resident(once, FEW), 0);
	assert_int_equal(vm_stats.hot_admissions, 0);
}

static void test_2q_a_hot_page_in_use_keeps_its_place_against_refaulting_pages(void **state)
{
	(void)state;
	world("2q");
	refault_some_touch_others_once();
	/* A loop larger than memory: its pages keep coming back soon after
	 * they go, and challenge the hot ring. The FEW hot pages are used
	 * all along. */
	uint32_t loop = next_new, len = MAX_FRAMES + 16, out = 0;
	stream(len);
	for (uint32_t round = 0; round < 12; round++)
		for (uint32_t i = 0; i < len; i++) {
			touch(loop + i);
			if (i % 8 == 0) {
				out += FEW - count_resident(0, FEW);
				touch_range(0, FEW);
			}
		}
	assert_int_equal(out, 0);
	/* The loop's pages did win places: from pages not in use. */
	assert_true(vm_stats.hot_admissions > FEW + len / 2);
	assert_true(vm_stats.reclaim_examined > 0);
}

/* The hot ring filled by a loop larger than memory, three times round,
 * then none of its pages in use any more (A clear): its hot pages. */
static uint32_t fill_hot_ring_with_unused_pages(uint32_t len)
{
	stream(len);
	for (uint32_t round = 0; round < 3; round++)
		touch_range(0, len);
	uint32_t nhot = 0;
	for (uint32_t i = 0; i < len; i++) {
		nhot += hot(i);
		if (resident(i))
			pte_clear_bits(pte_at(i), PTE_A);
	}
	assert_true(nhot >= MAX_FRAMES - MAX_FRAMES / 8);
	return nhot;
}

static void test_2q_a_page_back_soon_pushes_an_unused_hot_page_to_probation(void **state)
{
	(void)state;
	world("2q");
	uint32_t len = MAX_FRAMES + 8, nhot = fill_hot_ring_with_unused_pages(len);
	uint32_t soon = next_new;
	stream(1);
	for (uint32_t n = 0; n < 16 && resident(soon); n++)
		stream(1);
	assert_false(resident(soon));
	uint32_t admitted = vm_stats.hot_admissions;
	touch(soon);
	assert_int_equal(vm_stats.hot_admissions, admitted + 1);
	assert_true(hot(soon));
	uint32_t still = 0;
	for (uint32_t i = 0; i < len; i++)
		still += hot(i);
	assert_int_equal(still, nhot - 1); /* one went to probation, marked so */
	assert_int_equal(vm_check(), 0);
}

static void test_2q_a_page_back_after_half_as_many_evictions_as_hot_pages_stays_out(void **state)
{
	(void)state;
	world("2q");
	uint32_t nhot = fill_hot_ring_with_unused_pages(MAX_FRAMES + 8);
	/* One page touched once, then more evictions than half the hot
	 * pages (twoq.h), but fewer than a ghost set's ways in most sets. */
	uint32_t far = next_new;
	stream(1);
	stream(nhot / 2 + 4);
	assert_false(resident(far));
	uint32_t hits = vm_stats.ghost_hits, admitted = vm_stats.hot_admissions;
	touch(far);
	assert_int_equal(vm_stats.ghost_hits, hits + 1);     /* remembered ... */
	assert_int_equal(vm_stats.hot_admissions, admitted); /* ... but too long ago */
	assert_false(hot(far));
}

/* A loop larger than memory, each page used between its faults: the
 * frames examined and the evictions of the last rounds. */
static void loop_examined(uint32_t *examined, uint32_t *evictions)
{
	uint32_t len = MAX_FRAMES + 8;
	stream(len);
	for (uint32_t round = 0; round < 4; round++)
		touch_range(0, len);
	uint32_t x = vm_stats.reclaim_examined, e = vm_stats.evictions;
	for (uint32_t round = 0; round < 16; round++)
		for (uint32_t i = 0; i < len; i++) {
			touch(i);
			touch(i);
		}
	*examined = vm_stats.reclaim_examined - x;
	*evictions = vm_stats.evictions - e;
	assert_true(*evictions > 0);
}

static void test_2q_examines_at_most_one_frame_per_eviction(void **state)
{
	(void)state;
	uint32_t examined, evictions;
	world("2q");
	loop_examined(&examined, &evictions);
	print_message("# 2q: %u frames examined for %u evictions\n", examined, evictions);
	/* The credit saved before the last rounds is one lap at most. */
	assert_true(examined <= evictions + MAX_FRAMES);
	assert_true(examined > 0);
}

static void test_clock_examines_at_least_one_frame_per_eviction(void **state)
{
	(void)state;
	uint32_t examined, evictions;
	world("clock");
	loop_examined(&examined, &evictions);
	print_message("# clock: %u frames examined for %u evictions\n", examined, evictions);
	assert_true(examined >= evictions);
}

#define T(f) cmocka_unit_test_teardown(f, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_2q_a_page_back_soon_after_its_eviction_outlives_a_scan),
	    T(test_clock_evicts_both_in_the_same_scan),
	    T(test_2q_a_hot_page_in_use_keeps_its_place_against_refaulting_pages),
	    T(test_2q_a_page_back_soon_pushes_an_unused_hot_page_to_probation),
	    T(test_2q_a_page_back_after_half_as_many_evictions_as_hot_pages_stays_out),
	    T(test_2q_examines_at_most_one_frame_per_eviction),
	    T(test_clock_examines_at_least_one_frame_per_eviction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
