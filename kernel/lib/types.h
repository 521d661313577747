/*
 * Basic types shared by every kernel file. Freestanding: only the headers
 * a C compiler must provide without a C library. The same header serves the
 * host unit tests, which compile kernel modules with -DHOST_TEST.
 */
#ifndef LIB_TYPES_H
#define LIB_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A physical address. Sv32 can name 34-bit physical addresses, but the
 * kernel maps RAM with VA = PA, so all RAM it uses lies below 4 GiB.
 */
typedef uint32_t paddr_t;

#define PAGE_SIZE 4096u
#define PAGE_SHIFT 12
#define PAGE_ROUND_DOWN(a) ((a) & ~(PAGE_SIZE - 1))
#define PAGE_ROUND_UP(a) (((a) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
