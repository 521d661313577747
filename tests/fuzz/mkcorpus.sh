#!/usr/bin/env bash
# Write the seed corpus of every fuzz harness into tests/fuzz/corpus/NAME/
# with the tools that make the real inputs: the cross compiler (a tiny
# RISC-V program), GNU cpio, mkswap, mke2fs, and the device trees QEMU
# dumped for the unit tests. The seeds are committed; run this only to remake them.
# Usage: tests/fuzz/mkcorpus.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
umask 022 # the archive records modes
out=tests/fuzz/corpus
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"/{elf,cpio,fdt,swap,cmdline,mmap,ext2}

# elf: text, data and bss, as the unit test test_elf builds it.
printf '%s\n' .text .globl\ _start _start: '  li a7, 1' '  ecall' '  j _start' \
	.data 'value: .word 42' .bss 'zeros: .space 8192' >"$tmp/start.S"
riscv64-unknown-elf-gcc -march=rv32ima -mabi=ilp32 -nostdlib -static -s \
	-Wl,-Ttext=0x10000 -Wl,--build-id=none -o "$out/elf/tiny-program" "$tmp/start.S"
chmod 644 "$out/elf/tiny-program"

# cpio: a small root file system, and an archive with only the trailer.
mkdir -p "$tmp/root/bin" "$tmp/root/etc" "$tmp/root/srv"
printf 'init\n' >"$tmp/root/bin/init"
printf 'hello\n' >"$tmp/root/etc/motd"
ln -s init "$tmp/root/bin/sh"
find "$tmp/root" -exec touch -h -d @0 {} + # the same bytes on every run
(cd "$tmp/root" && find . | LC_ALL=C sort | cpio -o -H newc --reproducible --quiet) \
	>"$out/cpio/small-root.cpio"
cpio -o -H newc --reproducible --quiet </dev/null >"$out/cpio/trailer-only.cpio"

# fdt: QEMU's tree, and the one OpenSBI hands over (tests/unit/data/README.md).
cp tests/unit/data/virt-128m.dtb tests/unit/data/virt-128m-opensbi.dtb "$out/fdt/"

# swap: page 0 as mkswap writes it, then the disk size in sectors (8 bytes,
# little-endian); once more with two bad pages (3 and 5) in the header.
sectors='\x80\x00\x00\x00\x00\x00\x00\x00' # 64 KiB
truncate -s 64K "$tmp/swap.img"
/sbin/mkswap -q -L fuzz -U 01234567-89ab-cdef-0123-456789abcdef "$tmp/swap.img"
{ head -c 4096 "$tmp/swap.img"; printf '%b' "$sectors"; } >"$out/swap/mkswap-64k"
cp "$out/swap/mkswap-64k" "$tmp/bad"
printf '\x02\x00\x00\x00' | dd of="$tmp/bad" bs=1 seek=1032 conv=notrunc status=none
printf '\x03\x00\x00\x00\x05\x00\x00\x00' | dd of="$tmp/bad" bs=1 seek=1536 conv=notrunc status=none
mv "$tmp/bad" "$out/swap/mkswap-64k-two-bad-pages"

# ext2: a few files (one long enough for an indirect block at 1 KiB), a
# nested directory and a symlink, made by mke2fs into images of 64 KiB (1
# KiB blocks, with and without the filetype feature) and 128 KiB (2 KiB
# blocks). A fixed time, UUID and hash seed make the same bytes each run.
mkdir -p "$tmp/ext2/d/e"
seq 1 700 >"$tmp/ext2/f"
seq 1 3000 >"$tmp/ext2/d/e/h"
printf 'hello\n' >"$tmp/ext2/d/g"
ln -s d/e/h "$tmp/ext2/l"
find "$tmp/ext2" -exec touch -h -d @0 {} +
mke2fs_seed() { # NAME SIZE OPTIONS...
	local img=$out/ext2/$1 size=$2
	shift 2
	rm -f "$img" && truncate -s "$size" "$img"
	E2FSPROGS_FAKE_TIME=1700000000 /sbin/mke2fs -q -F -t ext2 -N 32 -I 128 "$@" \
		-U 01234567-89ab-cdef-0123-456789abcdef -d "$tmp/ext2" \
		-E hash_seed=01234567-89ab-cdef-0123-456789abcdef,root_owner=0:0 "$img" >/dev/null 2>&1
}
mke2fs_seed 1k-blocks-64k 64K -b 1024
mke2fs_seed 1k-blocks-no-filetype-64k 64K -b 1024 -O ^filetype
mke2fs_seed 2k-blocks-128k 128K -b 2048

# cmdline: what make run and the tests pass.
printf 'init=/bin/test_proc quiet -- --argc a b' >"$out/cmdline/init-args"
printf 'mem=6M maxframes=0x400 vm.policy=fifo asid=off vm.trace=1 ktest.ioerr_sector=1000' \
	>"$out/cmdline/numbers"

# mmap: 12-byte calls (tests/fuzz/fuzz_mmap.c: op, how, a, b, flags, file).
# brk up 4 pages; mmap 4 anonymous pages below the stack gap; write to the
# last; mprotect the heap read-only; munmap its first half; mmap 3 pages
# of the file.
printf '%b' \
	'\x03\x02\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00' \
	'\x00\x34\x00\x00\x00\x00\x04\x00\x00\x00\x22\x00' \
	'\x04\x03\xff\x00\x00\x00\x2a\x00\x00\x00\x01\x00' \
	'\x02\x06\xfc\x00\x00\x00\x04\x00\x00\x00\x01\x00' \
	'\x01\x06\xfc\x00\x00\x00\x02\x00\x00\x00\x00\x00' \
	'\x00\x54\x00\x00\x00\x00\x03\x00\x00\x00\x02\x34' >"$out/mmap/brk-mmap-mprotect-munmap"
# What the harness found in brk, munmap and mprotect (docs/fuzzing.md),
# one input a bug: brk up 4 pages, mprotect the heap read-only, brk back
# down; brk up 4 pages, munmap the heap's first 2, brk to 1 page above its
# start; mprotect the 4 pages below the empty heap read-only, brk up 2
# pages; mmap 2 pages MAP_FIXED right below the empty heap.
printf '%b' \
	'\x03\x02\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00' \
	'\x02\x06\xfc\x00\x00\x00\x04\x00\x00\x00\x01\x00' \
	'\x03\x02\xfc\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$out/mmap/bug-brk-after-mprotect-read-only"
printf '%b' \
	'\x03\x02\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00' \
	'\x01\x06\xfc\x00\x00\x00\x02\x00\x00\x00\x00\x00' \
	'\x03\x02\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$out/mmap/bug-brk-below-unmapped-heap-start"
printf '%b' \
	'\x02\x06\xfc\x00\x00\x00\x04\x00\x00\x00\x01\x00' \
	'\x03\x02\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00' >"$out/mmap/bug-mprotect-below-empty-heap"
printf '%b' \
	'\x00\x36\xfe\x00\x00\x00\x02\x00\x00\x00\x32\x00' >"$out/mmap/bug-map-fixed-below-empty-heap"
