# Host unit tests: tests/unit/test_NAME.c is linked with the kernel sources
# and shared test helpers (tests/unit/host_*.c, tlb_model.c) listed in
# unit_NAME_SRCS, tests/unit/host_stubs.c, tests/unit/host_panic.c and
# cmocka, and built with -DHOST_TEST and the address and undefined-behaviour
# sanitizers.
UNIT_TESTS := sv32 frame fdt printf cmdline cpio elf tlb_model swap_area bootmem mmap vaddr \
	smp_model vmcheck ext2 ghost reclaim gstage

unit_sv32_SRCS := kernel/riscv/sv32.c kernel/mm/frame.c tests/unit/host_ram.c
unit_frame_SRCS := kernel/mm/frame.c tests/unit/host_ram.c
unit_fdt_SRCS := kernel/dev/fdt.c kernel/dev/devtree.c
unit_printf_SRCS := kernel/lib/printf.c
unit_cmdline_SRCS := kernel/lib/cmdline.c
unit_cpio_SRCS := kernel/proc/cpio.c tests/unit/host_files.c
unit_elf_SRCS := kernel/proc/elf.c tests/unit/host_files.c
unit_tlb_model_SRCS := kernel/riscv/asid.c kernel/riscv/sv32.c kernel/mm/frame.c \
	tests/unit/tlb_model.c tests/unit/host_ram.c
unit_swap_area_SRCS := kernel/mm/swap_area.c
unit_ghost_SRCS := kernel/mm/ghost.c
unit_bootmem_SRCS := kernel/mm/bootmem.c kernel/lib/printf.c
# The ext2 library on images mke2fs makes at test time (e2fsprogs).
EXT2_SRCS := $(wildcard kernel/fs/ext2*.c)
unit_ext2_SRCS := $(EXT2_SRCS) kernel/lib/printf.c tests/unit/host_ext2.c tests/unit/host_files.c
# tools/vaddr, a host program: its splitting and its command line.
unit_vaddr_SRCS := tools/vaddr/split.c tools/vaddr/vaddr.c
# The memory manager as a whole over simulated RAM and a RAM swap disk;
# the TLB hooks come from host_fences.c (counted) or tlb_model.c (modelled).
HOST_VM_SRCS := kernel/mm/vm.c kernel/mm/mmap.c kernel/mm/fault.c kernel/mm/reclaim.c kernel/mm/ghost.c \
	kernel/mm/pagecache.c kernel/mm/rmap.c kernel/mm/swap.c kernel/mm/swap_area.c kernel/mm/readahead.c \
	kernel/mm/frame.c kernel/mm/gstage.c \
	kernel/riscv/sv32.c kernel/riscv/asid.c kernel/mm/vmcheck.c tests/unit/host_vm.c \
	tests/unit/host_ram.c
unit_mmap_SRCS := $(HOST_VM_SRCS) tests/unit/host_fences.c
unit_vmcheck_SRCS := $(HOST_VM_SRCS) tests/unit/host_fences.c
unit_reclaim_SRCS := $(HOST_VM_SRCS) tests/unit/host_fences.c
# The memory manager on several harts, each with its own tagged TLB.
unit_smp_model_SRCS := $(HOST_VM_SRCS) tests/unit/tlb_model.c
# A guest's G-stage over the memory manager, each hart with its G-stage TLB.
unit_gstage_SRCS := $(HOST_VM_SRCS) tests/unit/tlb_model.c
