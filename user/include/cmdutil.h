/*
 * What the file utilities in user/bin share (user/lib/cmdutil.c): writing
 * a whole buffer, building paths from a directory and a name, and running
 * one call on each operand with POSIX-style error lines.
 */
#ifndef USER_CMDUTIL_H
#define USER_CMDUTIL_H

#include <stddef.h>

/* Write all n bytes of buf to fd, however many writes it takes; 0, or -1
 * with errno. */
int write_all(int fd, const void *buf, size_t n);

/* Put "dir/name" into out (size bytes), with no second '/' when dir ends
 * in one; 0, or -1 with ENAMETOOLONG if it does not fit. */
int path_join(char *out, size_t size, const char *dir, const char *name);

/* Where cp and mv put src: dst, or dst/NAME (NAME the last component of
 * src) when dst is a directory; into out (size bytes); 0, or -1 with
 * ENAMETOOLONG. */
int target_path(char *out, size_t size, const char *src, const char *dst);

/* Run op on each of argv[1..argc-1]; a failure prints
 * "prog: OPERAND: strerror" and the others still run. EXIT_SUCCESS if
 * every call returned 0; EXIT_FAILURE, after "usage: prog PATH...",
 * when there is no operand. */
int for_each_operand(const char *prog, int argc, char **argv, int (*op)(const char *path));

#endif
