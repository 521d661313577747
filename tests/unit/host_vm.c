/*
 * What the memory manager needs from the rest of the kernel, for host
 * tests (host_vm.h): RAM disks behind the virtio-blk interface (swap, and
 * the file-system disk under the page cache), files of that disk as the
 * vnode layer would give them, sleep and wakeup that never wait, the
 * kernel map's two calls, and one hart to start with. The hardware hooks
 * of riscv/tlb.h come from elsewhere: host_fences.c counts them,
 * tlb_model.c models the TLBs they act on.
 */
#include <stdlib.h>
#include <string.h>

#include "tests/unit/host_vm.h"
#include "dev/virtio_blk.h"
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "mm/pagecache.h"
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
#define FIRST_FILE_BLOCK   1u /* files start after block 0, as ext2 data does */

void (*host_vm_during_io)(void);

/* A file as the vnode layer gives mm/ one: here a run of blocks of the
 * file-system disk with no holes, whose size never changes. */
struct vnode {
	uint32_t ref;
	uint32_t first; /* the block of page 0 */
	uint32_t pages;
};

static struct vnode files[HOST_VM_FILES_MAX];
static uint32_t nfiles;

/* --- the disks ---------------------------------------------------------- */

/* A RAM disk: disks[VBLK_SWAP] and disks[VBLK_FS]. */
struct vblk {
	uint8_t *bytes; /* NULL: no such disk */
	uint32_t pages;
	struct vblk_stats stats;
};
static struct vblk disks[VBLK_MAX_DISKS];

/* Disk n of pages zeroed pages. */
static int disk_make(unsigned int n, uint32_t pages)
{
	disks[n] = (struct vblk){.bytes = calloc(pages, PAGE_SIZE), .pages = pages};
	return disks[n].bytes == NULL ? -ENOMEM : 0;
}

/* The swap disk: page 0 is a swap v1 header, as mkswap writes. */
static int swap_disk_make(uint32_t pages)
{
	int err = disk_make(VBLK_SWAP, pages);
	if (err)
		return err;
	uint8_t *disk = disks[VBLK_SWAP].bytes;
	uint32_t version = 1, last = pages - 1;
	memcpy(disk + SWAP_HDR_VERSION, &version, sizeof(version));
	memcpy(disk + SWAP_HDR_LAST_PAGE, &last, sizeof(last));
	memcpy(disk + PAGE_SIZE - strlen(SWAP_SIG), SWAP_SIG, strlen(SWAP_SIG));
	return 0;
}

struct vblk *vblk_disk(unsigned int n)
{
	return n < VBLK_MAX_DISKS && disks[n].bytes ? &disks[n] : NULL;
}

uint64_t vblk_capacity(const struct vblk *d)
{
	return d ? (uint64_t)d->pages * VBLK_SECTORS_PER_PAGE : 0;
}

/* One request: its buffers one after another on the disk from sector. */
int vblk_rwv(struct vblk *d, uint64_t sector, const struct vblk_buf *bufs, uint32_t n, bool write)
{
	if (d == NULL || d->bytes == NULL)
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
	uint8_t *p = d->bytes + sector * VBLK_SECTOR_SIZE;
	for (uint32_t k = 0; k < n; p += bufs[k].len, k++) {
		if (write)
			memcpy(p, bufs[k].addr, bufs[k].len);
		else
			memcpy(bufs[k].addr, p, bufs[k].len);
	}
	if (write)
		d->stats.writes++;
	else
		d->stats.reads++;
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
	return d ? d->stats : (struct vblk_stats){0};
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

/* The hypervisor's part of vm_destroy (riscv/hv.c): the host tests make
 * G-stages of their own (struct gstage) and free them themselves. */
void hv_destroy(struct addrspace *as)
{
	as->gstage = NULL;
}

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
	int err = host_ram_setup(HOST_VM_RAM_BASE, ram_pages, NULL, 0);
	if (err == 0 && swap_pages)
		err = swap_disk_make(swap_pages);
	if (err)
		return err;
	asid_init(9, true);
	vm_init(policy, maxframes);
	return 0;
}

void host_vm_teardown(void)
{
	for (unsigned int n = 0; n < VBLK_MAX_DISKS; n++) {
		free(disks[n].bytes);
		disks[n] = (struct vblk){0};
	}
	memset(files, 0, sizeof(files));
	nfiles = 0;
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

/* --- page-cache files --------------------------------------------------- */

int host_vm_files_setup(uint32_t n, uint32_t pages)
{
	if (n > HOST_VM_FILES_MAX)
		return -EINVAL;
	int err = disk_make(VBLK_FS, FIRST_FILE_BLOCK + n * pages);
	if (err == 0)
		err = pc_init(vblk_disk(VBLK_FS));
	if (err)
		return err;
	for (uint32_t i = 0; i < n; i++)
		files[i] = (struct vnode){.first = FIRST_FILE_BLOCK + i * pages, .pages = pages};
	nfiles = n;
	return 0;
}

struct vnode *host_vm_file(uint32_t i)
{
	return i < nfiles ? &files[i] : NULL;
}

uint32_t host_vm_file_refs(uint32_t i)
{
	return files[i].ref;
}

uint32_t host_vm_file_block(uint32_t i, uint32_t index)
{
	return files[i].first + index;
}

uint8_t *host_vm_fs_block(uint32_t blk)
{
	return disks[VBLK_FS].bytes + (size_t)blk * PAGE_SIZE;
}

void vnode_hold(struct vnode *vn)
{
	vn->ref++;
}

void vnode_put(struct vnode *vn)
{
	if (vn->ref == 0)
		panic("host_vm: put of a file with no reference");
	vn->ref--;
}

/* As fs/vfs_names.c's: the page past the end is SIGBUS, a read error too;
 * there are no holes, so alloc changes nothing. */
int vnode_map_page(struct vnode *vn, uint32_t index, bool alloc, struct frame **out)
{
	(void)alloc;
	if (index >= vn->pages)
		return -ENXIO;
	int err = pc_get(vn->first + index, false, out);
	return err == -ENOMEM ? err : err ? -ENXIO : 0;
}
