/*
 * What the memory manager needs from the rest of the kernel, for host
 * tests (host_vm.h): a RAM disk behind the virtio-blk interface, sleep and
 * wakeup that never wait, the kernel map's two calls, and one hart to
 * start with. The hardware hooks of riscv/tlb.h come from elsewhere:
 * host_fences.c counts them, tlb_model.c models the TLBs they act on.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/host_vm.h"
#include "dev/virtio_blk.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/phys.h"
#include "proc/sleep.h"
#include "riscv/asid.h"
#include "riscv/cpu.h"
#include "riscv/kmap.h"
#include "riscv/uaccess.h"
#include "tests/unit/host_ram.h"

#define SWAP_SIG	   "SWAPSPACE2"
#define SWAP_HDR_VERSION   1024u
#define SWAP_HDR_LAST_PAGE 1028u

static uint8_t *disk;
static uint32_t disk_pages;
static struct vblk_stats disk_stats;
void (*host_vm_during_io)(void);

/* --- the swap disk ------------------------------------------------------ */

/* A disk of pages pages whose page 0 is a swap v1 header, as mkswap writes. */
static int disk_make(uint32_t pages)
{
	disk = calloc(pages, PAGE_SIZE);
	if (disk == NULL)
		return -ENOMEM;
	disk_pages = pages;
	uint32_t version = 1, last = pages - 1;
	memcpy(disk + SWAP_HDR_VERSION, &version, sizeof(version));
	memcpy(disk + SWAP_HDR_LAST_PAGE, &last, sizeof(last));
	memcpy(disk + PAGE_SIZE - strlen(SWAP_SIG), SWAP_SIG, strlen(SWAP_SIG));
	return 0;
}

/* The one simulated disk, the swap disk. */
struct vblk {
	int unused;
};
static struct vblk swap_disk;

struct vblk *vblk_disk(unsigned int n)
{
	return n == VBLK_SWAP ? &swap_disk : NULL;
}

uint64_t vblk_capacity(const struct vblk *d)
{
	(void)d;
	return (uint64_t)disk_pages * VBLK_SECTORS_PER_PAGE;
}

/* One request: its buffers one after another on the disk from sector. */
int vblk_rwv(struct vblk *d, uint64_t sector, const struct vblk_buf *bufs, uint32_t n, bool write)
{
	if (disk == NULL || d != &swap_disk)
		return -ENODEV;
	if (n == 0 || n > VBLK_MAX_BUFS)
		return -EINVAL;
	uint64_t at = sector;
	for (uint32_t k = 0; k < n; k++) {
		if (bufs[k].len == 0 || bufs[k].len % VBLK_SECTOR_SIZE)
			return -EINVAL;
		at += bufs[k].len / VBLK_SECTOR_SIZE;
	}
	if (at > vblk_capacity(d))
		return -EIO;
	uint8_t *p = disk + sector * VBLK_SECTOR_SIZE;
	for (uint32_t k = 0; k < n; p += bufs[k].len, k++) {
		if (write)
			memcpy(p, bufs[k].addr, bufs[k].len);
		else
			memcpy(bufs[k].addr, p, bufs[k].len);
	}
	if (write)
		disk_stats.writes++;
	else
		disk_stats.reads++;
	if (host_vm_during_io)
		host_vm_during_io();
	return 0;
}

int vblk_rw(struct vblk *d, uint64_t sector, void *buf, uint32_t len, bool write)
{
	struct vblk_buf b = {buf, len};
	return vblk_rwv(d, sector, &b, 1, write);
}

struct vblk_stats vblk_stats(struct vblk *d)
{
	(void)d;
	return disk_stats;
}

/* --- sleep, the kernel map, user copies -------------------------------- */

void sleep(void *chan, struct spinlock *lk)
{
	(void)chan;
	(void)lk;
	panic("host_vm: a sleep, but host I/O completes at once");
}

void wakeup(void *chan)
{
	(void)chan;
}

bool sleep_possible(void)
{
	return false;
}

bool sleep_killed(void)
{
	return false;
}

void idle_wait(void) {}

void kmap_share_kernel_half(pte_t *root)
{
	(void)root; /* the host has no kernel half */
}

paddr_t kmap_root_pa(void)
{
	return 0;
}

int uaccess_copy(void *dst, const void *src, uint32_t len)
{
	(void)dst;
	(void)src;
	(void)len;
	return -EFAULT;
}

int uaccess_strcpy(char *dst, const char *src, uint32_t max)
{
	(void)dst;
	(void)src;
	(void)max;
	return -EFAULT;
}

/* --- set-up ------------------------------------------------------------- */

int host_vm_setup(uint32_t ram_pages, uint32_t swap_pages, uint32_t maxframes)
{
	return host_vm_setup_policy(ram_pages, swap_pages, maxframes, "clock");
}

int host_vm_setup_policy(uint32_t ram_pages, uint32_t swap_pages, uint32_t maxframes,
			 const char *policy)
{
	host_hart = 0;
	ncpus = 1;
	for (int i = 0; i < MAX_HARTS; i++) {
		cpus[i].vm = NULL;
		cpus[i].proc = NULL;
	}
	memset(&disk_stats, 0, sizeof(disk_stats));
	int err = host_ram_setup(HOST_VM_RAM_BASE, ram_pages, NULL, 0);
	if (err == 0 && swap_pages)
		err = disk_make(swap_pages);
	if (err)
		return err;
	asid_init(9, true);
	vm_init(policy, maxframes);
	return 0;
}

void host_vm_teardown(void)
{
	free(disk);
	disk = NULL;
	disk_pages = 0;
	host_ram_teardown();
}

int host_vm_peek(struct addrspace *as, uint32_t va)
{
	pte_t *pte = sv32_walk(as->root, va, false);
	pte_t e = pte ? pte_load(pte) : 0;
	if (!pte_valid(e))
		return -1;
	return ((const uint8_t *)pa2kva(pte_pa(e)))[sv32_offset(va)];
}

/* --- page-cache files: the host tests map none ------------------------- */

void vnode_hold(struct vnode *vn)
{
	(void)vn;
	abort();
}

void vnode_put(struct vnode *vn)
{
	(void)vn;
	abort();
}

int vnode_map_page(struct vnode *vn, uint32_t index, bool alloc, struct frame **out)
{
	(void)vn;
	(void)index;
	(void)alloc;
	(void)out;
	abort();
}
