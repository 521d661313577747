/*
 * The kernel's small C library: memory and string helpers with the standard
 * names and prototypes (so the host unit tests can use the C library's own),
 * formatted output, and panic.
 */
#ifndef LIB_KLIB_H
#define LIB_KLIB_H

#include <stdarg.h>
#include "lib/types.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Zero or copy n bytes, the fastest way the hart can (lib/page.c: 64-bit
 * loads and stores where the ISA has D, for 8-aligned blocks whose length
 * is a multiple of 128, such as pages and half pages); no overlap. */
#ifdef HOST_TEST
static inline void bulk_zero(void *dst, size_t n)
{
	memset(dst, 0, n);
}
static inline void bulk_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
}
#else
void bulk_zero(void *dst, size_t n);
void bulk_copy(void *dst, const void *src, size_t n);
void page_ops_init(bool has_d);
bool page_ops_fp(void);
#endif
static inline void page_zero(void *page)
{
	bulk_zero(page, PAGE_SIZE);
}
static inline void page_copy(void *dst, const void *src)
{
	bulk_copy(dst, src, PAGE_SIZE);
}

/* Formatted output to the console: %d %i %u %x %X %p %s %c %%, with
 * field width, '0' padding, '-' and the l and ll length modifiers. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print the reason and a backtrace, then stop the machine with a failing
 * exit status. Never returns (lib/panic.c). */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
/* For other kinds of panic (an unexpected trap): panic_begin turns
 * interrupts off and returns false inside a panic already under way;
 * panic_stop ends the machine. */
bool panic_begin(void);
void panic_stop(void) __attribute__((noreturn));

/* The little-endian 32-bit word at byte off of p, whatever the CPU's order
 * and p's alignment (on-disk headers: swap, the ext2 superblock). */
static inline uint32_t get_le32(const uint8_t *p, uint32_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}

#define ALIGNED(x, a) (((x) & ((a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

#endif
