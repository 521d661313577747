/* Host tests of kernel/mm/mmap.c: how mmap, munmap and mprotect split
 * regions where a change begins or ends, merge identical neighbours again,
 * release pages and reservations, and fence what they downgrade. The real
 * memory manager runs over simulated RAM (host_vm.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "lib/kerrno.h"
#include "mm/frame.h"
#include "mm/vm.h"
#include "tests/unit/host_vm.h"

#define RAM_PAGES  512u
#define SWAP_PAGES 64u
#define A	   0x10000000u /* where the tests map */
#define P	   PAGE_SIZE
#define RW	   (VM_R | VM_W)
#define ANON	   (VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED)
#define MMAP_TOP   (USER_TOP - STACK_MAX - STACK_GUARD)

static struct addrspace *as;
static uint32_t free_at_start;
static const uint8_t file[3 * PAGE_SIZE] = {[0] = 'a', [PAGE_SIZE] = 'b', [2 * PAGE_SIZE] = 'c'};

static int setup(void **state)
{
	(void)state;
	if (host_vm_setup(RAM_PAGES, SWAP_PAGES, 0) != 0)
		return -1;
	host_fences_reset();
	free_at_start = frame_count_free();
	as = vm_create();
	return as ? 0 : -1;
}

/* Every frame comes back when the space goes. */
static int teardown(void **state)
{
	(void)state;
	vm_deactivate();
	vm_destroy(as);
	uint32_t free_now = frame_count_free();
	host_vm_teardown();
	return free_now == free_at_start ? 0 : -1;
}

static void map_anon(uint32_t addr, uint32_t pages, uint32_t prot)
{
	uint32_t out;
	assert_int_equal(vm_mmap(as, addr, pages * P, prot, ANON, NULL, 0, 0, &out), 0);
	assert_int_equal(out, addr);
}

static void touch(uint32_t addr, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++)
		assert_int_equal(vm_fault(as, addr + i * P, VM_W), 0);
}

/* The regions, as "start-end prot" words, for one readable assertion. */
static const char *regions(void)
{
	static char buf[2048];
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < as->nregions && n < sizeof(buf); i++) {
		const struct vm_region *r = &as->regions[i];
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%x-%x %c%c%c", i ? " " : "",
				      r->start, r->end, r->prot & VM_R ? 'r' : '-',
				      r->prot & VM_W ? 'w' : '-', r->prot & VM_X ? 'x' : '-');
	}
	return buf;
}

static void test_adjacent_alike_mappings_merge_into_one_region(void **state)
{
	(void)state;
	map_anon(A, 2, RW);
	map_anon(A + 2 * P, 2, RW);
	assert_string_equal(regions(), "10000000-10004000 rw-");
}

static void test_neighbours_with_other_protections_stay_apart(void **state)
{
	(void)state;
	map_anon(A, 2, RW);
	map_anon(A + 2 * P, 2, VM_R);
	assert_string_equal(regions(), "10000000-10002000 rw- 10002000-10004000 r--");
}

static void test_mprotect_of_the_middle_splits_in_three_and_back_merges(void **state)
{
	(void)state;
	map_anon(A, 4, RW);
	assert_int_equal(vm_mprotect(as, A + P, 2 * P, VM_R), 0);
	assert_string_equal(regions(),
			    "10000000-10001000 rw- 10001000-10003000 r-- 10003000-10004000 rw-");
	assert_int_equal(vm_mprotect(as, A + P, 2 * P, RW), 0);
	assert_string_equal(regions(), "10000000-10004000 rw-");
}

static void test_mprotect_of_a_range_with_a_hole_is_enomem_and_changes_nothing(void **state)
{
	(void)state;
	map_anon(A, 1, RW);
	map_anon(A + 2 * P, 1, RW);
	assert_int_equal(vm_mprotect(as, A, 3 * P, VM_R), -ENOMEM);
	assert_string_equal(regions(), "10000000-10001000 rw- 10002000-10003000 rw-");
}

static void test_munmap_of_the_middle_splits_in_two_and_frees_its_pages(void **state)
{
	(void)state;
	map_anon(A, 4, RW);
	touch(A, 4);
	uint32_t free_before = frame_count_free(), committed = as->committed;
	assert_int_equal(vm_munmap(as, A + P, 2 * P), 0);
	assert_string_equal(regions(), "10000000-10001000 rw- 10003000-10004000 rw-");
	assert_int_equal(frame_count_free(), free_before + 2);
	assert_int_equal(as->resident, 2);
	assert_int_equal(as->committed, committed - 2);
	assert_int_equal(host_vm_peek(as, A + P), -1);
	assert_int_equal(host_vm_peek(as, A + 3 * P), 0);
}

static void test_munmap_of_unmapped_space_is_no_error(void **state)
{
	(void)state;
	map_anon(A, 1, RW);
	assert_int_equal(vm_munmap(as, A + 4 * P, 4 * P), 0);
	assert_int_equal(vm_munmap(as, A + 1, P), -EINVAL);
	assert_int_equal(vm_munmap(as, A, 0), -EINVAL);
	assert_string_equal(regions(), "10000000-10001000 rw-");
}

static void test_map_fixed_over_a_mapping_replaces_only_its_middle(void **state)
{
	(void)state;
	map_anon(A, 3, RW);
	touch(A, 3);
	map_anon(A + P, 1, VM_R);
	assert_string_equal(regions(),
			    "10000000-10001000 rw- 10001000-10002000 r-- 10002000-10003000 rw-");
	assert_int_equal(as->resident, 2);
	assert_int_equal(host_vm_peek(as, A + P), -1);
}

/* The heap keeps its own region (brk moves its end): it merges with
 * nothing, not even a neighbour that looks just like it. */
static void test_the_heap_never_merges_with_a_neighbour(void **state)
{
	(void)state;
	struct vm_region heap = {
	    .start = A, .end = A + P, .prot = RW, .kind = VMR_ANON, .flags = VMR_F_HEAP};
	assert_int_equal(vm_add_region(as, &heap), 0);
	map_anon(A + P, 1, RW);
	assert_string_equal(regions(), "10000000-10001000 rw- 10001000-10002000 rw-");
	heap.start = A + 2 * P;
	heap.end = A + 3 * P;
	assert_int_equal(vm_add_region(as, &heap), 0);
	heap.start = A + 3 * P;
	heap.end = A + 4 * P;
	assert_int_equal(vm_add_region(as, &heap), 0);
	assert_int_equal(vm_mprotect(as, A, 4 * P, RW), 0); /* merges what it may */
	assert_int_equal(as->nregions, 4);
}

/* A file mapping split by mprotect keeps its file bytes on both sides and
 * merges back; a second mapping of the same file beside it does not. */
static void test_a_split_file_mapping_merges_back_and_keeps_its_bytes(void **state)
{
	(void)state;
	uint32_t out;
	int flags = VM_MAP_PRIVATE | VM_MAP_FIXED;
	assert_int_equal(vm_mmap(as, A, 3 * P, VM_R, flags, file, sizeof(file), 0, &out), 0);
	assert_int_equal(vm_mprotect(as, A + P, P, RW), 0);
	assert_int_equal(as->nregions, 3);
	assert_int_equal(vm_mprotect(as, A + P, P, VM_R), 0);
	assert_string_equal(regions(), "10000000-10003000 r--");
	assert_int_equal(vm_fault(as, A + 2 * P, VM_R), 0);
	assert_int_equal(host_vm_peek(as, A + 2 * P), 'c');
	assert_int_equal(vm_mmap(as, A + 3 * P, P, VM_R, flags, file, sizeof(file), P, &out), 0);
	assert_int_equal(as->nregions, 2);
	assert_int_equal(vm_fault(as, A + 3 * P, VM_R), 0);
	assert_int_equal(host_vm_peek(as, A + 3 * P), 'b');
}

/* A file that ends inside a page: the page holds its bytes, then zeroes
 * to the page's end (as the bss after an ELF segment's file bytes). */
static void test_a_file_mapping_is_zero_past_the_end_of_the_file(void **state)
{
	(void)state;
	static const uint8_t short_file[100] = {[0] = 's', [99] = 'e'};
	uint32_t out;
	int flags = VM_MAP_PRIVATE | VM_MAP_FIXED;
	assert_int_equal(vm_mmap(as, A, P, VM_R, flags, short_file, sizeof(short_file), 0, &out), 0);
	assert_int_equal(vm_fault(as, A, VM_R), 0);
	assert_int_equal(host_vm_peek(as, A), 's');
	assert_int_equal(host_vm_peek(as, A + 99), 'e');
	for (uint32_t off = sizeof(short_file); off < P; off++)
		assert_int_equal(host_vm_peek(as, A + off), 0);
}

/* With the region table full, a change that needs a split fails with
 * ENOMEM and leaves the regions as they were; one that needs none works. */
static void test_a_split_with_the_region_table_full_is_enomem(void **state)
{
	(void)state;
	map_anon(A, 3, RW);
	for (uint32_t i = 1; i < VM_MAX_REGIONS; i++)
		map_anon(A + (i + 2) * P, 1, (i & 1) ? VM_R : RW);
	assert_int_equal(as->nregions, VM_MAX_REGIONS);
	char before[2048];
	snprintf(before, sizeof(before), "%s", regions());
	assert_int_equal(vm_mprotect(as, A + P, P, VM_R), -ENOMEM);
	assert_int_equal(vm_munmap(as, A + P, P), -ENOMEM);
	assert_string_equal(regions(), before);
	assert_int_equal(vm_mprotect(as, A, 3 * P, VM_R), 0); /* whole: merges with the next */
	assert_int_equal(as->nregions, VM_MAX_REGIONS - 1);
}

static void test_a_mapping_without_a_hint_goes_highest_below_the_stack_gap(void **state)
{
	(void)state;
	uint32_t first, second;
	int flags = VM_MAP_PRIVATE | VM_MAP_ANONYMOUS;
	assert_int_equal(vm_mmap(as, 0, 2 * P, RW, flags, NULL, 0, 0, &first), 0);
	assert_int_equal(first, MMAP_TOP - 2 * P);
	assert_int_equal(vm_mmap(as, 0, P, VM_R, flags, NULL, 0, 0, &second), 0);
	assert_int_equal(second, first - P);
	/* A free hint is taken as it is. */
	assert_int_equal(vm_mmap(as, A, P, RW, flags, NULL, 0, 0, &second), 0);
	assert_int_equal(second, A);
}

static void test_mprotect_fences_each_present_page_it_downgrades(void **state)
{
	(void)state;
	vm_activate(as); /* a space that never ran has nothing in any TLB to fence */
	map_anon(A, 4, RW);
	touch(A, 3);
	uint32_t fences = host_vm_fences()->page_asid;
	assert_int_equal(vm_mprotect(as, A, 4 * P, VM_R), 0);
	assert_int_equal(host_vm_fences()->page_asid, fences + 3);
	for (uint32_t i = 0; i < 3; i++) {
		pte_t pte = pte_load(sv32_walk(as->root, A + i * P, false));
		assert_true(pte_valid(pte) && !(pte & PTE_W));
	}
}

static void test_reservations_follow_writable_pages_and_come_back(void **state)
{
	(void)state;
	uint32_t base = as->committed;
	map_anon(A, 4, RW);
	assert_int_equal(as->committed, base + 4);
	assert_int_equal(vm_mprotect(as, A, 2 * P, VM_R), 0);
	assert_int_equal(as->committed, base + 2);
	assert_int_equal(vm_munmap(as, A, 4 * P), 0);
	assert_int_equal(as->committed, base);
	assert_int_equal(as->nregions, 0);
}

/* An empty heap at A, as exec leaves it (brk starts at its end). */
static void add_heap(void)
{
	struct vm_region heap = {
	    .start = A, .end = A, .prot = RW, .kind = VMR_ANON, .flags = VMR_F_HEAP};
	assert_int_equal(vm_add_region(as, &heap), 0);
	as->heap_start = as->brk = A;
}

/* Found by tests/fuzz/fuzz_mmap.c: brk gave back a reservation for heap
 * pages that mprotect had made read-only, so the count wrapped. */
static void test_brk_reserves_only_while_the_heap_is_writable(void **state)
{
	(void)state;
	uint32_t base = as->committed;
	add_heap();
	assert_int_equal(vm_set_brk(as, A + 4 * P), 0);
	assert_int_equal(as->committed, base + 4);
	assert_int_equal(vm_mprotect(as, A, 4 * P, VM_R), 0);
	assert_int_equal(as->committed, base);
	assert_int_equal(vm_set_brk(as, A + 6 * P), 0);
	assert_int_equal(as->committed, base);
	assert_int_equal(vm_set_brk(as, A), 0);
	assert_int_equal(as->committed, base);
}

/* Found by tests/fuzz/fuzz_mmap.c: after munmap of the heap's first
 * pages, a brk below what is left moved the heap's end below its start. */
static void test_brk_below_a_heap_whose_start_was_unmapped_empties_it(void **state)
{
	(void)state;
	uint32_t base = as->committed;
	add_heap();
	assert_int_equal(vm_set_brk(as, A + 4 * P), 0);
	assert_int_equal(vm_munmap(as, A, 2 * P), 0);
	assert_int_equal(vm_set_brk(as, A + P), 0);
	assert_string_equal(regions(), "10002000-10002000 rw-");
	assert_int_equal(as->committed, base);
}

/* Found by tests/fuzz/fuzz_mmap.c: a MAP_FIXED mapping or an munmap
 * ending where an empty heap sits removed the heap, and brk failed from
 * then on. An empty region is a position, inside a range only before its
 * end. */
static void test_a_range_ending_at_an_empty_heap_keeps_the_heap(void **state)
{
	(void)state;
	add_heap();
	map_anon(A - 2 * P, 2, RW);
	assert_string_equal(regions(), "fffe000-10000000 rw- 10000000-10000000 rw-");
	assert_int_equal(vm_munmap(as, A - 2 * P, 2 * P), 0);
	assert_string_equal(regions(), "10000000-10000000 rw-");
	assert_int_equal(vm_set_brk(as, A + P), 0);
}

/* Found by tests/fuzz/fuzz_mmap.c: mprotect of the pages right below an
 * empty heap gave the heap the new protection too, so brk grew it
 * read-only. */
static void test_mprotect_below_an_empty_heap_leaves_the_heap_alone(void **state)
{
	(void)state;
	add_heap();
	map_anon(A - 2 * P, 2, RW);
	assert_int_equal(vm_mprotect(as, A - 2 * P, 2 * P, VM_R), 0);
	assert_int_equal(vm_set_brk(as, A + P), 0);
	assert_true(vm_range_ok(as, A, P, VM_R | VM_W));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	    T(test_adjacent_alike_mappings_merge_into_one_region),
	    T(test_neighbours_with_other_protections_stay_apart),
	    T(test_mprotect_of_the_middle_splits_in_three_and_back_merges),
	    T(test_mprotect_of_a_range_with_a_hole_is_enomem_and_changes_nothing),
	    T(test_munmap_of_the_middle_splits_in_two_and_frees_its_pages),
	    T(test_munmap_of_unmapped_space_is_no_error),
	    T(test_map_fixed_over_a_mapping_replaces_only_its_middle),
	    T(test_the_heap_never_merges_with_a_neighbour),
	    T(test_a_split_file_mapping_merges_back_and_keeps_its_bytes),
	    T(test_a_file_mapping_is_zero_past_the_end_of_the_file),
	    T(test_a_split_with_the_region_table_full_is_enomem),
	    T(test_a_mapping_without_a_hint_goes_highest_below_the_stack_gap),
	    T(test_mprotect_fences_each_present_page_it_downgrades),
	    T(test_reservations_follow_writable_pages_and_come_back),
	    T(test_brk_reserves_only_while_the_heap_is_writable),
	    T(test_brk_below_a_heap_whose_start_was_unmapped_empties_it),
	    T(test_a_range_ending_at_an_empty_heap_keeps_the_heap),
	    T(test_mprotect_below_an_empty_heap_leaves_the_heap_alone),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
