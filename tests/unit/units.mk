# Host unit tests: tests/unit/test_NAME.c is linked with the kernel sources
# listed in unit_NAME_SRCS, tests/unit/host_stubs.c and cmocka, and built
# with -DHOST_TEST and the address and undefined-behaviour sanitizers.
UNIT_TESTS := sv32 frame fdt printf cmdline cpio elf tlb_model swap_area bootmem

unit_sv32_SRCS := kernel/riscv/sv32.c kernel/mm/frame.c
unit_frame_SRCS := kernel/mm/frame.c
unit_fdt_SRCS := kernel/dev/fdt.c kernel/dev/devtree.c
unit_printf_SRCS := kernel/lib/printf.c
unit_cmdline_SRCS := kernel/lib/cmdline.c
unit_cpio_SRCS := kernel/proc/cpio.c
unit_elf_SRCS := kernel/proc/elf.c
unit_tlb_model_SRCS := kernel/riscv/asid.c kernel/riscv/sv32.c kernel/mm/frame.c
unit_swap_area_SRCS := kernel/mm/swap_area.c
unit_bootmem_SRCS := kernel/mm/bootmem.c kernel/lib/printf.c
