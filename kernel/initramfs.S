/*
 * The initramfs built into the kernel image: make links the stripped
 * build/initramfs.cpio here (INITRAMFS, a path, from the Makefile). It is
 * the root file system unless the device tree names an initrd, and it
 * lets small machines boot, where QEMU's -initrd would land past the end
 * of RAM (PLATFORM.md pitfall 26). Read in place, mapped read-only.
 */
	.section .initramfs, "a"
	.balign 4096
	.globl __initramfs_start, __initramfs_end
__initramfs_start:
	.incbin INITRAMFS
__initramfs_end:
