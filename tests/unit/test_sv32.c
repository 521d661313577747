/*
 * Host tests for kernel/riscv/sv32.c: the VA and PTE formats, map/unmap and
 * their errors, and sv32_translate against the privileged spec's walk
 * (PLATFORM.md 2.2-2.4). Each test gets simulated RAM, the frame allocator
 * over it, and an empty root table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "riscv/sv32.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "lib/kerrno.h"
#include "host_ram.h"

#define RAM_BASE 0x80000000u
#define RAM_PAGES 256u
#define FIRMWARE_PAGES 2u

/* Arbitrary targets: a leaf's PA need not be RAM for translate. */
#define PAGE_VA 0x00400000u
#define PAGE_PA 0x80123000u
#define MEGA_VA 0x40000000u
#define MEGA_PA 0x80400000u
#define OFFSET 0xABCu

/* scause codes (privileged spec, scause table). */
#define CAUSE_OK 0u
#define FETCH_ACCESS 1u
#define LOAD_ACCESS 5u
#define STORE_ACCESS 7u
#define FETCH_PF 12u
#define LOAD_PF 13u
#define STORE_PF 15u

#define S_MODE 0u
#define AD (PTE_A | PTE_D)
#define RWX (PTE_R | PTE_W | PTE_X)

static pte_t *root;
static paddr_t root_pa;

static int sv32_setup(void **state)
{
	(void)state;
	const struct phys_range firmware = { .base = RAM_BASE, .size = FIRMWARE_PAGES * PAGE_SIZE };

	if (host_ram_setup(RAM_BASE, RAM_PAGES, &firmware, 1) != 0)
		return -1;
	root_pa = frame_alloc(FRAME_ZERO);
	if (root_pa == 0)
		return -1;
	root = pa2kva(root_pa);
	return 0;
}

static int sv32_teardown(void **state)
{
	(void)state;
	host_ram_teardown();
	root = NULL;
	return 0;
}

static pte_t *slot1(uint32_t va)
{
	return &root[sv32_vpn1(va)];
}

static uint32_t xlate(uint32_t va, enum sv32_access acc, unsigned who, struct sv32_xlate *x)
{
	return sv32_translate(root, va, acc, who, x);
}

static uint32_t cause_of(uint32_t va, enum sv32_access acc, unsigned who)
{
	struct sv32_xlate x;
	return xlate(va, acc, who, &x);
}

static void test_va_split_0x1337babe(void **state)
{
	(void)state;
	assert_int_equal(sv32_vpn1(0x1337babe), 76);
	assert_int_equal(sv32_vpn0(0x1337babe), 891);
	assert_int_equal(sv32_offset(0x1337babe), 0xabe);
}

static void test_pte_make_and_pte_pa_round_trip(void **state)
{
	(void)state;
	const paddr_t pas[] = { 0, PAGE_SIZE, RAM_BASE, PAGE_PA, 0xFFFFF000u };
	const uint32_t flags[] = { PTE_V, PTE_V | PTE_R, PTE_V | RWX | PTE_U | PTE_G | AD, PTE_FLAGS_MASK };

	for (size_t i = 0; i < ARRAY_SIZE(pas); i++) {
		for (size_t f = 0; f < ARRAY_SIZE(flags); f++) {
			pte_t pte = pte_make(pas[i], flags[f]);
			assert_int_equal(pte_pa(pte), pas[i]);
			assert_int_equal(pte & PTE_FLAGS_MASK, flags[f]);
		}
	}
	/* PPN starts at bit 10 of the PTE, not bit 12 as in the PA. */
	assert_int_equal(pte_make(0x80001000u, PTE_V), (0x80001u << PTE_PPN_SHIFT) | PTE_V);
}

static void test_map_then_translate_gives_pa_plus_offset(void **state)
{
	(void)state;
	struct sv32_xlate x;

	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R | PTE_W | AD), 0);
	assert_int_equal(xlate(PAGE_VA + OFFSET, SV32_STORE, S_MODE, &x), CAUSE_OK);
	assert_int_equal(x.pa, PAGE_PA + OFFSET);
	assert_int_equal(x.level, 0);
	assert_int_equal(x.pte0, pte_make(PAGE_PA, PTE_R | PTE_W | AD | PTE_V));
	/* The neighbouring page is not mapped. */
	assert_int_equal(cause_of(PAGE_VA + PAGE_SIZE, SV32_LOAD, S_MODE), LOAD_PF);
}

static void test_map_twice_is_eexist(void **state)
{
	(void)state;
	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R), 0);
	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA + PAGE_SIZE, PTE_R | PTE_W), -EEXIST);
	assert_int_equal(*sv32_walk(root, PAGE_VA, false), pte_make(PAGE_PA, PTE_R | PTE_V));
}

static void test_unmap_returns_old_pte_and_translate_then_faults(void **state)
{
	(void)state;
	const uint32_t flags = PTE_R | PTE_X | PTE_U | PTE_A;
	pte_t old = 0;

	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, flags), 0);
	assert_int_equal(sv32_unmap_page(root, PAGE_VA, &old), 0);
	assert_int_equal(old, pte_make(PAGE_PA, flags | PTE_V));
	assert_int_equal(*sv32_walk(root, PAGE_VA, false), 0);
	assert_int_equal(cause_of(PAGE_VA, SV32_FETCH, SV32_USER), FETCH_PF);
	assert_int_equal(sv32_unmap_page(root, PAGE_VA, NULL), -ENOENT);
}

static void test_unmap_of_unmapped_is_enoent(void **state)
{
	(void)state;
	pte_t old = 0x5A5A;

	/* No level-0 table at all. */
	assert_int_equal(sv32_unmap_page(root, PAGE_VA, &old), -ENOENT);
	/* A table, but an empty slot. */
	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R), 0);
	assert_int_equal(sv32_unmap_page(root, PAGE_VA + PAGE_SIZE, &old), -ENOENT);
	/* Inside a megapage: not a 4 KiB leaf. */
	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, PTE_R), 0);
	assert_int_equal(sv32_unmap_page(root, MEGA_VA, &old), -ENOENT);
	assert_int_equal(old, 0x5A5A);
	assert_int_equal(*slot1(MEGA_VA), pte_make(MEGA_PA, PTE_R | PTE_V));
}

static void test_map_misaligned_va_or_pa_is_einval(void **state)
{
	(void)state;
	uint32_t nfree = frame_count_free();

	assert_int_equal(sv32_map_page(root, PAGE_VA + 4, PAGE_PA, PTE_R), -EINVAL);
	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA + 0x800, PTE_R), -EINVAL);
	assert_int_equal(*slot1(PAGE_VA), 0);
	assert_int_equal(frame_count_free(), nfree);
}

static void test_map_illegal_flags_is_einval(void **state)
{
	(void)state;
	const uint32_t bad[] = {
		0,                       /* no R/W/X: that is a pointer, not a leaf */
		PTE_U | PTE_A | PTE_D,   /* still no R/W/X */
		PTE_W,                   /* W without R is reserved */
		PTE_W | PTE_X,           /* likewise */
		PTE_R | (1u << PTE_PPN_SHIFT), /* not a flag bit: would change the PPN */
	};

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, bad[i]), -EINVAL);
		assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, bad[i]), -EINVAL);
	}
	assert_int_equal(*slot1(PAGE_VA), 0);
	assert_int_equal(*slot1(MEGA_VA), 0);
}

static void test_megapage_map_and_translate(void **state)
{
	(void)state;
	struct sv32_xlate x;
	const uint32_t va = MEGA_VA + 0x123456;

	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, PTE_R | PTE_W | AD), 0);
	assert_int_equal(xlate(va, SV32_LOAD, S_MODE, &x), CAUSE_OK);
	assert_int_equal(x.level, 1);
	assert_int_equal(x.pa, pte_pa(x.pte1) + (sv32_vpn0(va) << PAGE_SHIFT) + sv32_offset(va));
	assert_int_equal(x.pa, 0x80523456u);
	assert_int_equal(cause_of(MEGA_VA + SV32_MEGAPAGE_SIZE - 1, SV32_STORE, S_MODE), CAUSE_OK);
	assert_int_equal(xlate(MEGA_VA + SV32_MEGAPAGE_SIZE - 1, SV32_LOAD, S_MODE, &x), CAUSE_OK);
	assert_int_equal(x.pa, MEGA_PA + SV32_MEGAPAGE_SIZE - 1);
	assert_int_equal(cause_of(MEGA_VA + SV32_MEGAPAGE_SIZE, SV32_LOAD, S_MODE), LOAD_PF);
}

static void test_megapage_misaligned_is_einval(void **state)
{
	(void)state;
	assert_int_equal(sv32_map_mega(root, MEGA_VA + PAGE_SIZE, MEGA_PA, PTE_R), -EINVAL);
	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA + PAGE_SIZE, PTE_R), -EINVAL);
	/* 2 MiB is not enough. */
	assert_int_equal(sv32_map_mega(root, MEGA_VA + SV32_MEGAPAGE_SIZE / 2, MEGA_PA, PTE_R), -EINVAL);
	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA + SV32_MEGAPAGE_SIZE / 2, PTE_R), -EINVAL);
	assert_int_equal(*slot1(MEGA_VA), 0);
}

static void test_walk_into_megapage_returns_null(void **state)
{
	(void)state;
	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, PTE_R | PTE_X), 0);
	uint32_t nfree = frame_count_free();

	assert_null(sv32_walk(root, MEGA_VA + 5 * PAGE_SIZE, false));
	assert_null(sv32_walk(root, MEGA_VA + 5 * PAGE_SIZE, true));
	assert_int_equal(frame_count_free(), nfree);
	assert_int_equal(*slot1(MEGA_VA), pte_make(MEGA_PA, PTE_R | PTE_X | PTE_V));
}

static void test_page_map_over_megapage_is_eexist(void **state)
{
	(void)state;
	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, PTE_R), 0);
	uint32_t nfree = frame_count_free();

	assert_int_equal(sv32_map_page(root, MEGA_VA + PAGE_SIZE, PAGE_PA, PTE_R), -EEXIST);
	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, PTE_R), -EEXIST);
	assert_int_equal(frame_count_free(), nfree);
	assert_int_equal(*slot1(MEGA_VA), pte_make(MEGA_PA, PTE_R | PTE_V));
}

static void test_megapage_map_over_level0_table_is_eexist(void **state)
{
	(void)state;
	assert_int_equal(sv32_map_page(root, MEGA_VA, PAGE_PA, PTE_R), 0);
	pte_t pointer = *slot1(MEGA_VA);

	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, PTE_R), -EEXIST);
	assert_int_equal(*slot1(MEGA_VA), pointer);
}

static void test_pointer_pte_is_exactly_v_and_table_shared_by_neighbours(void **state)
{
	(void)state;
	uint32_t nfree = frame_count_free();

	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R | PTE_U | AD), 0);
	pte_t pointer = *slot1(PAGE_VA);
	assert_int_equal(pointer & PTE_FLAGS_MASK, PTE_V);
	assert_int_equal(frame_of(pte_pa(pointer))->state, FRAME_USED);
	assert_int_equal(frame_count_free(), nfree - 1);

	/* The first, second and last page of the same 4 MiB share the table. */
	const uint32_t neighbours[] = { PAGE_VA + PAGE_SIZE, PAGE_VA + SV32_MEGAPAGE_SIZE - PAGE_SIZE };
	pte_t *table = pa2kva(pte_pa(pointer));
	for (size_t i = 0; i < ARRAY_SIZE(neighbours); i++) {
		assert_int_equal(sv32_map_page(root, neighbours[i], PAGE_PA, PTE_R), 0);
		assert_ptr_equal(sv32_walk(root, neighbours[i], false), &table[sv32_vpn0(neighbours[i])]);
	}
	assert_int_equal(*slot1(PAGE_VA), pointer);
	assert_int_equal(frame_count_free(), nfree - 1);

	/* The next 4 MiB needs a table of its own. */
	assert_int_equal(sv32_map_page(root, PAGE_VA + SV32_MEGAPAGE_SIZE, PAGE_PA, PTE_R), 0);
	assert_int_equal(frame_count_free(), nfree - 2);
	assert_int_not_equal(pte_pa(*slot1(PAGE_VA + SV32_MEGAPAGE_SIZE)), pte_pa(pointer));
}

static void test_walk_without_alloc_creates_nothing(void **state)
{
	(void)state;
	uint32_t nfree = frame_count_free();

	assert_null(sv32_walk(root, PAGE_VA, false));
	assert_int_equal(*slot1(PAGE_VA), 0);
	assert_int_equal(frame_count_free(), nfree);

	pte_t *slot = sv32_walk(root, PAGE_VA, true);
	assert_non_null(slot);
	assert_int_equal(*slot, 0);
	assert_int_equal(frame_count_free(), nfree - 1);
	assert_ptr_equal(sv32_walk(root, PAGE_VA, false), slot);
}

static void test_new_level0_table_is_zeroed(void **state)
{
	(void)state;
	paddr_t all[RAM_PAGES];
	uint32_t n = 0;

	/* Dirty every free frame with valid-looking PTEs, then give them back. */
	while ((all[n] = frame_alloc(0)) != 0) {
		memset(pa2kva(all[n]), 0xFF, PAGE_SIZE);
		n++;
	}
	while (n > 0)
		frame_free(all[--n]);

	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R | PTE_A), 0);
	const pte_t *table = pa2kva(pte_pa(*slot1(PAGE_VA)));
	for (uint32_t i = 0; i < SV32_PTES; i++)
		if (i != sv32_vpn0(PAGE_VA))
			assert_int_equal(table[i], 0);
}

static void test_map_over_not_valid_swap_entry_succeeds(void **state)
{
	(void)state;
	/* V=0 with other bits set: software's (a swap slot), not a mapping. */
	const pte_t swap_entry = 0x12345600u;
	pte_t *slot = sv32_walk(root, PAGE_VA, true);
	*slot = swap_entry;

	assert_int_equal(cause_of(PAGE_VA, SV32_LOAD, S_MODE), LOAD_PF);
	assert_int_equal(sv32_unmap_page(root, PAGE_VA, NULL), -ENOENT);
	assert_int_equal(*slot, swap_entry);
	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R | PTE_A), 0);
	assert_int_equal(cause_of(PAGE_VA, SV32_LOAD, S_MODE), CAUSE_OK);
}

/* Map flags at PAGE_VA (level 0) or MEGA_VA (level 1); returns the VA to use. */
static uint32_t map_at_level(int level, uint32_t flags)
{
	if (level == 0) {
		assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, flags), 0);
		return PAGE_VA + OFFSET;
	}
	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, flags), 0);
	return MEGA_VA + OFFSET;
}

static void unmap_at_level(int level)
{
	if (level == 0)
		assert_int_equal(sv32_unmap_page(root, PAGE_VA, NULL), 0);
	else
		*slot1(MEGA_VA) = 0;
}

struct access_case {
	uint32_t flags;
	unsigned who;
	enum sv32_access acc;
	uint32_t cause;
};

/* Run each case as a 4 KiB page and as a megapage. */
static void check_cases(const struct access_case *c, size_t n)
{
	for (int level = 0; level <= 1; level++) {
		for (size_t i = 0; i < n; i++) {
			uint32_t va = map_at_level(level, c[i].flags);
			uint32_t got = cause_of(va, c[i].acc, c[i].who);
			if (got != c[i].cause)
				fail_msg("case %zu at level %d: cause %u, want %u", i, level,
					 (unsigned)got, (unsigned)c[i].cause);
			unmap_at_level(level);
		}
	}
}

/* PLATFORM.md 2.3 and the privileged spec's sstatus.SUM/MXR rules; A and D
 * are set so that only U/SUM/MXR and R/W/X decide. */
static const struct access_case privilege_cases[] = {
	/* U-mode reaches only U=1 pages; SUM changes nothing for it. */
	{ RWX | AD, SV32_USER, SV32_LOAD, LOAD_PF },
	{ RWX | AD, SV32_USER, SV32_STORE, STORE_PF },
	{ RWX | AD, SV32_USER, SV32_FETCH, FETCH_PF },
	{ RWX | AD, SV32_USER | SV32_SUM, SV32_LOAD, LOAD_PF },
	{ PTE_U | PTE_R | AD, SV32_USER, SV32_LOAD, CAUSE_OK },
	{ PTE_U | PTE_R | AD, SV32_USER | SV32_SUM, SV32_LOAD, CAUSE_OK },
	{ PTE_U | PTE_R | AD, SV32_USER, SV32_STORE, STORE_PF },
	{ PTE_U | PTE_R | AD, SV32_USER, SV32_FETCH, FETCH_PF },
	{ PTE_U | PTE_R | PTE_W | AD, SV32_USER, SV32_STORE, CAUSE_OK },
	{ PTE_U | PTE_X | AD, SV32_USER, SV32_FETCH, CAUSE_OK },
	{ PTE_U | PTE_X | AD, SV32_USER, SV32_LOAD, LOAD_PF },
	{ PTE_U | PTE_X | AD, SV32_USER | SV32_MXR, SV32_LOAD, CAUSE_OK },
	{ PTE_U | PTE_X | AD, SV32_USER | SV32_MXR, SV32_STORE, STORE_PF },
	{ PTE_U | PTE_R | PTE_X | AD, SV32_USER, SV32_FETCH, CAUSE_OK },
	{ PTE_U | PTE_R | PTE_X | AD, SV32_USER, SV32_STORE, STORE_PF },
	/* S-mode on U=0 pages: R/W/X decide; MXR only widens loads. */
	{ PTE_R | AD, S_MODE, SV32_LOAD, CAUSE_OK },
	{ PTE_R | AD, S_MODE, SV32_STORE, STORE_PF },
	{ PTE_R | AD, S_MODE, SV32_FETCH, FETCH_PF },
	{ PTE_R | AD, S_MODE | SV32_MXR, SV32_FETCH, FETCH_PF },
	{ PTE_R | PTE_W | AD, S_MODE, SV32_STORE, CAUSE_OK },
	{ PTE_R | PTE_W | AD, S_MODE, SV32_FETCH, FETCH_PF },
	{ PTE_X | AD, S_MODE, SV32_FETCH, CAUSE_OK },
	{ PTE_X | AD, S_MODE, SV32_LOAD, LOAD_PF },
	{ PTE_X | AD, S_MODE | SV32_MXR, SV32_LOAD, CAUSE_OK },
	{ PTE_X | AD, S_MODE | SV32_MXR, SV32_STORE, STORE_PF },
	{ PTE_R | PTE_X | AD, S_MODE, SV32_LOAD, CAUSE_OK },
	{ PTE_R | PTE_X | AD, S_MODE, SV32_FETCH, CAUSE_OK },
	{ RWX | AD, S_MODE | SV32_SUM, SV32_FETCH, CAUSE_OK },
	/* S-mode on U=1 pages: loads and stores need SUM; fetches never work. */
	{ PTE_U | PTE_R | AD, S_MODE, SV32_LOAD, LOAD_PF },
	{ PTE_U | PTE_R | PTE_W | AD, S_MODE, SV32_STORE, STORE_PF },
	{ PTE_U | PTE_R | AD, S_MODE | SV32_SUM, SV32_LOAD, CAUSE_OK },
	{ PTE_U | PTE_R | PTE_W | AD, S_MODE | SV32_SUM, SV32_STORE, CAUSE_OK },
	{ PTE_U | PTE_R | AD, S_MODE | SV32_SUM, SV32_STORE, STORE_PF },
	{ PTE_U | PTE_R | PTE_X | AD, S_MODE, SV32_FETCH, FETCH_PF },
	{ PTE_U | PTE_R | PTE_X | AD, S_MODE | SV32_SUM, SV32_FETCH, FETCH_PF },
	{ PTE_U | RWX | AD, S_MODE | SV32_SUM | SV32_MXR, SV32_FETCH, FETCH_PF },
	{ PTE_U | PTE_X | AD, S_MODE | SV32_SUM, SV32_LOAD, LOAD_PF },
	{ PTE_U | PTE_X | AD, S_MODE | SV32_SUM | SV32_MXR, SV32_LOAD, CAUSE_OK },
	{ PTE_U | PTE_X | AD, S_MODE | SV32_MXR, SV32_LOAD, LOAD_PF },
};

static void test_translate_u_sum_mxr_and_fetch_rules(void **state)
{
	(void)state;
	check_cases(privilege_cases, ARRAY_SIZE(privilege_cases));
}

/* PLATFORM.md 2.4: Svade faults on A=0, or on a store with D=0; with
 * hardware A/D updates the same accesses go through. */
static const struct access_case ad_cases[] = {
	{ PTE_R | PTE_W, S_MODE, SV32_LOAD, LOAD_PF },
	{ PTE_R | PTE_W, SV32_HWAD, SV32_LOAD, CAUSE_OK },
	{ PTE_R | PTE_W, S_MODE, SV32_STORE, STORE_PF },
	{ PTE_R | PTE_W, SV32_HWAD, SV32_STORE, CAUSE_OK },
	{ PTE_R | PTE_W | PTE_A, S_MODE, SV32_LOAD, CAUSE_OK },
	{ PTE_R | PTE_W | PTE_A, S_MODE, SV32_STORE, STORE_PF },
	{ PTE_R | PTE_W | PTE_A, SV32_HWAD, SV32_STORE, CAUSE_OK },
	{ PTE_R | PTE_W | PTE_D, S_MODE, SV32_STORE, STORE_PF },
	{ PTE_R | PTE_W | PTE_D, S_MODE, SV32_LOAD, LOAD_PF },
	{ PTE_R | PTE_W | AD, S_MODE, SV32_STORE, CAUSE_OK },
	{ PTE_X, S_MODE, SV32_FETCH, FETCH_PF },
	{ PTE_X, SV32_HWAD, SV32_FETCH, CAUSE_OK },
	{ PTE_X | PTE_A, S_MODE, SV32_FETCH, CAUSE_OK },
	{ PTE_U | PTE_R, SV32_USER, SV32_LOAD, LOAD_PF },
	{ PTE_U | PTE_R, SV32_USER | SV32_HWAD, SV32_LOAD, CAUSE_OK },
	/* Hardware A/D does not grant a permission. */
	{ PTE_R, SV32_HWAD, SV32_STORE, STORE_PF },
};

static void test_translate_ad_faults_without_hwad_only(void **state)
{
	(void)state;
	check_cases(ad_cases, ARRAY_SIZE(ad_cases));
}

static void test_translate_with_hwad_keeps_ptes_as_read(void **state)
{
	(void)state;
	struct sv32_xlate x;

	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R | PTE_W), 0);
	assert_int_equal(xlate(PAGE_VA, SV32_STORE, SV32_HWAD, &x), CAUSE_OK);
	assert_int_equal(x.pte0, pte_make(PAGE_PA, PTE_R | PTE_W | PTE_V));
	assert_int_equal(*sv32_walk(root, PAGE_VA, false), x.pte0);
}

static void test_translate_invalid_pte_fault_cause_follows_access(void **state)
{
	(void)state;
	struct sv32_xlate x;

	assert_int_equal(xlate(PAGE_VA, SV32_LOAD, S_MODE, &x), LOAD_PF);
	assert_int_equal(x.level, -1);
	assert_int_equal(x.pte0_pa, 0);
	assert_int_equal(x.cause, LOAD_PF);
	assert_int_equal(cause_of(PAGE_VA, SV32_STORE, S_MODE), STORE_PF);
	assert_int_equal(cause_of(PAGE_VA, SV32_FETCH, S_MODE), FETCH_PF);
	assert_int_equal(cause_of(PAGE_VA, SV32_FETCH, SV32_USER | SV32_HWAD), FETCH_PF);
}

static void test_translate_fills_xlate_fields(void **state)
{
	(void)state;
	struct sv32_xlate x;
	const uint32_t flags = PTE_R | PTE_W | AD;
	const uint32_t va = 0x1337babe;

	assert_int_equal(sv32_map_page(root, PAGE_ROUND_DOWN(va), PAGE_PA, flags), 0);
	paddr_t table = pte_pa(*slot1(va));
	assert_int_equal(xlate(va, SV32_LOAD, S_MODE, &x), CAUSE_OK);
	assert_int_equal(x.pte1_pa, root_pa + 76 * sizeof(pte_t));
	assert_int_equal(x.pte1, pte_make(table, PTE_V));
	assert_int_equal(x.pte0_pa, table + 891 * sizeof(pte_t));
	assert_int_equal(x.pte0, pte_make(PAGE_PA, flags | PTE_V));
	assert_int_equal(x.level, 0);
	assert_int_equal(x.pa, PAGE_PA + 0xabe);
	assert_int_equal(x.cause, CAUSE_OK);

	/* A leaf found, but the access denied: the steps stay, pa does not. */
	assert_int_equal(xlate(va, SV32_FETCH, S_MODE, &x), FETCH_PF);
	assert_int_equal(x.level, 0);
	assert_int_equal(x.pte0_pa, table + 891 * sizeof(pte_t));
	assert_int_equal(x.pa, 0);

	/* A megapage stops at level 1. */
	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, flags), 0);
	assert_int_equal(xlate(MEGA_VA + OFFSET, SV32_STORE, S_MODE, &x), CAUSE_OK);
	assert_int_equal(x.pte1_pa, root_pa + sv32_vpn1(MEGA_VA) * sizeof(pte_t));
	assert_int_equal(x.pte1, pte_make(MEGA_PA, flags | PTE_V));
	assert_int_equal(x.pte0_pa, 0);
	assert_int_equal(x.pte0, 0);
	assert_int_equal(x.level, 1);
	assert_int_equal(x.pa, MEGA_PA + OFFSET);
}

static void test_translate_hand_made_misaligned_megapage_faults(void **state)
{
	(void)state;
	struct sv32_xlate x;
	/* PPN[0] != 0 in a level-1 leaf: the spec's step 6. */
	*slot1(MEGA_VA) = pte_make(MEGA_PA + PAGE_SIZE, RWX | AD | PTE_V);

	assert_int_equal(xlate(MEGA_VA, SV32_LOAD, S_MODE, &x), LOAD_PF);
	assert_int_equal(x.level, 1);
	assert_int_equal(cause_of(MEGA_VA, SV32_STORE, SV32_HWAD), STORE_PF);
	assert_int_equal(cause_of(MEGA_VA, SV32_FETCH, SV32_SUM | SV32_MXR), FETCH_PF);

	*slot1(MEGA_VA) = pte_make(MEGA_PA, RWX | AD | PTE_V);
	assert_int_equal(cause_of(MEGA_VA, SV32_LOAD, S_MODE), CAUSE_OK);
}

static void test_translate_nonleaf_pte_with_a_d_or_u_faults(void **state)
{
	(void)state;
	const uint32_t reserved[] = { PTE_A, PTE_D, PTE_U };

	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_U | RWX | AD), 0);
	pte_t pointer = *slot1(PAGE_VA);
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++) {
		*slot1(PAGE_VA) = pointer | reserved[i];
		assert_int_equal(cause_of(PAGE_VA, SV32_LOAD, SV32_USER | SV32_HWAD), LOAD_PF);
		assert_int_equal(cause_of(PAGE_VA, SV32_STORE, SV32_USER), STORE_PF);
	}
	/* G is legal on a pointer (PLATFORM.md 2.1). */
	*slot1(PAGE_VA) = pointer | PTE_G;
	assert_int_equal(cause_of(PAGE_VA, SV32_LOAD, SV32_USER), CAUSE_OK);
}

static void test_translate_pointer_at_level0_faults(void **state)
{
	(void)state;
	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R | AD), 0);
	*sv32_walk(root, PAGE_VA, false) = pte_make(root_pa, PTE_V);

	assert_int_equal(cause_of(PAGE_VA, SV32_LOAD, S_MODE), LOAD_PF);
	assert_int_equal(cause_of(PAGE_VA, SV32_FETCH, S_MODE), FETCH_PF);
	assert_int_equal(cause_of(PAGE_VA, SV32_STORE, SV32_HWAD), STORE_PF);
}

static void test_translate_w_without_r_pte_faults(void **state)
{
	(void)state;
	const uint32_t reserved[] = { PTE_W, PTE_W | PTE_X };

	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R | AD), 0);
	pte_t *slot = sv32_walk(root, PAGE_VA, false);
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++) {
		*slot = pte_make(PAGE_PA, reserved[i] | AD | PTE_V);
		assert_int_equal(cause_of(PAGE_VA, SV32_STORE, S_MODE), STORE_PF);
		assert_int_equal(cause_of(PAGE_VA, SV32_FETCH, S_MODE), FETCH_PF);
		*slot1(MEGA_VA) = pte_make(MEGA_PA, reserved[i] | AD | PTE_V);
		assert_int_equal(cause_of(MEGA_VA, SV32_STORE, S_MODE | SV32_HWAD), STORE_PF);
	}
}

static void test_translate_table_outside_ram_is_access_fault(void **state)
{
	(void)state;
	const paddr_t mmio = 0x10000000u;
	/* RAM_BASE + 4 GiB: a PPN that 32 bits of PA cannot name, and that
	 * must not be cut down to RAM_BASE. */
	const pte_t above_4g = pte_make(RAM_BASE, PTE_V) | ((pte_t)1 << (32 + PTE_PPN_SHIFT - PAGE_SHIFT));

	*slot1(PAGE_VA) = pte_make(mmio, PTE_V);
	assert_int_equal(cause_of(PAGE_VA, SV32_LOAD, S_MODE), LOAD_ACCESS);
	assert_int_equal(cause_of(PAGE_VA, SV32_STORE, S_MODE), STORE_ACCESS);
	assert_int_equal(cause_of(PAGE_VA, SV32_FETCH, S_MODE), FETCH_ACCESS);
	*slot1(PAGE_VA) = above_4g;
	assert_int_equal(cause_of(PAGE_VA, SV32_LOAD, S_MODE), LOAD_ACCESS);
}

static void test_map_out_of_frames_is_enomem_and_leaves_nothing(void **state)
{
	(void)state;
	paddr_t last = 0;

	while (frame_count_free() > 0)
		last = frame_alloc(0);
	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R), -ENOMEM);
	assert_int_equal(*slot1(PAGE_VA), 0);
	assert_null(sv32_walk(root, PAGE_VA, false));
	assert_int_equal(frame_count_free(), 0);

	/* One frame back is one table: the same call now works. */
	frame_free(last);
	assert_int_equal(sv32_map_page(root, PAGE_VA, PAGE_PA, PTE_R | PTE_A), 0);
	assert_int_equal(pte_pa(*slot1(PAGE_VA)), last);
	assert_int_equal(cause_of(PAGE_VA, SV32_LOAD, S_MODE), CAUSE_OK);
	/* A megapage needs no table, so it works with no frame left. */
	assert_int_equal(sv32_map_mega(root, MEGA_VA, MEGA_PA, PTE_R), 0);
}

/*
 * Random map/unmap checked against a reference: an array of the PTE each
 * test page should have (0 = unmapped). The pages spread over four 4 MiB
 * regions, including the first and the last, and over all of vpn0.
 */
#define RANDOM_SEED 0x5eed1234u
#define RANDOM_OPS 20000
#define REGIONS 4u
#define PAGES_PER_REGION 64u
#define TEST_PAGES (REGIONS * PAGES_PER_REGION)
#define VPN0_STRIDE (SV32_PTES / PAGES_PER_REGION)

static const uint32_t region_vpn1[REGIONS] = { 0, 1, 0x200, SV32_PTES - 1 };

static uint32_t rng_state;

/* xorshift32: deterministic for a given seed, so a failure can be replayed. */
static uint32_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

static uint32_t test_page_va(uint32_t n)
{
	uint32_t i = n % PAGES_PER_REGION;
	uint32_t vpn0 = i * VPN0_STRIDE + i % VPN0_STRIDE;

	return (region_vpn1[n / PAGES_PER_REGION] << 22) | (vpn0 << PAGE_SHIFT);
}

static bool reference_legal(paddr_t pa, uint32_t flags)
{
	if (pa % PAGE_SIZE != 0 || !(flags & RWX))
		return false;
	return !((flags & PTE_W) && !(flags & PTE_R));
}

static void reference_check_all(const pte_t *expect, int op)
{
	for (uint32_t n = 0; n < TEST_PAGES; n++) {
		struct sv32_xlate x;
		uint32_t off = (n * 37u) % PAGE_SIZE;
		/* Every legal leaf has R or X; SUM and MXR then allow any load. */
		uint32_t cause = xlate(test_page_va(n) + off, SV32_LOAD,
				       SV32_SUM | SV32_MXR | SV32_HWAD, &x);

		if (expect[n] == 0 && cause != LOAD_PF)
			fail_msg("seed %#x op %d page %u: unmapped but cause %u", RANDOM_SEED, op,
				 (unsigned)n, (unsigned)cause);
		if (expect[n] != 0 && (cause != CAUSE_OK || x.pte0 != expect[n] ||
				       x.pa != pte_pa(expect[n]) + off))
			fail_msg("seed %#x op %d page %u: cause %u pte %#x pa %#x, want pte %#x",
				 RANDOM_SEED, op, (unsigned)n, (unsigned)cause, (unsigned)x.pte0,
				 (unsigned)x.pa, (unsigned)expect[n]);
	}
}

static void test_random_map_unmap_matches_reference(void **state)
{
	(void)state;
	static pte_t expect[TEST_PAGES];
	bool region_has_table[REGIONS] = { false };
	uint32_t tables = 0;
	uint32_t nfree = frame_count_free();

	memset(expect, 0, sizeof(expect));
	rng_state = RANDOM_SEED;
	for (int op = 0; op < RANDOM_OPS; op++) {
		uint32_t n = rng_next() % TEST_PAGES;
		uint32_t va = test_page_va(n);
		uint32_t r = rng_next();

		if (r & 1) {
			/* Mostly aligned PAs; any 10 flag bits, legal or not. */
			paddr_t pa = rng_next() & ~((r & 0x6) ? PAGE_SIZE - 1 : 0);
			uint32_t flags = (rng_next() & PTE_FLAGS_MASK) & ~PTE_V;
			int want = !reference_legal(pa, flags) ? -EINVAL : expect[n] ? -EEXIST : 0;

			assert_int_equal(sv32_map_page(root, va, pa, flags), want);
			if (want == 0) {
				expect[n] = pte_make(pa, flags | PTE_V);
				uint32_t region = n / PAGES_PER_REGION;
				tables += !region_has_table[region];
				region_has_table[region] = true;
			}
		} else {
			pte_t old = 0;
			int want = expect[n] ? 0 : -ENOENT;

			assert_int_equal(sv32_unmap_page(root, va, &old), want);
			if (want == 0)
				assert_int_equal(old, expect[n]);
			expect[n] = 0;
		}
		reference_check_all(expect, op);
		assert_int_equal(frame_count_free(), nfree - tables);
	}
}

#define SV32_TEST(t) cmocka_unit_test_setup_teardown(t, sv32_setup, sv32_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		SV32_TEST(test_va_split_0x1337babe),
		SV32_TEST(test_pte_make_and_pte_pa_round_trip),
		SV32_TEST(test_map_then_translate_gives_pa_plus_offset),
		SV32_TEST(test_map_twice_is_eexist),
		SV32_TEST(test_unmap_returns_old_pte_and_translate_then_faults),
		SV32_TEST(test_unmap_of_unmapped_is_enoent),
		SV32_TEST(test_map_misaligned_va_or_pa_is_einval),
		SV32_TEST(test_map_illegal_flags_is_einval),
		SV32_TEST(test_megapage_map_and_translate),
		SV32_TEST(test_megapage_misaligned_is_einval),
		SV32_TEST(test_walk_into_megapage_returns_null),
		SV32_TEST(test_page_map_over_megapage_is_eexist),
		SV32_TEST(test_megapage_map_over_level0_table_is_eexist),
		SV32_TEST(test_pointer_pte_is_exactly_v_and_table_shared_by_neighbours),
		SV32_TEST(test_walk_without_alloc_creates_nothing),
		SV32_TEST(test_new_level0_table_is_zeroed),
		SV32_TEST(test_map_over_not_valid_swap_entry_succeeds),
		SV32_TEST(test_translate_u_sum_mxr_and_fetch_rules),
		SV32_TEST(test_translate_ad_faults_without_hwad_only),
		SV32_TEST(test_translate_with_hwad_keeps_ptes_as_read),
		SV32_TEST(test_translate_invalid_pte_fault_cause_follows_access),
		SV32_TEST(test_translate_fills_xlate_fields),
		SV32_TEST(test_translate_hand_made_misaligned_megapage_faults),
		SV32_TEST(test_translate_nonleaf_pte_with_a_d_or_u_faults),
		SV32_TEST(test_translate_pointer_at_level0_faults),
		SV32_TEST(test_translate_w_without_r_pte_faults),
		SV32_TEST(test_translate_table_outside_ram_is_access_fault),
		SV32_TEST(test_map_out_of_frames_is_enomem_and_leaves_nothing),
		SV32_TEST(test_random_map_unmap_matches_reference),
	};
	return cmocka_run_group_tests_name("sv32", tests, NULL, NULL);
}
