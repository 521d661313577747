/*
 * The physical layout at boot: where RAM, the kernel image, the device
 * tree and the initramfs lie, and whether the machine can run the kernel.
 * Pure checks with no side effects, so host tests can give them any
 * layout; the boot code prints the one line they write and stops.
 */
#ifndef MM_BOOTMEM_H
#define MM_BOOTMEM_H

#include "mm/frame.h"

struct boot_layout {
	struct phys_range ram;	  /* usable RAM */
	struct phys_range image;  /* the kernel image, bss and stacks included */
	struct phys_range dtb;	  /* the device tree blob */
	struct phys_range initrd; /* the initramfs QEMU loaded (-initrd); size 0 if none */
};

/*
 * The fewest free frames the kernel accepts after boot: init, the shell
 * and one program with their tables and stacks, a pipe, and the reclaim
 * low mark, with room to spare; below it a program would only meet the
 * out-of-memory killer. See the README for the RAM size this means.
 */
#define BOOTMEM_MIN_FREE_FRAMES 256u

/*
 * Check that the image, the device tree and the initrd lie inside RAM and
 * that the initrd overlaps neither of the others. Returns 0, or -EINVAL
 * with one line (no newline) saying what is wrong, with the addresses,
 * written into msg[0..n).
 */
int bootmem_check_layout(const struct boot_layout *l, char *msg, size_t n);

/*
 * Check that free_frames, the frames left after boot on ram_bytes of RAM,
 * reach BOOTMEM_MIN_FREE_FRAMES. Returns 0, or -ENOMEM with one line in msg.
 */
int bootmem_check_free(uint32_t ram_bytes, uint32_t free_frames, char *msg, size_t n);

#endif
