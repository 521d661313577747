/*
 * The only kernel code that touches user memory. Each routine sets
 * sstatus.SUM for the copy alone and recovers from a fault through
 * cpu->onfault; the caller has checked the range against the regions.
 */
#ifndef RISCV_UACCESS_H
#define RISCV_UACCESS_H

#include "lib/types.h"

/* Copy n bytes; 0, or -EFAULT if an access faulted. */
int uaccess_copy(void *dst, const void *src, uint32_t n);
/* Copy a string of at most max bytes including its NUL: its length, or
 * -ENAMETOOLONG when max bytes hold no NUL, or -EFAULT. */
int uaccess_strcpy(char *dst, const char *src, uint32_t max);

#endif
