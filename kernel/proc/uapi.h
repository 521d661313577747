/*
 * The user/kernel interface: system-call numbers and the structures that
 * cross the boundary. Included by the kernel and by the user runtime
 * (user/lib), so it uses fixed-width types only and nothing kernel-private.
 * Calling convention: a7 = number, a0-a5 = arguments, ecall; the result
 * comes back in a0, a negative errno (lib/kerrno.h values) on failure.
 */
#ifndef PROC_UAPI_H
#define PROC_UAPI_H

#include <stdint.h>

#define SYS_exit 1        /* (int status) -> no return */
#define SYS_fork 2        /* () -> child pid in parent, 0 in child */
#define SYS_execve 3      /* (const char *path, char *const argv[], char *const envp[]) */
#define SYS_waitpid 4     /* (int pid, int *status, int options) -> pid, 0 with WNOHANG */
#define SYS_getpid 5      /* () */
#define SYS_getppid 6     /* () */
#define SYS_kill 7        /* (int pid, int sig) */
#define SYS_sched_yield 8 /* () */
#define SYS_usleep 9      /* (uint32_t microseconds) */
#define SYS_uptime 10     /* (struct k_timespec *ts): time since boot */
#define SYS_brk 11        /* (void *addr) -> the new break; addr 0 asks for the current one */
#define SYS_pipe 12       /* (int fds[2]) */
#define SYS_read 13       /* (int fd, void *buf, uint32_t n) */
#define SYS_write 14      /* (int fd, const void *buf, uint32_t n) */
#define SYS_close 15      /* (int fd) */
#define SYS_dup 16        /* (int fd) */
#define SYS_open 17       /* (const char *path, int flags, uint32_t mode) -> fd */
#define SYS_mmap 18       /* (void *addr, uint32_t len, int prot, int flags, int fd, uint32_t off) */
#define SYS_munmap 19     /* (void *addr, uint32_t len) */
#define SYS_mprotect 20   /* (void *addr, uint32_t len, int prot) */
#define SYS_vmwalk 21     /* (uint32_t va, struct k_vmwalk *out): the Sv32 walk of va */
#define SYS_vmstat 22     /* (struct k_vmstat *out) */
#define SYS_procinfo 23   /* (uint32_t index, struct k_procinfo *out) -> 0, -ESRCH past the end */
#define SYS_readdir 24    /* (uint32_t index, char *name, uint32_t size): initramfs entry names */
#define SYS_poweroff 25   /* () */
#define SYS_dup2 26       /* (int oldfd, int newfd) */
#define SYS_vmprint 27    /* (): print the caller's page table (user half) on the console */
#define SYS_setaffinity 28 /* (int pid, uint32_t hart_mask): run pid only on those hart ids */
#define SYS_vmcheck 29    /* (): check the memory manager's books; problems found, 0 if none */
#define SYS_lseek 30      /* (int fd, int32_t off, int whence) -> the new offset */
#define SYS_fstat 31      /* (int fd, struct k_stat *out) */
#define SYS_stat 32       /* (const char *path, struct k_stat *out) */
#define SYS_ftruncate 33  /* (int fd, uint32_t length) */
#define SYS_fsync 34      /* (int fd): its data and size on disk when it returns */
#define SYS_unlink 35     /* (const char *path) */
#define SYS_rename 36     /* (const char *from, const char *to) */
#define SYS_mkdir 37      /* (const char *path, uint32_t mode) */
#define SYS_rmdir 38      /* (const char *path) */
#define SYS_getdents 39   /* (int fd, void *buf, uint32_t size) -> bytes of k_dirent records, 0 at the end */
#define SYS_chdir 40      /* (const char *path) */
#define SYS_getcwd 41     /* (char *buf, uint32_t size) -> the length with its NUL */
#define SYS_msync 42      /* (void *addr, uint32_t len, int flags) */
#define SYS_sync 43       /* (): every dirty page to the disk */
#define SYS_dropcache 44  /* (): sync, then drop every page-cache page no one maps or uses;
			   * the number dropped (Linux's drop_caches, for tests and benchmarks) */
#define SYS_vmcreate 45  /* (const struct k_vm_setup *s): host a guest in this process (riscv/hv.h) */
#define SYS_vmrun 46     /* (struct k_vm_exit *out): run the guest until an exit this process sees */
#define SYS_vmgwalk 47   /* (uint32_t gva, struct k_vm_gwalk *out): the guest's two-stage walk of gva */
#define SYS_MAX 47

/* waitpid options and status encoding (as POSIX and Linux). */
#define K_WNOHANG 1
#define K_W_EXITCODE(code) (((code) & 0xff) << 8)
#define K_W_SIGNALED(sig) ((sig) & 0x7f)

/* Signals a process can die of; the numbers are picolibc's <signal.h>. */
#define K_SIGILL 4
#define K_SIGTRAP 5
#define K_SIGKILL 9
#define K_SIGBUS 10
#define K_SIGSEGV 11
#define K_SIGTERM 15

/* open flags: picolibc's <fcntl.h> values */
#define K_O_RDONLY 0
#define K_O_WRONLY 1
#define K_O_RDWR 2
#define K_O_ACCMODE 3
#define K_O_CREAT 0x0040
#define K_O_TRUNC 0x0200
#define K_O_APPEND 0x0400
#define K_O_EXCL 0x0800
#define K_O_DIRECTORY 0x200000

/* lseek whence */
#define K_SEEK_SET 0
#define K_SEEK_CUR 1
#define K_SEEK_END 2

/* File types in k_stat.mode (the POSIX and ext2 values) */
#define K_S_IFMT 0170000
#define K_S_IFDIR 0040000
#define K_S_IFCHR 0020000
#define K_S_IFREG 0100000

/* k_dirent.type (Linux's DT_ values) */
#define K_DT_UNKNOWN 0
#define K_DT_CHR 2
#define K_DT_DIR 4
#define K_DT_REG 8

/* msync flags (the Linux values) */
#define K_MS_ASYNC 1
#define K_MS_INVALIDATE 2
#define K_MS_SYNC 4

#define K_PATH_MAX 256 /* with the NUL */
#define K_NAME_MAX 255

struct k_stat {
	uint32_t dev; /* 1: the ext2 disk, 2: the initramfs, 3: the console */
	uint32_t ino;
	uint32_t mode; /* K_S_IF* type and permission bits */
	uint32_t nlink;
	uint32_t size;
	uint32_t blocks; /* 512-byte units allocated */
	uint32_t blksize;
	uint32_t atime, mtime, ctime; /* seconds since 1970 */
};

/* One directory entry of getdents: reclen bytes, a multiple of 4, with the
 * NUL-terminated name at its end. */
struct k_dirent {
	uint32_t ino;
	uint16_t reclen;
	uint8_t type; /* K_DT_* */
	char name[1]; /* really reclen - 7 bytes */
};

/* mmap protections and flags (the Linux values, which <sys/mman.h> uses). */
#define K_PROT_NONE 0
#define K_PROT_READ 1
#define K_PROT_WRITE 2
#define K_PROT_EXEC 4
#define K_MAP_SHARED 0x01
#define K_MAP_PRIVATE 0x02
#define K_MAP_FIXED 0x10
#define K_MAP_ANONYMOUS 0x20
#define K_MAP_FAILED ((void *)-1)

struct k_timespec {
	uint32_t sec;
	uint32_t nsec;
};

struct k_vmwalk {
	uint32_t satp;
	uint32_t asid;
	uint32_t pte1_pa, pte1; /* the level-1 entry and where it lives */
	uint32_t pte0_pa, pte0; /* the level-0 entry; pte0_pa 0 if the walk stopped at level 1 */
	uint32_t pa;            /* the translation, when fault is 0 */
	uint32_t fault;         /* 0, or the scause a user load would raise */
	int32_t level;          /* 1 megapage, 0 page, -1 none */
};

struct k_procinfo {
	int32_t pid, ppid;
	uint32_t state; /* K_PROC_* */
	uint32_t resident_pages;
	uint32_t swapped_pages;
	uint32_t swapcached_pages; /* resident pages that also hold a swap slot */
	uint32_t table_bytes;      /* its page tables: the root and its user level-0 tables */
	char name[16];
	int32_t hart;              /* the hart id it runs on; -1 unless K_PROC_RUNNING */
	uint32_t cache_pages;      /* resident pages that are page-cache pages (file pages) */
};

#define K_PROC_RUNNABLE 1
#define K_PROC_RUNNING 2
#define K_PROC_SLEEPING 3
#define K_PROC_ZOMBIE 4

#define K_MAX_HARTS 8

struct k_vmstat {
	uint32_t frames_total, frames_free;
	uint32_t swap_slots_total, swap_slots_free;
	uint32_t faults_zero, faults_file, faults_swapin, faults_cow_copy, faults_cow_reuse,
		faults_kill;
	uint32_t swapins, swapouts, evictions, evictions_clean;
	uint32_t faults_ad; /* A/D bits set by software (hardware that faults instead) */
	uint32_t asid_generation, asid_rollovers;
	uint32_t tlb_full_fences, tlb_page_fences, context_switches;
	uint32_t idle_instret_lo, idle_instret_hi;
	uint32_t disk_reads, disk_writes, disk_errors;
	uint32_t user_frames, user_frames_max;
	uint32_t tlb_asid_fences;           /* sfence.vma x0, asid: one address space */
	uint32_t ticks;                     /* timer interrupts since boot */
	uint32_t boot_instret_lo, boot_instret_hi; /* instret at the kernel's first instruction */
	uint32_t tlb_shootdowns;     /* remote sfence.vma requests sent (one SBI call each) */
	uint32_t tlb_shootdown_harts; /* harts those requests named, summed */
	uint32_t tlb_idle_fences;    /* whole-TLB fences of harts going idle (several harts only) */
	uint32_t vm_checks;          /* consistency checks run (vmcheck, vm.check=1) */
	uint32_t cache_pages;        /* frames in the page cache (file and file-system pages) */
	uint32_t cache_dirty;        /* of them, dirty: not yet written back */
	uint32_t cache_hits;         /* page-cache lookups found in memory */
	uint32_t cache_misses;       /* lookups that read the disk */
	uint32_t cache_writebacks;   /* pages written back to the file-system disk */
	uint32_t faults_cache;       /* faults that mapped a page-cache frame */
	uint32_t fs_disk_reads, fs_disk_writes; /* requests to the file-system disk */
	uint32_t reclaim_examined;   /* frames whose A bits a replacement hand tested */
	uint32_t ghost_hits;         /* vm.policy=2q: faults on pages its ghost table remembered */
	uint32_t hot_admissions;     /* vm.policy=2q: pages that joined its hot ring */
	uint32_t swap_readahead;     /* pages read from swap with another page's fault (in swapins) */
	uint32_t nharts;             /* harts running the kernel: harts[0 .. nharts - 1] */
	struct k_hartstat {
		uint32_t hartid;
		uint32_t context_switches; /* processes this hart switched to */
		uint32_t ipis;             /* software interrupts it took (wake-ups) */
		uint32_t idle_instret_lo, idle_instret_hi; /* instructions retired in wfi */
	} harts[K_MAX_HARTS];
};

/* SYS_vmcreate: the guest's RAM is [ram_hva, ram_hva + ram_size) of the
 * caller, an anonymous private mapping (readable, writable and, for code,
 * executable), seen by the guest at guest-physical ram_gpa; its hart
 * starts at pc entry in VS-mode with a0 and a1 as given (hart id, device
 * tree). A guest store to the sifive_test page at test_gpa (0: none)
 * powers it off with the device's exit code. The kernel fills in the
 * out fields, and vm writes the device tree after the call. */
struct k_vm_setup {
	uint32_t ram_hva, ram_gpa, ram_size;
	uint32_t entry, a0, a1;
	uint32_t test_gpa;
	/* out: what the guest's device tree must say of its hart */
	uint32_t timebase_hz;
	char isa[32]; /* riscv,isa: the host's letters but h (and f, d: the FPU stays off) */
};

/* Why SYS_vmrun returned (k_vm_exit.reason). */
#define K_VM_EXIT_POWEROFF 1 /* status: the exit code the guest gave (SRST or sifive_test) */
#define K_VM_EXIT_REBOOT 2   /* the guest asked for a reset */
#define K_VM_EXIT_BAD_GPA 3  /* an access to a guest-physical address with nothing there */
#define K_VM_EXIT_BAD_INSN 4 /* an instruction the host cannot emulate (insn, cause) */
#define K_VM_EXIT_NO_MEMORY 5 /* the host could not page in guest memory (status: errno) */

/* Exits counted by kind, since the guest was created. */
#define K_VM_COUNT_SBI 0     /* SBI calls (ecall from VS-mode) */
#define K_VM_COUNT_GFAULT 1  /* guest-page faults on RAM: pages mapped in the G-stage */
#define K_VM_COUNT_MMIO 2    /* emulated device accesses */
#define K_VM_COUNT_IRQ 3     /* host interrupts that came while the guest ran */
#define K_VM_COUNT_OTHER 4   /* anything else */
#define K_VM_COUNTS 5

struct k_vm_exit {
	uint32_t reason;
	uint32_t status;
	uint32_t pc;         /* the guest's pc at the exit */
	uint32_t gpa_lo, gpa_hi; /* K_VM_EXIT_BAD_GPA: the address (34 bits) */
	uint32_t cause;      /* the exit's scause */
	uint32_t insn;       /* K_VM_EXIT_BAD_INSN: the instruction, if it could be read */
	uint32_t vmid;       /* the VMID it ran under last */
	uint32_t counts[K_VM_COUNTS];
};

/* SYS_vmgwalk: the two-dimensional walk of guest virtual address gva
 * under the guest's vsatp when it last exited. Each of the guest's PTEs
 * sits at a guest-physical address that the G-stage translates again. */
struct k_vm_gwalk {
	uint32_t vsatp;
	uint32_t hgatp;
	uint32_t levels;          /* guest levels walked: 0 if vsatp is Bare */
	struct {
		uint32_t pte_gpa;         /* where the guest's PTE is, guest-physical */
		uint32_t pte_hpa;         /* ... and host-physical (0: not mapped in the G-stage) */
		uint32_t g_root_pte;      /* the G-stage root entry for pte_gpa */
		uint32_t g_leaf_pte;      /* the G-stage leaf for pte_gpa */
		uint32_t pte;             /* the guest's PTE */
	} level[2];
	uint32_t gpa_lo, gpa_hi;  /* gva's guest-physical address */
	uint32_t g_root_pte, g_leaf_pte; /* its G-stage entries */
	uint32_t hpa;             /* gva's host-physical address (0: not mapped) */
	uint32_t mem_refs;        /* memory references the hardware walk makes */
	int32_t error;            /* 0, or the step that failed: -1 guest, -2 G-stage */
};

#endif
