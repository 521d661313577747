# Every entry point of the project (DESIGN.md section 6). Each target first
# runs tools/deps.sh, which installs what is missing and is silent otherwise.

CROSS ?= riscv64-unknown-elf-
CC := $(CROSS)gcc
NM := $(CROSS)nm
STRIP := $(CROSS)strip
HOSTCC ?= gcc
QEMU ?= qemu-system-riscv32
MKSWAP ?= $(firstword $(wildcard /sbin/mkswap /usr/sbin/mkswap) mkswap)
MKE2FS ?= $(firstword $(wildcard /sbin/mke2fs /usr/sbin/mke2fs) mke2fs)

MEM ?= 128M
SMP ?= 2
SWAP ?= 256M
FS ?= 64M
QEMUOPTS ?=
APPEND ?=
GDBPORT ?= 1234

ifneq ($(filter $(SMP),1 2 3 4 5 6 7 8),$(SMP))
$(error SMP=$(SMP): the kernel runs 1 to 8 harts)
endif

B := build
HOLDINPUT := $(B)/tools/holdinput

# The first rule of an included file would otherwise become the default.
.DEFAULT_GOAL := all

# gcc 12 wants zicsr/zifencei spelled out, but picks multilibs by the plain
# -march string, so libgcc comes from the rv32ima one (PLATFORM.md pitfall 23).
ARCH := -march=rv32ima_zicsr_zifencei -mabi=ilp32
LIBGCC = $(shell $(CC) -march=rv32ima -mabi=ilp32 -print-libgcc-file-name)

# The bare-metal toolchain makes uint32_t a long; the kernel (like the host
# tests) wants it an int, so %u and %x check cleanly against uint32_t.
INT32 := -U__UINT32_TYPE__ '-D__UINT32_TYPE__=unsigned int' -U__INT32_TYPE__ -D__INT32_TYPE__=int
# Frame pointers and no sibling calls keep every caller in a panic's backtrace.
KCFLAGS := $(ARCH) $(INT32) -mcmodel=medany -std=gnu11 -O2 -g -ffreestanding -fno-builtin \
	-fno-omit-frame-pointer -fno-optimize-sibling-calls -fno-stack-protector -fno-pie -fno-common \
	-Wall -Wextra -Werror -Ikernel -I. -MMD -MP
KLDFLAGS := $(ARCH) -nostdlib -static -no-pie -T linker/kernel.ld

HOSTCFLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -DHOST_TEST -Ikernel -I. \
	-fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP

KSRCS := $(wildcard kernel/*.c kernel/*/*.c sbi/*.c)
KASMS := $(wildcard kernel/*/*.S)
KOBJS := $(patsubst %.c,$(B)/%.o,$(KSRCS)) $(patsubst %.S,$(B)/%.o,$(KASMS))

include tests/unit/units.mk
include tests/fuzz/fuzz.mk
include user/user.mk
# Teaching tools, each with its own rules: tools/vaddr (address splits on
# six paging schemes) and tools/plots (make plots).
-include tools/vaddr/vaddr.mk tools/plots/plots.mk

# In-guest test suites: tests/guest/NAME.c becomes /bin/NAME.
GUEST_TESTS := $(basename $(notdir $(wildcard tests/guest/*.c)))
GUEST_BINS := $(addprefix $(B)/user/bin/,$(GUEST_TESTS))
UNIT_BINS := $(addprefix $(B)/unit/test_,$(UNIT_TESTS))

# The initramfs is built into the kernel image (kernel/initramfs.S), so no
# -initrd: QEMU would put it past the end of a small RAM.
QEMUCMD = $(QEMU) -machine virt -nographic -m $(MEM) -smp $(SMP) -no-reboot \
	-bios "$$(sbi/opensbi.sh)" -kernel $(B)/kernel.elf \
	-global virtio-mmio.force-legacy=false \
	-drive file=$(B)/swap.img,if=none,format=raw,id=swap \
	-device virtio-blk-device,drive=swap \
	-drive file=$(B)/fs.img,if=none,format=raw,id=fs \
	-device virtio-blk-device,drive=fs $(QEMUOPTS)

.PHONY: all deps qemu qemu-gdb gdb run test unit-test bench profile format lint lint-cppcheck clean FORCE lab \
	grade gdb-test lab-check
all: $(B)/kernel.elf $(B)/initramfs.cpio $(B)/swap.img $(B)/fs.img $(HOLDINPUT)

deps:
	@tools/deps.sh

# --- kernel ----------------------------------------------------------------
$(B)/%.o: %.c Makefile | deps
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -c $< -o $@

$(B)/%.o: %.S Makefile | deps
	@mkdir -p $(@D)
	$(CC) $(KCFLAGS) -c $< -o $@

# Two links: the first with an empty symbol table, the second with the
# table made from the first. The table sits after all code, so the check
# below proves that no text symbol moved between the two.
$(B)/ksyms0.c: tools/mkksyms.sh | deps
	@mkdir -p $(@D)
	tools/mkksyms.sh > $@
$(B)/ksyms.c: $(B)/kernel0.elf tools/mkksyms.sh
	NM=$(NM) tools/mkksyms.sh $< > $@
$(B)/ksyms0.o $(B)/ksyms.o: $(B)/%.o: $(B)/%.c
	$(CC) $(KCFLAGS) -c $< -o $@

$(B)/kernel0.elf: $(KOBJS) $(B)/initramfs.o $(B)/ksyms0.o linker/kernel.ld
	$(CC) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/initramfs.o $(B)/ksyms0.o $(LIBGCC)

$(B)/kernel.elf: $(KOBJS) $(B)/initramfs.o $(B)/ksyms.o linker/kernel.ld
	$(CC) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/initramfs.o $(B)/ksyms.o $(LIBGCC)
	@$(NM) -n $(B)/kernel0.elf | grep ' [tT] ' > $(B)/text0.syms
	@$(NM) -n $@ | grep ' [tT] ' > $(B)/text.syms
	@cmp -s $(B)/text0.syms $(B)/text.syms || \
		{ echo "kernel: text moved between the two links"; rm -f $@; exit 1; }

# --- initramfs and swap disk -----------------------------------------------
$(B)/user/bin/%.o: tests/guest/%.c user/user.mk | deps
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -c $< -o $@

# The root file system: user/rootfs, the programs in /bin (stripped: gdb
# reads the symbols from the copies in $(B)/user/bin), and a truncated ELF
# that the tests use to check that exec refuses it. The list of what goes
# in is a prerequisite too, so a changed set of programs (another
# USER_EXTRA, even with files older than the archive) rebuilds it.
ROOTFS_FILES := $(shell find user/rootfs -type f)
ROOTFS_LIST := $(sort $(USER_BINS) $(GUEST_BINS) $(ROOTFS_FILES))
$(B)/rootfs.list: FORCE | deps
	@mkdir -p $(@D)
	@echo '$(ROOTFS_LIST)' | cmp -s - $@ || echo '$(ROOTFS_LIST)' > $@

# /boot holds what `vm` runs by default: this kernel, linked with an empty
# built-in initramfs (a kernel cannot hold itself), and the guest's own
# initramfs, a smaller /bin with the shell and the suites a guest runs.
# It is on the file-system disk only: in the initramfs built into the
# image its 600 KiB would push the image into the device tree that QEMU
# puts at the top of an 8 MiB machine.
GUEST_ROOT_PROGS := init sh echo ls cat ps vmstat true walk memhog spin bench test_proc test_vm
GUEST_ROOT_BINS := $(addprefix $(B)/user/bin/,$(GUEST_ROOT_PROGS))

$(B)/guest-initramfs.cpio: $(GUEST_ROOT_BINS) $(ROOTFS_FILES) | deps
	@rm -rf $(B)/guest-rootfs && mkdir -p $(B)/guest-rootfs/bin $(B)/guest-rootfs/tmp
	chmod 1777 $(B)/guest-rootfs/tmp
	cp -R user/rootfs/. $(B)/guest-rootfs/
	$(foreach f,$(GUEST_ROOT_BINS),$(STRIP) -o $(B)/guest-rootfs/bin/$(notdir $(f)) $(f) &&) true
	head -c 600 $(B)/guest-rootfs/bin/echo > $(B)/guest-rootfs/bin/truncated-elf
	cd $(B)/guest-rootfs && find . -mindepth 1 | LC_ALL=C sort | \
		cpio -o -H newc --reproducible --quiet > ../guest-initramfs.cpio

$(B)/empty.cpio: | deps
	@mkdir -p $(@D)
	cpio -o -H newc --reproducible --quiet < /dev/null > $@
$(B)/initramfs-empty.o: kernel/initramfs.S $(B)/empty.cpio
	$(CC) $(KCFLAGS) -DINITRAMFS='"$(B)/empty.cpio"' -c $< -o $@
$(B)/guest-kernel0.elf: $(KOBJS) $(B)/initramfs-empty.o $(B)/ksyms0.o linker/kernel.ld
	$(CC) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/initramfs-empty.o $(B)/ksyms0.o $(LIBGCC)
$(B)/guest-ksyms.c: $(B)/guest-kernel0.elf tools/mkksyms.sh
	NM=$(NM) tools/mkksyms.sh $< > $@
$(B)/guest-ksyms.o: $(B)/guest-ksyms.c
	$(CC) $(KCFLAGS) -c $< -o $@
$(B)/guest-kernel.elf: $(KOBJS) $(B)/initramfs-empty.o $(B)/guest-ksyms.o linker/kernel.ld
	$(CC) $(KLDFLAGS) -o $@ $(KOBJS) $(B)/initramfs-empty.o $(B)/guest-ksyms.o $(LIBGCC)

$(B)/initramfs.cpio: $(USER_BINS) $(GUEST_BINS) $(ROOTFS_FILES) $(B)/rootfs.list \
		$(B)/guest-kernel.elf $(B)/guest-initramfs.cpio | deps
	@rm -rf $(B)/rootfs && mkdir -p $(B)/rootfs/bin $(B)/rootfs/tmp $(B)/rootfs/boot
	chmod 1777 $(B)/rootfs/tmp
	cp -R user/rootfs/. $(B)/rootfs/
	$(foreach f,$(USER_BINS) $(GUEST_BINS),$(STRIP) -o $(B)/rootfs/bin/$(notdir $(f)) $(f) &&) true
	$(STRIP) -o $(B)/rootfs/boot/kernel $(B)/guest-kernel.elf
	cp $(B)/guest-initramfs.cpio $(B)/rootfs/boot/initrd
	head -c 600 $(B)/rootfs/bin/echo > $(B)/rootfs/bin/truncated-elf
	cd $(B)/rootfs && find . -mindepth 1 -path ./boot -prune -o -print | LC_ALL=C sort | \
		cpio -o -H newc --reproducible --quiet > ../initramfs.cpio

# The same archive inside the kernel image (kernel/initramfs.S).
$(B)/initramfs.o: kernel/initramfs.S $(B)/initramfs.cpio
	$(CC) $(KCFLAGS) -DINITRAMFS='"$(B)/initramfs.cpio"' -c $< -o $@

# The file-system disk: the initramfs's tree as ext2 with 4 KiB blocks (a
# block is a page of the page cache), mounted as / (kernel/fs/mount.c).
# Writes to it last across boots, until the tree or FS= changes and it is
# made again from the tree.
$(B)/fs-$(FS).stamp: | deps
	@mkdir -p $(B) && rm -f $(B)/fs-*.stamp && touch $@
$(B)/fs.img: $(B)/initramfs.cpio $(B)/fs-$(FS).stamp
	rm -f $@ && $(MKE2FS) -q -F -t ext2 -b 4096 -d $(B)/rootfs $@ $(FS)

$(B)/swap-$(SWAP).stamp: | deps
	@mkdir -p $(B) && rm -f $(B)/swap-*.stamp && touch $@
$(B)/swap.img: $(B)/swap-$(SWAP).stamp
	rm -f $@ && truncate -s $(SWAP) $@ && chmod 600 $@
	$(MKSWAP) -q $@ >/dev/null

# --- running ---------------------------------------------------------------
# Console input goes through holdinput, which passes it on only once the
# firmware has printed (and so set up the UART): bytes typed or piped in
# earlier would be lost in the UART's FIFO reset (PLATFORM.md pitfall 25).
$(HOLDINPUT): tools/console/holdinput.c | deps
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ $<

qemu: all $(HOLDINPUT)
	$(HOLDINPUT) $(QEMUCMD) -append "$(APPEND)"

# make run INIT='/bin/prog args': that program as init; QEMU exits with its status.
run: all $(HOLDINPUT)
	$(HOLDINPUT) $(QEMUCMD) -append "init=$(firstword $(INIT)) $(APPEND) -- $(wordlist 2,$(words $(INIT)),$(INIT))"

# make fuzz: the in-guest system-call fuzzer (tests/guest/test_fuzz.c) until
# FUZZ_CALLS calls were made, seeded with FUZZ_SEED, on SMP harts; QEMU
# exits with its status (0: the kernel stayed up, nothing leaked, the
# books balance). make test runs the same program for 100,000 calls.
FUZZ_CALLS ?= 1000000
FUZZ_SEED ?= 20261121
fuzz: all
	$(QEMUCMD) -append "init=/bin/test_fuzz quiet $(APPEND) -- $(FUZZ_CALLS) $(FUZZ_SEED)" </dev/null

qemu-gdb: all $(HOLDINPUT)
	@echo "qemu: waiting for gdb: run 'make gdb' in another terminal"
	$(HOLDINPUT) $(QEMUCMD) -append "$(APPEND)" -gdb tcp::$(GDBPORT) -S

gdb: | deps
	gdb-multiarch -q -ex 'target remote :$(GDBPORT)' -x tools/gdb/kernel.gdb $(B)/kernel.elf

# The GDB page-table commands against a live kernel, as TAP (one boot).
gdb-test: all
	@B='$(B)' QEMUCMD='$(QEMUCMD)' tests/gdb/test_gdb.sh

# --- tests -----------------------------------------------------------------
$(B)/unit/test_%: tests/unit/test_%.c tests/unit/host_stubs.c tests/unit/host_panic.c | deps
	@mkdir -p $(@D)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $< tests/unit/host_stubs.c tests/unit/host_panic.c \
		$(unit_$*_SRCS) -lcmocka

# The sources each unit test links are prerequisites too.
$(foreach t,$(UNIT_TESTS),$(eval $(B)/unit/test_$(t): $(unit_$(t)_SRCS)))

# No QEMU here, but tests/run.sh (set -u) reads QEMUCMD all the same.
unit-test: $(UNIT_BINS)
	@B='$(B)' QEMUCMD= tests/run.sh --unit-only $(UNIT_BINS)

# make test ONLY='GROUP...': only those groups of guest checks
# (tests/run.sh --list names them), no host tests.
ONLY ?=
test: all $(UNIT_BINS)
	@B='$(B)' SMP='$(SMP)' QEMUCMD='$(QEMUCMD)' tests/run.sh $(if $(strip $(ONLY)),--only $(ONLY),$(UNIT_BINS))

# Planted bugs, each run against the tests that should catch it (make
# mutate; tools/mutate/mutate.mk).
-include tools/mutate/mutate.mk

# Benchmarks in exact guest instructions (qemu -icount shift=0): docs/benchmarks.md.
# It runs 2q with the kernel's own ghost table and sizing rules.
$(B)/replsim: tools/bench/replsim.c tools/bench/refstring.h kernel/mm/ghost.c kernel/mm/ghost.h \
		kernel/mm/twoq.h | deps
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -Ikernel -o $@ $< kernel/mm/ghost.c

# The figures of record are one hart's (SMP=1 unless given); the
# multi-hart ones boot with -smp BENCH_SMP (default 4) in the same run.
bench: SMP = 1
BENCH_SMP ?= 4
bench: all $(B)/replsim
	@SMP='$(SMP)' BENCH_SMP='$(BENCH_SMP)' QEMUCMD='$(QEMUCMD)' tools/bench/run.sh $(B)/replsim

# make profile BENCH=NAME: where one benchmark's instructions go, by
# function, from QEMU's log of every block it runs (tools/profile/profile.py;
# docs/benchmarks.md, Profiling). One hart, as the figures of record; TOP
# functions of each part (kernel, user, OpenSBI).
profile: SMP = 1
TOP ?= 20
profile: all
	@B='$(B)' NM='$(NM)' TOP='$(TOP)' QEMUCMD='$(QEMUCMD)' python3 tools/profile/profile.py $(BENCH)

# Labs (docs/labs/): make lab LAB=NAME writes the student tree under
# $(B)/labs/NAME; make grade grades a tree (in a student tree, LAB comes
# from its file LAB); make lab-check proves every lab both ways.
LAB ?= $(shell cat LAB 2>/dev/null)
lab: | deps
	@tools/labs/mklab.sh '$(LAB)' $(B)/labs/$(LAB)

grade: all $(B)/unit/test_tlb_model $(B)/unit/test_gstage $(B)/replsim
	@B='$(B)' QEMUCMD='$(QEMUCMD)' tests/labs/grade.sh '$(LAB)'

lab-check: | deps
	@B='$(B)' tools/labs/check.sh

format:
	@tools/deps.sh lint
	clang-format -i $(KSRCS) $(wildcard kernel/*.h kernel/*/*.h sbi/*.h) tests/unit/*.c

# make lint: three checkers over the kernel's C files (KSRCS), and any
# warning fails it. cppcheck; clang-tidy with the checks of .clang-tidy
# (the clang static analyzer, bugprone-, cert-, misc-, performance-); and
# gcc's static analyzer, -fanalyzer, with the kernel's own KCFLAGS. They
# run in parallel, one job per CPU. clang-tidy gets one process per file:
# run over several, clang-tidy 14 reports va_list false positives in the
# later ones (LLVM issue 40656). Each file that passes leaves a stamp in
# $(B)/lint/, so it runs again only when it, a header it includes, this
# Makefile or .clang-tidy changes.
LINT_TIDY := $(patsubst %.c,$(B)/lint/%.tidy,$(KSRCS))
LINT_ANALYZER := $(patsubst %.c,$(B)/lint/%.analyzer,$(KSRCS))
NPROC := $(shell nproc 2>/dev/null || echo 1)

# clang parses each file for the kernel's target with its -I and -D flags;
# clang 14 refuses zicsr and zifencei in -march (its rv32ima has them).
TIDY_CFLAGS := --target=riscv32-unknown-elf -march=rv32ima -mabi=ilp32 $(INT32) -std=gnu11 \
	-ffreestanding -fno-builtin -Wall -Wextra -Ikernel -I.

lint:
	@tools/deps.sh lint
	@$(MAKE) --no-print-directory -k -O $(if $(filter --jobserver%,$(MAKEFLAGS)),,-j$(NPROC)) \
		lint-cppcheck $(LINT_TIDY) $(LINT_ANALYZER)

lint-cppcheck:
	cppcheck --quiet --enable=warning,performance,portability --error-exitcode=1 \
		--std=c11 -Ikernel -I. $(KSRCS)

# clang-tidy prints "N warnings generated." (those it filtered) on stderr:
# shown only when the file fails.
$(B)/lint/%.tidy: %.c .clang-tidy Makefile
	@mkdir -p $(@D)
	@echo "lint: clang-tidy $<"
	@clang-tidy --quiet --warnings-as-errors='*' $< -- $(TIDY_CFLAGS) 2>$@.err || \
		{ cat $@.err >&2; exit 1; }
	@touch $@

# The analyzer runs on the compiler's middle end, so it needs a compile
# (-fsyntax-only stops before it). Its dependency file serves both stamps.
$(B)/lint/%.analyzer: %.c Makefile
	@mkdir -p $(@D)
	@echo "lint: gcc -fanalyzer $<"
	@$(CC) $(KCFLAGS) -fanalyzer -fdiagnostics-plain-output $(ANALYZER_FLAGS) -MF $(@:.analyzer=.d) \
		-MT $@ -MT $(@:.analyzer=.tidy) -c $< -o /dev/null
	@touch $@

# In mm/fault.c and mm/vm.c every frame_of() is of a physical address that
# the frame allocator handed out or that a valid user PTE holds: RAM, so
# never NULL. The analyzer cannot know that, and calls six uses of the
# result a NULL dereference (fault.c install, swap_in_frame, fault_swap,
# cow_copy, fault_cow; vm.c share_pte). clang-tidy's analyzer still checks
# both files for NULL dereferences.
$(B)/lint/kernel/mm/fault.analyzer $(B)/lint/kernel/mm/vm.analyzer: \
	ANALYZER_FLAGS := -Wno-analyzer-null-dereference

clean:
	rm -rf $(B)

-include $(KOBJS:.o=.d) $(UNIT_BINS:=.d) $(GUEST_BINS:=.d) $(LINT_ANALYZER:.analyzer=.d)
