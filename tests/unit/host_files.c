/*
 * The scratch directories, exact-size copies and random sequence of
 * host_files.h, for the unit tests that parse what a real tool made.
 * Relies on stdio and the shell (rm -rf); every path it builds must fit
 * PATH_LEN or the call fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_files.h"

#define PATH_LEN 256

uint8_t *exact_copy(const void *src, uint32_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	if (p == NULL)
		abort();
	memcpy(p, src, n);
	return p;
}

/* dir/rel in path[0, PATH_LEN): true when it fits. */
static bool join(char *path, const char *dir, const char *rel)
{
	int n = snprintf(path, PATH_LEN, "%s/%s", dir, rel);
	return n >= 0 && n < PATH_LEN;
}

bool scratch_write(const char *dir, const char *rel, const void *data, size_t n)
{
	char path[PATH_LEN];
	if (!join(path, dir, rel))
		return false;
	FILE *f = fopen(path, "wb");
	if (f == NULL)
		return false;
	bool written = fwrite(data, 1, n, f) == n;
	return fclose(f) == 0 && written;
}

/* The length of the open file f, leaving it positioned at its start; -1
 * on error. */
static long file_length(FILE *f)
{
	if (fseek(f, 0, SEEK_END) != 0)
		return -1;
	long n = ftell(f);
	if (n < 0 || n > UINT32_MAX || fseek(f, 0, SEEK_SET) != 0)
		return -1;
	return n;
}

/* The whole of the file at path in a buffer of exactly its size, or NULL. */
static uint8_t *read_whole(const char *path, uint32_t *size)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	long n = file_length(f);
	uint8_t *p = n < 0 ? NULL : malloc(n > 0 ? (size_t)n : 1);
	bool whole = p != NULL && fread(p, 1, (size_t)n, f) == (size_t)n;
	if (fclose(f) != 0 || !whole) {
		free(p);
		return NULL;
	}
	*size = (uint32_t)n;
	return p;
}

static bool remove_tree(const char *dir)
{
	char cmd[PATH_LEN + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0;
}

uint8_t *scratch_build(const char *name, bool (*make)(const char *dir), const char *product,
		       uint32_t *size)
{
	char dir[PATH_LEN], path[PATH_LEN];
	int n = snprintf(dir, sizeof(dir), "/tmp/%s.XXXXXX", name);
	if (n < 0 || n >= PATH_LEN || mkdtemp(dir) == NULL)
		return NULL;
	uint8_t *bytes = NULL;
	if (make(dir) && join(path, dir, product))
		bytes = read_whole(path, size);
	if (!remove_tree(dir)) {
		free(bytes);
		return NULL;
	}
	return bytes;
}

uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}
