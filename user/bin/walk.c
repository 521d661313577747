/*
 * walk [VA...]: show how the MMU translates each hex virtual address in
 * this process (SYS_vmwalk): satp (this architecture's CR3) with its ASID,
 * the level-1 and level-0 page-table entries with decoded flags, and the
 * physical address or the fault a load would raise. Without arguments it
 * walks its own text, data, heap and stack, NULL and the kernel half.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* Walk va and print the result; 0, or -1 after printing the error. */
static int walk(uint32_t va, const char *what)
{
	struct k_vmwalk w;

	if (vmwalk(va, &w) < 0) {
		fprintf(stderr, "walk: vmwalk 0x%08" PRIx32 ": %s\n", va, strerror(errno));
		return -1;
	}
	printf("va 0x%08" PRIx32 "%s%s\n", va, what ? " " : "", what ? what : "");
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
	status |= walk((uint32_t)(uintptr_t)&walk_self, "(text)");
	status |= walk((uint32_t)(uintptr_t)&data_example, "(data)");
	status |= walk((uint32_t)(uintptr_t)heap_example, "(heap)");
	status |= walk((uint32_t)(uintptr_t)&stack_example, "(stack)");
	status |= walk(0, "(NULL)");
	status |= walk(KERNEL_BASE, "(kernel)");
	free(heap_example);
	return status;
}

int main(int argc, char *argv[])
{
	int status = EXIT_SUCCESS;

	if (argc < 2)
		return walk_self() < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
	for (int i = 1; i < argc; i++) {
		char *end;
		unsigned long va;

		errno = 0;
		va = strtoul(argv[i], &end, 16);
		if (argv[i][0] == '\0' || argv[i][0] == '-' || *end != '\0' || errno != 0) {
			fprintf(stderr, "walk: %s: not a hex address\n", argv[i]);
			status = EXIT_FAILURE;
			continue;
		}
		if (walk((uint32_t)va, NULL) < 0)
			status = EXIT_FAILURE;
	}
	return status;
}
