/*
 * vmstat: print every counter of struct k_vmstat (SYS_vmstat), one
 * "name value" line each, named as the struct's fields in uapi.h; then
 * each running hart's counters as "hartN_name value" (N: its index, 0 the
 * boot hart).
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel_calls.h>

struct field {
	const char *name;
	size_t offset;
};

static const struct field fields[] = {
    {"frames_total", offsetof(struct k_vmstat, frames_total)},
    {"frames_free", offsetof(struct k_vmstat, frames_free)},
    {"swap_slots_total", offsetof(struct k_vmstat, swap_slots_total)},
    {"swap_slots_free", offsetof(struct k_vmstat, swap_slots_free)},
    {"faults_zero", offsetof(struct k_vmstat, faults_zero)},
    {"faults_file", offsetof(struct k_vmstat, faults_file)},
    {"faults_swapin", offsetof(struct k_vmstat, faults_swapin)},
    {"faults_cow_copy", offsetof(struct k_vmstat, faults_cow_copy)},
    {"faults_cow_reuse", offsetof(struct k_vmstat, faults_cow_reuse)},
    {"faults_kill", offsetof(struct k_vmstat, faults_kill)},
    {"swapins", offsetof(struct k_vmstat, swapins)},
    {"swapouts", offsetof(struct k_vmstat, swapouts)},
    {"evictions", offsetof(struct k_vmstat, evictions)},
    {"evictions_clean", offsetof(struct k_vmstat, evictions_clean)},
    {"faults_ad", offsetof(struct k_vmstat, faults_ad)},
    {"asid_generation", offsetof(struct k_vmstat, asid_generation)},
    {"asid_rollovers", offsetof(struct k_vmstat, asid_rollovers)},
    {"tlb_full_fences", offsetof(struct k_vmstat, tlb_full_fences)},
    {"tlb_page_fences", offsetof(struct k_vmstat, tlb_page_fences)},
    {"context_switches", offsetof(struct k_vmstat, context_switches)},
    {"idle_instret_lo", offsetof(struct k_vmstat, idle_instret_lo)},
    {"idle_instret_hi", offsetof(struct k_vmstat, idle_instret_hi)},
    {"disk_reads", offsetof(struct k_vmstat, disk_reads)},
    {"disk_writes", offsetof(struct k_vmstat, disk_writes)},
    {"disk_errors", offsetof(struct k_vmstat, disk_errors)},
    {"user_frames", offsetof(struct k_vmstat, user_frames)},
    {"user_frames_max", offsetof(struct k_vmstat, user_frames_max)},
    {"tlb_asid_fences", offsetof(struct k_vmstat, tlb_asid_fences)},
    {"ticks", offsetof(struct k_vmstat, ticks)},
    {"boot_instret_lo", offsetof(struct k_vmstat, boot_instret_lo)},
    {"boot_instret_hi", offsetof(struct k_vmstat, boot_instret_hi)},
    {"tlb_shootdowns", offsetof(struct k_vmstat, tlb_shootdowns)},
    {"tlb_shootdown_harts", offsetof(struct k_vmstat, tlb_shootdown_harts)},
    {"tlb_idle_fences", offsetof(struct k_vmstat, tlb_idle_fences)},
    {"vm_checks", offsetof(struct k_vmstat, vm_checks)},
    {"cache_pages", offsetof(struct k_vmstat, cache_pages)},
    {"cache_dirty", offsetof(struct k_vmstat, cache_dirty)},
    {"cache_hits", offsetof(struct k_vmstat, cache_hits)},
    {"cache_misses", offsetof(struct k_vmstat, cache_misses)},
    {"cache_writebacks", offsetof(struct k_vmstat, cache_writebacks)},
    {"faults_cache", offsetof(struct k_vmstat, faults_cache)},
    {"fs_disk_reads", offsetof(struct k_vmstat, fs_disk_reads)},
    {"fs_disk_writes", offsetof(struct k_vmstat, fs_disk_writes)},
    {"reclaim_examined", offsetof(struct k_vmstat, reclaim_examined)},
    {"ghost_hits", offsetof(struct k_vmstat, ghost_hits)},
    {"hot_admissions", offsetof(struct k_vmstat, hot_admissions)},
    {"swap_readahead", offsetof(struct k_vmstat, swap_readahead)},
    {"nharts", offsetof(struct k_vmstat, nharts)},
};

static const struct field hart_fields[] = {
    {"id", offsetof(struct k_hartstat, hartid)},
    {"context_switches", offsetof(struct k_hartstat, context_switches)},
    {"ipis", offsetof(struct k_hartstat, ipis)},
    {"idle_instret_lo", offsetof(struct k_hartstat, idle_instret_lo)},
    {"idle_instret_hi", offsetof(struct k_hartstat, idle_instret_hi)},
};

/* Every field above is a uint32_t, so the tables cover the whole struct. */
_Static_assert(sizeof(fields) / sizeof(fields[0]) * sizeof(uint32_t) ==
		   offsetof(struct k_vmstat, harts),
	       "vmstat: a field of struct k_vmstat is missing from the table");
_Static_assert(sizeof(hart_fields) / sizeof(hart_fields[0]) * sizeof(uint32_t) ==
		   sizeof(struct k_hartstat),
	       "vmstat: a field of struct k_hartstat is missing from the table");

static uint32_t field_at(const void *base, size_t offset)
{
	uint32_t value;

	memcpy(&value, (const char *)base + offset, sizeof(value));
	return value;
}

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
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		printf("%s %" PRIu32 "\n", fields[i].name, field_at(&st, fields[i].offset));
	for (uint32_t h = 0; h < st.nharts && h < K_MAX_HARTS; h++)
		for (size_t i = 0; i < sizeof(hart_fields) / sizeof(hart_fields[0]); i++)
			printf("hart%" PRIu32 "_%s %" PRIu32 "\n", h, hart_fields[i].name,
			       field_at(&st.harts[h], hart_fields[i].offset));
	return EXIT_SUCCESS;
}
