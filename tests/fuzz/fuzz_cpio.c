/*
 * libFuzzer harness for the initramfs reader (kernel/proc/cpio.c): every
 * entry cpio_entry lists has its name and data inside the archive, a name
 * without a leading "/" or "./", and cpio_find finds an entry of that name
 * no later in the archive. A walk ends within one entry per header's worth
 * of bytes, and ends the same way (-ENOENT at the trailer, -EINVAL with a
 * reason) whichever name it looks for.
 */
#include <string.h>

#include "lib/kerrno.h"
#include "proc/cpio.h"
#include "tests/fuzz/fuzz.h"

#define ABSENT "no/such/file/in/any/seed"

static void check_file(const struct cpio_file *f, const uint8_t *a, size_t size)
{
	CHECK(f->why == NULL);
	CHECK(fuzz_inside(f->data, f->size, a, size));
	CHECK(fuzz_string_inside(f->name, a, size));
	CHECK(f->name[0] != '\0' && f->name[0] != '/' && strncmp(f->name, "./", 2) != 0);
	CHECK(strcmp(f->name, ".") != 0);
}

/* cpio_find on the name of f returns the first entry of that name. */
static void check_found(const struct cpio_file *f, const uint8_t *a, uint32_t size)
{
	struct cpio_file g;
	CHECK(cpio_find(a, size, f->name, &g) == 0);
	CHECK(strcmp(g.name, f->name) == 0);
	CHECK((const uint8_t *)g.name <= (const uint8_t *)f->name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpio_file f, absent;
	uint32_t n = (uint32_t)size, i;
	int err;

	if (size > UINT32_MAX)
		return 0;
	for (i = 0; (err = cpio_entry(data, n, i, &f)) == 0; i++) {
		CHECK(i <= n / CPIO_HEADER_SIZE);
		check_file(&f, data, size);
		check_found(&f, data, n);
	}
	CHECK(err == -ENOENT || (err == -EINVAL && f.why != NULL));
	int lookup = cpio_find(data, n, ABSENT, &absent);
	CHECK(lookup == 0 ? strcmp(absent.name, ABSENT) == 0 : lookup == err);
	return 0;
}
