#!/bin/sh
# Print a C file holding the text symbols of kernel ELF $1 (nm output
# sorted by address), for the second kernel link. With no argument, print
# an empty table for the first link.
set -eu
NM=${NM:-riscv64-unknown-elf-nm}
echo '#include "lib/ksyms.h"'
echo 'const struct ksym ksyms[] __attribute__((section(".ksyms"))) = {'
if [ $# -gt 0 ]; then
	"$NM" -n "$1" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\.L/ && $3 !~ /^\$/ { printf "\t{ 0x%su, \"%s\" },\n", $1, $3 }'
fi
echo '	{ 0xffffffffu, "" }'
echo '};'
if [ $# -gt 0 ]; then
	n=$("$NM" -n "$1" | awk '$2 ~ /^[tT]$/ && $3 !~ /^\.L/ && $3 !~ /^\$/' | wc -l)
else
	n=0
fi
echo "const uint32_t ksyms_count __attribute__((section(\".ksyms\"))) = $n;"
