# Host fuzzing (docs/fuzzing.md): tests/fuzz/fuzz_NAME.c is a libFuzzer
# harness, linked with the kernel sources in fuzz_NAME_SRCS and
# tests/fuzz/support.c, built with clang's libFuzzer and the address
# and undefined-behaviour sanitizers into $(B)/fuzz/fuzz_NAME. make
# fuzz-host runs each for FUZZ_TIME seconds on a scratch copy of its seed
# corpus, tests/fuzz/corpus/NAME/ (tests/fuzz/run.sh; make test runs them
# for a few seconds each).
FUZZCC ?= clang
FUZZ_TIME ?= 60
FUZZ_HARNESSES := elf cpio fdt swap cmdline mmap ext2

FUZZCFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -DHOST_TEST -Ikernel -I. \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -MMD -MP

fuzz_elf_SRCS := kernel/proc/elf.c
fuzz_cpio_SRCS := kernel/proc/cpio.c
fuzz_fdt_SRCS := kernel/dev/fdt.c kernel/dev/devtree.c
fuzz_swap_SRCS := kernel/mm/swap_area.c
fuzz_cmdline_SRCS := kernel/lib/cmdline.c
# A whole disk image through the ext2 library, walked and changed as the
# unit test test_ext2 does it (tests/unit/host_ext2.c).
fuzz_ext2_SRCS := $(EXT2_SRCS) kernel/lib/printf.c tests/unit/host_ext2.c
# mmap, munmap, mprotect and brk through the whole memory manager, as the
# unit test test_mmap runs it.
fuzz_mmap_SRCS := $(HOST_VM_SRCS) tests/unit/host_fences.c tests/unit/host_stubs.c
# The kernel's sleep(chan, lock) would take the place of the C library's
# sleep(seconds), which libFuzzer's own threads call.
fuzz_mmap_CFLAGS := -Dsleep=kernel_sleep

FUZZ_BINS := $(addprefix $(B)/fuzz/fuzz_,$(FUZZ_HARNESSES))

$(B)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/support.c tests/fuzz/fuzz.mk | deps
	@mkdir -p $(@D)
	$(FUZZCC) $(FUZZCFLAGS) $(fuzz_$*_CFLAGS) -o $@ $< tests/fuzz/support.c $(fuzz_$*_SRCS)

$(foreach h,$(FUZZ_HARNESSES),$(eval $(B)/fuzz/fuzz_$(h): $(fuzz_$(h)_SRCS)))

.PHONY: fuzz-build fuzz-host
fuzz-build: $(FUZZ_BINS)

fuzz-host: $(FUZZ_BINS)
	@B='$(B)' FUZZ_TIME='$(FUZZ_TIME)' tests/fuzz/run.sh

-include $(FUZZ_BINS:=.d)
