/*
 * Boot-time sanity of the physical layout (mm/bootmem.h). QEMU puts an
 * -initrd at the kernel's entry plus half of RAM, which on a small machine
 * is past the end of RAM (PLATFORM.md pitfall 26): the device tree still
 * names it, so the range must be checked before a byte of it is read.
 */
#include "mm/bootmem.h"
#include "lib/kerrno.h"
#include "lib/klib.h"

#define KIB 1024u

static uint64_t end_of(struct phys_range r)
{
	return (uint64_t)r.base + r.size;
}

static bool inside(struct phys_range inner, struct phys_range outer)
{
	return inner.base >= outer.base && end_of(inner) <= end_of(outer);
}

static bool overlap(struct phys_range a, struct phys_range b)
{
	return a.base < end_of(b) && b.base < end_of(a);
}

/* Say "the NAME at 0xSTART-0xEND" followed by what, and return -EINVAL. */
static int refuse(char *msg, size_t n, const char *name, struct phys_range r, const char *what,
		  struct phys_range other)
{
	ksnprintf(msg, n, "boot: the %s at 0x%08x-0x%08llx %s 0x%08x-0x%08llx", name, r.base,
		  (unsigned long long)end_of(r), what, other.base,
		  (unsigned long long)end_of(other));
	return -EINVAL;
}

int bootmem_check_layout(const struct boot_layout *l, char *msg, size_t n)
{
	if (!inside(l->image, l->ram))
		return refuse(msg, n, "kernel image", l->image, "is not inside RAM", l->ram);
	if (!inside(l->dtb, l->ram))
		return refuse(msg, n, "device tree", l->dtb, "is not inside RAM", l->ram);
	if (l->initrd.size == 0)
		return 0;
	if (!inside(l->initrd, l->ram))
		return refuse(msg, n, "initrd", l->initrd, "is not inside RAM", l->ram);
	if (overlap(l->initrd, l->image))
		return refuse(msg, n, "initrd", l->initrd, "overlaps the kernel image at",
			      l->image);
	if (overlap(l->initrd, l->dtb))
		return refuse(msg, n, "initrd", l->initrd, "overlaps the device tree at", l->dtb);
	return 0;
}

int bootmem_check_free(uint32_t ram_bytes, uint32_t free_frames, char *msg, size_t n)
{
	if (free_frames >= BOOTMEM_MIN_FREE_FRAMES)
		return 0;
	ksnprintf(msg, n,
		  "boot: %u KiB of RAM leaves %u free frames; the kernel needs at least %u "
		  "(%u KiB) after boot",
		  ram_bytes / KIB, free_frames, BOOTMEM_MIN_FREE_FRAMES,
		  BOOTMEM_MIN_FREE_FRAMES * (PAGE_SIZE / KIB));
	return -ENOMEM;
}
