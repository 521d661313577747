/*
 * Files for the host unit tests whose input a real tool makes at test time
 * (GNU cpio, the cross compiler): a scratch directory to make it in, gone
 * as soon as the result is read; copies in buffers of exactly their size,
 * so that AddressSanitizer reports any read past the end; and a seeded
 * random sequence for damaging those copies, so a failure can be replayed.
 */
#ifndef TESTS_UNIT_HOST_FILES_H
#define TESTS_UNIT_HOST_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A malloc'd copy of src[0, n) in a buffer of exactly n bytes (one byte
 * when n is 0, so never NULL); aborts when memory runs out. */
uint8_t *exact_copy(const void *src, uint32_t n);

/* Write data[0, n) to the file rel inside dir, replacing it: true on
 * success. */
bool scratch_write(const char *dir, const char *rel, const void *data, size_t n);

/*
 * Make a fresh directory /tmp/name.XXXXXX, let make(dir) fill it, and
 * return the bytes of its file product, with their count in *size, in a
 * malloc'd buffer of exactly that size; NULL if any step failed. The
 * directory is removed before this returns, so an aborted run leaves
 * nothing behind.
 */
uint8_t *scratch_build(const char *name, bool (*make)(const char *dir), const char *product,
		       uint32_t *size);

/* xorshift32: the next number after *state, which it becomes; the same
 * sequence on every host for a seed (which must not be 0). */
uint32_t xorshift32(uint32_t *state);

#endif
