#!/usr/bin/env bash
# Make sure the Debian packages the build, the tests and QEMU need are
# installed (DESIGN.md section 8), then that the rv32 OpenSBI firmware is
# there (sbi/opensbi.sh). Silent and fast when nothing is missing. As root
# it installs what is missing; otherwise it prints the one command to run.
# "tools/deps.sh lint" also wants the tools of make format and make lint.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

# Package name and what shows that it is installed: a command name, or an
# absolute path (a glob may stand for a version or an architecture) to a
# file it ships. mkswap lives in /sbin, which is not on every user's PATH,
# and so do mke2fs, e2fsck and debugfs (e2fsprogs: the ext2 unit test and
# the fuzz seeds make and check images with them).
# clang's libFuzzer runtime (make fuzz-host) is in libclang-rt-dev (on
# Debian 12 libclang-rt-14-dev), which clang only recommends.
readonly NEEDS=(
	"gcc-riscv64-unknown-elf riscv64-unknown-elf-gcc"
	"picolibc-riscv64-unknown-elf /usr/lib/picolibc/riscv64-unknown-elf/picolibc.specs"
	"qemu-system-misc qemu-system-riscv32"
	"gcc gcc"
	"libc6-dev /usr/include/stdio.h"
	"libcmocka-dev /usr/include/cmocka.h"
	"cpio cpio"
	"util-linux /sbin/mkswap"
	"e2fsprogs /sbin/mke2fs"
	"gdb-multiarch gdb-multiarch"
	"make make"
	"python3 python3"
	"device-tree-compiler dtc"
	"gnuplot-nox gnuplot"
	"clang clang"
	"libclang-rt-dev /usr/lib/llvm-*/lib/clang/*/lib/*/libclang_rt.fuzzer*.a"
)

# Only for make format and make lint.
readonly LINT_NEEDS=(
	"clang-format clang-format"
	"cppcheck cppcheck"
	"clang-tidy clang-tidy"
)

say() { printf 'deps: %s\n' "$*" >&2; }

# True if the command or file named by $1 is present.
present() {
	if [[ $1 == /* ]]; then
		compgen -G "$1" >/dev/null
	else
		command -v "$1" >/dev/null
	fi
}

# True if apt has package lists to install from.
have_apt_lists() {
	compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null
}

# Install packages "$@" quietly; on failure show apt's output and fail.
apt_install() {
	local log
	log=$(mktemp)
	if ! have_apt_lists; then
		apt-get update >"$log" 2>&1 || { cat "$log" >&2; rm -f "$log"; return 1; }
	fi
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >"$log" 2>&1; then
		# The lists may be stale (packages moved on the mirror): refresh once.
		if ! { apt-get update && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends "$@"; } >"$log" 2>&1; then
			cat "$log" >&2
			rm -f "$log"
			return 1
		fi
	fi
	rm -f "$log"
}

main() {
	local missing=() entry needs=("${NEEDS[@]}")
	[[ ${1:-} == lint ]] && needs+=("${LINT_NEEDS[@]}")
	for entry in "${needs[@]}"; do
		present "${entry#* }" || missing+=("${entry%% *}")
	done

	if ((${#missing[@]})); then
		if ! command -v apt-get >/dev/null; then
			say "no apt-get here; install the equivalents of: ${missing[*]}"
			exit 1
		fi
		if ((EUID != 0)); then
			say "missing packages; install them with:"
			printf 'sudo apt-get install -y --no-install-recommends %s\n' "${missing[*]}" >&2
			exit 1
		fi
		say "installing ${missing[*]}"
		apt_install "${missing[@]}" || { say "apt-get install failed"; exit 1; }
	fi

	"$root/sbi/opensbi.sh" >/dev/null
}

main "$@"
