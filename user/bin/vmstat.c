/*
 * vmstat: print every counter of struct k_vmstat (SYS_vmstat), one
 * "name value" line each, named as the struct's fields in uapi.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sv32.h>

struct field {
	const char *name;
	size_t offset;
};

#define FIELD(f) {#f, offsetof(struct k_vmstat, f)}

static const struct field fields[] = {
	FIELD(frames_total),	 FIELD(frames_free),	  FIELD(swap_slots_total),
	FIELD(swap_slots_free),	 FIELD(faults_zero),	  FIELD(faults_file),
	FIELD(faults_swapin),	 FIELD(faults_cow_copy),  FIELD(faults_cow_reuse),
	FIELD(faults_kill),	 FIELD(swapins),	  FIELD(swapouts),
	FIELD(evictions),	 FIELD(evictions_clean),  FIELD(asid_generation),
	FIELD(asid_rollovers),	 FIELD(tlb_full_fences),  FIELD(tlb_page_fences),
	FIELD(context_switches), FIELD(idle_instret_lo), FIELD(idle_instret_hi),
};

/* Every field above is a uint32_t, so the table covers the whole struct. */
_Static_assert(sizeof(fields) / sizeof(fields[0]) * sizeof(uint32_t) == sizeof(struct k_vmstat),
	       "vmstat: a field of struct k_vmstat is missing from the table");

int main(int argc, char *argv[])
{
	struct k_vmstat st;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "usage: vmstat\n");
		return EXIT_FAILURE;
	}
	if (vmstat(&st) < 0) {
		fprintf(stderr, "vmstat: vmstat: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint32_t value;

		memcpy(&value, (const char *)&st + fields[i].offset, sizeof(value));
		printf("%s %" PRIu32 "\n", fields[i].name, value);
	}
	return EXIT_SUCCESS;
}
