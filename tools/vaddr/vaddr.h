/*
 * The command line of tools/vaddr as a function, so that the unit test
 * (tests/unit/test_vaddr.c) can run it on its own streams.
 */
#ifndef VADDR_VADDR_H
#define VADDR_VADDR_H

#include <stdio.h>

/* Run `vaddr ADDR` on argv, printing to out and err; return the exit status
 * (0, or 2 on bad input, as the usage text says). */
int vaddr_main(int argc, char **argv, FILE *out, FILE *err);

#endif
