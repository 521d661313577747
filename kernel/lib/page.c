/*
 * Bulk zero and copy: with D, the 64-bit routines of page_fp.S (for
 * 8-aligned blocks a multiple of 128 bytes long); otherwise memset and
 * memcpy. Which one is chosen once, at boot, from the first
 * cpu's ISA string (every hart of a machine has the same).
 */
#include "lib/klib.h"

void zero_fp(void *dst, size_t n);
void copy_fp(void *dst, const void *src, size_t n);

#define FP_TURN 128 /* page_fp.S moves this many bytes a turn */

static bool use_fp;

void page_ops_init(bool has_d)
{
	use_fp = has_d;
}

bool page_ops_fp(void)
{
	return use_fp;
}

/* Whether the 64-bit routines can take dst, src and n. */
static bool fp_fits(const void *dst, const void *src, size_t n)
{
	return use_fp && n > 0 && ALIGNED(n, FP_TURN) &&
	       ALIGNED((uintptr_t)dst | (uintptr_t)src, 8);
}

void bulk_zero(void *dst, size_t n)
{
	if (fp_fits(dst, dst, n))
		zero_fp(dst, n);
	else
		memset(dst, 0, n);
}

void bulk_copy(void *dst, const void *src, size_t n)
{
	if (fp_fits(dst, src, n))
		copy_fp(dst, src, n);
	else
		memcpy(dst, src, n);
}
