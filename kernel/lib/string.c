/*
 * The memory and string functions of klib.h, freestanding. memset, memcpy
 * and memmove move aligned bulk a 32-bit word at a time, and bytes only for
 * the unaligned head and tail. Invariant: no loop here may be compiled into
 * a call to memset/memcpy/memmove (that would be the function calling
 * itself), so those functions carry NO_LIBCALL_LOOPS.
 */
#include "lib/klib.h"

/*
 * GCC turns byte and word loops into memset/memcpy calls even with
 * -ffreestanding -fno-builtin; this option is what stops it.
 */
#define NO_LIBCALL_LOOPS \
	__attribute__((optimize("no-tree-loop-distribute-patterns")))

/* A word that may alias any object, as a char may. */
typedef uint32_t __attribute__((may_alias)) word_t;

#define WORD_SIZE sizeof(word_t)
#define BYTE_TO_WORD 0x01010101u /* times a byte: that byte in every lane */

static inline bool word_aligned(const void *p)
{
	return ALIGNED((uintptr_t)p, WORD_SIZE);
}

/* Both pointers can reach word alignment together: word copies are safe. */
static inline bool same_alignment(const void *a, const void *b)
{
	return ALIGNED((uintptr_t)a ^ (uintptr_t)b, WORD_SIZE);
}

#define BLOCK_WORDS 16
#define BLOCK_SIZE (BLOCK_WORDS * WORD_SIZE)

/* Copy one block of sixteen words: all loads, then all stores. */
static inline void copy_block(word_t *d, const word_t *s)
{
	word_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6],
	       a7 = s[7];
	word_t b0 = s[8], b1 = s[9], b2 = s[10], b3 = s[11], b4 = s[12], b5 = s[13], b6 = s[14],
	       b7 = s[15];
	d[0] = a0, d[1] = a1, d[2] = a2, d[3] = a3, d[4] = a4, d[5] = a5, d[6] = a6, d[7] = a7;
	d[8] = b0, d[9] = b1, d[10] = b2, d[11] = b3, d[12] = b4, d[13] = b5, d[14] = b6,
	d[15] = b7;
}

NO_LIBCALL_LOOPS void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;
	word_t pattern = byte * BYTE_TO_WORD;

	for (; n > 0 && !word_aligned(d); n--)
		*d++ = byte;
	/* Sixteen words a turn: a page is zeroed in about 1.2 instructions
	 * a word instead of 3 (every page fault that fills a page pays it). */
	for (; n >= BLOCK_SIZE; n -= BLOCK_SIZE, d += BLOCK_SIZE) {
		word_t *w = (word_t *)d;
		w[0] = w[1] = w[2] = w[3] = w[4] = w[5] = w[6] = w[7] = pattern;
		w[8] = w[9] = w[10] = w[11] = w[12] = w[13] = w[14] = w[15] = pattern;
	}
	for (; n >= WORD_SIZE; n -= WORD_SIZE, d += WORD_SIZE)
		*(word_t *)d = pattern;
	for (; n > 0; n--)
		*d++ = byte;
	return dst;
}

/*
 * Copy n bytes from low to high addresses. Safe for overlap when dst is
 * below src: every word is read before any store can reach it.
 */
NO_LIBCALL_LOOPS static void copy_forward(unsigned char *d,
					  const unsigned char *s, size_t n)
{
	if (same_alignment(d, s)) {
		for (; n > 0 && !word_aligned(d); n--)
			*d++ = *s++;
		for (; n >= BLOCK_SIZE; n -= BLOCK_SIZE, d += BLOCK_SIZE, s += BLOCK_SIZE)
			copy_block((word_t *)d, (const word_t *)s);
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			*(word_t *)d = *(const word_t *)s;
			d += WORD_SIZE;
			s += WORD_SIZE;
		}
	}
	for (; n > 0; n--)
		*d++ = *s++;
}

/*
 * Copy n bytes from high to low addresses. Safe for overlap when dst is
 * above src.
 */
NO_LIBCALL_LOOPS static void copy_backward(unsigned char *d,
					   const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	if (same_alignment(d, s)) {
		for (; n > 0 && !word_aligned(d); n--)
			*--d = *--s;
		for (; n >= WORD_SIZE; n -= WORD_SIZE) {
			d -= WORD_SIZE;
			s -= WORD_SIZE;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	for (; n > 0; n--)
		*--d = *--s;
}

NO_LIBCALL_LOOPS void *memcpy(void *dst, const void *src, size_t n)
{
	copy_forward(dst, src, n);
	return dst;
}

/* Copy n bytes between regions that may overlap, in either order. */
NO_LIBCALL_LOOPS void *memmove(void *dst, const void *src, size_t n)
{
	if ((uintptr_t)dst < (uintptr_t)src)
		copy_forward(dst, src, n);
	else if ((uintptr_t)dst > (uintptr_t)src)
		copy_backward(dst, src, n);
	return dst;
}

/* Compare as unsigned chars; the sign tells which region is greater. */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q)
			return *p - *q;
	}
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

/* The length of s, but look at no more than max bytes. */
size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0')
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

/* Compare at most n characters, as unsigned chars, stopping at a NUL. */
int strncmp(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q || *p == '\0')
			return *p - *q;
	}
	return 0;
}

/* The first c in s, counting the terminating NUL as part of s; else NULL. */
char *strchr(const char *s, int c)
{
	char ch = (char)c;

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}
