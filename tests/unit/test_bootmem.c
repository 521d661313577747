/* Host tests of kernel/mm/bootmem.c: the boot layout checks that stop a
 * machine the kernel cannot run on with one line instead of a wild read. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "lib/kerrno.h"
#include "mm/bootmem.h"

#define MIB (1024u * 1024u)

static char msg[160];

/* QEMU virt with 8 MiB: RAM at 0x80000000, the kernel at 0x80400000, the
 * device tree 2 MiB below the end. */
static struct boot_layout layout_8m(void)
{
	return (struct boot_layout){
	    .ram = {0x80000000u, 8 * MIB},
	    .image = {0x80400000u, 0x186000u},
	    .dtb = {0x80600000u, 0x2000u},
	};
}

/* Check the 8 MiB layout with an initrd at [base, base + size). */
static int check_initrd(paddr_t base, uint32_t size)
{
	struct boot_layout l = layout_8m();
	l.initrd = (struct phys_range){ base, size };
	return bootmem_check_layout(&l, msg, sizeof(msg));
}

static void test_a_layout_without_initrd_is_accepted(void **state)
{
	(void)state;
	struct boot_layout l = layout_8m();
	assert_int_equal(bootmem_check_layout(&l, msg, sizeof(msg)), 0);
}

static void test_an_initrd_inside_ram_and_apart_is_accepted(void **state)
{
	(void)state;
	assert_int_equal(check_initrd(0x80100000u, 0x200000u), 0);
	assert_int_equal(check_initrd(0x80602000u, 0x1fe000u), 0); /* right up to the end */
}

/* Where QEMU 7.2 puts -initrd on 8 MiB: entry + RAM/2, past the end. */
static void test_an_initrd_past_the_end_of_ram_is_refused_with_its_range(void **state)
{
	(void)state;
	assert_int_equal(check_initrd(0x80800000u, 0xafc00u), -EINVAL);
	assert_string_equal(msg, "boot: the initrd at 0x80800000-0x808afc00 is not inside RAM "
				 "0x80000000-0x80800000");
}

static void test_an_initrd_that_straddles_the_end_of_ram_is_refused(void **state)
{
	(void)state;
	assert_int_equal(check_initrd(0x807ff000u, 0x2000u), -EINVAL);
	assert_non_null(strstr(msg, "is not inside RAM"));
}

static void test_an_initrd_below_ram_is_refused(void **state)
{
	(void)state;
	assert_int_equal(check_initrd(0x7ffff000u, 0x2000u), -EINVAL);
}

static void test_an_initrd_over_the_kernel_image_is_refused(void **state)
{
	(void)state;
	assert_int_equal(check_initrd(0x80500000u, 0x10000u), -EINVAL);
	assert_string_equal(msg, "boot: the initrd at 0x80500000-0x80510000 overlaps the kernel "
				 "image at 0x80400000-0x80586000");
	assert_int_equal(check_initrd(0x803ff000u, 0x1001u), -EINVAL); /* one byte into it */
}

static void test_an_initrd_touching_the_image_does_not_overlap(void **state)
{
	(void)state;
	assert_int_equal(check_initrd(0x803ff000u, 0x1000u), 0);
}

static void test_an_initrd_over_the_device_tree_is_refused(void **state)
{
	(void)state;
	assert_int_equal(check_initrd(0x805ff000u, 0x2000u), -EINVAL);
	assert_non_null(strstr(msg, "overlaps the device tree at 0x80600000-0x80602000"));
}

/* mem= below the end of the image: the kernel would run from outside RAM. */
static void test_ram_that_ends_inside_the_image_is_refused(void **state)
{
	(void)state;
	struct boot_layout l = layout_8m();
	l.ram.size = 5 * MIB;
	l.dtb.base = 0x80100000u;
	assert_int_equal(bootmem_check_layout(&l, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "boot: the kernel image at 0x80400000-0x80586000 is not inside "
				 "RAM 0x80000000-0x80500000");
}

static void test_a_device_tree_outside_ram_is_refused(void **state)
{
	(void)state;
	struct boot_layout l = layout_8m();
	l.dtb.base = 0x80900000u;
	assert_int_equal(bootmem_check_layout(&l, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "the device tree at 0x80900000"));
}

static void test_free_frames_below_the_minimum_are_refused_with_the_numbers(void **state)
{
	(void)state;
	assert_int_equal(bootmem_check_free(8 * MIB, BOOTMEM_MIN_FREE_FRAMES, msg, sizeof(msg)), 0);
	assert_int_equal(bootmem_check_free(6 * MIB, BOOTMEM_MIN_FREE_FRAMES - 1, msg, sizeof(msg)),
			 -ENOMEM);
	assert_string_equal(msg,
			    "boot: 6144 KiB of RAM leaves 255 free frames; the kernel needs at "
			    "least 256 (1024 KiB) after boot");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_layout_without_initrd_is_accepted),
	    cmocka_unit_test(test_an_initrd_inside_ram_and_apart_is_accepted),
	    cmocka_unit_test(test_an_initrd_past_the_end_of_ram_is_refused_with_its_range),
	    cmocka_unit_test(test_an_initrd_that_straddles_the_end_of_ram_is_refused),
	    cmocka_unit_test(test_an_initrd_below_ram_is_refused),
	    cmocka_unit_test(test_an_initrd_over_the_kernel_image_is_refused),
	    cmocka_unit_test(test_an_initrd_touching_the_image_does_not_overlap),
	    cmocka_unit_test(test_an_initrd_over_the_device_tree_is_refused),
	    cmocka_unit_test(test_ram_that_ends_inside_the_image_is_refused),
	    cmocka_unit_test(test_a_device_tree_outside_ram_is_refused),
	    cmocka_unit_test(test_free_frames_below_the_minimum_are_refused_with_the_numbers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
