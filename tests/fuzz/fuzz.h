/*
 * What the libFuzzer harnesses share (docs/fuzzing.md). Each harness feeds
 * its input to one kernel parser and checks the parser's contract with
 * CHECK, which aborts on a broken property so that libFuzzer keeps the
 * input as a crash file. libFuzzer hands each input over in a heap buffer
 * of exactly its size, so AddressSanitizer reports any read past it.
 */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Print where and which property failed, then abort (support.c). */
void fuzz_fail(const char *file, int line, const char *what) __attribute__((noreturn));

#define CHECK(cond) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

/* True when [p, p + n) lies inside [buf, buf + size). */
static inline bool fuzz_inside(const void *p, size_t n, const void *buf, size_t size)
{
	uintptr_t at = (uintptr_t)p, lo = (uintptr_t)buf;
	return at >= lo && at - lo <= size && n <= size - (at - lo);
}

/* True when s is a NUL-terminated string inside [buf, buf + size). */
static inline bool fuzz_string_inside(const char *s, const void *buf, size_t size)
{
	if (!fuzz_inside(s, 1, buf, size))
		return false;
	size_t room = size - (size_t)((uintptr_t)s - (uintptr_t)buf);
	for (size_t i = 0; i < room; i++)
		if (s[i] == '\0')
			return true;
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
