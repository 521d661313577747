#!/usr/bin/env bash
# Checks of the source tree that keep promises the docs make, as TAP:
# no kernel function is longer than 45 lines; no page-table entry is
# written outside kernel/riscv/ (everything else goes through pte_store
# and its kin in riscv/sv32.h); every path docs/as-built.md names exists;
# every mutant of make mutate still applies (tools/mutate/run.sh --check).
# Usage: tests/style/check.sh   (from anywhere; exits non-zero on a failure)
set -u
cd "$(dirname "$0")/../.." || exit 2
MAX_LINES=45

. tests/tap.sh

mapfile -t ksrc < <(git ls-files 'kernel/*.c' 'sbi/*.c'; git ls-files -o --exclude-standard 'kernel/*.c' 'sbi/*.c')

long=$(awk -v MAX=$MAX_LINES -f tests/style/funclen.awk "${ksrc[@]}")
tap_result "$([[ -z $long ]]; echo $?)" "no kernel function is longer than $MAX_LINES lines" \
	"$(tr '\n' ' ' <<<"$long")"

mapfile -t outside < <(git ls-files 'kernel/*.[ch]' | grep -v '^kernel/riscv/'
	git ls-files -o --exclude-standard 'kernel/*.[ch]' | grep -v '^kernel/riscv/')
pte_writes=$(awk -f tests/style/ptewrites.awk "${outside[@]}")
tap_result "$([[ -z $pte_writes ]]; echo $?)" "no PTE is written outside kernel/riscv/" \
	"$(tr '\n' ' ' <<<"$pte_writes")"

# Paths in backquotes in as-built.md: files and folders of the tree (not
# build/ output, not patterns).
missing=""
while read -r path; do
	[[ -e $path ]] || missing+="$path "
done < <(grep -oE '`[^` ]+`' docs/as-built.md | tr -d '`' |
	grep -E '^(kernel|tests|tools|user|sbi|linker|docs|\.ci)/|^(Makefile|README\.md)$' |
	grep -v '[*]' | sed 's/[:,]$//' | sort -u)
tap_result "$([[ -z $missing ]]; echo $?)" "every path docs/as-built.md names exists" "$missing"

# Every planted bug of make mutate still applies: its original text occurs
# exactly once in its file, and the tests it names exist.
# A student tree (make lab) has its lab's code replaced: not checked there.
if [[ -f LAB ]]; then
	tap_ok "every mutant of tools/mutate/mutants applies to the tree (not checked in a student tree)"
else
	stale=$(tools/mutate/run.sh --check)
	tap_result "$?" "every mutant of tools/mutate/mutants applies to the tree" "$(tr '\n' ' ' <<<"$stale")"
fi

tap_end
