/*
 * walk [VA...]: show how the MMU translates each hex virtual address in
 * this process (SYS_vmwalk): satp (this architecture's CR3) with its ASID,
 * the level-1 and level-0 page-table entries with decoded flags, and the
 * physical address or the fault a load would raise. Without arguments it
 * walks its own text, data, heap and stack, NULL and the kernel half.
 * walk -x VA... adds the same walk in x86-32 terms (CR3, PDE, PTE);
 * walk -m VA... first maps and touches a page at each address, then walks
 * it both ways; walk --tables prints the classic page-table arithmetic
 * beside what this process really spends (SYS_procinfo); walk --dump
 * walks its own addresses and counts its tables, then has the kernel
 * print its whole page table (SYS_vmprint).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <kernel_calls.h>

/* satp fields (privileged spec, section "Supervisor Address Translation and Protection"). */
#define SATP_MODE_SV32	(1u << 31)
#define SATP_ASID_SHIFT 22
#define SATP_ASID_MASK	0x1ffu
#define SATP_PPN_MASK	0x3fffffu

/* Sv32 PTE bits (privileged spec, section "Sv32 Page-Table Entry"). */
#define PTE_V	      (1u << 0)
#define PTE_R	      (1u << 1)
#define PTE_W	      (1u << 2)
#define PTE_X	      (1u << 3)
#define PTE_U	      (1u << 4)
#define PTE_G	      (1u << 5)
#define PTE_A	      (1u << 6)
#define PTE_D	      (1u << 7)
#define PTE_PPN_SHIFT 10

/* scause values a walk can report. */
#define SCAUSE_INST_PAGE_FAULT	12
#define SCAUSE_LOAD_PAGE_FAULT	13
#define SCAUSE_STORE_PAGE_FAULT 15

/* Where the kernel half starts in every address space (DESIGN.md section 3). */
#define KERNEL_BASE 0x80000000u

/* The 10/10/12 split, the same on Sv32 and classic x86-32. */
#define VPN1_SHIFT 22
#define VPN0_SHIFT 12
#define VPN_MASK   0x3ffu
#define PAGE_MASK  0xfffu
#define PTE_SIZE   ((uint32_t)4) /* bytes per entry, on both */
#define PAGE_BYTES ((uint32_t)4096)
#define KIB	   ((uint32_t)1024)

static int data_example = 1;

/* The name of a page-fault scause. */
static const char *fault_name(uint32_t scause)
{
	switch (scause) {
	case SCAUSE_INST_PAGE_FAULT:
		return "instruction page fault";
	case SCAUSE_LOAD_PAGE_FAULT:
		return "load page fault";
	case SCAUSE_STORE_PAGE_FAULT:
		return "store page fault";
	default:
		return "fault";
	}
}

/* What a walk that ended at level translated: a megapage, a page or nothing. */
static const char *level_name(int32_t level)
{
	switch (level) {
	case 1:
		return "megapage";
	case 0:
		return "page";
	default:
		return "no translation";
	}
}

/* Print one PTE: where it lives, its value, PPN and flags, and what it means. */
static void print_pte(const char *label, uint32_t where, uint32_t pte)
{
	static const struct {
		uint32_t bit;
		char letter;
	} flags[] = {
	    {PTE_V, 'V'}, {PTE_R, 'R'}, {PTE_W, 'W'}, {PTE_X, 'X'},
	    {PTE_U, 'U'}, {PTE_G, 'G'}, {PTE_A, 'A'}, {PTE_D, 'D'},
	};
	char letters[sizeof(flags) / sizeof(flags[0]) + 1];
	const char *meaning;

	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		letters[i] = (pte & flags[i].bit) ? flags[i].letter : '-';
	letters[sizeof(letters) - 1] = '\0';
	if (pte == 0)
		meaning = "empty";
	else if (!(pte & PTE_V))
		meaning = "not valid (kept by the kernel, e.g. a swap slot)";
	else if (!(pte & (PTE_R | PTE_W | PTE_X)))
		meaning = "pointer to the next level";
	else
		meaning = "leaf";
	printf("  %s at pa 0x%08" PRIx32 ": 0x%08" PRIx32 " ppn 0x%05" PRIx32 " %s %s\n", label,
	       where, pte, pte >> PTE_PPN_SHIFT, letters, meaning);
}

/* The flags of a Sv32 leaf by their x86-32 names: P for V, R/W for W,
 * U/S for U, A, D, G. R has no x86 bit (a present x86 page is readable),
 * and without PAE x86 has no NX bit, so X has none either. */
static void print_x86_flags(uint32_t pte)
{
	printf("P=%d R/W=%d U/S=%d A=%d D=%d G=%d\n", !!(pte & PTE_V), !!(pte & PTE_W),
	       !!(pte & PTE_U), !!(pte & PTE_A), !!(pte & PTE_D), !!(pte & PTE_G));
	printf("      (Sv32 R=%d X=%d: x86-32 has no R bit, and no NX without PAE)\n",
	       !!(pte & PTE_R), !!(pte & PTE_X));
}

/* The walk of w in x86-32 terms: the same 10/10/12 split and 4-byte
 * entries, so the PDE and PTE sit at the same byte offsets as the level-1
 * and level-0 PTEs; CR3 holds what satp's PPN names. */
static void print_x86(uint32_t va, const struct k_vmwalk *w)
{
	uint32_t pde = (va >> VPN1_SHIFT) & VPN_MASK, pti = (va >> VPN0_SHIFT) & VPN_MASK;
	uint32_t cr3 = (w->satp & SATP_PPN_MASK) << VPN0_SHIFT;
	printf("  x86-32: CR3 0x%08" PRIx32 " (the page directory; the ASID would be a PCID)\n",
	       cr3);
	printf("    PDE %4" PRIu32 " (0x%03" PRIx32 ") at CR3 + 0x%03" PRIx32 " = 0x%08" PRIx32 ": ",
	       pde, pde, pde * PTE_SIZE, w->pte1_pa);
	if (!(w->pte1 & PTE_V)) {
		printf("P=0, not present: #PF with CR2 = 0x%08" PRIx32 "\n", va);
		return;
	}
	if (w->pte1 & (PTE_R | PTE_W | PTE_X)) {
		printf("a 4 MiB page (PS=1), ");
		print_x86_flags(w->pte1);
	} else {
		uint32_t pt = (w->pte1 >> PTE_PPN_SHIFT) << VPN0_SHIFT;
		printf("P=1, the page table at 0x%08" PRIx32 "\n", pt);
		printf("    PTE %4" PRIu32 " (0x%03" PRIx32 ") at PT + 0x%03" PRIx32
		       " = 0x%08" PRIx32 ": ", pti, pti, pti * PTE_SIZE, w->pte0_pa);
		if (!(w->pte0 & PTE_V)) {
			printf("P=0, not present: #PF with CR2 = 0x%08" PRIx32 "\n", va);
			return;
		}
		print_x86_flags(w->pte0);
	}
	if (w->fault == 0)
		printf("    offset 0x%03" PRIx32 ": physical 0x%08" PRIx32 "\n", va & PAGE_MASK, w->pa);
}

/* Walk va and print the result, with the x86-32 view if x86; 0, or -1
 * after printing the error. */
static int walk(uint32_t va, const char *what, bool x86)
{
	struct k_vmwalk w;

	if (vmwalk(va, &w) < 0) {
		fprintf(stderr, "walk: vmwalk 0x%08" PRIx32 ": %s\n", va, strerror(errno));
		return -1;
	}
	printf("va 0x%08" PRIx32 "%s%s\n", va, what ? " " : "", what ? what : "");
	printf("  vpn[1] %" PRIu32 " (0x%03" PRIx32 "), vpn[0] %" PRIu32 " (0x%03" PRIx32
	       "), offset 0x%03" PRIx32 "\n",
	       (va >> VPN1_SHIFT) & VPN_MASK, (va >> VPN1_SHIFT) & VPN_MASK,
	       (va >> VPN0_SHIFT) & VPN_MASK, (va >> VPN0_SHIFT) & VPN_MASK, va & PAGE_MASK);
	printf("  satp 0x%08" PRIx32 ": mode %s, asid %" PRIu32 ", root ppn 0x%05" PRIx32 "\n",
	       w.satp, (w.satp & SATP_MODE_SV32) ? "Sv32" : "bare",
	       (w.satp >> SATP_ASID_SHIFT) & SATP_ASID_MASK, w.satp & SATP_PPN_MASK);
	print_pte("pte1", w.pte1_pa, w.pte1);
	if (w.pte0_pa != 0)
		print_pte("pte0", w.pte0_pa, w.pte0);
	if (w.fault != 0)
		printf("  fault: scause %" PRIu32 " (%s)\n", w.fault, fault_name(w.fault));
	else
		printf("  pa 0x%08" PRIx32 " (%s)\n", w.pa, level_name(w.level));
	if (x86)
		print_x86(va, &w);
	return 0;
}

/* Walk a few addresses of this very program. */
static int walk_self(void)
{
	int stack_example = 0;
	char *heap_example = malloc(1);
	int status = 0;

	if (heap_example == NULL) {
		fprintf(stderr, "walk: malloc: %s\n", strerror(errno));
		return -1;
	}
	status |= walk((uint32_t)(uintptr_t)&walk_self, "(text)", false);
	status |= walk((uint32_t)(uintptr_t)&data_example, "(data)", false);
	status |= walk((uint32_t)(uintptr_t)heap_example, "(heap)", false);
	status |= walk((uint32_t)(uintptr_t)&stack_example, "(stack)", false);
	status |= walk(0, "(NULL)", false);
	status |= walk(KERNEL_BASE, "(kernel)", false);
	free(heap_example);
	return status;
}

/* This process's own line of SYS_procinfo; 0, or -1 after the error. */
static int my_info(struct k_procinfo *out)
{
	pid_t me = getpid();
	for (unsigned int i = 0; procinfo(i, out) == 0; i++)
		if (out->pid == me)
			return 0;
	fprintf(stderr, "walk: procinfo: cannot find pid %d\n", (int)me);
	return -1;
}

/* The classic arithmetic of page tables, next to what this process spends. */
static int tables(void)
{
	struct k_procinfo me;
	if (my_info(&me) < 0)
		return -1;
	uint32_t entries = 1u << (32 - VPN0_SHIFT), flat = entries * PTE_SIZE;
	uint32_t tables = me.table_bytes / PAGE_BYTES;
	printf("page tables for 32-bit addresses, 4 KiB pages, 4-byte entries:\n");
	printf("  one flat table of 2^20 = %" PRIu32 " entries  %8" PRIu32 " bytes (%" PRIu32
	       " MiB)\n", entries, flat, flat / KIB / KIB);
	printf("  two levels: at least a root and one table  %8" PRIu32 " bytes (%" PRIu32
	       " KiB)\n", 2 * PAGE_BYTES, 2 * PAGE_BYTES / KIB);
	printf("  this process, pid %-4" PRId32 " root + %2" PRIu32 " tables  %8" PRIu32
	       " bytes (%" PRIu32 " KiB)\n", me.pid, tables - 1, me.table_bytes,
	       me.table_bytes / KIB);
	printf("  (the kernel half of every root points at the kernel's own tables)\n");
	return 0;
}

/* Map a private page at the page of va and write to it, so a walk finds
 * it resident; 0, or -1 after the error. */
static int map_and_touch(uint32_t va)
{
	uint32_t page = va & ~PAGE_MASK;
	void *p = mmap((void *)(uintptr_t)page, PAGE_BYTES, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "walk: mmap 0x%08" PRIx32 ": %s\n", page, strerror(errno));
		return -1;
	}
	*(volatile char *)(uintptr_t)va = 1;
	printf("mapped and touched the page at 0x%08" PRIx32 "\n", page);
	return 0;
}

/* Parse a hex address; false after printing why not. */
static bool parse_va(const char *s, uint32_t *va)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 16);
	if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0 || v > UINT32_MAX) {
		fprintf(stderr, "walk: %s: not a hex address\n", s);
		return false;
	}
	*va = (uint32_t)v;
	return true;
}

int main(int argc, char *argv[])
{
	int status = EXIT_SUCCESS, first = 1;
	bool map = false, x86 = false;

	if (argc < 2)
		return walk_self() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	if (strcmp(argv[1], "--tables") == 0)
		return argc == 2 && tables() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	if (strcmp(argv[1], "--dump") == 0) {
		if (argc != 2 || walk_self() < 0 || tables() < 0)
			return EXIT_FAILURE;
		fflush(stdout); /* the kernel prints the dump on the console itself */
		return vmprint() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	if (strcmp(argv[1], "-m") == 0 || strcmp(argv[1], "-x") == 0) {
		map = argv[1][1] == 'm';
		x86 = true;
		first = 2;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: walk [-m | -x] [VA...] | walk --tables | walk --dump\n");
		return EXIT_FAILURE;
	}
	for (int i = first; i < argc; i++) {
		uint32_t va;
		if (!parse_va(argv[i], &va) || (map && map_and_touch(va) < 0) ||
		    walk(va, NULL, x86) < 0)
			status = EXIT_FAILURE;
	}
	return status;
}
