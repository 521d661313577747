/*
 * Memory mappings (POSIX <sys/mman.h>), which picolibc does not provide:
 * anonymous private mappings, and mappings of files: of the ext2 disk
 * through the page cache (MAP_SHARED stores reach the file, MAP_PRIVATE
 * ones stay the process's own), read-only ones of initramfs files.
 */
#ifndef USER_SYS_MMAN_H
#define USER_SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>
#include <proc/uapi.h>

#define PROT_NONE K_PROT_NONE
#define PROT_READ K_PROT_READ
#define PROT_WRITE K_PROT_WRITE
#define PROT_EXEC K_PROT_EXEC
#define MAP_SHARED K_MAP_SHARED
#define MAP_PRIVATE K_MAP_PRIVATE
#define MAP_FIXED K_MAP_FIXED
#define MAP_ANONYMOUS K_MAP_ANONYMOUS
#define MAP_ANON MAP_ANONYMOUS
#define MAP_FAILED K_MAP_FAILED

/* msync flags: write back and wait, start the write-back, or also drop
 * cached copies of the pages (POSIX: MS_SYNC and MS_ASYNC exclude each other). */
#define MS_ASYNC K_MS_ASYNC
#define MS_SYNC K_MS_SYNC
#define MS_INVALIDATE K_MS_INVALIDATE

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off);
int munmap(void *addr, size_t len);
int mprotect(void *addr, size_t len, int prot);
int msync(void *addr, size_t len, int flags);

#endif
