/*
 * Host tests of kernel/mm/ghost.c, the ghost table of replacement policy
 * 2q: a key remembered is recalled once, with the evictions since it went
 * in; the table never holds more than its sets' ways, and when full it
 * forgets old keys, not the newest; keys of different pages differ.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mm/ghost.h"

#define NSETS	 16u
#define CAPACITY (NSETS * GHOST_WAYS)

static struct ghost_set sets[NSETS];
static struct ghost_table t;

static int setup(void **state)
{
	(void)state;
	ghost_init(&t, sets, NSETS);
	return 0;
}

static uint32_t slot_key(uint32_t slot)
{
	return ghost_key(GHOST_SLOT, slot, 0);
}

static void test_a_key_is_recalled_once_with_the_evictions_since_it_went(void **state)
{
	(void)state;
	uint32_t d = 99;
	ghost_remember(&t, slot_key(7));
	for (uint32_t i = 100; i < 105; i++)
		ghost_remember(&t, slot_key(i));
	assert_true(ghost_recall(&t, slot_key(7), &d));
	assert_int_equal(d, 5);
	assert_false(ghost_recall(&t, slot_key(7), &d));
	assert_true(ghost_recall(&t, slot_key(104), &d));
	assert_int_equal(d, 0);
	assert_int_equal(t.held, 4);
}

static void test_a_key_never_remembered_is_not_recalled(void **state)
{
	(void)state;
	uint32_t d;
	for (uint32_t i = 1; i <= 20; i++)
		ghost_remember(&t, slot_key(i));
	assert_false(ghost_recall(&t, slot_key(21), &d));
	assert_false(ghost_recall(&t, ghost_key(GHOST_BLOCK, 3, 0), &d));
	assert_int_equal(t.held, 20);
}

static void test_the_table_holds_its_capacity_and_forgets_the_oldest(void **state)
{
	(void)state;
	uint32_t d, n = 8 * CAPACITY, old = 0;
	for (uint32_t i = 1; i <= n; i++)
		ghost_remember(&t, slot_key(i));
	assert_int_equal(t.held, CAPACITY);
	for (uint32_t i = 1; i <= CAPACITY; i++)
		old += ghost_recall(&t, slot_key(i), &d);
	assert_int_equal(old, 0);
	/* A set keeps its newest GHOST_WAYS keys, so the newest of all are
	 * there, each with its own distance. */
	for (uint32_t i = n - GHOST_WAYS + 1; i <= n; i++) {
		assert_true(ghost_recall(&t, slot_key(i), &d));
		assert_int_equal(d, n - i);
	}
}

static void test_the_last_key_remembered_is_always_there(void **state)
{
	(void)state;
	uint32_t d;
	for (uint32_t i = 1; i <= 4 * CAPACITY; i++) {
		ghost_remember(&t, slot_key(i));
		assert_true(ghost_recall(&t, slot_key(i), &d));
		assert_int_equal(d, 0);
		ghost_remember(&t, slot_key(i));
	}
}

static void test_distances_stay_right_when_the_count_wraps(void **state)
{
	(void)state;
	uint32_t d;
	t.evictions = UINT32_MAX - 2;
	ghost_remember(&t, slot_key(1));
	for (uint32_t i = 2; i <= 6; i++)
		ghost_remember(&t, slot_key(i));
	assert_true(t.evictions < 10);
	assert_true(ghost_recall(&t, slot_key(1), &d));
	assert_int_equal(d, 5);
}

static void test_keys_are_never_0_and_differ_by_kind_and_page(void **state)
{
	(void)state;
	uint32_t keys[] = {
	    ghost_key(GHOST_SLOT, 5, 0),      ghost_key(GHOST_BLOCK, 5, 0),
	    ghost_key(GHOST_ANON, 5, 0),      ghost_key(GHOST_ANON, 5, 0x1000),
	    ghost_key(GHOST_ANON, 6, 0x1000), ghost_key(GHOST_SLOT, 6, 0),
	    ghost_key(GHOST_ANON, 0, 0),      ghost_key(GHOST_SLOT, 0, 0),
	};
	size_t n = sizeof(keys) / sizeof(keys[0]);
	for (size_t i = 0; i < n; i++) {
		assert_int_not_equal(keys[i], 0);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(keys[i], keys[j]);
	}
}

static void test_sets_are_a_power_of_two_that_holds_the_capacity(void **state)
{
	(void)state;
	assert_int_equal(ghost_sets_for(0, 1024), 1);
	assert_int_equal(ghost_sets_for(4, 1024), 1);
	assert_int_equal(ghost_sets_for(5, 1024), 2);
	assert_int_equal(ghost_sets_for(512, 1024), 128);
	assert_int_equal(ghost_sets_for(514, 1024), 256);
	assert_int_equal(ghost_sets_for(1u << 20, 1024), 1024);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_a_key_is_recalled_once_with_the_evictions_since_it_went),
	    T(test_a_key_never_remembered_is_not_recalled),
	    T(test_the_table_holds_its_capacity_and_forgets_the_oldest),
	    T(test_the_last_key_remembered_is_always_there),
	    T(test_distances_stay_right_when_the_count_wraps),
	    T(test_keys_are_never_0_and_differ_by_kind_and_page),
	    T(test_sets_are_a_power_of_two_that_holds_the_capacity),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
