/*
 * The initramfs reader (proc/cpio.h). Every entry is decoded by read_entry,
 * which checks that the header, the name and the data lie inside the archive
 * before anything is read or handed out. Offsets only grow, by at least a
 * header each time, so every walk ends. Uses only klib.h string helpers.
 */
#include "proc/cpio.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define HEX_BITS 4

/* One decoded entry and where the next one starts. */
struct entry {
	struct cpio_file file;
	bool trailer;
	uint32_t next; /* offset of the next header; may equal size */
};

/* Record what is wrong with the archive; returns -EINVAL. */
static int fail(struct cpio_file *out, const char *why)
{
	out->why = why;
	return -EINVAL;
}

/* The value of hex digit c, or -1. */
static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the 8-hex-digit field at p into *v; false on a non-hex digit. Eight
 * digits are 32 bits, so the value cannot overflow. */
static bool read_field(const uint8_t *p, uint32_t *v)
{
	uint32_t x = 0;
	for (int i = 0; i < CPIO_FIELD_LEN; i++) {
		int d = hex_value(p[i]);
		if (d < 0)
			return false;
		x = (x << HEX_BITS) | (uint32_t)d;
	}
	*v = x;
	return true;
}

/* True when every field of the header at h is made of hex digits. */
static bool header_is_hex(const uint8_t *h)
{
	uint32_t unused;
	for (uint32_t off = CPIO_H_INO; off < CPIO_HEADER_SIZE; off += CPIO_FIELD_LEN)
		if (!read_field(h + off, &unused))
			return false;
	return true;
}

/* off rounded up to CPIO_ALIGN, or size when the padding would pass the end
 * (padding is never read, and nothing more fits there). Needs off <= size. */
static uint32_t pad_within(uint32_t off, uint32_t size)
{
	uint32_t pad = (CPIO_ALIGN - off % CPIO_ALIGN) % CPIO_ALIGN;
	return pad > size - off ? size : off + pad;
}

/* path without its leading "/" and "./" parts; the root ("." or "/") is "". */
static const char *canonical(const char *path)
{
	for (;;) {
		if (path[0] == '/')
			path += 1; /* NOLINT(bugprone-branch-clone): a last "." skips one too */
		else if (path[0] == '.' && path[1] == '/')
			path += 2;
		else if (path[0] == '.' && path[1] == '\0')
			path += 1;
		else
			return path;
	}
}

/* Decode the entry whose header starts at off (off <= size) into *e: 0, or
 * -EINVAL with e->file.why set when any part of it lies outside the archive. */
static int read_entry(const uint8_t *a, uint32_t size, uint32_t off, struct entry *e)
{
	uint32_t mode, filesize, namesize;

	if (size - off < CPIO_HEADER_SIZE)
		return fail(&e->file, "header runs past the end (no trailer?)");
	const uint8_t *h = a + off;
	if (memcmp(h + CPIO_H_MAGIC, CPIO_NEWC_MAGIC, CPIO_MAGIC_LEN) != 0)
		return fail(&e->file, "bad magic (not a newc archive)");
	if (!header_is_hex(h))
		return fail(&e->file, "non-hex digit in a header");
	read_field(h + CPIO_H_MODE, &mode);
	read_field(h + CPIO_H_FILESIZE, &filesize);
	read_field(h + CPIO_H_NAMESIZE, &namesize);

	uint32_t name_off = off + CPIO_HEADER_SIZE;
	if (namesize == 0 || namesize > size - name_off)
		return fail(&e->file, "name runs past the end");
	const char *name = (const char *)a + name_off;
	if (strnlen(name, namesize) != namesize - 1)
		return fail(&e->file, "name not terminated by its NUL");

	uint32_t data_off = pad_within(name_off + namesize, size);
	if (filesize > size - data_off)
		return fail(&e->file, "file data runs past the end");

	e->file.data = a + data_off;
	e->file.size = filesize;
	e->file.mode = mode;
	e->file.name = canonical(name);
	e->file.why = NULL;
	e->trailer = strcmp(name, CPIO_TRAILER) == 0;
	e->next = pad_within(data_off + filesize, size);
	return 0;
}

/* The one walk over the entries: call match on each entry before the
 * trailer until it says yes. Returns 0 with that entry in *out, -ENOENT at
 * the trailer, or -EINVAL for a malformed archive (out->why says how). */
static int scan(const void *archive, uint32_t size, bool (*match)(const struct cpio_file *, void *),
		void *arg, struct cpio_file *out)
{
	struct entry e;

	for (uint32_t off = 0;; off = e.next) {
		int err = read_entry(archive, size, off, &e);
		if (err) {
			out->why = e.file.why;
			return err;
		}
		if (e.trailer)
			return -ENOENT;
		if (match(&e.file, arg)) {
			*out = e.file;
			return 0;
		}
	}
}

static bool has_name(const struct cpio_file *f, void *want)
{
	return strcmp(f->name, want) == 0;
}

int cpio_find(const void *archive, uint32_t size, const char *path, struct cpio_file *out)
{
	return scan(archive, size, has_name, (void *)canonical(path), out);
}

/* True for the index-th entry that is not the root directory "."; *arg
 * counts down the entries still to skip. */
static bool is_index(const struct cpio_file *f, void *arg)
{
	uint32_t *left = arg;
	if (f->name[0] == '\0')
		return false;
	return (*left)-- == 0;
}

int cpio_entry(const void *archive, uint32_t size, uint32_t index, struct cpio_file *out)
{
	return scan(archive, size, is_index, &index, out);
}
