/* Host tests of kernel/mm/vmcheck.c, the consistency checker: it finds
 * nothing wrong in a world the memory manager built (pages resident,
 * swapped, shared by fork, in the swap cache), and it finds each kind of
 * broken book planted in that world, one at a time. Each test puts back
 * what it broke, so the world still tears down without a leak. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/reclaim.h"
#include "mm/rmap.h"
#include "mm/swap.h"
#include "mm/vm.h"
#include "tests/unit/host_vm.h"

#define RAM_PAGES  256u
#define SWAP_PAGES 64u
#define MAX_FRAMES 6u  /* user frames: the parent's 8 pages cannot all stay */
#define PAGES	   8u
#define A	   0x10000000u
#define RW	   (VM_R | VM_W)
#define ANON	   (VM_MAP_PRIVATE | VM_MAP_ANONYMOUS | VM_MAP_FIXED)

static struct addrspace *parent, *child;
static uint32_t free_at_start, slots_at_start;

/* A parent with PAGES dirty pages, some of them in swap, and a child
 * sharing all of them by fork; then the child reads one swapped page
 * back, which leaves it in the swap cache. */
static int setup(void **state)
{
	(void)state;
	if (host_vm_setup(RAM_PAGES, SWAP_PAGES, MAX_FRAMES) != 0)
		return -1;
	free_at_start = frame_count_free();
	slots_at_start = swap_free_slots();
	parent = vm_create();
	child = vm_create();
	uint32_t out;
	if (!parent || !child || vm_mmap(parent, A, PAGES * PAGE_SIZE, RW, ANON, NULL, 0, 0, &out))
		return -1;
	for (uint32_t i = 0; i < PAGES; i++)
		if (vm_fault(parent, A + i * PAGE_SIZE, VM_W) != 0)
			return -1;
	if (vm_mmap(child, A, PAGES * PAGE_SIZE, RW, ANON, NULL, 0, 0, &out) ||
	    vm_copy(child, parent) != 0)
		return -1;
	return vm_fault(child, A, VM_R);
}

static int teardown(void **state)
{
	(void)state;
	vm_check_after_reclaim(false);
	vm_destroy(child);
	vm_destroy(parent);
	bool clean = frame_count_free() == free_at_start && swap_free_slots() == slots_at_start;
	host_vm_teardown();
	return clean ? 0 : -1;
}

static pte_t *pte_of(struct addrspace *as, uint32_t va)
{
	pte_t *pte = sv32_walk(as->root, va, false);
	assert_non_null(pte);
	return pte;
}

/* A page of the parent in the given state: present or a swap entry. */
static uint32_t find_page(bool present)
{
	for (uint32_t va = A; va < A + PAGES * PAGE_SIZE; va += PAGE_SIZE) {
		pte_t pte = pte_load(pte_of(parent, va));
		if (present ? pte_valid(pte) : pte_is_swap(pte))
			return va;
	}
	fail_msg("no %s page", present ? "present" : "swapped");
	return 0;
}

/* A swapped page of the parent whose slot is not in the swap cache: a
 * fault on it must allocate, and at the cap that means reclaim. */
static uint32_t find_uncached_swapped_page(void)
{
	for (uint32_t va = A; va < A + PAGES * PAGE_SIZE; va += PAGE_SIZE) {
		pte_t pte = pte_load(pte_of(parent, va));
		if (pte_is_swap(pte) && swap_cache_lookup(pte_swap_slot(pte)) == NULL)
			return va;
	}
	fail_msg("no swapped page outside the swap cache");
	return 0;
}

static struct frame *frame_at_va(struct addrspace *as, uint32_t va)
{
	return frame_of(pte_pa(pte_load(pte_of(as, va))));
}

static void test_a_world_the_memory_manager_built_is_consistent(void **state)
{
	(void)state;
	/* The world holds what the other tests break. */
	assert_true(parent->swapped > 0 && child->swapped > 0);
	assert_non_null(frame_at_va(child, A));
	assert_int_not_equal(frame_at_va(child, A)->slot, 0);
	uint32_t runs = vm_stats.checks;
	assert_int_equal(vm_check(), 0);
	assert_int_equal(vm_stats.checks, runs + 1);
}

static void test_a_frame_reference_too_many_is_found(void **state)
{
	(void)state;
	struct frame *f = frame_at_va(parent, find_page(true));
	f->refcnt++;
	assert_int_not_equal(vm_check(), 0);
	f->refcnt--;
	assert_int_equal(vm_check(), 0);
}

static void test_a_swap_slot_reference_too_many_is_found(void **state)
{
	(void)state;
	uint32_t slot = pte_swap_slot(pte_load(pte_of(parent, find_page(false))));
	swap_ref(slot);
	assert_int_not_equal(vm_check(), 0);
	swap_unref(slot);
	assert_int_equal(vm_check(), 0);
}

static void test_a_swap_slot_reference_too_few_is_found(void **state)
{
	(void)state;
	/* The child's swapped-in page: its slot is held by the parent's swap
	 * entry and by the swap cache. */
	uint32_t slot = frame_at_va(child, A)->slot;
	assert_int_equal(swap_refs(slot), 2);
	swap_unref(slot);
	assert_int_not_equal(vm_check(), 0);
	swap_ref(slot);
	assert_int_equal(vm_check(), 0);
}

static void test_a_pte_that_maps_a_free_frame_is_found(void **state)
{
	(void)state;
	paddr_t spare = frame_alloc(0);
	frame_free(spare);
	pte_t *pte = pte_of(parent, find_page(true));
	pte_t old = pte_load(pte);
	pte_store(pte, pte_make(spare, old & PTE_FLAGS_MASK));
	assert_int_not_equal(vm_check(), 0);
	pte_store(pte, old);
	assert_int_equal(vm_check(), 0);
}

static void test_a_shared_page_left_writable_is_found(void **state)
{
	(void)state;
	pte_t *pte = pte_of(child, find_page(true));
	assert_true(frame_of(pte_pa(pte_load(pte)))->refcnt == 2);
	pte_set_bits(pte, PTE_W);
	assert_int_not_equal(vm_check(), 0);
	pte_clear_bits(pte, PTE_W);
	assert_int_equal(vm_check(), 0);
}

static void test_a_page_writable_while_its_slot_is_shared_is_found(void **state)
{
	(void)state;
	/* The child's page came from a slot the parent still names. */
	pte_t *pte = pte_of(child, A);
	pte_set_bits(pte, PTE_W);
	assert_int_not_equal(vm_check(), 0);
	pte_clear_bits(pte, PTE_W);
	assert_int_equal(vm_check(), 0);
}

static void test_a_mapping_missing_from_the_reverse_map_is_found(void **state)
{
	(void)state;
	struct frame *f = frame_at_va(child, find_page(true));
	rmap_remove(f, child, f->va);
	assert_int_not_equal(vm_check(), 0);
	assert_int_equal(rmap_add(f, child, f->va), 0);
	assert_int_equal(vm_check(), 0);
}

static void test_a_space_twice_in_a_reverse_map_is_found(void **state)
{
	(void)state;
	struct frame *f = frame_at_va(child, find_page(true));
	assert_int_equal(rmap_add(f, child, f->va), 0);
	f->refcnt++;
	assert_int_not_equal(vm_check(), 0);
	f->refcnt--;
	rmap_remove(f, child, f->va);
	assert_int_equal(vm_check(), 0);
}

static void test_a_swap_cache_entry_naming_another_frame_is_found(void **state)
{
	(void)state;
	struct frame *cached = frame_at_va(child, A);
	struct frame *other = frame_at_va(parent, find_page(true));
	swap_cache_set(cached->slot, other);
	assert_int_not_equal(vm_check(), 0);
	swap_cache_set(cached->slot, cached);
	assert_int_equal(vm_check(), 0);
}

static void test_a_frame_marked_hot_off_the_hot_ring_is_found(void **state)
{
	(void)state;
	struct frame *f = frame_at_va(parent, find_page(true));
	f->flags |= FRAME_F_HOT;
	assert_int_not_equal(vm_check(), 0);
	f->flags &= ~FRAME_F_HOT;
	assert_int_equal(vm_check(), 0);
}

static void test_a_resident_count_off_by_one_is_found(void **state)
{
	(void)state;
	child->resident++;
	assert_int_not_equal(vm_check(), 0);
	child->resident--;
	parent->swapped--;
	assert_int_not_equal(vm_check(), 0);
	parent->swapped++;
	assert_int_equal(vm_check(), 0);
}

static void test_a_pte_outside_its_tables_used_range_is_found(void **state)
{
	(void)state;
	struct frame *t = frame_of(pte_pa(pte_load(&parent->root[sv32_vpn1(A)])));
	uint16_t hi = t->used.hi;
	t->used.hi = (uint16_t)(t->used.lo + 1);
	assert_int_not_equal(vm_check(), 0);
	t->used.hi = hi;
	assert_int_equal(vm_check(), 0);
}

/* Fork and teardown visit only the tables marked in the space's bitmap:
 * one linked but unmarked would never be copied or freed. */
static void test_a_table_missing_from_the_spaces_bitmap_is_found(void **state)
{
	(void)state;
	uint32_t i = sv32_vpn1(A), bit = 1u << (i % 32);
	assert_true(parent->tables[i / 32] & bit);
	parent->tables[i / 32] &= ~bit;
	assert_int_not_equal(vm_check(), 0);
	parent->tables[i / 32] |= bit;
	assert_int_equal(vm_check(), 0);
}

static void test_a_swap_entry_naming_a_free_slot_is_found(void **state)
{
	(void)state;
	pte_t *pte = pte_of(parent, find_page(false));
	pte_t old = pte_load(pte);
	pte_store(pte, pte_swap_make(SWAP_PAGES - 1)); /* never handed out here */
	assert_int_equal(swap_refs(SWAP_PAGES - 1), 0);
	assert_int_not_equal(vm_check(), 0);
	pte_store(pte, old);
	assert_int_equal(vm_check(), 0);
}

/* vm.check=1: the check runs after a reclaim pass, and a problem there
 * is a kernel bug, so it panics. */
static void test_vm_check_1_checks_after_reclaim_and_panics_on_a_problem(void **state)
{
	(void)state;
	vm_check_after_reclaim(true);
	uint32_t runs = vm_stats.checks;
	assert_int_equal(vm_fault(parent, find_uncached_swapped_page(), VM_R), 0); /* evicts */
	assert_true(vm_stats.checks > runs);
	struct frame *f = frame_at_va(parent, find_page(true));
	f->refcnt++;
	expect_assert_failure(vm_fault(parent, find_uncached_swapped_page(), VM_R));
	spin_unlock(&vm_lock); /* the panic left the fault with it held */
	f->refcnt--;
	vm_check_after_reclaim(false);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_a_world_the_memory_manager_built_is_consistent),
	    T(test_a_frame_reference_too_many_is_found),
	    T(test_a_swap_slot_reference_too_many_is_found),
	    T(test_a_swap_slot_reference_too_few_is_found),
	    T(test_a_pte_that_maps_a_free_frame_is_found),
	    T(test_a_shared_page_left_writable_is_found),
	    T(test_a_page_writable_while_its_slot_is_shared_is_found),
	    T(test_a_mapping_missing_from_the_reverse_map_is_found),
	    T(test_a_space_twice_in_a_reverse_map_is_found),
	    T(test_a_swap_cache_entry_naming_another_frame_is_found),
	    T(test_a_frame_marked_hot_off_the_hot_ring_is_found),
	    T(test_a_resident_count_off_by_one_is_found),
	    T(test_a_pte_outside_its_tables_used_range_is_found),
	    T(test_a_table_missing_from_the_spaces_bitmap_is_found),
	    T(test_a_swap_entry_naming_a_free_slot_is_found),
	    T(test_vm_check_1_checks_after_reclaim_and_panics_on_a_problem),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
