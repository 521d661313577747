/* Host tests of kernel/proc/cpio.c: finding and listing files in a newc
 * archive made by GNU cpio at test time and in hand-built ones, and
 * refusing every malformed or truncated archive without reading past it
 * (each archive under test sits in a buffer of exactly its size, so
 * AddressSanitizer reports any overread). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/kerrno.h"
#include "proc/cpio.h"
#include "host_files.h"

#define SH_SIZE		  (4096 + 3) /* a file spanning pages, length not a multiple of 4 */
#define NPAD		  5	     /* pad/0 .. pad/4 hold 0 .. 4 bytes */
#define RANDOM_ITERATIONS 10000
#define RANDOM_SEED	  0x2545f491u

static const char init_text[] = "the init program, 37 bytes of it....\n";
static const char motd_text[] = "hello\n";

/* Every entry of the real archive but the root, in archive order. */
static const char *const real_names[] = {
    "bin",   "bin/init", "bin/link", "bin/sh", "etc",	"etc/motd", "pad",
    "pad/0", "pad/1",	 "pad/2",    "pad/3",  "pad/4", "srv",
};

static uint8_t *real; /* the archive GNU cpio made */
static uint32_t real_size;

/* Make the tree in dir/tree and archive it with GNU cpio into
 * dir/root.cpio: true on success. */
static bool make_tree_and_archive(const char *dir)
{
	char cmd[512], tree[300];
	static uint8_t sh[SH_SIZE];

	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir tree && cd tree && mkdir bin etc pad srv && ln -s init bin/link",
		 dir);
	if (system(cmd) != 0)
		return false;
	snprintf(tree, sizeof(tree), "%s/tree", dir);
	for (uint32_t i = 0; i < SH_SIZE; i++)
		sh[i] = (uint8_t)(i * 7);
	if (!scratch_write(tree, "bin/init", init_text, strlen(init_text)) ||
	    !scratch_write(tree, "etc/motd", motd_text, strlen(motd_text)) ||
	    !scratch_write(tree, "bin/sh", sh, SH_SIZE))
		return false;
	for (int n = 0; n < NPAD; n++) {
		char rel[32], bytes[NPAD];
		snprintf(rel, sizeof(rel), "pad/%d", n);
		memset(bytes, 'a' + n, sizeof(bytes));
		if (!scratch_write(tree, rel, bytes, (size_t)n))
			return false;
	}
	snprintf(cmd, sizeof(cmd),
		 "cd %s/tree && find . | LC_ALL=C sort | cpio -o -H newc --quiet > ../root.cpio",
		 dir);
	return system(cmd) == 0;
}

/* Build the real archive and keep its bytes. */
static int make_real_archive(void **state)
{
	(void)state;
	real = scratch_build("test_cpio", make_tree_and_archive, "root.cpio", &real_size);
	return real == NULL ? -1 : 0;
}

static int free_real_archive(void **state)
{
	(void)state;
	free(real);
	return 0;
}

/* True when [p, p + n) lies inside [base, base + size). */
static bool inside(const void *p, uint32_t n, const uint8_t *base, uint32_t size)
{
	const uint8_t *b = p;
	return b >= base && b <= base + size && n <= (uint32_t)(base + size - b);
}

/* The first occurrence of needle[0, n) in a[0, size), or NULL. */
static const uint8_t *find_bytes(const uint8_t *a, uint32_t size, const void *needle, uint32_t n)
{
	for (uint32_t i = 0; n <= size && i <= size - n; i++)
		if (memcmp(a + i, needle, n) == 0)
			return a + i;
	return NULL;
}

/* The offset just past the trailer's name in a: the shortest length that
 * still holds a whole archive. */
static uint32_t trailer_end(const uint8_t *a, uint32_t size)
{
	const uint8_t *t = find_bytes(a, size, CPIO_TRAILER, sizeof(CPIO_TRAILER));
	assert_non_null(t);
	return (uint32_t)(t - a) + sizeof(CPIO_TRAILER);
}

/* ---- hand-built archives ---- */

struct builder {
	uint8_t buf[1024];
	uint32_t len;
};

static void put(struct builder *b, const void *p, uint32_t n)
{
	assert_true(b->len + n <= sizeof(b->buf));
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void pad4(struct builder *b)
{
	static const uint8_t zeros[CPIO_ALIGN];
	put(b, zeros, (CPIO_ALIGN - b->len % CPIO_ALIGN) % CPIO_ALIGN);
}

/* A header in lowercase hex (GNU cpio writes uppercase). */
static void put_header(struct builder *b, uint32_t mode, uint32_t filesize, uint32_t namesize)
{
	char h[CPIO_HEADER_SIZE + 1];
	int n = snprintf(h, sizeof(h), "%s%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
			 CPIO_NEWC_MAGIC, 1u, mode, 0u, 0u, 1u, 0u, filesize, 0u, 0u, 0u, 0u,
			 namesize, 0u);
	assert_int_equal(n, CPIO_HEADER_SIZE);
	put(b, h, CPIO_HEADER_SIZE);
}

static void add(struct builder *b, const char *name, uint32_t mode, const char *data)
{
	uint32_t namesize = (uint32_t)strlen(name) + 1;
	put_header(b, mode, (uint32_t)strlen(data), namesize);
	put(b, name, namesize);
	pad4(b);
	put(b, data, (uint32_t)strlen(data));
	pad4(b);
}

static void add_trailer(struct builder *b)
{
	add(b, CPIO_TRAILER, 0, "");
}

/* Offset of the header of the entry stored under name (GNU cpio's spelling). */
static uint32_t header_of(const uint8_t *a, uint32_t size, const char *name)
{
	const uint8_t *n = find_bytes(a, size, name, (uint32_t)strlen(name) + 1);
	assert_non_null(n);
	return (uint32_t)(n - a) - CPIO_HEADER_SIZE;
}

/* Overwrite the 8-digit field at off of the header at hdr with text. */
static void set_field(uint8_t *a, uint32_t hdr, uint32_t off, const char *text)
{
	assert_int_equal(strlen(text), CPIO_FIELD_LEN);
	memcpy(a + hdr + off, text, CPIO_FIELD_LEN);
}

static void assert_einval(int err, const struct cpio_file *f, const char *keyword)
{
	assert_int_equal(err, -EINVAL);
	assert_non_null(f->why);
	assert_non_null(strstr(f->why, keyword));
}

/* ---- finding ---- */

static void test_find_regular_file_returns_its_bytes_mode_and_name(void **state)
{
	(void)state;
	struct cpio_file f;
	assert_int_equal(cpio_find(real, real_size, "bin/init", &f), 0);
	assert_int_equal(f.size, strlen(init_text));
	assert_memory_equal(f.data, init_text, f.size);
	assert_true(inside(f.data, f.size, real, real_size));
	assert_int_equal(f.mode & K_S_IFMT, K_S_IFREG);
	assert_string_equal(f.name, "bin/init");
	assert_null(f.why);
}

static void test_find_file_spanning_pages(void **state)
{
	(void)state;
	struct cpio_file f;
	assert_int_equal(cpio_find(real, real_size, "/bin/sh", &f), 0);
	assert_int_equal(f.size, SH_SIZE);
	const uint8_t *d = f.data;
	for (uint32_t i = 0; i < SH_SIZE; i++)
		assert_int_equal(d[i], (uint8_t)(i * 7));
}

static void test_find_files_of_every_padding_length(void **state)
{
	(void)state;
	for (int n = 0; n < NPAD; n++) {
		char path[32];
		struct cpio_file f;
		snprintf(path, sizeof(path), "/pad/%d", n);
		assert_int_equal(cpio_find(real, real_size, path, &f), 0);
		assert_int_equal(f.size, n);
		for (int i = 0; i < n; i++)
			assert_int_equal(((const char *)f.data)[i], 'a' + n);
	}
}

static void test_find_directory_reports_ifdir(void **state)
{
	(void)state;
	struct cpio_file f;
	assert_int_equal(cpio_find(real, real_size, "/srv", &f), 0);
	assert_int_equal(f.mode & K_S_IFMT, K_S_IFDIR);
	assert_int_equal(f.size, 0);
	assert_int_equal(cpio_find(real, real_size, "etc", &f), 0);
	assert_int_equal(f.mode & K_S_IFMT, K_S_IFDIR);
}

static void test_find_symlink_reports_iflnk_and_target(void **state)
{
	(void)state;
	struct cpio_file f;
	assert_int_equal(cpio_find(real, real_size, "bin/link", &f), 0);
	assert_int_equal(f.mode & K_S_IFMT, K_S_IFLNK);
	assert_int_equal(f.size, 4);
	assert_memory_equal(f.data, "init", 4);
}

static void test_slash_and_dot_name_the_root_directory(void **state)
{
	(void)state;
	struct cpio_file f;
	assert_int_equal(cpio_find(real, real_size, "/", &f), 0);
	assert_int_equal(f.mode & K_S_IFMT, K_S_IFDIR);
	assert_string_equal(f.name, "");
	assert_int_equal(cpio_find(real, real_size, ".", &f), 0);
	assert_int_equal(f.mode & K_S_IFMT, K_S_IFDIR);
}

static void test_missing_path_is_enoent(void **state)
{
	(void)state;
	struct cpio_file f;
	assert_int_equal(cpio_find(real, real_size, "/bin/nope", &f), -ENOENT);
	assert_int_equal(cpio_find(real, real_size, "/bi", &f), -ENOENT);	/* a prefix */
	assert_int_equal(cpio_find(real, real_size, "bin/init/", &f), -ENOENT); /* not a dir */
	assert_int_equal(cpio_find(real, real_size, "bin/init/x", &f), -ENOENT);
	assert_int_equal(cpio_find(real, real_size, "BIN/INIT", &f), -ENOENT);
	assert_int_equal(cpio_find(real, real_size, CPIO_TRAILER, &f), -ENOENT);
}

static void test_leading_slash_and_dot_slash_are_ignored(void **state)
{
	(void)state;
	static const char *const spellings[] = {
	    "bin/init", "/bin/init", "./bin/init", "//bin/init", "/./bin/init", "././bin/init",
	};
	struct cpio_file first;
	assert_int_equal(cpio_find(real, real_size, spellings[0], &first), 0);
	for (size_t i = 1; i < sizeof(spellings) / sizeof(spellings[0]); i++) {
		struct cpio_file f;
		assert_int_equal(cpio_find(real, real_size, spellings[i], &f), 0);
		assert_ptr_equal(f.data, first.data);
	}
}

static void test_archive_names_with_leading_dot_slash_or_slash_match(void **state)
{
	(void)state;
	struct builder b = {0};
	struct cpio_file f;
	add(&b, ".", K_S_IFDIR | 0755, "");
	add(&b, "./bin/a", K_S_IFREG | 0644, "A");
	add(&b, "/bin/b", K_S_IFREG | 0644, "BB");
	add_trailer(&b);
	uint8_t *a = exact_copy(b.buf, b.len);
	assert_int_equal(cpio_find(a, b.len, "/bin/a", &f), 0);
	assert_memory_equal(f.data, "A", 1);
	assert_string_equal(f.name, "bin/a");
	assert_int_equal(cpio_find(a, b.len, "bin/b", &f), 0);
	assert_int_equal(f.size, 2);
	assert_string_equal(f.name, "bin/b");
	free(a);
}

static void test_lowercase_hex_fields_are_read(void **state)
{
	(void)state;
	struct builder b = {0};
	struct cpio_file f;
	char data[0x2f + 1];
	memset(data, 'x', sizeof(data) - 1);
	data[sizeof(data) - 1] = '\0';
	add(&b, "f", K_S_IFREG | 0777, data); /* mode "000081ff", size "0000002f" */
	add_trailer(&b);
	uint8_t *a = exact_copy(b.buf, b.len);
	assert_int_equal(cpio_find(a, b.len, "/f", &f), 0);
	assert_int_equal(f.mode, K_S_IFREG | 0777);
	assert_int_equal(f.size, 0x2f);
	free(a);
}

/* ---- listing ---- */

static void test_entries_enumerate_in_order_without_root_or_trailer(void **state)
{
	(void)state;
	const uint32_t n = sizeof(real_names) / sizeof(real_names[0]);
	struct cpio_file f;
	for (uint32_t i = 0; i < n; i++) {
		assert_int_equal(cpio_entry(real, real_size, i, &f), 0);
		assert_string_equal(f.name, real_names[i]);
	}
	assert_int_equal(cpio_entry(real, real_size, n, &f), -ENOENT);
	assert_int_equal(cpio_entry(real, real_size, UINT32_MAX, &f), -ENOENT);
}

static void test_entry_matches_find_for_the_same_file(void **state)
{
	(void)state;
	struct cpio_file by_index, by_path;
	assert_int_equal(cpio_entry(real, real_size, 1, &by_index), 0);
	assert_int_equal(cpio_find(real, real_size, by_index.name, &by_path), 0);
	assert_ptr_equal(by_index.data, by_path.data);
	assert_int_equal(by_index.size, by_path.size);
	assert_int_equal(by_index.mode, by_path.mode);
}

static void test_archive_with_only_a_trailer_is_empty(void **state)
{
	(void)state;
	struct builder b = {0};
	struct cpio_file f;
	add_trailer(&b);
	uint8_t *a = exact_copy(b.buf, b.len);
	assert_int_equal(cpio_entry(a, b.len, 0, &f), -ENOENT);
	assert_int_equal(cpio_find(a, b.len, "/x", &f), -ENOENT);
	free(a);
}

/* ---- malformed archives ---- */

static void test_empty_or_header_short_archive_is_einval(void **state)
{
	(void)state;
	struct cpio_file f;
	uint8_t *a = exact_copy(real, CPIO_HEADER_SIZE - 1);
	assert_einval(cpio_find(a, 0, "/x", &f), &f, "header runs past");
	assert_einval(cpio_find(a, CPIO_HEADER_SIZE - 1, "/x", &f), &f, "header runs past");
	assert_einval(cpio_entry(a, CPIO_HEADER_SIZE - 1, 0, &f), &f, "header runs past");
	free(a);
}

static void test_every_truncation_is_einval_or_enoent_never_an_overread(void **state)
{
	(void)state;
	struct cpio_file init, f;
	assert_int_equal(cpio_find(real, real_size, "bin/init", &init), 0);
	const uint32_t init_end = (uint32_t)((const uint8_t *)init.data - real) + init.size;
	const uint32_t whole = trailer_end(real, real_size);

	for (uint32_t len = 0; len < real_size; len++) {
		uint8_t *a = exact_copy(real, len);
		int want_missing = len >= whole ? -ENOENT : -EINVAL;
		assert_int_equal(cpio_find(a, len, "/no/such/file", &f), want_missing);
		int err = cpio_find(a, len, "/bin/init", &f);
		if (len >= init_end) {
			assert_int_equal(err, 0);
			assert_true(inside(f.data, f.size, a, len));
		} else {
			assert_einval(err, &f, "past the end");
		}
		for (uint32_t i = 0;; i++) {
			err = cpio_entry(a, len, i, &f);
			if (err != 0) {
				assert_int_equal(err, want_missing);
				break;
			}
			assert_true(inside(f.name, (uint32_t)strlen(f.name) + 1, a, len));
			assert_true(inside(f.data, f.size, a, len));
		}
		free(a);
	}
}

static void test_bad_magic_is_einval(void **state)
{
	(void)state;
	struct cpio_file f;
	uint8_t *a = exact_copy(real, real_size);
	a[CPIO_H_MAGIC + 5] = '2'; /* "070702": the CRC variant, not newc */
	assert_einval(cpio_find(a, real_size, "/bin/init", &f), &f, "magic");
	free(a);

	a = exact_copy(real, real_size);
	a[header_of(a, real_size, "bin/sh") + CPIO_H_MAGIC] = 'x';
	assert_int_equal(cpio_find(a, real_size, "/bin/init", &f), 0); /* before the damage */
	assert_einval(cpio_find(a, real_size, "/etc/motd", &f), &f, "magic");
	free(a);
}

static void test_non_hex_digit_in_any_field_is_einval(void **state)
{
	(void)state;
	struct cpio_file f;
	for (uint32_t off = CPIO_H_INO; off < CPIO_HEADER_SIZE; off++) {
		uint8_t *a = exact_copy(real, real_size);
		a[header_of(a, real_size, "bin/init") + off] = (off % 2) ? 'g' : ' ';
		assert_einval(cpio_find(a, real_size, "/bin/init", &f), &f, "non-hex");
		free(a);
	}
}

static void test_huge_filesize_is_einval(void **state)
{
	(void)state;
	struct cpio_file f;
	uint8_t *a = exact_copy(real, real_size);
	set_field(a, header_of(a, real_size, "bin/init"), CPIO_H_FILESIZE, "FFFFFFFF");
	assert_einval(cpio_find(a, real_size, "/bin/init", &f), &f, "data runs past");
	free(a);
}

static void test_filesize_one_past_the_end_is_einval(void **state)
{
	(void)state;
	struct builder b = {0};
	struct cpio_file f;
	put_header(&b, K_S_IFREG, 5, 2); /* claims 5 bytes, holds 4 */
	put(&b, "a", 2);
	pad4(&b);
	put(&b, "1234", 4);
	uint8_t *a = exact_copy(b.buf, b.len);
	assert_einval(cpio_find(a, b.len, "/a", &f), &f, "data runs past");
	free(a);
}

static void test_huge_or_zero_namesize_is_einval(void **state)
{
	(void)state;
	struct cpio_file f;
	static const char *const sizes[] = {"FFFFFFFF", "00000000", "7FFFFFFF"};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint8_t *a = exact_copy(real, real_size);
		set_field(a, header_of(a, real_size, "bin/init"), CPIO_H_NAMESIZE, sizes[i]);
		assert_einval(cpio_find(a, real_size, "/bin/init", &f), &f, "name runs past");
		free(a);
	}
}

static void test_name_without_nul_is_einval(void **state)
{
	(void)state;
	struct builder b = {0};
	struct cpio_file f;
	put_header(&b, K_S_IFREG, 0, 4); /* "abcd" with no NUL in its 4 bytes */
	put(&b, "abcd", 4);
	pad4(&b);
	add_trailer(&b);
	uint8_t *a = exact_copy(b.buf, b.len);
	assert_einval(cpio_find(a, b.len, "/abcd", &f), &f, "NUL");
	free(a);
}

static void test_name_with_nul_before_its_end_is_einval(void **state)
{
	(void)state;
	struct builder b = {0};
	struct cpio_file f;
	put_header(&b, K_S_IFREG, 0, 4);
	put(&b, "ab\0\0", 4);
	pad4(&b);
	add_trailer(&b);
	uint8_t *a = exact_copy(b.buf, b.len);
	assert_einval(cpio_find(a, b.len, "/ab", &f), &f, "NUL");
	free(a);
}

static void test_missing_trailer_is_einval_when_scanning_past_the_last_entry(void **state)
{
	(void)state;
	struct builder b = {0};
	struct cpio_file f;
	add(&b, "a", K_S_IFREG, "data");
	uint8_t *a = exact_copy(b.buf, b.len);
	assert_int_equal(cpio_find(a, b.len, "/a", &f), 0);
	assert_einval(cpio_find(a, b.len, "/b", &f), &f, "no trailer");
	assert_int_equal(cpio_entry(a, b.len, 0, &f), 0);
	assert_einval(cpio_entry(a, b.len, 1, &f), &f, "no trailer");
	free(a);
}

static void test_trailer_without_final_padding_is_accepted(void **state)
{
	(void)state;
	struct builder b = {0};
	struct cpio_file f;
	add(&b, "a", K_S_IFREG, "data");
	put_header(&b, 0, 0, sizeof(CPIO_TRAILER));
	put(&b, CPIO_TRAILER, sizeof(CPIO_TRAILER)); /* ends 1 byte short of a multiple of 4 */
	assert_int_not_equal(b.len % CPIO_ALIGN, 0);
	uint8_t *a = exact_copy(b.buf, b.len);
	assert_int_equal(cpio_find(a, b.len, "/b", &f), -ENOENT);
	free(a);
}

static void test_entries_after_the_trailer_are_not_seen(void **state)
{
	(void)state;
	struct builder b = {0};
	struct cpio_file f;
	add(&b, "a", K_S_IFREG, "1");
	add_trailer(&b);
	add(&b, "late", K_S_IFREG, "2");
	uint8_t *a = exact_copy(b.buf, b.len);
	assert_int_equal(cpio_find(a, b.len, "/late", &f), -ENOENT);
	assert_int_equal(cpio_entry(a, b.len, 1, &f), -ENOENT);
	free(a);
}

static uint32_t rng_state = RANDOM_SEED;

/* The next number of the sequence that starts at RANDOM_SEED. */
static uint32_t rng(void)
{
	return xorshift32(&rng_state);
}

/* Check a call's result against the contract: 0 with everything handed
 * out inside the archive, or a known error (-EINVAL with its reason). */
static void assert_sane(int err, const struct cpio_file *f, const uint8_t *a, uint32_t len)
{
	if (err == 0) {
		assert_true(inside(f->data, f->size, a, len));
		assert_true(inside(f->name, 1, a, len));
		assert_true(inside(f->name, (uint32_t)strlen(f->name) + 1, a, len));
		return;
	}
	if (err == -EINVAL) {
		assert_non_null(f->why);
		return;
	}
	assert_int_equal(err, -ENOENT);
}

static void test_random_corruption_never_reads_outside_the_archive(void **state)
{
	(void)state;
	static const char hex[] = "0123456789ABCDEF";
	const uint32_t n = sizeof(real_names) / sizeof(real_names[0]);

	for (int it = 0; it < RANDOM_ITERATIONS; it++) {
		uint32_t len = (rng() % 4 == 0) ? rng() % (real_size + 1) : real_size;
		uint8_t *a = exact_copy(real, len);
		int flips = 1 + (int)(rng() % 8);
		for (int k = 0; k < flips && len > 0; k++) {
			uint32_t at = rng() % len;
			/* Hex digits half the time, so damage gets past the digit check. */
			a[at] = (rng() % 2) ? (uint8_t)hex[rng() % 16] : (uint8_t)rng();
		}
		struct cpio_file f;
		assert_sane(cpio_find(a, len, real_names[rng() % n], &f), &f, a, len);
		assert_sane(cpio_find(a, len, "/missing", &f), &f, a, len);
		for (uint32_t i = 0;; i++) {
			int err = cpio_entry(a, len, i, &f);
			assert_sane(err, &f, a, len);
			if (err)
				break;
			assert_true(i < len / CPIO_HEADER_SIZE); /* each entry costs a header */
		}
		free(a);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find_regular_file_returns_its_bytes_mode_and_name),
	    cmocka_unit_test(test_find_file_spanning_pages),
	    cmocka_unit_test(test_find_files_of_every_padding_length),
	    cmocka_unit_test(test_find_directory_reports_ifdir),
	    cmocka_unit_test(test_find_symlink_reports_iflnk_and_target),
	    cmocka_unit_test(test_slash_and_dot_name_the_root_directory),
	    cmocka_unit_test(test_missing_path_is_enoent),
	    cmocka_unit_test(test_leading_slash_and_dot_slash_are_ignored),
	    cmocka_unit_test(test_archive_names_with_leading_dot_slash_or_slash_match),
	    cmocka_unit_test(test_lowercase_hex_fields_are_read),
	    cmocka_unit_test(test_entries_enumerate_in_order_without_root_or_trailer),
	    cmocka_unit_test(test_entry_matches_find_for_the_same_file),
	    cmocka_unit_test(test_archive_with_only_a_trailer_is_empty),
	    cmocka_unit_test(test_empty_or_header_short_archive_is_einval),
	    cmocka_unit_test(test_every_truncation_is_einval_or_enoent_never_an_overread),
	    cmocka_unit_test(test_bad_magic_is_einval),
	    cmocka_unit_test(test_non_hex_digit_in_any_field_is_einval),
	    cmocka_unit_test(test_huge_filesize_is_einval),
	    cmocka_unit_test(test_filesize_one_past_the_end_is_einval),
	    cmocka_unit_test(test_huge_or_zero_namesize_is_einval),
	    cmocka_unit_test(test_name_without_nul_is_einval),
	    cmocka_unit_test(test_name_with_nul_before_its_end_is_einval),
	    cmocka_unit_test(test_missing_trailer_is_einval_when_scanning_past_the_last_entry),
	    cmocka_unit_test(test_trailer_without_final_padding_is_accepted),
	    cmocka_unit_test(test_entries_after_the_trailer_are_not_seen),
	    cmocka_unit_test(test_random_corruption_never_reads_outside_the_archive),
	};
	return cmocka_run_group_tests(tests, make_real_archive, free_real_archive);
}
