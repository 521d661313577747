/*
 * exec: replace a process's program with an ELF file from the initramfs.
 * Builds the new address space's regions (one per segment, the heap, the
 * stack) without loading any page: vm_fault fills them on first touch.
 * Only the top of the stack is written now, with argc, argv and envp.
 * The old address space survives until the new one is complete, so a
 * failed exec returns an error to the old program.
 */
#include "lib/kerrno.h"
#include "lib/klib.h"
#include "fs/vfs.h"
#include "mm/phys.h"
#include "mm/vm.h"
#include "proc/cpio.h"
#include "proc/elf.h"
#include "proc/file.h"
#include "proc/proc.h"
#include "proc/syscall.h"
#include "riscv/cpu.h"
#include "riscv/csr.h"
#include "riscv/kmap.h"

#define STACK_ALIGN 16

static uint32_t region_prot(uint32_t pflags)
{
	uint32_t prot = 0;
	if (pflags & ELF_PF_R)
		prot |= VM_R;
	if (pflags & ELF_PF_W)
		prot |= VM_W;
	if (pflags & ELF_PF_X)
		prot |= VM_X;
	return vm_prot_implied(prot);
}

/* A program's bytes: an initramfs file, or a file of the ext2 root (held). */
struct image {
	const uint8_t *data;
	struct vnode *vn;
	uint32_t size;
};

/* Add a region per loadable segment, then the heap after the last one. */
static int add_segments(struct addrspace *as, const struct elf_info *info,
			const struct image *image)
{
	uint32_t top = 0;
	for (uint32_t i = 0; i < info->nsegs; i++) {
		const struct elf_segment *s = &info->segs[i];
		struct vm_region r = {
			.start = PAGE_ROUND_DOWN(s->vaddr),
			.end = PAGE_ROUND_UP(s->vaddr + s->memsz),
			.prot = (uint8_t)region_prot(s->flags),
			.kind = s->filesz ? VMR_FILE : VMR_ANON,
			.file_data = image->data,
			.vn = image->vn,
			.file_base = (int64_t)s->vaddr - s->offset,
			.file_lo = s->vaddr,
			.file_hi = s->vaddr + s->filesz,
		};
		int err = vm_add_region(as, &r);
		if (err)
			return err == -EINVAL ? -ENOEXEC : err;
		if ((err = vm_commit(as, vm_region_commit(&r))) != 0)
			return err;
		top = MAX(top, r.end);
	}
	struct vm_region heap = { .start = top, .end = top, .prot = VM_R | VM_W, .kind = VMR_ANON,
				  .flags = VMR_F_HEAP };
	struct vm_region stack = { .start = USER_TOP - STACK_MAX, .end = USER_TOP,
				   .prot = VM_R | VM_W, .kind = VMR_STACK };
	if (top + STACK_GUARD > stack.start)
		return -ENOEXEC;
	as->heap_start = as->brk = top;
	int err = vm_add_region(as, &heap);
	return err ? err : vm_add_region(as, &stack);
}

/*
 * Lay out the strings, then the argv and envp arrays, at the top of the
 * stack of as. Returns the user address of argv (the initial sp) or 0.
 */
static uint32_t push_args(struct addrspace *as, const char *const *argv, int argc)
{
	uint32_t sp = USER_TOP;
	uint32_t uargv[EXEC_MAX_ARGS + 2]; /* argv[], NULL, then envp's NULL */
	for (int i = argc - 1; i >= 0; i--) {
		uint32_t len = strlen(argv[i]) + 1;
		sp -= len;
		if (vm_write(as, sp, argv[i], len) != 0)
			return 0;
		uargv[i] = sp;
	}
	uargv[argc] = 0;
	uargv[argc + 1] = 0;
	sp = (sp - (argc + 2) * sizeof(uint32_t)) & ~(STACK_ALIGN - 1u);
	if (vm_write(as, sp, uargv, (argc + 2) * sizeof(uint32_t)) != 0)
		return 0;
	return sp;
}

/* The registers the new program starts with: pc at its entry, sp at
 * argv, a0 = argc, a1 = argv, a2 = envp, in U-mode with interrupts on. */
static void start_registers(struct trapframe *tf, uint32_t entry, uint32_t sp, int argc)
{
	memset(tf->regs, 0, sizeof(tf->regs));
	tf->sepc = entry;
	tf->regs[REG_SP] = sp;
	tf->regs[REG_A0] = (uint32_t)argc;
	tf->regs[REG_A0 + 1] = sp;
	tf->regs[REG_A0 + 2] = sp + (argc + 1) * sizeof(uint32_t);
	/* sret to U-mode with interrupts on, no SUM, FPU off. */
	tf->sstatus = (csr_read(sstatus) & ~(SSTATUS_SPP | SSTATUS_SUM | SSTATUS_FS_MASK |
					    SSTATUS_SIE)) | SSTATUS_SPIE;
}

/* The process's name: the last part of path ("/bin/sh" -> "sh"), cut to fit. */
static void set_name(struct proc *p, const char *path)
{
	const char *name = path;
	for (const char *s = path; *s; s++)
		if (*s == '/' && s[1])
			name = s + 1;
	size_t n = MIN(strlen(name), (size_t)PROC_NAME_MAX - 1);
	memcpy(p->name, name, n);
	p->name[n] = '\0';
}

/* The ELF headers of a file of the ext2 root, read through the cache. */
static int parse_vnode(struct image *img, struct elf_info *info)
{
	if (vnode_is_dir(img->vn))
		return -EACCES;
	paddr_t page = frame_alloc(0);
	if (page == 0)
		return -ENOMEM;
	img->size = vfs_size(img->vn);
	int got = vfs_read_kernel(img->vn, 0, pa2kva(page), MIN(img->size, PAGE_SIZE));
	int err = got < 0 ? got : elf_parse_head(pa2kva(page), (uint32_t)got, img->size, info);
	frame_free(page);
	return err == -ENOEXEC || err == 0 ? err : -EIO;
}

/* Find path and read its ELF headers: the program's bytes in *img. */
static int open_image(struct proc *p, const char *path, struct image *img,
		      struct elf_info *info)
{
	*img = (struct image){ 0 };
	if (fs_mounted()) {
		int err = vfs_lookup(p->cwd, path, &img->vn);
		if (err == 0 && (err = parse_vnode(img, info)) != 0) {
			vnode_put(img->vn);
			img->vn = NULL;
		}
		return err;
	}
	struct cpio_file cf;
	int err = cpio_find(initrd_data(), initrd_size(), path, &cf);
	if (err)
		return err == -EINVAL ? -EIO : err;
	if ((cf.mode & K_S_IFMT) != K_S_IFREG)
		return -EACCES;
	img->data = cf.data;
	img->size = cf.size;
	return elf_parse(cf.data, cf.size, info) != 0 ? -ENOEXEC : 0;
}

int proc_exec(struct proc *p, const char *path, const char *const *argv, int argc)
{
	struct image img;
	struct elf_info info;
	int err = open_image(p, path, &img, &info);
	if (err)
		return err;
	struct addrspace *as = vm_create();
	if (as != NULL) {
		as->pid = p->pid;
		err = add_segments(as, &info, &img);
	}
	if (img.vn)
		vnode_put(img.vn); /* the regions hold their own */
	if (as == NULL)
		return -ENOMEM;
	uint32_t sp = err ? 0 : push_args(as, argv, argc);
	if (sp == 0) {
		vm_destroy(as);
		return err ? err : -ENOMEM;
	}

	struct addrspace *old = p->as;
	p->as = as;
	if (p == myproc())
		vm_activate(as);
	if (old)
		vm_destroy(old);
	start_registers(p->tf, info.entry, sp, argc);
	set_name(p, path);
	return 0;
}
